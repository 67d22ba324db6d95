"""Women's desk shifts: start and end them, and measure staffed hours against the station's scheduled hours.

Scheduled hours come from the station (`womens_desk_days`, `womens_desk_opens`, `womens_desk_closes`,
local time). Staffed time is the union of the shifts (two officers on the desk at once count once),
cut to the scheduled hours: an officer at the desk at 22:00 is on duty, but the desk was not
scheduled to be open, so it adds nothing to the share the public page shows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from rabta.core.errors import NotVisible
from rabta.people.models import OfficerProfile, Role
from rabta.places.models import PoliceStation
from rabta.presence.models import DeskShift

if TYPE_CHECKING:
    from rabta.people.models import User

STAFFED_WINDOW_DAYS = 30
# Roles that read the staffed hours of every desk in their scope without serving on one.
DESK_READERS = frozenset({Role.ANALYST, Role.OVERSIGHT})
# The longest a shift may run: a shift left open overnight is not counted as a day of staffing.
LONGEST_SHIFT = dt.timedelta(hours=16)

Interval = tuple[dt.datetime, dt.datetime]


def scheduled_intervals(
    station: PoliceStation, start: dt.date, end: dt.date
) -> list[tuple[dt.date, Interval]]:
    """The desk's scheduled opening on each day from `start` to `end` (inclusive), as aware datetimes."""
    if not (station.has_womens_desk and station.womens_desk_opens and station.womens_desk_closes):
        return []
    weekdays = set(station.womens_desk_weekdays)
    tz = timezone.get_current_timezone()
    out = []
    day = start
    while day <= end:
        if day.isoweekday() in weekdays:
            opens = dt.datetime.combine(day, station.womens_desk_opens, tzinfo=tz)
            closes = dt.datetime.combine(day, station.womens_desk_closes, tzinfo=tz)
            out.append((day, (opens, closes)))
        day += dt.timedelta(days=1)
    return out


