"""Presence: contacts from the per-beat day sums the board keeps (BeatDay), and the women's desk's
scheduled and staffed minutes per station."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

from django.db.models import Max, Q, Sum
from django.db.models.functions import TruncDate

from rabta.insights.metrics import Metric
from rabta.insights.models import Scope
from rabta.insights.periods import end_of, start_of, starts_between
from rabta.insights.sources import Row, default_tz, local_day, local_midnight, period_start
from rabta.places.models import Beat, PoliceStation
from rabta.presence.desk import LONGEST_SHIFT, desk_days, shift_intervals
from rabta.presence.models import BeatDay, BeatTarget, Contact, DeskShift


def rows(kind: str, first: dt.date, end: dt.date, now: dt.datetime) -> Iterator[Row]:
    yield from _contact_rows(kind, first, end)
    yield from _target_rows(kind, first, end, local_day(now))
    yield from _desk_rows(kind, first, end, now)


def _contact_rows(kind: str, first: dt.date, end: dt.date) -> Iterator[Row]:
    days = (
        BeatDay.objects.filter(day__gte=first, day__lt=end)
        .annotate(period_start=period_start(kind, "day", is_date=True))
        .values("beat_id", "period_start")
        .annotate(
            contacts=Sum("contacts"),
            proactive=Sum("proactive"),
            night=Sum("proactive_night"),
            last=Max("last_proactive_at"),
        )
        .order_by()
    )
    beat = Scope.BEAT
    for r in days:
        key = (beat, r["beat_id"], r["period_start"])
        if r["contacts"]:
            yield Row(*key, Metric.CONTACTS, "", r["contacts"], r["contacts"])
        if r["proactive"]:
            yield Row(*key, Metric.PROACTIVE, "", r["proactive"], r["proactive"])
            yield Row(*key, Metric.PROACTIVE_NIGHT, "", r["night"], r["night"])
        if r["last"] is not None:
            yield Row(*key, Metric.LAST_PROACTIVE, "", r["proactive"], local_day(r["last"]).toordinal())


def _target_rows(kind: str, first: dt.date, end: dt.date, today: dt.date) -> Iterator[Row]:
    """Each beat's proactive target for the days of the period that have begun (a running week is
    judged on its days so far), from its station head's weekly figure or the default."""
    default = BeatTarget._meta.get_field("proactive_per_week").get_default()
    targets = dict(BeatTarget.objects.values_list("beat_id", "proactive_per_week"))
    spans = []
    for start in starts_between(kind, first, end - dt.timedelta(days=1)):
        if start > today:
            break
        spans.append((start, (min(end_of(kind, start), today) - start).days + 1))
    for beat_id in Beat.objects.values_list("pk", flat=True).order_by("pk").iterator():
        per_week = targets.get(beat_id, default)
        for start, days in spans:
            yield Row(Scope.BEAT, beat_id, start, Metric.PROACTIVE_TARGET, "", days, per_week * days / 7)


def _desk_rows(kind: str, first: dt.date, end: dt.date, now: dt.datetime) -> Iterator[Row]:
    stations = list(PoliceStation.objects.filter(has_womens_desk=True))
    if not stations:
        return
    last = min(end - dt.timedelta(days=1), local_day(now))
    if last < first:
        return
    window_start, window_end = local_midnight(first), local_midnight(last + dt.timedelta(days=1))
    shifts = (
        DeskShift.objects.filter(
            station__in=stations, started_at__lt=window_end, started_at__gte=window_start - LONGEST_SHIFT
        )
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=window_start))
        .order_by("started_at")
    )
    by_station: dict[int, list[DeskShift]] = defaultdict(list)
    for shift in shifts:
        by_station[shift.station_id].append(shift)
    for station in stations:
        staffed = shift_intervals(by_station[station.pk], now)
        totals: dict[dt.date, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for day in desk_days(station, staffed, first, last, now):
            total = totals[start_of(kind, day.day)]
            total[0] += day.scheduled.total_seconds() / 60
            total[1] += day.staffed.total_seconds() / 60
        for start, (scheduled, staffed_minutes) in totals.items():
            if scheduled:
                key = (Scope.STATION, station.pk, start)
                yield Row(*key, Metric.DESK_SCHEDULED, "", 1, round(scheduled))
                yield Row(*key, Metric.DESK_STAFFED, "", 1, round(staffed_minutes))


def changed_days(since: dt.datetime, now: dt.datetime) -> set[dt.date]:
    tz = default_tz()
    contacts = Contact.objects.filter(created_at__gte=since)
    days = set(contacts.values_list(TruncDate("started_at", tzinfo=tz), flat=True).distinct())
    shifts = DeskShift.objects.filter(Q(started_at__gte=since - LONGEST_SHIFT) | Q(ended_at__gte=since))
    for started, ended in shifts.values_list("started_at", "ended_at"):
        day = local_day(started)
        while day <= local_day(ended or min(now, started + LONGEST_SHIFT)):
            days.add(day)
            day += dt.timedelta(days=1)
    return days


def first_day() -> dt.date | None:
    first = BeatDay.objects.order_by("day").values_list("day", flat=True).first()
    shift = DeskShift.objects.order_by("started_at").values_list("started_at", flat=True).first()
    found = [d for d in (first, local_day(shift) if shift else None) if d]
    return min(found) if found else None
