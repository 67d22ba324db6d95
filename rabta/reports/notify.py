"""Telling the reporter what happened, through the channels they left, in their language.

Channels register by name. Email is built in; rabta.messaging.notifications registers "sms" with
`register_channel("sms", send_sms, address="phone", text_message=True)`. Rules, whatever the channel:
  * an anonymous report (no contact) is never notified;
  * "do not contact me by SMS" blocks every text-message channel;
  * a message never carries the reporter's identity, contact, place or any other resident's details:
    only that there is news, the new status, a public note, and where to follow it;
  * with `report.wants_neutral_wording`, only that there is news (see compose);
  * the stored contact carries updates whether or not the reporter agreed to be contacted by staff.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from rabta.core.models import EmailPurpose
from rabta.core.outbox import queue_email
from rabta.reports.contact import Contact, decrypt_contact
from rabta.reports.lifecycle import Status
from rabta.reports.models import Report

logger = logging.getLogger(__name__)

Event = Literal["received", "status", "note"]
# What a resident did on the tracking page or by SMS, for the officer handling the report.
ResidentEvent = Literal["resident_info", "resident_not_fixed"]


class Sender(Protocol):
    def __call__(self, *, report: Report, contact: Contact, subject: str, body: str) -> bool: ...


@dataclass(frozen=True)
class Channel:
    name: str
    address: Literal["phone", "email"]
    text_message: bool  # SMS-like: blocked by "do not contact me by SMS"
    send: Sender


_channels: dict[str, Channel] = {}


def register_channel(
    name: str, send: Sender | Callable[..., bool], *, address: Literal["phone", "email"], text_message: bool
) -> None:
    _channels[name] = Channel(name=name, address=address, text_message=text_message, send=send)  # type: ignore[arg-type]


def _send_email(*, report: Report, contact: Contact, subject: str, body: str) -> bool:
    # Into the outbox: the task worker sends it after commit, with retries (rabta.core.outbox).
    return bool(
        queue_email(to=[contact.email], subject=subject, body=body, purpose=EmailPurpose.REPORTER_UPDATE)
    )


register_channel("email", _send_email, address="email", text_message=False)


def compose(*, report: Report, event: Event) -> tuple[str, str]:
    """Subject and body in the report's language. Deliberately vague about what was reported:
    a shared inbox or phone must not reveal more than "you have news from Rabta". With neutral
    wording (the reporter's choice; always for women's-desk and conduct categories) the same two
    sentences for every event, so even the kind of news stays private."""
    with translation.override(report.language or settings.LANGUAGE_CODE):
        if report.wants_neutral_wording:
            # A shared phone or inbox: nothing about the category, status, agency or a note's words.
            return str(_("Rabta: news")), str(
                _("There is news about your message. Follow it with your private tracking link or code.")
            )
        day = formats.date_format(timezone.localtime(report.created_at).date(), "DATE_FORMAT")
        subject = _("Rabta: news about your report")
        if event == "received":
            lines = [_("We received your report of %(day)s.") % {"day": day}]
        elif event == "status":
            lines = [
                _("Your report of %(day)s is now: %(status)s.")
                % {"day": day, "status": report.get_status_display()}
            ]
            if report.status == Status.REFERRED and report.referred_to:
                lines.append(_("It was passed to: %(to)s.") % {"to": report.referred_to})
        else:
            lines = [_("There is a new note on your report of %(day)s.") % {"day": day}]
        note = report.updates.filter(public=True).exclude(note="").order_by("-created_at", "-pk").first()
        if note is not None and event != "received":
            lines.append(note.note)
        lines.append(_("Follow it with your private tracking link or code. Do not share them."))
        return str(subject), "\n\n".join(str(line) for line in lines)


def notify_reporter(*, report: Report, event: Event) -> list[str]:
    """Send `event` to the reporter through every channel they allow. Returns channel names used."""
    if not report.has_contact:
        return []
    contact = decrypt_contact(report)
    subject, body = compose(report=report, event=event)
    used: list[str] = []
    for channel in _channels.values():
        address = contact.phone if channel.address == "phone" else contact.email
        if not address or (channel.text_message and contact.no_sms):
            continue
        try:
            if channel.send(report=report, contact=contact, subject=subject, body=body):
                used.append(channel.name)
        except Exception as exc:
            # Never log the address or the message, and no traceback (a provider's error text may
            # quote the number): only which report and channel failed, and the kind of error.
            logger.error(
                "notification failed: report %s channel %s (%s)",
                report.public_id,
                channel.name,
                type(exc).__name__,
            )
    return used


def notify_assignee(*, report: Report, event: ResidentEvent) -> bool:
    """Tell the officer the report is assigned to that the resident added something or said it is
    not fixed. By e-mail through the outbox, in the officer's language; the message names only the
    report's public id, never what the resident wrote (the triage page shows it, to those who may
    read it). A report nobody is assigned to waits in its station's queue, already reopened."""
    officer = report.assignee
    if officer is None or not officer.is_active or not officer.email:
        return False
    with translation.override(officer.preferred_language or settings.LANGUAGE_CODE):
        if event == "resident_not_fixed":
            subject = _("Report %(id)s: the resident says it is not fixed") % {"id": report.public_id}
            first = _("The resident says report %(id)s is not fixed. It is open again.")
        else:
            subject = _("Report %(id)s: the resident added information") % {"id": report.public_id}
            first = _("The resident added information to report %(id)s.")
        body = "\n\n".join(
            [str(first % {"id": report.public_id}), str(_("Open it in Rabta's triage pages to read it."))]
        )
    return bool(
        queue_email(to=[officer.email], subject=str(subject), body=body, purpose=EmailPurpose.REPORT_ACTIVITY)
    )