def _merge(intervals: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _overlap(a: Interval, shifts: list[Interval]) -> dt.timedelta:
    total = dt.timedelta()
    for start, end in shifts:
        lo, hi = max(a[0], start), min(a[1], end)
        if hi > lo:
            total += hi - lo
    return total


def shift_intervals(shifts: list[DeskShift], now: dt.datetime) -> list[Interval]:
    """Shifts as intervals: an open shift runs to now, but never beyond LONGEST_SHIFT."""
    out = []
    for shift in shifts:
        end = shift.ended_at or min(now, shift.started_at + LONGEST_SHIFT)
        out.append((shift.started_at, min(end, shift.started_at + LONGEST_SHIFT)))
    return _merge(out)


@dataclass(frozen=True)
class DeskDay:
    day: dt.date
    scheduled: dt.timedelta
    staffed: dt.timedelta

    @property
    def scheduled_hours(self) -> float:
        return round(self.scheduled.total_seconds() / 3600, 1)

    @property
    def staffed_hours(self) -> float:
        return round(self.staffed.total_seconds() / 3600, 1)

    @property
    def unstaffed(self) -> bool:
        return self.staffed == dt.timedelta()


@dataclass(frozen=True)
class DeskSummary:
    station: PoliceStation
    days: list[DeskDay]
    open_now: bool
    on_duty: list[DeskShift]

    @property
    def scheduled(self) -> dt.timedelta:
        return sum((d.scheduled for d in self.days), dt.timedelta())

    @property
    def staffed(self) -> dt.timedelta:
        return sum((d.staffed for d in self.days), dt.timedelta())

    @property
    def staffed_percent(self) -> int | None:
        if not self.scheduled:
            return None
        return round(100 * self.staffed / self.scheduled)

    @property
    def scheduled_hours(self) -> float:
        return round(self.scheduled.total_seconds() / 3600, 1)

    @property
    def staffed_hours(self) -> float:
        return round(self.staffed.total_seconds() / 3600, 1)

    @property
    def unstaffed_days(self) -> int:
        return sum(1 for d in self.days if d.unstaffed)


def desk_days(
    station: PoliceStation, staffed: list[Interval], first: dt.date, last: dt.date, now: dt.datetime
) -> list[DeskDay]:
    """Scheduled and staffed time on each scheduled day from `first` to `last`, given the shifts as
    intervals. Today counts only the hours already past: the share is not lowered by hours still to come."""
    out = []
    for day, (opens, closes) in scheduled_intervals(station, first, last):
        closes_by_now = min(closes, now)
        if closes_by_now <= opens:
            continue
        interval = (opens, closes_by_now)
        out.append(DeskDay(day=day, scheduled=closes_by_now - opens, staffed=_overlap(interval, staffed)))
    return out


def desk_summary(
    station: PoliceStation, *, now: dt.datetime | None = None, days: int = STAFFED_WINDOW_DAYS
) -> DeskSummary:
    """Staffed against scheduled hours over the last `days` days up to now, and whether the desk is open
    now (a shift open during scheduled hours). One query: the shifts that touch the window."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    first = today - dt.timedelta(days=days - 1)
    window_start = dt.datetime.combine(first, dt.time.min, tzinfo=timezone.get_current_timezone())
    shifts = list(
        DeskShift.objects.filter(
            station=station, started_at__lte=now, started_at__gte=window_start - LONGEST_SHIFT
        )
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=window_start))
        .select_related("officer")
        .order_by("started_at")
    )
    out = desk_days(station, shift_intervals(shifts, now), first, today, now)
    open_now = False
    on_duty = [s for s in shifts if s.ended_at is None and now - s.started_at <= LONGEST_SHIFT]
    for _day, (opens, closes) in scheduled_intervals(station, today, today):
        open_now = bool(on_duty) and opens <= now < closes
    return DeskSummary(station=station, days=out, open_now=open_now, on_duty=on_duty)


# --- writes ---------------------------------------------------------------------------------------


def desk_station_of(user: User) -> PoliceStation | None:
    """The station whose desk a woman officer serves on, or None."""
    profile = (
        OfficerProfile.objects.filter(user=user, on_womens_desk=True, station__has_womens_desk=True)
        .select_related("station")
        .first()
    )
    return profile.station if profile else None


def desk_officers(*, by: User, station: PoliceStation) -> list[User]:
    profiles = OfficerProfile.objects.filter(station=station, on_womens_desk=True).select_related("user")
    return [p.user for p in profiles.order_by("user__first_name", "user__last_name")]


def stations_for(by: User) -> list[PoliceStation]:
    """Stations with a women's desk whose shifts `by` may see and record."""
    if not (may_record_for_others(by) or by.role in DESK_READERS):
        own = desk_station_of(by)
        return [own] if own else []
    return list(PoliceStation.objects.visible_to(by).filter(has_womens_desk=True).distinct().order_by("name"))


def may_record_for_others(by: User) -> bool:
    return by.role in (Role.STATION_HEAD, Role.DISTRICT_COORDINATOR, Role.ADMIN) or bool(by.is_superuser)


def _check(by: User, officer: User, station: PoliceStation) -> None:
    if officer.pk == by.pk:
        if desk_station_of(by) != station:
            raise NotVisible("desk")
        return
    if not may_record_for_others(by) or station not in stations_for(by):
        raise NotVisible("desk")
    if desk_station_of(officer) != station:
        raise ValidationError({"officer": _("This officer does not serve on this station's women's desk.")})


@transaction.atomic
def start_shift(
    *, by: User, officer: User, station: PoliceStation, at: dt.datetime | None = None
) -> DeskShift:
    """Open a shift. Starting twice returns the shift already open (a double tap does not double hours)."""
    _check(by, officer, station)
    at = at or timezone.now()
    if at > timezone.now() + dt.timedelta(minutes=10):
        raise ValidationError({"started_at": _("A shift cannot start in the future.")})
    existing = DeskShift.objects.select_for_update().filter(officer=officer, ended_at__isnull=True).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return DeskShift.objects.create(station=station, officer=officer, started_at=at, recorded_by=by)
    except IntegrityError:
        return DeskShift.objects.get(officer=officer, ended_at__isnull=True)


@transaction.atomic
def end_shift(
    *, by: User, officer: User, station: PoliceStation, at: dt.datetime | None = None
) -> DeskShift | None:
    """Close the officer's open shift; None when she has none open (ending twice is harmless)."""
    _check(by, officer, station)
    shift = DeskShift.objects.select_for_update().filter(officer=officer, ended_at__isnull=True).first()
    if shift is None:
        return None
    at = at or timezone.now()
    if at < shift.started_at:
        raise ValidationError({"ended_at": _("A shift cannot end before it starts.")})
    shift.ended_at = at
    shift.save(update_fields=["ended_at"])
    return shift


@transaction.atomic
def record_shift(
    *, by: User, officer: User, station: PoliceStation, started_at: dt.datetime, ended_at: dt.datetime
) -> DeskShift:
    """A station head records a past shift (an officer without a phone, or one who forgot to tap)."""
    _check(by, officer, station)
    if ended_at <= started_at:
        raise ValidationError({"ended_at": _("A shift cannot end before it starts.")})
    if ended_at > timezone.now() + dt.timedelta(minutes=10):
        raise ValidationError({"ended_at": _("A shift cannot end in the future.")})
    if ended_at - started_at > LONGEST_SHIFT:
        raise ValidationError({"ended_at": _("A shift cannot be longer than 16 hours.")})
    return DeskShift.objects.create(
        station=station, officer=officer, started_at=started_at, ended_at=ended_at, recorded_by=by
    )
