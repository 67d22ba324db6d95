from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "rabta.feedback"
    label = "feedback"
    verbose_name = _("Feedback and surveys")

    def ready(self) -> None:
        # Messaging asks apps above it about each inbound SMS without importing them.
        from rabta.feedback.sms import handle_survey_sms
        from rabta.messaging import commands

        commands.register(handle_survey_sms)
