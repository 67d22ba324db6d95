"""A small outline map of polygons as SVG path data: no tiles, no other host, a few KB per district.

Django-free. Longitude and latitude are projected equirectangularly with the longitude scaled by the
cosine of the middle latitude (true to shape over a district), onto a box `width` units wide with y
pointing down as SVG wants. Outlines are simplified to `tolerance` units and written in whole units:
at a phone's width one unit is about one pixel, so nothing visible is lost.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Shape(Generic[K]):
    key: K
    path: str  # SVG path data ("M3 4L5 6...Z")
    label_x: int  # a point inside the outline, where its name can be written
    label_y: int


@dataclass(frozen=True)
class OutlineMap(Generic[K]):
    width: int
    height: int
    shapes: tuple[Shape[K], ...]

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


def _ring_path(coords: np.ndarray) -> str:
    points = np.rint(coords).astype(np.int64)
    # Whole units can make neighbouring vertices equal; one of them is enough.
    keep = np.r_[True, np.any(points[1:] != points[:-1], axis=1)]
    points = points[keep]
    if len(points) > 1 and (points[0] == points[-1]).all():
        points = points[:-1]
    if len(points) < 3:
        return ""
    head = f"M{points[0][0]} {points[0][1]}"
    return head + "L" + "L".join(f"{x} {y}" for x, y in points[1:].tolist()) + "Z"


def _geometry_path(geom: Polygon | MultiPolygon) -> str:
    polygons = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
    parts = []
    for polygon in polygons:
        for ring in (polygon.exterior, *polygon.interiors):
            parts.append(_ring_path(np.asarray(ring.coords)[:, :2]))
    return "".join(parts)


def outline_map(
    items: Sequence[tuple[K, Polygon | MultiPolygon]],
    *,
    width: int = 320,
    max_height: int = 420,
    tolerance: float = 1.5,
    margin: int = 2,
) -> OutlineMap[K]:
    """The outlines of `items` (lon/lat polygons) fitted into a `width`-wide box (at most `max_height`
    tall; narrower then). Items whose outline vanishes at this scale are left out."""
    if not items:
        return OutlineMap(width, 0, ())
    geoms = np.array([g for _, g in items], dtype=object)
    bounds = shapely.total_bounds(geoms)
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    x_scale = math.cos(math.radians((miny + maxy) / 2))
    span_x = max((maxx - minx) * x_scale, 1e-9)
    span_y = max(maxy - miny, 1e-9)
    inner_w, inner_h = width - 2 * margin, max_height - 2 * margin
    scale = min(inner_w / span_x, inner_h / span_y)
    used_w = math.ceil(span_x * scale) + 2 * margin
    used_h = math.ceil(span_y * scale) + 2 * margin

    def to_units(coords: np.ndarray) -> np.ndarray:
        x = (coords[:, 0] - minx) * x_scale * scale + margin
        y = (maxy - coords[:, 1]) * scale + margin
        return np.column_stack([x, y])

    shapes = []
    for (key, _), geom in zip(items, geoms.tolist(), strict=True):
        projected = shapely.transform(geom, to_units)
        simple = projected.simplify(tolerance, preserve_topology=True)
        path = _geometry_path(simple)
        if not path:
            continue
        point = projected.representative_point()
        shapes.append(Shape(key, path, round(point.x), round(point.y)))
    return OutlineMap(used_w, used_h, tuple(shapes))
