"""k-anonymity for report-level research data. Django-free, pure and deterministic.

Each record is one report: its beat, the ISO week it was received in (the Monday), its category and a
few coarse outcome values. The quasi-identifiers are (beat, period, category): someone who knows where,
roughly when and about what a neighbour reported must find at least k rows that fit.

Every decision is taken inside one beat-month (a beat and a month made of whole ISO weeks: a week
belongs to the month of its Thursday, as ISO years do, so a week is never split). What a beat-month
releases depends on its own reports only, so two exports of different date ranges release the same
rows for the months they share, and neither can be subtracted from the other to recover a small class.
Within a beat-month, records are generalised in this order and only where needed:

1. Category: a category with fewer than k reports in the beat-month is relabelled OTHER, all of its
   reports there (a whole category, never only the rows of small weeks, so within a beat-month a label
   means one thing).
2. Period: if a category that has k reports in the month has fewer than k in one of its weeks, the
   whole beat-month is released by month, every row of it: a week's rows are released either by the
   week or inside their month, never both, so no count can be subtracted from another to recover a week.
3. Suppression: a category still under k in the month (only OTHER can be, after step 1) is dropped and
   counted. It would be under k by month too, so it never forces the month to be coarsened.

Outcome columns are not quasi-identifiers as such (they are kept coarse), but a value that is rare in a
beat-month would pick a row out to anyone who knows it ("the one referred report in beat X in March").
So, per beat-month and column, among the released rows, values seen fewer than k times are WITHHELD,
with the next rarest values until the withheld rows are at least k too. Joint combinations of outcomes
are not checked, nor is a class whose rows all share one outcome (docs/research-export.md, "Limits").

`anonymise` takes records one by one; `anonymise_counts` takes them with their multiplicities (a table
of identical records, as a GROUP BY gives it), so a province's reports need not sit in memory.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

OTHER = "other"
WITHHELD = "withheld"
WEEK = "week"
MONTH = "month"
DEFAULT_K = 5

# Hours to first contact, in the bands the export releases: (upper bound in hours, band).
HOUR_BANDS: tuple[tuple[float, str], ...] = ((24, "<24h"), (72, "24-72h"))
LONGEST_BAND = ">72h"
NO_CONTACT = "none"


def hours_band(hours: float | None) -> str:
    """The band of an hours-to-first-contact figure; NO_CONTACT when there was none yet."""
    if hours is None:
        return NO_CONTACT
    for upper, band in HOUR_BANDS:
        if hours < upper:
            return band
    return LONGEST_BAND


def week_start(day: dt.date) -> dt.date:
    """The Monday of the ISO week `day` falls in."""
    return day - dt.timedelta(days=day.weekday())


def month_of_week(monday: dt.date) -> dt.date:
    """The month a week is counted in: the month of its Thursday (as the ISO year is)."""
    return (monday + dt.timedelta(days=3)).replace(day=1)


def weeks_of_month(month: dt.date) -> tuple[dt.date, dt.date]:
    """The Monday of the first and of the last week counted in `month` (a first of the month)."""
    first = week_start(month)
    if month_of_week(first) != month:
        first += dt.timedelta(days=7)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    last = week_start(following)
    if month_of_week(last) == following:
        last -= dt.timedelta(days=7)
    return first, last


def month_span(first_day: dt.date, last_day: dt.date) -> tuple[dt.date, dt.date]:
    """The whole months (of whole weeks) that cover [first_day, last_day]: the Monday that starts the
    first and the Sunday that ends the last. An export is cut to these so it holds whole beat-months."""
    first, _last = weeks_of_month(month_of_week(week_start(first_day)))
    _first, last = weeks_of_month(month_of_week(week_start(last_day)))
    return first, last + dt.timedelta(days=6)


def last_complete_month_end(today: dt.date) -> dt.date:
    """The Sunday that ends the latest month (of whole weeks) that was over before `today`."""
    month = month_of_week(week_start(today))
    while True:
        _first, last = weeks_of_month(month)
        end = last + dt.timedelta(days=6)
        if end < today:
            return end
        month = (month - dt.timedelta(days=1)).replace(day=1)


@dataclass(frozen=True, order=True)
class Record:
    beat: str
    week: dt.date  # a day of the ISO week; read as its Monday
    category: str
    outcomes: tuple[str, ...] = ()


@dataclass(frozen=True, order=True)
class Released:
    beat: str
    period_start: dt.date  # a Monday
    period_end: dt.date  # a Sunday: the week's, or that of the month's last week
    period_kind: str  # WEEK or MONTH
    category: str
    outcomes: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str, dt.date, str]:
        """The released quasi-identifiers: every key is shared by at least k rows."""
        return (self.beat, self.period_kind, self.period_start, self.category)


@dataclass(frozen=True)
class Summary:
    k: int
    input_rows: int
    released_rows: int
    suppressed_rows: int
    merged: tuple[tuple[str, dt.date, str], ...]  # (beat, month, category) relabelled OTHER
    coarsened: tuple[tuple[str, dt.date], ...]  # (beat, month) released by month
    withheld: dict[int, int] = field(default_factory=dict)  # outcome column -> cells withheld


@dataclass(frozen=True)
class Result:
    rows: list[Released]  # sorted
    summary: Summary


@dataclass(frozen=True)
class Counted:
    rows: list[tuple[Released, int]]  # sorted, each distinct row with how many times it is released
    summary: Summary


def anonymise(records: Iterable[Record], *, k: int = DEFAULT_K) -> Result:
    """Generalise `records` until every (beat, period, category) class has at least k rows.

    The released rows are sorted, so their order says nothing about when each report came in.
    """
    counted = anonymise_counts(Counter(records), k=k)
    return Result(rows=[row for row, n in counted.rows for _ in range(n)], summary=counted.summary)


def anonymise_counts(counts: Mapping[Record, int], *, k: int = DEFAULT_K) -> Counted:
    """`anonymise` for records given with their multiplicities (each count at least 1)."""
    if k < 1:
        raise ValueError("k must be at least 1")
    if len({len(r.outcomes) for r in counts}) > 1:
        raise ValueError("every record needs the same number of outcome columns")
    if any(n < 1 for n in counts.values()):
        raise ValueError("every record's count must be at least 1")
    units: dict[tuple[str, dt.date], Counter[Record]] = defaultdict(Counter)
    for record, n in counts.items():
        monday = week_start(record.week)
        units[(record.beat, month_of_week(monday))][
            Record(record.beat, monday, record.category, record.outcomes)
        ] += n

    rows: list[tuple[Released, int]] = []
    merged: list[tuple[str, dt.date, str]] = []
    coarsened: list[tuple[str, dt.date]] = []
    suppressed = 0
    withheld: Counter[int] = Counter()
    for beat, month in sorted(units):
        unit = _release_unit(beat, month, units[(beat, month)], k)
        rows.extend(unit.rows)
        merged.extend((beat, month, category) for category in unit.merged)
        if unit.coarsened:
            coarsened.append((beat, month))
        suppressed += unit.suppressed
        withheld.update(unit.withheld)
    rows.sort()
    summary = Summary(
        k=k,
        input_rows=sum(counts.values()),
        released_rows=sum(n for _row, n in rows),
        suppressed_rows=suppressed,
        merged=tuple(merged),
        coarsened=tuple(coarsened),
        withheld=dict(sorted(withheld.items())),
    )
    return Counted(rows=rows, summary=summary)


@dataclass(frozen=True)
class _Unit:
    rows: list[tuple[Released, int]]
    merged: list[str]
    coarsened: bool
    suppressed: int
    withheld: Counter[int]


def _release_unit(beat: str, month: dt.date, records: Counter[Record], k: int) -> _Unit:
    """One beat-month's release: steps 1-3 of the module's rule, then the rare outcomes withheld."""
    # 1. Categories rare in the beat-month become OTHER.
    per_category: Counter[str] = Counter()
    for r, n in records.items():
        per_category[r.category] += n
    merged = sorted(c for c, n in per_category.items() if n < k and c != OTHER)
    relabelled: Counter[tuple[dt.date, str, tuple[str, ...]]] = Counter()
    for r, n in records.items():
        relabelled[(r.week, OTHER if r.category in merged else r.category, r.outcomes)] += n
    monthly: Counter[str] = Counter()
    weekly: Counter[tuple[dt.date, str]] = Counter()
    for (week, category, _outcomes), n in relabelled.items():
        monthly[category] += n
        weekly[(week, category)] += n

    # 2. A category big enough for the month but small in a week: the beat-month goes by month.
    coarse = any(n < k and monthly[category] >= k for (_week, category), n in weekly.items())
    first, last = weeks_of_month(month)

    # 3. Categories under k for the whole month are dropped, whichever the period.
    staged: Counter[Released] = Counter()
    suppressed = 0
    for (week, category, outcomes), n in relabelled.items():
        if monthly[category] < k:
            suppressed += n
        elif coarse:
            staged[Released(beat, first, last + dt.timedelta(days=6), MONTH, category, outcomes)] += n
        else:
            staged[Released(beat, week, week + dt.timedelta(days=6), WEEK, category, outcomes)] += n

    rows, withheld = _withhold_rare_outcomes(staged, k)
    return _Unit(rows=rows, merged=merged, coarsened=coarse, suppressed=suppressed, withheld=withheld)


def _withhold_rare_outcomes(
    rows: Counter[Released], k: int
) -> tuple[list[tuple[Released, int]], Counter[int]]:
    """Per outcome column: every value seen fewer than k times among `rows` (one beat-month's) is
    WITHHELD, and then the rarest remaining values too, until the withheld rows number at least k."""
    width = len(next(iter(rows)).outcomes) if rows else 0
    hidden_by_column = []
    for column in range(width):
        counts: Counter[str] = Counter()
        for row, n in rows.items():
            counts[row.outcomes[column]] += n
        hidden_by_column.append(_values_to_withhold(counts, k))
    withheld: Counter[int] = Counter()
    out: Counter[Released] = Counter()
    for row, n in rows.items():
        values = list(row.outcomes)
        for column, hidden in enumerate(hidden_by_column):
            if values[column] in hidden:
                values[column] = WITHHELD
                withheld[column] += n
        out[
            Released(row.beat, row.period_start, row.period_end, row.period_kind, row.category, tuple(values))
        ] += n
    return sorted(out.items()), withheld


def _values_to_withhold(counts: Counter[str], k: int) -> set[str]:
    hidden = {value for value, n in counts.items() if n < k}
    if not hidden:
        return hidden
    total = sum(counts[v] for v in hidden)
    # Rarest first, ties by value: deterministic, and hides as little as it can.
    for value, n in sorted(counts.items(), key=lambda item: (item[1], item[0])):
        if total >= k:
            break
        if value not in hidden:
            hidden.add(value)
            total += n
    return hidden
