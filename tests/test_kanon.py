"""k-anonymity (rabta.lib.kanon) on crafted data with every merge, coarsening and suppression worked out
by hand, and properties over random data: every released class has at least k rows, and a beat-month
releases the same rows whatever else is in the export."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rabta.lib import kanon
from rabta.lib.kanon import MONTH, OTHER, WEEK, WITHHELD, Record, Released

# The month of March 2026 is made of the weeks whose Thursday is in March: Monday 2 to Sunday 29
# (1 March is a Sunday of a February week; the week of 30 March has its Thursday on 2 April).
W1, W2, W3, W4 = (dt.date(2026, 3, d) for d in (2, 9, 16, 23))
MARCH_START, MARCH_END = dt.date(2026, 3, 2), dt.date(2026, 3, 29)
APRIL_W1 = dt.date(2026, 3, 30)


def many(n: int, beat: str, week: dt.date, category: str, *outcomes: str) -> list[Record]:
    return [Record(beat, week, category, tuple(outcomes))] * n


def week_row(beat: str, week: dt.date, category: str, *outcomes: str) -> Released:
    return Released(beat, week, week + dt.timedelta(days=6), WEEK, category, tuple(outcomes))


def month_row(beat: str, category: str, *outcomes: str) -> Released:
    return Released(beat, MARCH_START, MARCH_END, MONTH, category, tuple(outcomes))


# ---- the calendar ------------------------------------------------------------------------------


def test_a_month_is_made_of_the_weeks_whose_thursday_is_in_it() -> None:
    assert kanon.weeks_of_month(dt.date(2026, 3, 1)) == (W1, W4)
    assert kanon.weeks_of_month(dt.date(2026, 4, 1)) == (APRIL_W1, dt.date(2026, 4, 27))
    # 1 January 2026 is a Thursday: the week of 29 December 2025 is January's.
    assert kanon.weeks_of_month(dt.date(2026, 1, 1)) == (dt.date(2025, 12, 29), dt.date(2026, 1, 26))
    assert kanon.month_of_week(APRIL_W1) == dt.date(2026, 4, 1)


def test_an_export_is_cut_to_whole_months_that_are_over() -> None:
    assert kanon.month_span(dt.date(2026, 3, 10), dt.date(2026, 3, 31)) == (MARCH_START, dt.date(2026, 5, 3))
    # 1 March is the Sunday of February's last week (2 February - 1 March).
    assert kanon.month_span(dt.date(2026, 3, 1), dt.date(2026, 3, 1)) == (
        dt.date(2026, 2, 2),
        dt.date(2026, 3, 1),
    )
    # April (30 March - 3 May) is not over on 15 April nor on 3 May; March is.
    assert kanon.last_complete_month_end(dt.date(2026, 4, 15)) == MARCH_END
    assert kanon.last_complete_month_end(dt.date(2026, 5, 3)) == MARCH_END
    assert kanon.last_complete_month_end(dt.date(2026, 5, 4)) == dt.date(2026, 5, 3)


def test_hours_bands() -> None:
    bands = [kanon.hours_band(h) for h in (None, 0, 23.99, 24, 71.9, 72, 500)]
    assert bands == ["none", "<24h", "<24h", "24-72h", "24-72h", ">72h", ">72h"]


# ---- crafted data ------------------------------------------------------------------------------


def test_rare_categories_of_a_beat_month_are_merged_into_other() -> None:
    records = [
        *many(5, "GUL", W1, "theft"),
        *many(2, "GUL", W1, "drugs"),
        *many(3, "GUL", W1, "traffic_danger"),
    ]
    result = kanon.anonymise(records, k=5)
    assert Counter(result.rows) == {week_row("GUL", W1, "theft"): 5, week_row("GUL", W1, OTHER): 5}
    s = result.summary
    assert s.merged == (("GUL", dt.date(2026, 3, 1), "drugs"), ("GUL", dt.date(2026, 3, 1), "traffic_danger"))
    assert (s.input_rows, s.released_rows, s.suppressed_rows, s.coarsened) == (10, 10, 0, ())


def test_a_category_small_in_a_week_sends_the_whole_beat_month_to_months() -> None:
    records = [
        *many(3, "GUL", W1, "theft"),
        *many(3, "GUL", W2, "theft"),
        *many(5, "GUL", W3, "street_lighting"),  # big enough by the week, released by month all the same
        *many(6, "SHG", W1, "theft"),  # another beat keeps its weeks
    ]
    result = kanon.anonymise(records, k=5)
    assert Counter(result.rows) == {
        month_row("GUL", "street_lighting"): 5,
        month_row("GUL", "theft"): 6,
        week_row("SHG", W1, "theft"): 6,
    }
    assert result.summary.coarsened == (("GUL", dt.date(2026, 3, 1)),)
    assert result.summary.merged == ()


def test_a_class_under_k_for_the_whole_month_is_suppressed_without_coarsening_the_others() -> None:
    records = [
        *many(5, "GUL", W1, "theft"),
        *many(5, "GUL", W2, "theft"),
        *many(2, "GUL", W2, "drugs"),
        *many(1, "GUL", W3, "noise"),
    ]
    result = kanon.anonymise(records, k=5)
    # drugs and noise become other (3 in the month): under 5 by week and by month, so dropped; theft
    # keeps its weeks, and nothing in the file says the dropped rows were drugs or noise.
    assert Counter(result.rows) == {week_row("GUL", W1, "theft"): 5, week_row("GUL", W2, "theft"): 5}
    s = result.summary
    assert (s.released_rows, s.suppressed_rows, s.coarsened) == (10, 3, ())
    assert [category for _beat, _month, category in s.merged] == ["drugs", "noise"]


def test_a_week_belongs_to_the_month_of_its_thursday() -> None:
    # The week of 30 March is April's: March's 4 theft reports and its 3 are not pooled.
    records = [*many(4, "GUL", W4, "theft"), *many(3, "GUL", APRIL_W1, "theft")]
    result = kanon.anonymise(records, k=5)
    assert result.rows == []
    assert result.summary.suppressed_rows == 7


def test_a_day_of_the_week_is_read_as_its_monday() -> None:
    wednesday = W1 + dt.timedelta(days=2)
    result = kanon.anonymise([*many(3, "GUL", W1, "theft"), *many(2, "GUL", wednesday, "theft")], k=5)
    assert Counter(result.rows) == {week_row("GUL", W1, "theft"): 5}


def test_rare_outcomes_are_withheld_until_the_withheld_are_k_too() -> None:
    # Status: 7 open, 3 resolved, 2 referred. Resolved and referred are rare: both withheld (5 rows),
    # which is k, so open stays. Contact band: 11 "<24h" and 1 ">72h": the one is withheld, and with
    # it the next rarest (all 11) until at least 5 are withheld.
    records = [
        *many(7, "GUL", W1, "theft", "open", "<24h"),
        *many(3, "GUL", W1, "theft", "resolved", "<24h"),
        *many(1, "GUL", W1, "theft", "referred", "<24h"),
        *many(1, "GUL", W1, "theft", "referred", ">72h"),
    ]
    result = kanon.anonymise(records, k=5)
    assert Counter(result.rows) == {
        week_row("GUL", W1, "theft", "open", WITHHELD): 7,
        week_row("GUL", W1, "theft", WITHHELD, WITHHELD): 5,
    }
    assert result.summary.withheld == {0: 5, 1: 12}


def test_the_rows_are_sorted_not_in_the_order_received() -> None:
    records = [*many(5, "SHG", W2, "theft"), *many(5, "GUL", W3, "theft"), *many(5, "GUL", W1, "drugs")]
    rows = kanon.anonymise(records, k=5).rows
    assert rows == sorted(rows)
    assert [(r.beat, r.period_start) for r in rows[::5]] == [("GUL", W1), ("GUL", W3), ("SHG", W2)]


def test_k_of_one_releases_every_record_by_the_week() -> None:
    records = [Record("GUL", W1, "theft", ("open",)), Record("GUL", W2, "drugs", ("closed",))]
    result = kanon.anonymise(records, k=1)
    assert result.rows == [week_row("GUL", W1, "theft", "open"), week_row("GUL", W2, "drugs", "closed")]


def test_counts_and_records_give_the_same_release() -> None:
    records = [*many(6, "GUL", W1, "theft", "open"), *many(2, "GUL", W2, "drugs", "closed")]
    counted = kanon.anonymise_counts(Counter(records), k=5)
    assert [row for row, n in counted.rows for _ in range(n)] == kanon.anonymise(records, k=5).rows


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="k must be"):
        kanon.anonymise([], k=0)
    with pytest.raises(ValueError, match="same number of outcome columns"):
        kanon.anonymise([Record("GUL", W1, "theft", ("open",)), Record("GUL", W1, "theft")])
    with pytest.raises(ValueError, match="count"):
        kanon.anonymise_counts({Record("GUL", W1, "theft"): 0})


# ---- properties --------------------------------------------------------------------------------

WEEKS = [dt.date(2026, 1, 26) + dt.timedelta(weeks=i) for i in range(12)]
records_st = st.lists(
    st.builds(
        Record,
        beat=st.sampled_from(["GUL", "SHG", "RBT"]),
        week=st.sampled_from(WEEKS),
        category=st.sampled_from(["theft", "drugs", "other", "noise", "traffic"]),
        outcomes=st.tuples(
            st.sampled_from(["open", "resolved", "referred"]), st.sampled_from(["<24h", ">72h"])
        ),
    ),
    max_size=300,
)


@settings(max_examples=150, deadline=None)
@given(records=records_st, k=st.integers(min_value=2, max_value=10))
def test_every_released_class_has_at_least_k_rows(records: list[Record], k: int) -> None:
    result = kanon.anonymise(records, k=k)
    s = result.summary
    assert s.released_rows == len(result.rows) and s.released_rows + s.suppressed_rows == len(records)
    classes = Counter(row.key for row in result.rows)
    assert all(n >= k for n in classes.values())
    # No released combination of the quasi-identifiers is unique (k >= 2).
    assert not [key for key, n in classes.items() if n == 1]
    # A beat-month is released by week or by month, never both (no subtraction recovers a week).
    kinds: dict[tuple[str, dt.date], set[str]] = {}
    for row in result.rows:
        kinds.setdefault((row.beat, kanon.month_of_week(row.period_start)), set()).add(row.period_kind)
    assert all(len(found) == 1 for found in kinds.values())
    # Per beat-month and column, a value shown is shown at least k times, and the withheld are 0 or >= k.
    by_unit: dict[tuple[str, dt.date, int], Counter[str]] = {}
    for row in result.rows:
        for column, value in enumerate(row.outcomes):
            unit = (row.beat, kanon.month_of_week(row.period_start), column)
            by_unit.setdefault(unit, Counter())[value] += 1
    assert all(n >= k for values in by_unit.values() for n in values.values())


@settings(max_examples=100, deadline=None)
@given(records=records_st, k=st.integers(min_value=2, max_value=10))
def test_a_beat_month_releases_the_same_rows_whatever_else_is_exported(records: list[Record], k: int) -> None:
    # Exports of different ranges share whole months: neither can be subtracted from the other.
    whole = kanon.anonymise(records, k=k).rows
    feb = [r for r in records if kanon.month_of_week(r.week) == dt.date(2026, 2, 1)]
    rest = [r for r in records if kanon.month_of_week(r.week) != dt.date(2026, 2, 1)]
    assert sorted(kanon.anonymise(feb, k=k).rows + kanon.anonymise(rest, k=k).rows) == whole
