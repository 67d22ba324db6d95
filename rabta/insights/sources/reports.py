"""Reports: how many came in, who sent them, how fast they were answered and whether on time.

Each report counts in the period of the day it was received, on its beat. Duplicates are left out
(they are another report's), and so are women's-desk, "a woman officer only" and conduct reports:
most staff cannot see that they exist, so a count that held them would tell a curious officer, by
subtraction from their own queue, that one was made on their beat (docs/insights.md).

A report counts toward the on-time rate once its outcome is known:
late as soon as a deadline passed without the action, on time when it was first contacted by its
first-contact deadline and done (resolved, referred or closed) by its resolution deadline.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterator

from django.db import connection
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate

from rabta.insights.metrics import Metric
from rabta.insights.models import Scope
from rabta.insights.sources import Row, default_tz, local_day, local_midnight, period_start, person_groups
from rabta.reports.lifecycle import OPEN_STATUSES, Status
from rabta.reports.models import Report, Sensitivity


class Median(Aggregate):
    """PostgreSQL's exact median (percentile_cont); SQLite has none and is answered in Python."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False


def counted() -> QuerySet[Report]:
    """The reports the figures count: on a beat, not duplicates, and ordinary (see above)."""
    return Report.objects.exclude(status=Status.DUPLICATE).filter(
        beat__isnull=False, category__sensitivity=Sensitivity.ORDINARY, woman_officer_only=False
    )


def _in(kind: str, first: dt.date, end: dt.date):  # type: ignore[no-untyped-def]
    return (
        counted()
        .filter(created_at__gte=local_midnight(first), created_at__lt=local_midnight(end))
        .annotate(period_start=period_start(kind, "created_at"))
    )


def _done_at() -> Coalesce:
    return Coalesce("resolved_at", "referred_at", "closed_at")


def on_time_q() -> Q:
    done = ~Q(status__in=OPEN_STATUSES)
    return Q(acknowledged_at__lte=F("first_contact_due")) & done & Q(done_at__lte=F("resolution_due"))


def late_q(now: dt.datetime) -> Q:
    first_late = Q(acknowledged_at__gt=F("first_contact_due")) | Q(
        acknowledged_at__isnull=True, first_contact_due__lt=now
    )
    open_ = Q(status__in=OPEN_STATUSES)
    resolution_late = (open_ & Q(resolution_due__lt=now)) | (~open_ & Q(done_at__gt=F("resolution_due")))
    return first_late | resolution_late


def rows(kind: str, first: dt.date, end: dt.date, now: dt.datetime) -> Iterator[Row]:
    reports = _in(kind, first, end)
    beat = Scope.BEAT
    by_group = reports.values("beat_id", "period_start", "reporter_gender", "reporter_age_band").annotate(
        n=Count("id")
    )
    for r in by_group.order_by():
        yield Row(beat, r["beat_id"], r["period_start"], Metric.REPORTS, "", r["n"], r["n"])
        for group in person_groups(r["reporter_gender"], r["reporter_age_band"])[1:]:
            yield Row(beat, r["beat_id"], r["period_start"], Metric.REPORTERS, group, r["n"], r["n"])
        if r["reporter_gender"] or r["reporter_age_band"]:
            yield Row(beat, r["beat_id"], r["period_start"], Metric.REPORTERS, "", r["n"], r["n"])
    timed = (
        reports.filter(first_contact_due__isnull=False, resolution_due__isnull=False)
        .annotate(done_at=_done_at())
        .values("beat_id", "period_start")
        .annotate(ok=Count("id", filter=on_time_q()), late=Count("id", filter=late_q(now) & ~on_time_q()))
        .order_by()
    )
    for r in timed:
        if r["ok"] + r["late"]:
            yield Row(beat, r["beat_id"], r["period_start"], Metric.ON_TIME, "", r["ok"] + r["late"], r["ok"])
    yield from _median_rows(reports)


LEVELS: tuple[tuple[str, str | None], ...] = (
    (Scope.BEAT, "beat_id"),
    (Scope.STATION, "beat__station_id"),
    (Scope.DISTRICT, "beat__station__district_id"),
    (Scope.PROVINCE, None),
)


def _median_rows(reports) -> Iterator[Row]:  # type: ignore[no-untyped-def]
    answered = reports.filter(acknowledged_at__isnull=False).annotate(
        wait=ExpressionWrapper(F("acknowledged_at") - F("created_at"), output_field=DurationField())
    )
    if connection.vendor == "postgresql":
        for scope, key in LEVELS:
            keys = ["period_start"] + ([key] if key else [])
            grouped = answered.values(*keys).annotate(
                median=Median("wait", output_field=DurationField()), n=Count("id")
            )
            for r in grouped.order_by():
                hours = r["median"].total_seconds() / 3600
                yield Row(scope, r[key] if key else 0, r["period_start"], Metric.ACK_HOURS, "", r["n"], hours)
        return
    waits: dict[tuple[str, int, dt.date], list[float]] = defaultdict(list)
    fields = ("beat_id", "beat__station_id", "beat__station__district_id", "period_start", "wait")
    for r in answered.values(*fields).order_by().iterator(chunk_size=5000):
        hours = r["wait"].total_seconds() / 3600
        for scope, key in LEVELS:
            waits[(scope, r[key] if key else 0, r["period_start"])].append(hours)
    for (scope, scope_id, start), values in waits.items():
        yield Row(scope, scope_id, start, Metric.ACK_HOURS, "", len(values), statistics.median(values))


def changed_days(since: dt.datetime, now: dt.datetime) -> set[dt.date]:
    """Days received of the reports written since `since`, and of those whose deadline passed since.
    A deadline changes a figure only while the report is open, and an open report's next deadline is
    `next_due` (rabta.reports.deadlines): both sides of the OR are indexed ranges."""
    passed = Q(next_due__gt=since, next_due__lte=now)
    changed = Report.objects.filter(Q(updated_at__gte=since) | passed)
    return set(changed.values_list(TruncDate("created_at", tzinfo=default_tz()), flat=True).distinct())


def first_day() -> dt.date | None:
    first = Report.objects.order_by("created_at").values_list("created_at", flat=True).first()
    return local_day(first) if first else None
