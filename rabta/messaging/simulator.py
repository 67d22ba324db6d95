"""The SMS simulator's rules: who may use it, with which numbers, and what it shows.

It exists to try the SMS conversation without a phone, so it must never become a window on real
residents' messages: it is on only with DEBUG or RABTA_SMS_SIMULATOR, only for administrators, only
for test numbers (never seen on a real SMS channel, never a report's contact), and it shows only
the messages that went through a console channel. Every view of a thread is logged.
"""

from __future__ import annotations

from django.conf import settings

from rabta.core.scoping import ScopeUser
from rabta.messaging import selectors
from rabta.messaging.models import InboundMessage, OutboundMessage, Phone, Provider
from rabta.people.models import Role
from rabta.reports.contact import phone_index as report_phone_index
from rabta.reports.models import Report


def switched_on() -> bool:
    return bool(settings.DEBUG or settings.RABTA_SMS_SIMULATOR)


def allowed(user: ScopeUser) -> bool:
    """Whether `user` may use the simulator now (the staff home shows its link only then)."""
    return bool(
        switched_on()
        and user.is_authenticated
        and user.is_active
        and user.role == Role.ADMIN
        and selectors.console_channel() is not None
    )


def is_test_number(e164: str) -> bool:
    """A number the simulator may speak for: unknown, or only ever used through a console channel."""
    phone = selectors.find_phone(e164)
    if phone is None:
        return not _is_report_contact(e164)
    return _only_console(phone) and not _is_report_contact(e164)


def _is_report_contact(e164: str) -> bool:
    # The report's own blind index of its contact (not the messaging one: another key context).
    return Report.objects.filter(contact_phone_index=report_phone_index(e164)).exists()


def _only_console(phone: Phone) -> bool:
    real_in = InboundMessage.objects.filter(phone=phone).exclude(channel__provider=Provider.CONSOLE)
    real_out = OutboundMessage.objects.filter(phone=phone).exclude(channel__provider=Provider.CONSOLE)
    return not real_in.exists() and not real_out.exists()


def thread_phone(e164: str | None) -> Phone | None:
    """The phone whose thread the simulator may show: a test number that wrote to a console channel."""
    if not e164:
        return None
    phone = selectors.find_phone(e164)
    if phone is None or not is_test_number(e164):
        return None
    if not InboundMessage.objects.filter(phone=phone, channel__provider=Provider.CONSOLE).exists():
        return None
    return phone
