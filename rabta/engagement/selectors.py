"""Reads of meetings, priorities, action items, committees and agencies that pages show.

Public reads load only the columns a public page shows, so a resident's name is never even fetched.
Staff reads start from `visible_to(user)`; a row outside it raises `NotVisible` (views answer 404).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from rabta.audit.models import AccessLog, record_access
from rabta.core.crypto import field_cipher
from rabta.core.errors import NotVisible
from rabta.engagement.cadence import CadenceReport, held_against_due
from rabta.engagement.models import (
    OPEN_STATUSES,
    REGISTER_NAME,
    REGISTER_PHONE,
    ActionItem,
    Attendance,
    Committee,
    CommitteeMember,
    Meeting,
    MeetingStatus,
    PartnerAgency,
    Priority,
)
from rabta.places.models import Beat

if TYPE_CHECKING:
    from rabta.people.models import User

UPCOMING_ON_BEAT_PAGE = 3
PRIORITIES_SHOWN = 40
FEED_PAST_DAYS = 90
FEED_LENGTH = 300
MEETING_LIST_LENGTH = 30
ACTION_LIST_LENGTH = 200
COMMITTEE_MEETINGS_SHOWN = 50
# The committee pages look back this far when comparing meetings held with meetings due.
COMMITTEE_WINDOW_DAYS = 182


# --- public pages ---------------------------------------------------------------------------------


def upcoming_meetings(beat: Beat) -> list[Meeting]:
    """For the beat page: one query, only the fields the fragment shows."""
    return list(
        Meeting.objects.for_beat(beat)
        .upcoming()
        .only("pk", "kind", "title", "title_ur", "title_ps", "starts_at", "ends_at", "venue", "status")[
            :UPCOMING_ON_BEAT_PAGE
        ]
    )


def you_said_we_did(beat: Beat) -> list[Priority]:
    """A beat's latest priorities with the actions that answer them, public columns only."""
    # An owner's name is never loaded for committee members: only the agency's name is public.
    actions = ActionItem.objects.select_related("owner_agency").only(
        "pk",
        "priority_id",
        "action",
        "action_ur",
        "action_ps",
        "status",
        "due_on",
        "done_on",
        "outcome",
        "outcome_ur",
        "outcome_ps",
        "owner_officer_id",
        "owner_member_id",
        "owner_agency__name",
        "owner_agency__kind",
    )
    return list(
        Priority.objects.filter(beat=beat)
        .only("pk", "issue", "issue_ur", "issue_ps", "raised_by", "raised_on", "beat_id")
        .prefetch_related(Prefetch("actions", queryset=actions.order_by("due_on", "pk")))
        .order_by("-raised_on", "-pk")[:PRIORITIES_SHOWN]
    )


def feed_meetings(beat: Beat, *, now: dt.datetime | None = None) -> QuerySet[Meeting]:
    """A beat's calendar feed: recent and coming meetings, cancelled ones included so calendars drop them."""
    since = (now or timezone.now()) - dt.timedelta(days=FEED_PAST_DAYS)
    return Meeting.objects.for_beat(beat).filter(ends_at__gte=since).order_by("starts_at")[:FEED_LENGTH]


# --- meetings (staff) -----------------------------------------------------------------------------


def find_meeting(*, user: User, pk: int) -> Meeting:
    try:
        return Meeting.objects.visible_to(user).get(pk=pk)
    except Meeting.DoesNotExist as exc:
        raise NotVisible("meeting") from exc


def find_meeting_for_page(*, user: User, pk: int) -> Meeting:
    """A meeting with what its staff page shows: beats, facilitators, priorities and their actions."""
    actions = ActionItem.objects.select_related("owner_officer", "owner_member", "owner_agency")
    priorities = Priority.objects.select_related("beat").prefetch_related(
        Prefetch("actions", queryset=actions)
    )
    meetings = (
        Meeting.objects.visible_to(user)
        .select_related("committee", "follow_up", "created_by")
        .prefetch_related("beats", "facilitators", Prefetch("priorities", queryset=priorities))
    )
    try:
        return meetings.get(pk=pk)
    except Meeting.DoesNotExist as exc:
        raise NotVisible("meeting") from exc


@dataclass(frozen=True)
class MeetingLists:
    upcoming: list[Meeting]
    recent: list[Meeting]
    missing_follow_up: list[Meeting]


def meeting_lists(*, user: User, today: dt.date) -> MeetingLists:
    """The staff meeting list: coming meetings, recent ones (held, cancelled or past), missed follow-ups."""
    visible = Meeting.objects.visible_to(user).select_related("attendance").prefetch_related("beats")
    upcoming = list(visible.upcoming()[:MEETING_LIST_LENGTH])
    recent = list(
        visible.filter(starts_at__lt=timezone.now())
        .exclude(status=MeetingStatus.SCHEDULED, ends_at__gte=timezone.now())
        .order_by("-starts_at")[:MEETING_LIST_LENGTH]
    )
    missing = list(visible.follow_up_missing(today).order_by("follow_up_due")[:MEETING_LIST_LENGTH])
    return MeetingLists(upcoming=upcoming, recent=recent, missing_follow_up=missing)


def attendance_of(meeting: Meeting, *, with_officers: bool = False) -> Attendance | None:
    attendance = Attendance.objects.filter(meeting=meeting)
    if with_officers:
        attendance = attendance.prefetch_related("officers_present")
    return attendance.first()


