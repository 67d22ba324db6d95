"""Writes that touch several models or send something: meetings, attendance, register, priorities, actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rabta.audit.models import AccessLog, record_access
from rabta.core.crypto import field_cipher
from rabta.engagement.models import (
    CALENDAR_FIELDS,
    COUNT_FIELDS,
    REGISTER_NAME,
    REGISTER_PHONE,
    ActionItem,
    AnnouncementStatus,
    Attendance,
    Committee,
    CommitteeMember,
    Meeting,
    MeetingAnnouncement,
    MeetingStatus,
    PartnerAgency,
    Priority,
    ProgressNote,
    RegisterEntry,
    check_facilitators,
)
from rabta.engagement.tasks import schedule_reminders
from rabta.messaging.broadcasts import broadcast_to_beat
from rabta.places.models import Beat

if TYPE_CHECKING:
    from rabta.people.models import User


# --- meetings -------------------------------------------------------------------------------------


@transaction.atomic
def create_meeting(
    *,
    by: User,
    kind: str,
    beats: Iterable[Beat],
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    venue: str,
    facilitators: Iterable[User] = (),
    title: str = "",
    title_ur: str = "",
    title_ps: str = "",
    committee: Committee | None = None,
    requires_follow_up: bool = False,
    follow_up_due: dt.date | None = None,
    follow_up_of: Meeting | None = None,
) -> Meeting:
    beats, facilitators = list(beats), list(facilitators)
    if not beats:
        raise ValidationError({"beats": _("Choose at least one beat.")})
    check_facilitators(kind, facilitators)
    meeting = Meeting(
        kind=kind,
        title=title,
        title_ur=title_ur.strip(),
        title_ps=title_ps.strip(),
        committee=committee,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue,
        requires_follow_up=requires_follow_up,
        follow_up_due=follow_up_due if requires_follow_up else None,
        created_by=by,
    )
    meeting.full_clean()
    meeting.save()
    meeting.beats.set(beats)
    meeting.facilitators.set(facilitators)
    if follow_up_of is not None:
        follow_up_of.follow_up = meeting
        follow_up_of.save(update_fields=["follow_up", "updated_at"])
    return meeting


@transaction.atomic
def update_meeting(
    *,
    meeting: Meeting,
    by: User,
    changes: Mapping[str, Any],
    beats: Iterable[Beat] | None = None,
    facilitators: Iterable[User] | None = None,
) -> Meeting:
    """Edit a meeting; a change calendar clients show raises the event's SEQUENCE once."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("A cancelled meeting cannot be edited."))
    kind = changes.get("kind", meeting.kind)
    check_facilitators(
        kind, list(facilitators) if facilitators is not None else list(meeting.facilitators.all())
    )
    changed = [name for name, value in changes.items() if getattr(meeting, name) != value]
    for name in changed:
        setattr(meeting, name, changes[name])
    if not meeting.requires_follow_up:
        meeting.follow_up_due = None
    meeting.full_clean()
    if any(name in CALENDAR_FIELDS for name in changed):
        meeting.bump_sequence()
    meeting.save(update_fields=[*changed, "follow_up_due", "sequence", "updated_at"])
    if beats is not None:
        meeting.beats.set(list(beats))
    if facilitators is not None:
        meeting.facilitators.set(list(facilitators))
    return meeting


@transaction.atomic
def cancel_meeting(*, meeting: Meeting, by: User, reason: str) -> Meeting:
    meeting.cancel(reason)
    return meeting


@transaction.atomic
def record_meeting(
    *,
    meeting: Meeting,
    by: User,
    counts: Mapping[str, int],
    officers_present: Iterable[User] = (),
    minutes: str = "",
    decisions: str = "",
) -> Attendance:
    """Record a meeting as held, with head counts by gender and age band."""
    unknown = set(counts) - set(COUNT_FIELDS)
    if unknown:
        raise ValueError(f"unknown attendance fields: {sorted(unknown)}")
    if any(int(v) < 0 for v in counts.values()):
        raise ValidationError(_("Counts cannot be negative."))
    meeting.mark_held(minutes=minutes, decisions=decisions)
    attendance, _created = Attendance.objects.get_or_create(meeting=meeting)
    for name in COUNT_FIELDS:
        setattr(attendance, name, int(counts.get(name, 0)))
    attendance.recorded_by = by
    attendance.save(update_fields=[*COUNT_FIELDS, "recorded_by", "recorded_at"])
    attendance.officers_present.set(list(officers_present))
    return attendance


