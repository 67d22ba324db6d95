"""Engagement: meetings held and who came, "you said, we did", follow-through on what was promised.

A meeting counts on each of its beats, in the period it was held. An action item counts toward "done on
time" in the period it was due, once its due day has passed or it is done; dropped items are left out.
A follow-up session counts in the period it was due by, the same way. A committee's meetings are
counted against its cadence: each cadence period that ended inside the rollup period is due once and
was kept if a meeting of the committee was held in it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate

from rabta.engagement.cadence import periods
from rabta.engagement.models import (
    COUNT_FIELDS,
    ActionItem,
    ActionStatus,
    Attendance,
    Committee,
    Meeting,
    MeetingStatus,
    Priority,
)
from rabta.insights.metrics import Metric, groups_of
from rabta.insights.models import Scope
from rabta.insights.periods import start_of
from rabta.insights.sources import Row, default_tz, local_day, local_midnight, period_start

LONGEST_CADENCE_DAYS = 92


def rows(kind: str, first: dt.date, end: dt.date, now: dt.datetime) -> Iterator[Row]:
    today = local_day(now)
    yield from _priority_rows(kind, first, end)
    yield from _action_rows(kind, first, end, today)
    yield from _meeting_rows(kind, first, end)
    yield from _follow_up_rows(kind, first, end, today)
    yield from _committee_rows(kind, first, end, today)


def _count_rows(queryset, metric: Metric) -> Iterator[Row]:  # type: ignore[no-untyped-def]
    for r in queryset.values("beat_id", "period_start").annotate(n=Count("id")).order_by():
        yield Row(Scope.BEAT, r["beat_id"], r["period_start"], metric, "", r["n"], r["n"])


def _priority_rows(kind: str, first: dt.date, end: dt.date) -> Iterator[Row]:
    raised = Priority.objects.filter(raised_on__gte=first, raised_on__lt=end).annotate(
        period_start=period_start(kind, "raised_on", is_date=True)
    )
    yield from _count_rows(raised, Metric.PRIORITIES)


def _action_rows(kind: str, first: dt.date, end: dt.date, today: dt.date) -> Iterator[Row]:
    done = ActionItem.objects.filter(status=ActionStatus.DONE, done_on__gte=first, done_on__lt=end).annotate(
        period_start=period_start(kind, "done_on", is_date=True), beat_id=F("priority__beat_id")
    )
    yield from _count_rows(done, Metric.ACTIONS_DONE)
    decided = Q(status=ActionStatus.DONE) | Q(due_on__lt=today)
    due = (
        ActionItem.objects.filter(decided, due_on__gte=first, due_on__lt=end)
        .exclude(status=ActionStatus.DROPPED)
        .annotate(period_start=period_start(kind, "due_on", is_date=True), beat=F("priority__beat_id"))
        .values("beat", "period_start")
        .annotate(n=Count("id"), ok=Count("id", filter=Q(status=ActionStatus.DONE, done_on__lte=F("due_on"))))
        .order_by()
    )
    for r in due:
        yield Row(Scope.BEAT, r["beat"], r["period_start"], Metric.ACTIONS_ON_TIME, "", r["n"], r["ok"])


def _links() -> Any:
    """Meetings' beat links, typed loosely: the stubs cannot follow annotations on a through model."""
    through: Any = Meeting.beats.through
    return through.objects


def _held(first: dt.date, end: dt.date):  # type: ignore[no-untyped-def]
    return Meeting.objects.filter(
        status=MeetingStatus.HELD, starts_at__gte=local_midnight(first), starts_at__lt=local_midnight(end)
    )


def _meeting_rows(kind: str, first: dt.date, end: dt.date) -> Iterator[Row]:
    links: Any = (
        _links()
        .filter(meeting__in=_held(first, end))
        .annotate(period_start=period_start(kind, "meeting__starts_at"))
    )
    for r in links.values("beat_id", "period_start").annotate(n=Count("meeting_id")).order_by():
        yield Row(Scope.BEAT, r["beat_id"], r["period_start"], Metric.MEETINGS_HELD, "", r["n"], r["n"])
    sums = {f: Sum(f"meeting__attendance__{f}") for f in COUNT_FIELDS}
    attended = (
        links.filter(meeting__attendance__isnull=False).values("beat_id", "period_start").annotate(**sums)
    )
    for r in attended.order_by():
        totals: dict[str, int] = defaultdict(int)
        for field in COUNT_FIELDS:
            gender, band = field.split("_", 1)
            for group in groups_of(gender, band, cells=False):
                totals[group] += r[field] or 0
        for group, n in totals.items():
            if n:
                yield Row(Scope.BEAT, r["beat_id"], r["period_start"], Metric.ATTENDEES, group, n, n)


