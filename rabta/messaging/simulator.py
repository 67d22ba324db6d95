"""The SMS simulator's rules: who may use it, with which numbers, and what it shows.

It exists to try the SMS conversation without a phone, so it must never become a window on real
residents' messages: it is on only with DEBUG or RABTA_SMS_SIMULATOR, only for administrators, only
for test numbers (never seen on a real SMS channel, never a report's contact), and it shows only
the messages that went through a console channel. Every view of a thread is logged.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

from rabta.messaging.models import Channel, InboundMessage, OutboundMessage, Phone, Provider


def console_channel() -> Channel | None:
    return Channel.objects.filter(provider=Provider.CONSOLE, active=True).order_by("pk").first()


def switched_on() -> bool:
    return bool(settings.DEBUG or settings.RABTA_SMS_SIMULATOR)


def allowed(user: Any) -> bool:
    """Whether `user` may use the simulator now (the staff home shows its link only then)."""
    from rabta.people.models import Role

    return bool(
        switched_on()
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role == Role.ADMIN
        and console_channel() is not None
    )


def is_test_number(e164: str) -> bool:
    """A number the simulator may speak for: unknown, or only ever used through a console channel."""
    phone = Phone.objects.for_number(e164).first()
    if phone is None:
        return not _is_report_contact(e164)
    return _only_console(phone) and not _is_report_contact(e164)


def _is_report_contact(e164: str) -> bool:
    from rabta.reports.contact import phone_index
    from rabta.reports.models import Report

    # The report's own blind index of its contact (not the messaging one: another key context).
    return Report.objects.filter(contact_phone_index=phone_index(e164)).exists()


def _only_console(phone: Phone) -> bool:
    real_in = InboundMessage.objects.filter(phone=phone).exclude(channel__provider=Provider.CONSOLE)
    real_out = OutboundMessage.objects.filter(phone=phone).exclude(channel__provider=Provider.CONSOLE)
    return not real_in.exists() and not real_out.exists()


def thread_phone(e164: str | None) -> Phone | None:
    """The phone whose thread the simulator may show: a test number that wrote to a console channel."""
    if not e164:
        return None
    phone = Phone.objects.for_number(e164).first()
    if phone is None or not is_test_number(e164):
        return None
    if not InboundMessage.objects.filter(phone=phone, channel__provider=Provider.CONSOLE).exists():
        return None
    return phone


def thread(phone: Phone, *, last: int = 10) -> list[tuple[str, dt.datetime, str, str]]:
    """The last console messages both ways, oldest first: (direction, when, body, status)."""
    inbound = phone.inbound.filter(channel__provider=Provider.CONSOLE).order_by("-received_at")[:last]
    outbound = phone.outbound.filter(channel__provider=Provider.CONSOLE).order_by("-created_at")[:last]
    return sorted(
        [("in", m.received_at, m.body, "") for m in inbound]
        + [("out", m.created_at, m.body, str(m.get_status_display())) for m in outbound],
        key=lambda item: item[1],
    )
