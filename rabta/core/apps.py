from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "rabta.core"
    label = "core"
    verbose_name = "Rabta core"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        # Registers the deployment checks (`check --deploy`).
        from rabta.core import checks  # noqa: F401
        from rabta.core.sqlite import use_wal

        # SQLite's WAL mode, set on each new connection without making reads depend on it.
        connection_created.connect(use_wal, dispatch_uid="rabta.core.sqlite.use_wal")
