"""Reminders before an action item is due, and escalation to the station head when it is overdue.

Each reminder is sent once per item, kind and due date: the ActionReminder row is the memory, written
in the same transaction as the e-mail is put in the outbox (rabta.core.outbox), so a crash leaves
neither and the next sweep tries again; a second sweep, or a deferred task racing the sweep, sends nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rabta.core.models import EmailPurpose
from rabta.core.outbox import queue_email
from rabta.engagement.models import OPEN_STATUSES, ActionItem, ActionReminder, ReminderKind
from rabta.people.models import Role, User


def reminder_days() -> int:
    return int(getattr(settings, "RABTA_ACTION_REMINDER_DAYS", 3))


@dataclass
class Recipient:
    email: str
    language: str = ""


def _user_recipient(user: User | None) -> list[Recipient]:
    if user is None or not user.is_active or not user.email:
        return []
    return [Recipient(user.email, user.preferred_language)]


def owner_recipients(item: ActionItem) -> list[Recipient]:
    """Who must act: the owner, and for residents and agencies also the officer who assigned the work."""
    result: list[Recipient] = []
    if item.owner_officer_id:
        result += _user_recipient(item.owner_officer)
    elif item.owner_member_id:
        member = item.owner_member
        assert member is not None
        if member.email:
            result.append(Recipient(member.email))
        elif member.user_id:
            result += _user_recipient(member.user)
        result += _user_recipient(member.committee.liaison_officer)
    else:
        agency = item.owner_agency
        assert agency is not None
        if agency.contact_email:
            result.append(Recipient(agency.contact_email))
    if not item.owner_officer_id:
        result += _user_recipient(item.created_by)
    return _unique(result)


def station_heads(item: ActionItem) -> list[Recipient]:
    station_id = item.priority.beat.station_id
    heads = User.objects.filter(role=Role.STATION_HEAD, scope_station_id=station_id, is_active=True).exclude(
        email=""
    )
    return [Recipient(u.email, u.preferred_language) for u in heads]


def _unique(recipients: list[Recipient]) -> list[Recipient]:
    seen: set[str] = set()
    result = []
    for r in recipients:
        if r.email.lower() not in seen:
            seen.add(r.email.lower())
            result.append(r)
    return result


def _send(recipients: list[Recipient], subject: str, body: str) -> None:
    for r in recipients:
        with translation.override(r.language or settings.LANGUAGE_CODE):
            queue_email(
                to=[r.email], subject=str(subject), body=str(body), purpose=EmailPurpose.ACTION_REMINDER
            )


def _once(item: ActionItem, kind: str, recipients: list[Recipient], subject: str, body: str) -> bool:
    try:
        with transaction.atomic():
            _row, created = ActionReminder.objects.get_or_create(
                item=item,
                kind=kind,
                due_on=item.due_on,
                defaults={"recipients": [r.email for r in recipients]},
            )
            if not created:
                return False
            _send(recipients, subject, body)
    except IntegrityError:  # another worker wrote the row first
        return False
    return True


def _describe(item: ActionItem) -> str:
    return _("Action: %(action)s\nPriority raised in %(beat)s: %(issue)s\nDue: %(due)s") % {
        "action": item.action,
        "beat": item.priority.beat.name,
        "issue": item.priority.issue,
        "due": item.due_on.isoformat(),
    }


def send_due_soon(item: ActionItem, today: dt.date) -> bool:
    """Remind the owner once when the due date is `reminder_days()` away or nearer (and not past)."""
    if item.status not in OPEN_STATUSES or not (
        today <= item.due_on <= today + dt.timedelta(days=reminder_days())
    ):
        return False
    recipients = owner_recipients(item)
    subject = _("Rabta: action due on %(due)s") % {"due": item.due_on.isoformat()}
    return _once(item, ReminderKind.DUE_SOON, recipients, subject, _describe(item))


def escalate_overdue(item: ActionItem, today: dt.date) -> bool:
    """Once past its due date and still open: tell the station head (and the owner)."""
    if not item.is_overdue(today):
        return False
    recipients = _unique(station_heads(item) + owner_recipients(item))
    days = (today - item.due_on).days
    subject = _("Rabta: action overdue by %(days)s days") % {"days": days}
    body = _describe(item) + "\n" + _("This action is overdue and has been escalated to the station head.")
    return _once(item, ReminderKind.OVERDUE, recipients, subject, body)


@dataclass
class SweepResult:
    reminded: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[int]]:
        return {"reminded": self.reminded, "escalated": self.escalated}


def sweep(today: dt.date | None = None) -> SweepResult:
    """Send every reminder and escalation due today and not yet sent. Safe to run any number of times."""
    today = today or timezone.localdate()
    result = SweepResult()
    items = (
        ActionItem.objects.still_open()
        .filter(due_on__lte=today + dt.timedelta(days=reminder_days()))
        .select_related(
            "priority__beat",
            "owner_officer",
            "owner_member__committee__liaison_officer",
            "owner_member__user",
            "owner_agency",
            "created_by",
        )
        .order_by("due_on", "pk")
    )
    for item in items:
        if item.due_on < today:
            if escalate_overdue(item, today):
                result.escalated.append(item.pk)
        elif send_due_soon(item, today):
            result.reminded.append(item.pk)
    return result
