"""What the public beat page may say about police presence, built so that patrols cannot be predicted.

- Proactive visits per calendar week (Monday to Sunday, local time) for the last eight weeks, the
  current week counting only the days before today.
- "Last visit: N days ago", N counted in whole days and at least 1.
- Nothing from today, never a time of day, never a place, never an officer.

Counts are of visits (police actions), not of people, so the small-number suppression of public
outputs does not apply: a count of 2 visits says nothing about any resident. One query for the
beat, whatever its history.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from django.db.models import Count, Max, Q
from django.utils import timezone

from rabta.places.models import Beat, PoliceStation
from rabta.presence.desk import DeskSummary, desk_summary
from rabta.presence.models import Contact

PUBLIC_WEEKS = 8


@dataclass(frozen=True)
class PublicWeek:
    starts_on: dt.date
    visits: int


@dataclass(frozen=True)
class PublicPresence:
    weeks: list[PublicWeek]
    days_since_last: int | None

    @property
    def most(self) -> int:
        return max((w.visits for w in self.weeks), default=0)

    @property
    def total(self) -> int:
        return sum(w.visits for w in self.weeks)


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def public_presence(beat: Beat, *, now: dt.datetime | None = None) -> PublicPresence:
    today = timezone.localdate(now or timezone.now())
    cutoff = _local_midnight(today)  # nothing from today
    this_monday = today - dt.timedelta(days=today.weekday())
    mondays = [this_monday - dt.timedelta(weeks=n) for n in range(PUBLIC_WEEKS - 1, -1, -1)]
    bounds = [_local_midnight(m) for m in mondays] + [cutoff]
    aggregates = {
        f"w{i}": Count("contact_id", filter=Q(contact__started_at__gte=lo, contact__started_at__lt=hi))
        for i, (lo, hi) in enumerate(itertools.pairwise(bounds))
    }
    row = Contact.beats.through.objects.filter(
        beat_id=beat.pk, contact__proactive=True, contact__started_at__lt=cutoff
    ).aggregate(last=Max("contact__started_at"), **aggregates)
    last = row["last"]
    return PublicPresence(
        weeks=[PublicWeek(starts_on=m, visits=row[f"w{i}"] or 0) for i, m in enumerate(mondays)],
        days_since_last=(today - timezone.localdate(last)).days if last else None,
    )


def public_desk(station: PoliceStation, *, now: dt.datetime | None = None) -> DeskSummary:
    """Open now, and staffed share over the last 30 days, for the public beat page."""
    return desk_summary(station, now=now)
