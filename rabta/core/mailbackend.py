"""The mail backend used when no mail server is configured: it writes to the console, addresses hidden.

Django's own console backend prints every message whole, so the server log would collect reporters'
e-mail addresses. This one prints who (hidden), the subject and body only with DEBUG on (a
developer's machine, demo data), and with DEBUG off only that a message would have been sent:
`check --deploy` warns about that case (rabta.core.checks).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.console import EmailBackend as ConsoleBackend


class RedactedConsoleBackend(ConsoleBackend):
    def write_message(self, message: EmailMessage) -> None:
        count = len(message.recipients())
        lines = [f"E-mail to {count} recipient(s) [addresses hidden]"]
        if settings.DEBUG:
            lines += [f"Subject: {message.subject}", "", str(message.body)]
        else:
            lines.append("[subject and body hidden; configure RABTA_EMAIL_HOST to send mail]")
        self.stream.write("\n".join(lines) + "\n" + "-" * 79 + "\n")
