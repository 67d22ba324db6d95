"""Counts per H3 hexagon as an SVG map, over the outlines of beats, for the insights dashboards.

Django-free. Hexagons and the backdrop share one rabta.lib.svgmap.Projection, fitted to both, so they
line up. Counts are classed by quantiles (rabta.lib.choropleth) over the cells drawn; cells with fewer
than `min_count` are left out before classing, so no class bound on a public map is below it. Hexagon
corners are written to a tenth of a unit: a resolution-9 cell is only a few units across on a
district-wide map, and neighbours keep sharing their corners exactly.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import h3
import numpy as np
from shapely.geometry import MultiPolygon, Polygon

from rabta.lib.choropleth import PALETTE, LegendEntry, class_colours, classify, legend_for, quantile_breaks
from rabta.lib.svgmap import Projection, Shape, outline_map


@dataclass(frozen=True)
class Hexagon:
    cell: str  # the H3 cell, e.g. "89209e1b367ffff"
    path: str  # SVG path data of its six corners ("M3.5 4L...Z")
    count: int
    class_index: int  # 0 for the lowest counts; the legend's entry of the same index
    fill: str  # colour, "#rrggbb"


@dataclass(frozen=True)
class HexMap:
    width: int
    height: int
    hexagons: tuple[Hexagon, ...]  # in cell order
    legend: tuple[LegendEntry, ...]  # classes from the lowest counts up
    backdrop: tuple[Shape[Hashable], ...]  # the outlines given, in the hexagons' projection

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    def inner_markup(self, edge_class: str = "edge") -> str:
        """The <path> elements of the hexagons (each titled with its count) and the outlines over them,
        for an <svg> element with this map's view box. Only numbers and colours: nothing to escape."""
        cells = "".join(
            f'<path d="{h.path}" fill="{h.fill}"><title>{h.count}</title></path>' for h in self.hexagons
        )
        edges = "".join(f'<path class="{edge_class}" d="{s.path}"/>' for s in self.backdrop)
        return cells + edges


def _num(value: float) -> str:
    text = f"{round(value, 1):.1f}"
    return text[:-2] if text.endswith(".0") else text


def _corners(cell: str) -> np.ndarray:
    """The cell's corners as lon/lat rows (h3 gives lat/lng pairs)."""
    return np.asarray(h3.cell_to_boundary(cell), dtype=float)[:, ::-1]


def _hex_path(points: np.ndarray) -> str:
    pairs = [f"{_num(x)} {_num(y)}" for x, y in points.tolist()]
    return "M" + "L".join(pairs) + "Z"


def hexagons(
    cells: Mapping[str, int],
    *,
    outlines: Sequence[tuple[Hashable, Polygon | MultiPolygon]] = (),
    width: int = 320,
    max_height: int = 420,
    min_count: int = 0,
    bins: int = 5,
    palette: Sequence[str] = PALETTE,
) -> HexMap:
    """The cells with at least `min_count` (the public map passes 5) as hexagons coloured by class of
    count, over `outlines` (key, lon/lat polygon). The box fits the hexagons and the outlines together;
    with neither, it is `width` wide and 0 tall. Any H3 resolution; raises ValueError for a bad cell."""
    kept = sorted((cell, count) for cell, count in cells.items() if count >= min_count)
    corners = {cell: _corners(cell) for cell, _ in kept}
    boxes = [(c[:, 0].min(), c[:, 1].min(), c[:, 0].max(), c[:, 1].max()) for c in corners.values()]
    boxes += [geom.bounds for _, geom in outlines]
    if not boxes:
        return HexMap(width, 0, (), (), ())
    minx, miny, maxx, maxy = (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
    projection = Projection.fit(
        (float(minx), float(miny), float(maxx), float(maxy)), width=width, max_height=max_height
    )
    counts = [count for _, count in kept]
    breaks = quantile_breaks(counts, bins)
    colours = class_colours(len(breaks), palette) if breaks else []
    drawn = []
    for cell, count in kept:
        index = classify(count, breaks)
        path = _hex_path(projection.array(corners[cell]))
        drawn.append(Hexagon(cell, path, count, index, colours[index]))
    backdrop = outline_map(list(outlines), projection=projection).shapes if outlines else ()
    legend = legend_for(counts, breaks, colours)
    return HexMap(projection.width, projection.height, tuple(drawn), legend, backdrop)


def coarsen(cells: Mapping[str, int], resolution: int) -> dict[str, int]:
    """The counts summed into their parent cells at `resolution` (cells already there stay as they
    are), in cell order. Raises ValueError for a cell coarser than `resolution`. Coarsen before
    dropping small counts: four cells of 2 make a parent of 8."""
    summed: dict[str, int] = {}
    for cell, count in cells.items():
        own = h3.get_resolution(cell)
        if own < resolution:
            raise ValueError(f"cell {cell} is coarser than resolution {resolution}")
        parent = cell if own == resolution else h3.cell_to_parent(cell, resolution)
        summed[parent] = summed.get(parent, 0) + count
    return dict(sorted(summed.items()))
