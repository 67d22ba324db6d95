"""The survey formulas of rabta.lib.stats on hand-built data, with the values worked out by hand
(docs/feedback.md, "Results")."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rabta.lib import stats

UNSAFE = {"bit_unsafe", "very_unsafe"}
NOT_RATED = {"never", "dont_know"}


def test_pj_index_is_the_mean_of_the_answered_pillars() -> None:
    assert stats.pj_index((5, 4, 4, 5)) == 4.5
    # "prefer not to say" on neutrality: the mean of the other three.
    assert stats.pj_index((2, None, 3, 1)) == 2.0
    assert stats.pj_index((None, None, None, None)) is None
    # The published index: the mean of the respondents' indexes, the one with none left out.
    people = [(5, 4, 4, 5), (2, None, 3, 1), (None, None, None, None)]
    assert stats.mean(stats.pj_index(p) for p in people) == 3.25


def test_all_four_share_counts_only_those_who_answered_all_four() -> None:
    people = [(5, 4, 4, 5), (4, 4, 3, 5), (5, 5, None, 5), (None, None, None, None), (4, 4, 4, 4)]
    flags = [stats.agrees_with_all(p) for p in people]
    assert flags == [True, False, None, None, True]
    assert stats.proportion(flags) == (2, 3)


def test_trust_score_is_the_mean_of_the_two_items_times_ten() -> None:
    assert stats.trust_score((7, 8)) == 75.0
    assert stats.trust_score((0, 10)) == 50.0
    assert stats.trust_score((3, None)) == 30.0  # one item answered: that item
    assert stats.trust_score((None, None)) is None
    assert stats.mean([75.0, 50.0, 30.0, None]) == 155 / 3


def test_unsafe_after_dark_leaves_out_never_and_dont_know() -> None:
    answers = [
        "very_safe",
        "fairly_safe",
        "bit_unsafe",
        "very_unsafe",
        "very_unsafe",
        "never",
        "never",
        "dont_know",
        "",
    ]
    unsafe = [stats.unsafe_after_dark(a, unsafe=UNSAFE, not_rated=NOT_RATED) for a in answers]
    assert stats.proportion(unsafe) == (3, 5)  # 60%
    avoid = [stats.avoids(a, never="never") for a in answers]
    # "never" over all answers, "don't know" included, the unanswered one not.
    assert stats.proportion(avoid) == (2, 8)  # 25%


def test_wilson_bounds() -> None:
    low, high = stats.wilson_interval(3, 10)
    assert low == pytest.approx(0.10779, abs=1e-5)
    assert high == pytest.approx(0.60322, abs=1e-5)
    assert stats.wilson_interval(0, 10) == (0.0, pytest.approx(0.27753, abs=1e-5))
    assert stats.wilson_interval(10, 10) == (pytest.approx(0.72247, abs=1e-5), 1.0)
    # 38 of 100, worked by hand: centre 0.39921/1.03841 = 0.38444, half-width 1.88746 x 0.04952 = 0.09346.
    low, high = stats.wilson_interval(38, 100)
    assert (low, high) == (pytest.approx(0.29098, abs=1e-5), pytest.approx(0.47790, abs=1e-5))


def test_poststratification_weights_and_weighted_mean() -> None:
    population = {("w", "15_29"): 300, ("m", "15_29"): 200, ("w", "30_44"): 300, ("m", "30_44"): 200}
    values = {
        ("w", "15_29"): [20, 40],
        ("m", "15_29"): [80, 80, 60, 60],
        ("w", "30_44"): [30, 30],
        ("m", "30_44"): [50, 70],
    }
    weights = stats.poststrat_weights({g: len(v) for g, v in values.items()}, population)
    # population share / respondent share: 0.3/0.2, 0.2/0.4, 0.3/0.2, 0.2/0.2.
    assert weights.weights == {
        ("w", "15_29"): 1.5,
        ("m", "15_29"): 0.5,
        ("w", "30_44"): 1.5,
        ("m", "30_44"): 1.0,
    }
    assert weights.missing == ()
    assert weights.covered == 1.0
    pairs = [(x, weights.of(g)) for g, xs in values.items() for x in xs]
    assert stats.mean(x for x, _w in pairs) == 52.0
    # 0.3 x 30 + 0.2 x 70 + 0.3 x 30 + 0.2 x 60: each group at its population share.
    assert stats.weighted_mean(pairs) == pytest.approx(44.0, abs=1e-12)
    flags = [(x >= 50, weights.of(g)) for g, xs in values.items() for x in xs]
    # Men only are at 50 or over: their population share, 0.4.
    assert stats.weighted_proportion(flags) == pytest.approx(0.4, abs=1e-12)


def test_groups_without_respondents_are_missing_not_imputed() -> None:
    weights = stats.poststrat_weights({"a": 5, "b": 5, "d": 3}, {"a": 50, "b": 30, "c": 20})
    # "d" has respondents but no population: no weight; its respondents count unweighted only.
    assert weights.weights == {"a": pytest.approx(0.5 / 0.5 * 1.0), "b": pytest.approx(0.3 / 0.5)}
    assert weights.missing == ("c",)
    assert weights.covered == pytest.approx(0.8)
    assert stats.weighted_mean([(1.0, weights.of("a")), (0.0, weights.of("b")), (9.0, weights.of("d"))]) == (
        pytest.approx(1 / 1.6)
    )
    assert stats.poststrat_weights({}, {"a": 10}).weights == {}
    assert stats.poststrat_weights({"a": 2}, {}).covered is None


def test_primary_suppression() -> None:
    cells = {"all": 23, "w": 4, "m": 19}
    assert stats.suppress(cells) == {"w"}
    # An empty cell is about nobody: shown as "no answers", not hidden.
    assert stats.suppress({"x": 0, "y": 5, "z": 1}) == {"z"}


def test_secondary_suppression_hides_the_next_smallest_sibling() -> None:
    # 20 = 3 + 12 + 5: with the total shown, the 3 is 20 - 12 - 5. The next smallest (5) goes too.
    cells = {"all": 20, "w": 3, "m": 12, "o": 5}
    assert stats.suppress(cells, [("all", ("w", "m", "o"))]) == {"w", "o"}
    # Two small cells hide each other: nothing more.
    cells = {"all": 20, "w": 3, "m": 15, "o": 2}
    assert stats.suppress(cells, [("all", ("w", "m", "o"))]) == {"w", "o"}
    # An empty sibling is the last one taken.
    cells = {"all": 20, "w": 3, "m": 17, "o": 0}
    assert stats.suppress(cells, [("all", ("w", "m", "o"))]) == {"w", "m"}
    # A hidden total protects its line.
    cells = {"all": 4, "w": 3, "m": 1}
    assert stats.suppress(cells, [("all", ("w", "m"))]) == {"all", "w", "m"}


def test_secondary_suppression_through_nested_totals() -> None:
    # everyone = youth + older + age unknown; older = 30-44 + 45-59 + 60+.
    cells = {"all": 30, "y": 10, "older": 17, "u": 3, "a": 7, "b": 5, "c": 5}
    lines = [("all", ("y", "older", "u")), ("older", ("a", "b", "c"))]
    assert stats.suppress(cells, lines) == {"u", "y"}
    # 60+ is 2: older - 7 - 5 would show it; then the 5 goes; nothing in "all"'s line changes.
    cells = {"all": 30, "y": 10, "older": 14, "u": 6, "a": 7, "b": 5, "c": 2}
    assert stats.suppress(cells, lines) == {"c", "b"}


def grid_table(grid: list[list[int]]) -> tuple[dict[object, int], list[stats.Line]]:
    """A table with row and column totals shown, as cells and lines."""
    cells: dict[object, int] = {}
    for r, row in enumerate(grid):
        for c, n in enumerate(row):
            cells[(r, c)] = n
    for r, row in enumerate(grid):
        cells[("row", r)] = sum(row)
    for c in range(len(grid[0])):
        cells[("col", c)] = sum(row[c] for row in grid)
    lines: list[stats.Line] = [
        (("row", r), tuple((r, c) for c in range(len(grid[0])))) for r in range(len(grid))
    ]
    lines += [(("col", c), tuple((r, c) for r in range(len(grid)))) for c in range(len(grid[0]))]
    return cells, lines


def derivable(hidden: set[object], cells: dict[object, int], lines: list[stats.Line]) -> set[object]:
    """Hidden cells a reader can compute, checked apart from the module: every line is an equation
    total - sum(parts) = 0 over its hidden members (a hidden total too); a hidden cell is known when
    adding its unit vector to the equations does not raise their rank."""
    unknowns = sorted(hidden, key=repr)
    if not unknowns:
        return set()
    equations = [
        [(1.0 if key == total else 0.0) - (1.0 if key in parts else 0.0) for key in unknowns]
        for total, parts in lines
    ]
    equations = [e for e in equations if any(e)]
    rank = np.linalg.matrix_rank(np.array(equations)) if equations else 0
    known = set()
    for i, key in enumerate(unknowns):
        unit = [0.0] * len(unknowns)
        unit[i] = 1.0
        if np.linalg.matrix_rank(np.array([*equations, unit])) == rank:
            known.add(key)
    return known


def test_a_hidden_subtotal_with_its_parts_shown_is_hidden_with_a_part() -> None:
    # 15-29 (4) is hidden; age not stated is empty, so "30 and over" (7) goes with it. But 30 and over
    # is 7 + 0 + 0 from its own bands: shown, they would give it, and 15-29 = 11 - 7 - 0, away.
    cells = {"all": 11, "y": 4, "older": 7, "u": 0, "a": 7, "b": 0, "c": 0}
    lines = [("all", ("y", "older", "u")), ("older", ("a", "b", "c"))]
    assert stats.suppress(cells, lines) == {"y", "older", "a"}
    assert derivable({"y", "older"}, cells, lines) == {"y", "older"}
    assert derivable({"y", "older", "a"}, cells, lines) == set()


def test_secondary_suppression_catches_a_chain_the_simple_rule_misses() -> None:
    # Two hidden 2x2 blocks joined by one hidden cell: every row and column holds 0 or 2+ hidden
    # cells, yet the joining cell is the difference of the first block's row and column totals.
    small = {(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)}
    grid = [[2 if (r, c) in small else 10 for c in range(4)] for r in range(4)]
    cells, lines = grid_table(grid)
    primary = {k for k, n in cells.items() if n < 5}
    assert (1, 2) in derivable(primary, cells, lines)
    hidden = stats.suppress(cells, lines)
    assert hidden > primary
    assert derivable(hidden, cells, lines) == set()


@settings(max_examples=150, deadline=None)
@given(
    st.integers(min_value=1, max_value=4).flatmap(
        lambda cols: st.lists(
            st.lists(st.integers(min_value=0, max_value=14), min_size=cols, max_size=cols),
            min_size=1,
            max_size=4,
        )
    )
)
def test_no_suppressed_cell_can_be_worked_out(grid: list[list[int]]) -> None:
    cells, lines = grid_table(grid)
    hidden = stats.suppress(cells, lines)
    assert {k for k, n in cells.items() if 0 < n < stats.MIN_CELL} <= hidden
    assert derivable(hidden, cells, lines) == set()