@transaction.atomic
def add_register_entry(
    *, meeting: Meeting, by: User, name: str, phone: str = "", consent_given: bool, consent_method: str
) -> RegisterEntry:
    """A named attendee, only with their consent. Names are encrypted at rest and the write is logged."""
    if not consent_given:
        raise ValidationError(_("A name is recorded only when the person agrees."))
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Enter the name.")})
    cipher = field_cipher()
    entry = RegisterEntry.objects.create(
        meeting=meeting,
        name_encrypted=cipher.encrypt(name, context=REGISTER_NAME),
        phone_encrypted=cipher.encrypt(phone.strip(), context=REGISTER_PHONE) if phone.strip() else "",
        consent_given=True,
        consent_method=consent_method,
        recorded_by=by,
    )
    record_access(actor=by, action=AccessLog.Action.CHANGE, obj=meeting, detail="added a register entry")
    return entry


def announcement_text(meeting: Meeting, language: str) -> str:
    local = timezone.localtime(meeting.starts_at)
    with translation.override(language):
        return _("%(kind)s: %(date)s at %(time)s, %(venue)s.") % {
            "kind": meeting.get_kind_display(),
            "date": local.strftime("%d-%m-%Y"),
            "time": local.strftime("%H:%M"),
            "venue": meeting.venue,
        }


@transaction.atomic
def announce_meeting(*, meeting: Meeting, by: User) -> MeetingAnnouncement:
    """Announce a meeting to the SMS subscribers of its beats: one broadcast per beat, in every language."""
    if not meeting.is_upcoming():
        raise ValidationError(_("Only an upcoming meeting can be announced."))
    announcement = MeetingAnnouncement.objects.create(
        meeting=meeting, requested_by=by, sequence=meeting.sequence
    )
    bodies = {f"body_{code}": announcement_text(meeting, code) for code in ("en", "ur", "ps")}
    recipients = 0
    for beat in meeting.beats.all():
        recipients += broadcast_to_beat(beat=beat, by=by, **bodies).recipients
    announcement.status = AnnouncementStatus.SENT
    announcement.recipients = recipients
    announcement.sent_at = timezone.now()
    announcement.save(update_fields=["status", "recipients", "sent_at"])
    return announcement


# --- priorities and action items -------------------------------------------------------------------


@transaction.atomic
def add_priority(
    *,
    by: User,
    beat: Beat,
    issue: str,
    raised_by: str,
    raised_on: dt.date,
    meeting: Meeting | None = None,
    issue_ur: str = "",
    issue_ps: str = "",
) -> Priority:
    priority = Priority(
        beat=beat,
        meeting=meeting,
        issue=issue.strip(),
        issue_ur=issue_ur.strip(),
        issue_ps=issue_ps.strip(),
        raised_by=raised_by,
        raised_on=raised_on,
        created_by=by,
    )
    priority.full_clean()
    priority.save()
    return priority


@transaction.atomic
def add_action_item(
    *,
    by: User,
    priority: Priority,
    action: str,
    due_on: dt.date,
    action_ur: str = "",
    action_ps: str = "",
    owner_officer: User | None = None,
    owner_member: CommitteeMember | None = None,
    owner_agency: PartnerAgency | None = None,
) -> ActionItem:
    item = ActionItem(
        priority=priority,
        action=action.strip(),
        action_ur=action_ur.strip(),
        action_ps=action_ps.strip(),
        due_on=due_on,
        owner_officer=owner_officer,
        owner_member=owner_member,
        owner_agency=owner_agency,
        created_by=by,
    )
    item.full_clean()
    item.save()
    schedule_reminders(item)
    return item


@transaction.atomic
def update_action_item(
    *,
    item: ActionItem,
    by: User,
    status: str | None = None,
    note: str = "",
    outcome: str = "",
    outcome_ur: str | None = None,
    outcome_ps: str | None = None,
    drop_reason: str = "",
    due_on: dt.date | None = None,
    today: dt.date | None = None,
) -> ActionItem:
    """`outcome` left blank keeps the outcome; a version (`outcome_ur`, `outcome_ps`) given as
    text replaces it, even blank (the form shows the stored one), and None keeps it."""
    today = today or timezone.localdate()
    if note.strip():
        ProgressNote.objects.create(item=item, text=note.strip(), author=by)
    if due_on is not None and due_on != item.due_on:
        item.due_on = due_on
        item.save(update_fields=["due_on", "updated_at"])
        schedule_reminders(item)
    if status is not None and (status != item.status or outcome.strip()):
        item.set_status(status, today=today, drop_reason=drop_reason, outcome=outcome)
    elif outcome.strip() and outcome.strip() != item.outcome:
        item.outcome = outcome.strip()
        item.save(update_fields=["outcome", "updated_at"])
    versions = {"outcome_ur": outcome_ur, "outcome_ps": outcome_ps}
    changed = [
        name for name, text in versions.items() if text is not None and text.strip() != getattr(item, name)
    ]
    for name in changed:
        setattr(item, name, (versions[name] or "").strip())
    if changed:
        item.save(update_fields=[*changed, "updated_at"])
    return item