def beats_among(*, user: User, ids: list[int]) -> list[Beat]:
    """The beats with these ids that the user works on (others are dropped, not refused)."""
    return list(Beat.objects.visible_to(user).filter(pk__in=ids))


def beats_for_priorities(*, user: User, meeting: Meeting) -> QuerySet[Beat]:
    """The meeting's beats a priority may be recorded for: those of them the user works on."""
    return Beat.objects.visible_to(user).filter(meetings=meeting)


def read_register(*, meeting: Meeting, viewer: User) -> list[dict[str, Any]]:
    """Decrypt a meeting's register for a viewer the caller has already scoped; logs the view."""
    entries = list(meeting.register.all())
    record_access(
        actor=viewer, action=AccessLog.Action.VIEW_REGISTER, obj=meeting, detail=f"{len(entries)} names"
    )
    cipher = field_cipher()
    return [
        {
            "name": cipher.decrypt(e.name_encrypted, context=REGISTER_NAME),
            "phone": cipher.decrypt(e.phone_encrypted, context=REGISTER_PHONE) if e.phone_encrypted else "",
            "consent_method": e.get_consent_method_display(),
            "consent_recorded_at": e.consent_recorded_at,
        }
        for e in entries
    ]


# --- priorities and action items (staff) ----------------------------------------------------------


def find_priority(*, user: User, pk: int) -> Priority:
    try:
        return Priority.objects.visible_to(user).select_related("beat").get(pk=pk)
    except Priority.DoesNotExist as exc:
        raise NotVisible("priority") from exc


def action_counts(*, user: User, today: dt.date) -> dict[str, int]:
    """How many of the user's action items are open, and how many of those are overdue."""
    return ActionItem.objects.visible_to(user).aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_on__lt=today)),
    )


def action_queue(*, user: User, show: str, today: dt.date) -> list[ActionItem]:
    """The action list: `show` is "overdue", "open" or anything else for every item."""
    items = (
        ActionItem.objects.visible_to(user)
        .select_related("priority__beat", "owner_officer", "owner_member", "owner_agency")
        .order_by("due_on", "pk")
    )
    if show == "overdue":
        items = items.overdue(today)
    elif show == "open":
        items = items.still_open()
    return list(items[:ACTION_LIST_LENGTH])


def find_action(*, user: User, pk: int) -> ActionItem:
    """An action item with its priority, owner, progress notes and reminders."""
    items = (
        ActionItem.objects.visible_to(user)
        .select_related(
            "priority__beat", "priority__meeting", "owner_officer", "owner_member", "owner_agency"
        )
        .prefetch_related("notes__author", "reminders")
    )
    try:
        return items.get(pk=pk)
    except ActionItem.DoesNotExist as exc:
        raise NotVisible("action item") from exc


# --- committees and partner agencies (staff) ------------------------------------------------------


@dataclass(frozen=True)
class CommitteeRecord:
    """Meetings a committee held against those its cadence made due, since `since`."""

    committee: Committee
    report: CadenceReport
    since: dt.date


def committee_record(committee: Committee, held_days: list[dt.date], today: dt.date) -> CommitteeRecord:
    since = max(committee.started_on, today - dt.timedelta(days=COMMITTEE_WINDOW_DAYS))
    report = held_against_due(committee.cadence, committee.started_on, since, today, held_days)
    return CommitteeRecord(committee=committee, report=report, since=since)


def committee_records(*, user: User, today: dt.date) -> list[CommitteeRecord]:
    held = Meeting.objects.filter(status=MeetingStatus.HELD).only("pk", "starts_at", "committee_id")
    committees = (
        Committee.objects.visible_to(user)
        .select_related("liaison_officer")
        .prefetch_related("beats", Prefetch("meetings", queryset=held, to_attr="held_meetings"))
    )
    return [
        committee_record(
            c, [timezone.localtime(m.starts_at).date() for m in getattr(c, "held_meetings", [])], today
        )
        for c in committees
    ]


@dataclass(frozen=True)
class CommitteePage:
    record: CommitteeRecord
    meetings: list[Meeting]
    members: list[CommitteeMember]


def committee_page(*, user: User, pk: int, today: dt.date) -> CommitteePage:
    """A committee with its latest meetings, its active members and its cadence record."""
    try:
        committee = (
            Committee.objects.visible_to(user)
            .select_related("liaison_officer")
            .prefetch_related("beats")
            .get(pk=pk)
        )
    except Committee.DoesNotExist as exc:
        raise NotVisible("committee") from exc
    meetings = list(committee.meetings.order_by("-starts_at")[:COMMITTEE_MEETINGS_SHOWN])
    held = [timezone.localtime(m.starts_at).date() for m in meetings if m.status == MeetingStatus.HELD]
    members = list(CommitteeMember.objects.filter(committee=committee, is_active=True).select_related("user"))
    return CommitteePage(record=committee_record(committee, held, today), meetings=meetings, members=members)


def agencies_with_items(*, user: User) -> list[PartnerAgency]:
    """Partner agencies the user works with, each with the user's action items it owns (`visible_items`)."""
    items = ActionItem.objects.visible_to(user).select_related("priority__beat")
    return list(
        PartnerAgency.objects.visible_to(user).prefetch_related(
            Prefetch("action_items", queryset=items, to_attr="visible_items")
        )
    )
