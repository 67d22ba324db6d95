"""Weeks (ISO, from Monday) and calendar months, as the local dates that start them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from rabta.insights.models import PeriodKind


def start_of(kind: str, day: dt.date) -> dt.date:
    if kind == PeriodKind.WEEK:
        return day - dt.timedelta(days=day.weekday())
    return day.replace(day=1)


def next_start(kind: str, start: dt.date) -> dt.date:
    if kind == PeriodKind.WEEK:
        return start + dt.timedelta(days=7)
    index = start.year * 12 + start.month  # the month after, zero-based
    return dt.date(index // 12, index % 12 + 1, 1)


def previous_start(kind: str, start: dt.date) -> dt.date:
    if kind == PeriodKind.WEEK:
        return start - dt.timedelta(days=7)
    return start_of(kind, start - dt.timedelta(days=1))


def end_of(kind: str, start: dt.date) -> dt.date:
    """The period's last day."""
    return next_start(kind, start) - dt.timedelta(days=1)


def starts_between(kind: str, first: dt.date, last: dt.date) -> Iterator[dt.date]:
    """Starts of the periods that touch [first, last]."""
    start = start_of(kind, first)
    while start <= last:
        yield start
        start = next_start(kind, start)


def last_n(kind: str, today: dt.date, n: int, *, include_current: bool = True) -> list[dt.date]:
    """The starts of the last n periods, oldest first; without the running one when not include_current."""
    start = start_of(kind, today)
    if not include_current:
        start = previous_start(kind, start)
    out = [start]
    while len(out) < n:
        out.append(previous_start(kind, out[-1]))
    return out[::-1]


def is_complete(kind: str, start: dt.date, today: dt.date) -> bool:
    """Whether the period ended before today (public figures show only these)."""
    return end_of(kind, start) < today
