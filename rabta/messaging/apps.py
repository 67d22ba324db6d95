from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "rabta.messaging"
    label = "messaging"
    verbose_name = _("SMS")

    def ready(self) -> None:
        # Report notifications reach reporters who gave a phone through the reports' channel registry.
        # Imported here: notifications imports models, which may load only once the app registry is ready.
        from rabta.messaging.notifications import register

        register()
