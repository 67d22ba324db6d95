"""Beats filled by class of value (rabta.lib.choropleth): quantile classes, colours, no data."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Polygon, box

from rabta.lib.choropleth import (
    NO_DATA_FILL,
    PALETTE,
    LegendEntry,
    choropleth,
    class_colours,
    classify,
    legend_for,
    quantile_breaks,
)
from rabta.lib.svgmap import outline_map


def test_quantile_breaks_of_crafted_values() -> None:
    assert quantile_breaks([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 5) == (1, 3, 5, 7, 9)
    # Ties merge breaks, so equal values share a class and there are fewer classes.
    assert quantile_breaks([1, 1, 1, 1, 1, 1, 2, 3], 5) == (1, 2)
    assert quantile_breaks([4, 4, 4], 5) == (4,)
    assert quantile_breaks([1, 2, 3, 4], 2) == (1, 3)
    assert quantile_breaks([], 5) == ()
    with pytest.raises(ValueError, match="bins"):
        quantile_breaks([1.0], 0)


def test_classify_takes_the_last_class_that_starts_at_or_below() -> None:
    breaks = (1.0, 3.0, 5.0)
    assert [classify(v, breaks) for v in (0.5, 1, 2.9, 3, 4, 5, 99)] == [0, 0, 0, 1, 1, 2, 2]


def test_colours_spread_over_the_palette_and_reverse_when_lower_is_better() -> None:
    assert class_colours(5) == list(PALETTE)
    assert class_colours(2) == [PALETTE[0], PALETTE[4]]
    assert class_colours(3) == [PALETTE[0], PALETTE[2], PALETTE[4]]
    assert class_colours(3, higher_is_better=False) == [PALETTE[4], PALETTE[2], PALETTE[0]]
    assert class_colours(1) == [PALETTE[2]]
    with pytest.raises(ValueError, match="more classes"):
        class_colours(6)


def _items(values: list[float | None]) -> list[tuple[str, Polygon, float | None]]:
    return [(f"b{i}", box(71.80 + 0.01 * i, 34.80, 71.81 + 0.01 * i, 34.81), v) for i, v in enumerate(values)]


def test_choropleth_fills_classes_and_keeps_no_data_apart() -> None:
    items = _items([10.0, 20.0, 30.0, None, 20.0, 40.0])
    drawn = choropleth(items, bins=3)
    fills = {s.key: (s.class_index, s.fill, s.value) for s in drawn.shapes}
    assert fills == {
        "b0": (0, PALETTE[0], 10.0),
        "b1": (1, PALETTE[2], 20.0),
        "b2": (2, PALETTE[4], 30.0),
        "b3": (None, NO_DATA_FILL, None),
        "b4": (1, PALETTE[2], 20.0),
        "b5": (2, PALETTE[4], 40.0),
    }
    assert drawn.legend == (
        LegendEntry(PALETTE[0], 10.0, 10.0, 1),
        LegendEntry(PALETTE[2], 20.0, 20.0, 2),
        LegendEntry(PALETTE[4], 30.0, 40.0, 2),
        LegendEntry(NO_DATA_FILL, None, None, 1),
    )
    assert drawn.legend[-1].no_data and not drawn.legend[0].no_data
    # The outlines are the outline map's, in the same box.
    outlines = outline_map([(k, g) for k, g, _ in items])
    assert [(s.key, s.path, s.label_x, s.label_y) for s in drawn.shapes] == [
        (s.key, s.path, s.label_x, s.label_y) for s in outlines.shapes
    ]
    assert drawn.view_box == outlines.view_box == f"0 0 {drawn.width} {drawn.height}"


def test_lower_is_better_gives_the_lowest_values_the_darkest_colour() -> None:
    drawn = choropleth(_items([1.0, 2.0, None]), bins=5, higher_is_better=False)
    assert [s.fill for s in drawn.shapes] == [PALETTE[4], PALETTE[0], NO_DATA_FILL]
    assert [e.colour for e in drawn.legend] == [PALETTE[4], PALETTE[0], NO_DATA_FILL]


def test_no_values_at_all_and_no_legend_entry_without_missing_values() -> None:
    assert [e.no_data for e in choropleth(_items([None, None])).legend] == [True]
    assert choropleth(_items([None, None])).legend[0].count == 2
    assert all(not e.no_data for e in choropleth(_items([1.0, 2.0])).legend)
    assert choropleth([]).shapes == () and choropleth([]).legend == ()


def test_duplicate_keys_are_refused() -> None:
    items = _items([1.0, 2.0])
    with pytest.raises(ValueError, match="unique"):
        choropleth([items[0], ("b0", items[1][1], 2.0)])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.lists(
        st.one_of(st.integers(-50, 50).map(float), st.floats(-1e6, 1e6, allow_nan=False)), min_size=1
    ),
    bins=st.integers(1, 5),
)
def test_every_value_falls_in_exactly_one_class(values: list[float], bins: int) -> None:
    breaks = quantile_breaks(values, bins)
    assert 1 <= len(breaks) <= bins
    assert list(breaks) == sorted(set(breaks)) and breaks[0] == min(values)
    bounds = [*breaks[1:], float("inf")]
    for value in values:
        holding = [i for i, (lo, hi) in enumerate(zip(breaks, bounds, strict=True)) if lo <= value < hi]
        assert holding == [classify(value, breaks)]
    legend = legend_for(values, breaks, class_colours(len(breaks)))
    assert len(legend) == len(breaks) and sum(e.count for e in legend) == len(values)
    for entry, following in itertools.pairwise(legend):
        assert entry.lower is not None and entry.upper is not None and following.lower is not None
        assert entry.lower <= entry.upper < following.lower
    # With no ties each class holds about n / bins values: never more than twice that, plus one.
    if len(set(values)) == len(values):
        assert len(breaks) == min(bins, len(values))
        assert max(e.count for e in legend) <= 2 * len(values) // bins + 1
