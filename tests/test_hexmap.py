"""Counts per H3 hexagon over beat outlines (rabta.lib.hexmap), and the projection they share."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import h3
import numpy as np
import pytest
from shapely.geometry import Point, box

from rabta.lib.choropleth import PALETTE
from rabta.lib.hexmap import coarsen, hexagons
from rabta.lib.svgmap import Projection, outline_map

LAT, LON = 34.82, 71.85


def numbers(path: str) -> list[float]:
    return [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path)]


def test_projection_of_known_points() -> None:
    projection = Projection.fit((71.0, 34.0, 72.0, 35.0))
    x_scale = math.cos(math.radians(34.5))
    scale = 316 / x_scale  # the width limits: 316 units for 0.824 of a degree
    assert projection.scale == pytest.approx(383.4364, abs=1e-4) and projection.scale == pytest.approx(scale)
    assert projection.point(71.0, 35.0) == pytest.approx((2.0, 2.0))
    assert projection.point(72.0, 34.0) == pytest.approx((318.0, 2 + scale))
    assert projection.point(71.5, 34.5) == pytest.approx((160.0, 2 + scale / 2))
    assert (projection.width, projection.height, projection.view_box) == (320, 388, "0 0 320 388")
    rows = projection.array(np.array([[71.0, 35.0], [72.0, 34.0]]))
    assert rows.ravel().tolist() == pytest.approx([2.0, 2.0, 318.0, 2 + scale])
    # A tall box is limited by the height instead.
    tall = Projection.fit((71.0, 34.0, 71.1, 35.0), width=320, max_height=420)
    assert tall.point(71.0, 34.0)[1] == pytest.approx(418.0) and tall.height == 420 and tall.width < 60


def test_outline_map_with_its_own_projection_draws_the_same() -> None:
    items = [("a", box(71.80, 34.80, 71.85, 34.85)), ("b", Point(71.87, 34.82).buffer(0.02))]
    fitted = Projection.fit((71.80, 34.80, 71.89, 34.85))
    assert outline_map(items, projection=fitted) == outline_map(items)
    assert outline_map([], projection=fitted).view_box == fitted.view_box


def test_coarsen_sums_children_into_their_parent() -> None:
    parent = h3.latlng_to_cell(LAT, LON, 7)
    children = sorted(h3.cell_to_children(parent, 9))[:3]
    elsewhere = h3.latlng_to_cell(34.70, 72.10, 9)
    cells = {children[0]: 1, children[1]: 2, children[2]: 3, elsewhere: 4}
    assert coarsen(cells, 7) == {parent: 6, h3.cell_to_parent(elsewhere, 7): 4}
    assert list(coarsen(cells, 7)) == sorted(coarsen(cells, 7))
    assert coarsen({parent: 5, children[0]: 2}, 7) == {parent: 7}  # a cell already there stays
    assert coarsen(cells, 9) == dict(sorted(cells.items()))
    with pytest.raises(ValueError, match="coarser"):
        coarsen({parent: 1}, 9)


def test_cells_under_min_count_are_dropped_and_classes_start_at_it() -> None:
    ring = sorted(h3.grid_disk(h3.latlng_to_cell(LAT, LON, 9), 1))  # seven neighbouring cells
    counts = dict(zip(ring, [4, 5, 6, 7, 9, 12, 2], strict=True))
    drawn = hexagons(counts, min_count=5, bins=5)
    assert [h.cell for h in drawn.hexagons] == [c for c in ring if counts[c] >= 5]
    assert [h.count for h in drawn.hexagons] == [5, 6, 7, 9, 12]
    assert [h.class_index for h in drawn.hexagons] == [0, 1, 2, 3, 4]
    assert [h.fill for h in drawn.hexagons] == list(PALETTE)
    assert [(e.lower, e.upper, e.count) for e in drawn.legend] == [
        (5, 5, 1),
        (6, 6, 1),
        (7, 7, 1),
        (9, 9, 1),
        (12, 12, 1),
    ]
    assert hexagons(counts).hexagons[0].count == 4  # min_count 0 keeps everything
    assert len(hexagons(counts).hexagons) == 7


@pytest.mark.parametrize("resolution", [7, 9])
def test_a_hexagon_fills_the_box_at_resolution(resolution: int) -> None:
    cell = h3.latlng_to_cell(LAT, LON, resolution)
    drawn = hexagons({cell: 8})
    (hexagon,) = drawn.hexagons
    assert hexagon.path.startswith("M") and hexagon.path.endswith("Z") and hexagon.path.count("L") == 5
    xs, ys = numbers(hexagon.path)[0::2], numbers(hexagon.path)[1::2]
    assert min(xs) == 2 and min(ys) == 2
    assert drawn.width == 320 and max(xs) == pytest.approx(318, abs=0.1)
    corners = np.asarray(h3.cell_to_boundary(cell))[:, ::-1]
    fitted = Projection.fit((*corners.min(axis=0), *corners.max(axis=0)))
    assert (drawn.width, drawn.height) == (fitted.width, fitted.height)
    assert max(ys) == pytest.approx(fitted.height - 2, abs=1)
    assert [(e.lower, e.upper, e.count) for e in drawn.legend] == [(8, 8, 1)]
    assert drawn.backdrop == ()


def test_hexagons_and_outlines_share_one_projection() -> None:
    beat = box(71.84, 34.81, 71.86, 34.83)
    cell = h3.latlng_to_cell(LAT, LON, 9)  # inside the beat
    drawn = hexagons({cell: 6}, outlines=[("GUL", beat)])
    projection = Projection.fit(beat.bounds)
    assert (drawn.width, drawn.height) == (projection.width, projection.height)
    assert drawn.backdrop == outline_map([("GUL", beat)]).shapes
    corners = np.asarray(h3.cell_to_boundary(cell))[:, ::-1]
    expected = np.round(projection.array(corners), 1)
    got = np.array(numbers(drawn.hexagons[0].path)).reshape(-1, 2)
    assert got.ravel().tolist() == pytest.approx(expected.ravel().tolist(), abs=1e-9)


def test_nothing_to_draw_and_bad_cells() -> None:
    empty = hexagons({"89209e1b367ffff": 2}, min_count=5)
    assert (empty.width, empty.height, empty.hexagons, empty.legend) == (320, 0, (), ())
    only_beats = hexagons({}, outlines=[("a", box(71.8, 34.8, 71.9, 34.9))])
    assert len(only_beats.backdrop) == 1 and only_beats.hexagons == ()
    with pytest.raises(ValueError):
        hexagons({"not-a-cell": 9})


def test_a_district_of_resolution_9_cells_parses_and_stays_small() -> None:
    centre = h3.latlng_to_cell(LAT, LON, 9)
    cells = {c: 5 + i % 40 for i, c in enumerate(sorted(h3.grid_disk(centre, 8)))}  # 217 cells
    drawn = hexagons(cells, min_count=5)
    markup = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{drawn.view_box}">'
        + "".join(f'<path d="{h.path}" fill="{h.fill}"/>' for h in drawn.hexagons)
        + "</svg>"
    )
    ET.fromstring(markup)  # noqa: S314 - our own output in a test
    assert len(drawn.hexagons) == 217
    assert sum(len(h.path) for h in drawn.hexagons) < 217 * 80
    assert len(drawn.legend) == 5 and sum(e.count for e in drawn.legend) == 217