def _follow_up_rows(kind: str, first: dt.date, end: dt.date, today: dt.date) -> Iterator[Row]:
    kept = Q(follow_up__status=MeetingStatus.HELD, follow_up__starts_at__date__lte=F("follow_up_due"))
    sessions = Meeting.objects.filter(
        requires_follow_up=True, follow_up_due__gte=first, follow_up_due__lt=end
    ).filter(kept | Q(follow_up_due__lt=today))
    links: Any = (
        _links()
        .filter(meeting__in=sessions)
        .annotate(period_start=period_start(kind, "meeting__follow_up_due", is_date=True))
        .values("beat_id", "period_start")
        .annotate(
            n=Count("meeting_id"),
            ok=Count(
                "meeting_id",
                filter=Q(
                    meeting__follow_up__status=MeetingStatus.HELD,
                    meeting__follow_up__starts_at__date__lte=F("meeting__follow_up_due"),
                ),
            ),
        )
        .order_by()
    )
    for r in links:
        yield Row(Scope.BEAT, r["beat_id"], r["period_start"], Metric.FOLLOW_UPS, "", r["n"], r["ok"])


def _committee_rows(kind: str, first: dt.date, end: dt.date, today: dt.date) -> Iterator[Row]:
    last = min(end, today)
    if last <= first:
        return
    since = first - dt.timedelta(days=LONGEST_CADENCE_DAYS)
    committees = Committee.objects.filter(is_active=True, started_on__lt=last).prefetch_related("beats")
    held: dict[int, list[dt.date]] = defaultdict(list)
    meetings = (
        Meeting.objects.filter(committee__in=committees, status=MeetingStatus.HELD)
        .filter(starts_at__gte=local_midnight(since), starts_at__lt=local_midnight(last))
        .values_list("committee_id", TruncDate("starts_at", tzinfo=default_tz()))
    )
    for committee_id, day in meetings:
        held[committee_id].append(day)
    for committee in committees:
        totals: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0])
        for due in periods(committee.cadence, committee.started_on, since, last):
            if not first < due.end <= last:
                continue
            total = totals[start_of(kind, due.end - dt.timedelta(days=1))]
            total[0] += 1
            total[1] += any(due.contains(d) for d in held[committee.pk])
        for beat in committee.beats.all():
            for start, (n, ok) in totals.items():
                yield Row(Scope.BEAT, beat.pk, start, Metric.COMMITTEE_MEETINGS, "", n, ok)


def changed_days(since: dt.datetime, now: dt.datetime) -> set[dt.date]:
    tz = default_tz()
    meetings = Meeting.objects.filter(updated_at__gte=since)
    days = set(meetings.values_list(TruncDate("starts_at", tzinfo=tz), flat=True).distinct())
    days |= {d for d in meetings.values_list("follow_up_due", flat=True).distinct() if d}
    attendance = Attendance.objects.filter(recorded_at__gte=since)
    days |= set(attendance.values_list(TruncDate("meeting__starts_at", tzinfo=tz), flat=True).distinct())
    days |= set(Priority.objects.filter(created_at__gte=since).values_list("raised_on", flat=True).distinct())
    for due_on, done_on in ActionItem.objects.filter(updated_at__gte=since).values_list("due_on", "done_on"):
        days.add(due_on)
        if done_on:
            days.add(done_on)
    return days


def first_day() -> dt.date | None:
    found = [
        Priority.objects.order_by("raised_on").values_list("raised_on", flat=True).first(),
        Committee.objects.order_by("started_on").values_list("started_on", flat=True).first(),
    ]
    first_meeting = Meeting.objects.order_by("starts_at").values_list("starts_at", flat=True).first()
    if first_meeting:
        found.append(local_day(first_meeting))
    days = [d for d in found if d]
    return min(days) if days else None
