"""System checks for a deployment (`manage.py check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, register
from django.core.checks import Warning as CheckWarning

_CONSOLE_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "rabta.core.mailbackend.RedactedConsoleBackend",
}

W001 = "rabta.W001"


@register(Tags.security, deploy=True)
def check_mail_is_sent(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """With DEBUG off, mail must go to a server: otherwise reporters' news only reach the server log."""
    if settings.DEBUG:
        return []
    backend = settings.EMAIL_BACKEND
    smtp = backend == "django.core.mail.backends.smtp.EmailBackend"
    if backend in _CONSOLE_BACKENDS or (smtp and not settings.EMAIL_HOST):
        return [
            CheckWarning(
                "No mail server is configured: e-mail (reporters' news, overdue notices, reminders) would "
                "be written to the server log instead of being sent.",
                hint="Set RABTA_EMAIL_HOST (and RABTA_EMAIL_PORT, RABTA_EMAIL_USER, RABTA_EMAIL_PASSWORD, "
                "RABTA_EMAIL_STARTTLS or RABTA_EMAIL_TLS, RABTA_EMAIL_FROM); see docs/deploy.md.",
                id=W001,
            )
        ]
    return []
