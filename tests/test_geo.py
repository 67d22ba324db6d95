"""rabta.lib.geo: GeoJSON validation, the point-in-beat index, overlaps and public snapping (no database)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import MultiPolygon, Polygon, box

from rabta.lib.geo import (
    BeatIndex,
    GeometryError,
    distance_m,
    find_overlaps,
    polygon_from_geojson,
    snap_to_grid,
)

BOW_TIE = {
    "type": "Polygon",
    "coordinates": [[[71.80, 34.80], [71.81, 34.81], [71.81, 34.80], [71.80, 34.81], [71.80, 34.80]]],
}


# --- polygon_from_geojson -------------------------------------------------------------------------


def test_polygon_and_multipolygon_are_accepted() -> None:
    square = shapely.geometry.mapping(box(71.80, 34.80, 71.81, 34.81))
    assert isinstance(polygon_from_geojson(square), Polygon)
    multi = shapely.geometry.mapping(
        MultiPolygon([box(71.80, 34.80, 71.81, 34.81), box(71.82, 34.80, 71.83, 34.81)])
    )
    assert isinstance(polygon_from_geojson(multi), MultiPolygon)


@pytest.mark.parametrize(
    ("geometry", "words"),
    [
        (BOW_TIE, "Self-intersection"),
        (None, "missing"),
        ({"type": "Point", "coordinates": [71.8, 34.8]}, "Polygon or MultiPolygon"),
        ({"type": "Polygon", "coordinates": [[[71.8, 34.8], [71.9, 34.8]]]}, "malformed"),
        (
            {
                "type": "Polygon",
                "coordinates": [[[34.8, 171.8], [34.9, 171.8], [34.9, 171.9], [34.8, 171.8]]],
            },
            "outside",
        ),
        (
            {"type": "Polygon", "coordinates": [[[71.8, 34.8], [71.9, 34.8], [72.0, 34.8], [71.8, 34.8]]]},
            "valid",
        ),
        ({"type": "Polygon", "coordinates": []}, "empty"),
    ],
)
def test_unusable_geometry_is_refused_in_plain_words(geometry: object, words: str) -> None:
    with pytest.raises(GeometryError, match=words):
        polygon_from_geojson(geometry)


# --- BeatIndex: fixed cases -----------------------------------------------------------------------


def test_point_in_no_beat_and_non_finite_input_answer_none() -> None:
    index = BeatIndex([("A", box(0, 0, 1, 1)), ("B", box(2, 0, 3, 1))])
    assert index.lookup(0.5, 0.5) == "A"
    assert index.lookup(0.5, 2.5) == "B"
    assert index.lookup(0.5, 1.5) is None  # the gap between them, inside the grid's extent
    assert index.lookup(5.0, 5.0) is None  # beyond every beat
    for bad in (math.nan, math.inf, -math.inf):
        assert index.lookup(bad, 0.5) is None
        assert index.lookup(0.5, bad) is None
    assert index.lookup_many([0.5, math.nan, 0.5], [0.5, 0.5, math.inf]) == ["A", None, None]


def test_empty_index_answers_none() -> None:
    index: BeatIndex[str] = BeatIndex([])
    assert len(index) == 0
    assert index.lookup(0.0, 0.0) is None
    assert index.lookup_many([0.0], [0.0]) == [None]


def test_smallest_containing_beat_wins_where_beats_overlap() -> None:
    index = BeatIndex([("district-wide", box(0, 0, 10, 10)), ("bazaar", box(4, 4, 5, 5))])
    assert index.lookup(4.5, 4.5) == "bazaar"
    assert index.lookup(8.0, 8.0) == "district-wide"
    assert index.lookup_many([4.5, 8.0], [4.5, 8.0]) == ["bazaar", "district-wide"]


def test_shared_edges_and_corners_resolve_the_same_way_every_time() -> None:
    # Equal areas: the beat given first wins the shared edge; in any order given, the answer is one beat.
    left, right = box(0, 0, 1, 1), box(1, 0, 2, 1)
    assert BeatIndex([("L", left), ("R", right)]).lookup(0.5, 1.0) == "L"
    assert BeatIndex([("R", right), ("L", left)]).lookup(0.5, 1.0) == "R"
    # Different areas: the smaller wins, whatever the order.
    wide = box(1, 0, 3, 1)
    for items in ([("L", left), ("W", wide)], [("W", wide), ("L", left)]):
        index = BeatIndex(items)
        assert index.lookup(0.5, 1.0) == "L"
        assert index.lookup(1.0, 1.0) == "L"  # the shared corner
        assert index.lookup(0.0, 3.0) == "W"  # an outer corner counts as inside
        assert [index.lookup(0.5, 1.0) for _ in range(3)] == ["L"] * 3


def test_multipolygon_beat_and_holes() -> None:
    islands = MultiPolygon([box(0, 0, 1, 1), box(5, 5, 6, 6)])
    courtyard = Polygon([(10, 10), (14, 10), (14, 14), (10, 14)], [[(11, 11), (13, 11), (13, 13), (11, 13)]])
    index = BeatIndex([("islands", islands), ("ring", courtyard)])
    assert index.lookup(5.5, 5.5) == "islands"
    assert index.lookup(3.0, 3.0) is None
    assert index.lookup(10.5, 10.5) == "ring"
    assert index.lookup(12.0, 12.0) is None  # in the hole


def test_lookup_agrees_with_the_plain_strtree_on_many_irregular_beats() -> None:
    rng = np.random.default_rng(3)
    cells = _voronoi(rng.uniform(0, 1, (300, 2)), warp=True)
    index = BeatIndex(list(enumerate(cells)))
    lats, lons = rng.uniform(-0.05, 1.05, 3000), rng.uniform(-0.05, 1.05, 3000)
    single = [index.lookup(la, lo) for la, lo in zip(lats.tolist(), lons.tolist(), strict=True)]
    assert single == [
        index.lookup_via_tree(la, lo) for la, lo in zip(lats.tolist(), lons.tolist(), strict=True)
    ]
    assert single == index.lookup_many(lats, lons)
    assert 0 < sum(s is None for s in single) < len(single)


# --- BeatIndex: property tests against a brute-force scan ------------------------------------------


def _voronoi(seeds: np.ndarray, *, warp: bool = False) -> list[Polygon]:
    """Cells tiling the unit square; with warp, edges are split and bent alike on both sides."""
    region = box(0, 0, 1, 1)
    edges = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=region, only_edges=True)
    network = shapely.union_all([shapely.intersection(edges, region), region.boundary])
    if warp:
        network = shapely.segmentize(network, 0.01)
        network = shapely.transform(
            network, lambda xy: xy + 0.004 * np.sin(xy[:, ::-1] * 97.0 + np.array([0.3, 1.1]))
        )
    return [p for p in shapely.get_parts(shapely.polygonize(shapely.get_parts(network))) if p.area > 0]


def _brute_force(items: list[tuple[int, Polygon]], lat: float, lon: float) -> int | None:
    point = shapely.Point(lon, lat)
    containing = [(g.area, position, key) for position, (key, g) in enumerate(items) if g.covers(point)]
    return min(containing)[2] if containing else None


def _probe_points(polygons: list[Polygon], data: st.DataObject) -> list[tuple[float, float]]:
    """Random points, plus the hard ones: vertices and edge midpoints shared between beats."""
    coords = [c for p in polygons for c in p.exterior.coords]
    points = [(y, x) for x, y in coords[:: max(1, len(coords) // 40)]]
    points += [((a[1] + b[1]) / 2, (a[0] + b[0]) / 2) for a, b in itertools.pairwise(coords[:41])]
    unit = st.floats(-0.1, 1.1, allow_nan=False)
    points += data.draw(st.lists(st.tuples(unit, unit), min_size=30, max_size=60))
    return points


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seeds=st.lists(
        st.tuples(st.floats(0.01, 0.99), st.floats(0.01, 0.99)), min_size=2, max_size=25, unique=True
    ),
    keep=st.lists(st.booleans(), min_size=25, max_size=25),
    warp=st.booleans(),
    data=st.data(),
)
def test_lookup_matches_brute_force_on_non_overlapping_beats(
    seeds: list[tuple[float, float]], keep: list[bool], warp: bool, data: st.DataObject
) -> None:
    cells = _voronoi(np.array(seeds), warp=warp)
    # Dropping some cells leaves gaps: points there belong to no beat.
    polygons = [cell for cell, kept in zip(cells, keep, strict=False) if kept] or cells[:1]
    items = list(enumerate(polygons))
    index = BeatIndex(items)
    points = _probe_points(polygons, data)
    expected = [_brute_force(items, lat, lon) for lat, lon in points]
    assert [index.lookup(lat, lon) for lat, lon in points] == expected
    assert index.lookup_many([p[0] for p in points], [p[1] for p in points]) == expected


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    discs=st.lists(
        st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.floats(0.01, 0.4)), min_size=1, max_size=12
    ),
    data=st.data(),
)
def test_lookup_matches_brute_force_where_beats_overlap(
    discs: list[tuple[float, float, float]], data: st.DataObject
) -> None:
    polygons = [shapely.Point(x, y).buffer(r, quad_segs=4) for x, y, r in discs]
    items = list(enumerate(polygons))
    index = BeatIndex(items)
    points = _probe_points(polygons, data)
    expected = [_brute_force(items, lat, lon) for lat, lon in points]
    assert [index.lookup(lat, lon) for lat, lon in points] == expected
    assert index.lookup_many([p[0] for p in points], [p[1] for p in points]) == expected


# --- find_overlaps --------------------------------------------------------------------------------


def test_shared_edges_are_not_overlaps_but_real_overlaps_are_measured() -> None:
    assert find_overlaps([("A", box(0, 0, 1, 1)), ("B", box(1, 0, 2, 1))]) == []
    found = find_overlaps([("A", box(0, 0, 1, 1)), ("B", box(0.5, 0, 2.5, 1))])
    assert [(o.first, o.second) for o in found] == [("A", "B")]
    assert found[0].area_share == pytest.approx(0.5)  # half of the smaller beat
    # Below the tolerance (a sliver from digitising) is not reported.
    assert find_overlaps([("A", box(0, 0, 1, 1)), ("B", box(0.9999, 0, 2, 1))]) == []


# --- snap_to_grid and distance_m ------------------------------------------------------------------

latitudes = st.floats(-60.0, 60.0, allow_nan=False)
longitudes = st.floats(-179.0, 179.0, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(lat=latitudes, lon=longitudes)
def test_snap_to_grid_is_idempotent_and_stays_in_the_cell(lat: float, lon: float) -> None:
    snapped = snap_to_grid(lat, lon)
    assert snap_to_grid(*snapped) == snapped
    # The cell centre is at most half a cell's diagonal (~177 m) away, plus the 5-decimal rounding.
    assert distance_m(lat, lon, *snapped) <= 250 * math.sqrt(2) / 2 + 2


@settings(max_examples=100, deadline=None)
@given(lat=st.floats(34.0, 36.0), lon=st.floats(71.0, 73.0), dlat=st.floats(0, 1), dlon=st.floats(0, 1))
def test_points_of_one_cell_snap_alike(lat: float, lon: float, dlat: float, dlon: float) -> None:
    centre = snap_to_grid(lat, lon)
    # Any point within 100 m of a centre (cells are 250 m) is in that centre's cell.
    near = (
        centre[0] + (dlat - 0.5) * 200 / 111_320,
        centre[1] + (dlon - 0.5) * 200 / (111_320 * math.cos(math.radians(centre[0]))),
    )
    assert snap_to_grid(*near) == centre


def test_neighbouring_cells_are_about_250_m_apart() -> None:
    a = snap_to_grid(34.83, 71.84)
    b = snap_to_grid(34.83 + 250 / 111_320, 71.84)
    c = snap_to_grid(34.83, 71.84 + 250 / (111_320 * math.cos(math.radians(34.83))))
    # Rows are 250 m of latitude apart; within a row, columns are 250 m apart. (Rows do not line
    # up column for column: each row's longitude step follows its own latitude.)
    assert abs((b[0] - a[0]) * 111_320 - 250) < 2
    assert 248 < distance_m(*a, *c) < 252


def test_distance_m() -> None:
    assert distance_m(34.83, 71.84, 34.83, 71.84) == 0
    assert distance_m(0.0, 0.0, 1.0, 0.0) == pytest.approx(111_195, rel=1e-3)
