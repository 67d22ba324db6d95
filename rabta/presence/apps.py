from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PresenceConfig(AppConfig):
    name = "rabta.presence"
    label = "presence"
    verbose_name = _("Presence")

    def ready(self) -> None:
        # Officers' LOG by SMS: messaging asks its registered command handlers before the resident
        # conversation, and never imports presence.
        from rabta.messaging import commands
        from rabta.presence.sms import handle_officer_sms

        commands.register(handle_officer_sms)
