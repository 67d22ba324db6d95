"""Committee cadence: which meeting periods fell due in a window, and which were missed. Django-free."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

STEP_DAYS = {"weekly": 7, "fortnightly": 14}
STEP_MONTHS = {"monthly": 1, "quarterly": 3}


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # exclusive

    def contains(self, day: dt.date) -> bool:
        return self.start <= day < self.end


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 + months
    return dt.date(month_index // 12, month_index % 12 + 1, 1)


def periods(cadence: str, anchor: dt.date, start: dt.date, end: dt.date) -> list[Period]:
    """Whole periods inside [start, end) (end exclusive), for a committee meeting since `anchor`.

    Weekly and fortnightly periods count from the day the committee started; monthly and
    quarterly ones are calendar months and quarters (how committees and officers speak of them).
    A period that began before the committee did is not due.
    """
    result: list[Period] = []
    if cadence in STEP_DAYS:
        step = dt.timedelta(days=STEP_DAYS[cadence])
        cursor = anchor
        if start > anchor:
            cursor = anchor + step * -(-(start - anchor).days // step.days)
        while cursor + step <= end:
            result.append(Period(cursor, cursor + step))
            cursor += step
    elif cadence in STEP_MONTHS:
        months = STEP_MONTHS[cadence]
        first = max(start, anchor)
        cursor = dt.date(first.year, first.month, 1)
        if months == 3:
            cursor = dt.date(cursor.year, (cursor.month - 1) // 3 * 3 + 1, 1)
        if cursor < first:  # a part period at the start is not due
            cursor = _add_months(cursor, months)
        while _add_months(cursor, months) <= end:
            result.append(Period(cursor, _add_months(cursor, months)))
            cursor = _add_months(cursor, months)
    else:
        raise ValueError(f"unknown cadence {cadence!r}")
    return result


@dataclass(frozen=True)
class CadenceReport:
    due: int
    held: int
    missed: list[Period]


def held_against_due(
    cadence: str, anchor: dt.date, start: dt.date, end: dt.date, held_days: Iterable[dt.date]
) -> CadenceReport:
    """Meetings held in [start, end) against whole periods due; a period with no meeting is missed."""
    due = periods(cadence, anchor, start, end)
    days = [d for d in held_days if start <= d < end]
    missed = [p for p in due if not any(p.contains(d) for d in days)]
    return CadenceReport(due=len(due), held=len(days), missed=missed)
