"""Where each metric comes from. One module per app that holds the records; each gives:

* `rows(kind, first, end, now)`: Measure rows for the periods of `kind` starting in [first, end), at the
  lowest level the records know (beats; stations for the women's desk). The rollup adds them up the
  levels. Medians are not additive, so their sources return every level themselves.
* `changed_days(since, now)`: the local days whose figures may have changed since `since` (records
  written, or a deadline passed without action).
* `first_day()`: the earliest day with records, for a full rebuild.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.db.models import DateField, Expression
from django.db.models.functions import Trunc
from django.utils import timezone

from rabta.insights.metrics import Metric, groups_of


class Row(NamedTuple):
    scope: str
    scope_id: int
    start: dt.date
    metric: Metric
    group: str
    n: int
    value: float


def default_tz() -> dt.tzinfo:
    return timezone.get_default_timezone()


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone())


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localdate(moment, timezone.get_default_timezone())


def period_start(kind: str, field: str, *, is_date: bool = False) -> Expression:
    """The local start date of the week or month a timestamp (or date) field falls in, in SQL."""
    if is_date:
        return Trunc(field, kind, output_field=DateField())
    return Trunc(field, kind, output_field=DateField(), tzinfo=timezone.get_default_timezone())


POPULATION_GENDER = {"woman": "women", "man": "men"}


def person_groups(gender: str | None, band: str | None, *, cells: bool = False) -> tuple[str, ...]:
    """The groups of a person recorded with a gender ('woman', 'man', 'other' or blank) and age band
    (with their gender x age-band cell when `cells`)."""
    return groups_of(POPULATION_GENDER.get(gender or "", ""), band or "", cells=cells)
