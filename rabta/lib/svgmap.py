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


@dataclass(frozen=True)
class Projection:
    """Longitude/latitude to map units: equirectangular, longitude scaled by the cosine of the middle
    latitude, y down. `width` and `height` are the box actually used (the fitted bounds plus margins),
    so several layers drawn with one projection line up."""

    minx: float
    maxy: float
    x_scale: float
    scale: float
    margin: int
    width: int
    height: int

    @classmethod
    def fit(
        cls,
        bounds: tuple[float, float, float, float],
        *,
        width: int = 320,
        max_height: int = 420,
        margin: int = 2,
    ) -> Projection:
        """The projection that fits `bounds` (minx, miny, maxx, maxy in degrees) into a box `width`
        wide and at most `max_height` tall."""
        minx, miny, maxx, maxy = (float(v) for v in bounds)
        x_scale = math.cos(math.radians((miny + maxy) / 2))
        span_x = max((maxx - minx) * x_scale, 1e-9)
        span_y = max(maxy - miny, 1e-9)
        inner_w, inner_h = width - 2 * margin, max_height - 2 * margin
        scale = min(inner_w / span_x, inner_h / span_y)
        used_w = math.ceil(span_x * scale) + 2 * margin
        used_h = math.ceil(span_y * scale) + 2 * margin
        return cls(minx, maxy, x_scale, scale, margin, used_w, used_h)

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        x = (lon - self.minx) * self.x_scale * self.scale + self.margin
        y = (self.maxy - lat) * self.scale + self.margin
        return x, y

    def array(self, coords: np.ndarray) -> np.ndarray:
        """An (n, 2) array of lon/lat rows as an (n, 2) array of x/y units."""
        x = (coords[:, 0] - self.minx) * self.x_scale * self.scale + self.margin
        y = (self.maxy - coords[:, 1]) * self.scale + self.margin
        return np.column_stack([x, y])


def outline_map(
    items: Sequence[tuple[K, Polygon | MultiPolygon]],
    *,
    width: int = 320,
    max_height: int = 420,
    tolerance: float = 1.5,
    margin: int = 2,
    projection: Projection | None = None,
) -> OutlineMap[K]:
    """The outlines of `items` (lon/lat polygons) fitted into a `width`-wide box (at most `max_height`
    tall; narrower then). Items whose outline vanishes at this scale are left out. With `projection`,
    the outlines are drawn in it (and its box) instead, to lie under another layer."""
    if not items:
        if projection is None:
            return OutlineMap(width, 0, ())
        return OutlineMap(projection.width, projection.height, ())
    geoms = np.array([g for _, g in items], dtype=object)
    if projection is None:
        bounds = shapely.total_bounds(geoms)
        minx, miny, maxx, maxy = (float(v) for v in bounds)
        projection = Projection.fit(
            (minx, miny, maxx, maxy), width=width, max_height=max_height, margin=margin
        )

    shapes = []
    for (key, _), geom in zip(items, geoms.tolist(), strict=True):
        projected = shapely.transform(geom, projection.array)
        simple = projected.simplify(tolerance, preserve_topology=True)
        path = _geometry_path(simple)
        if not path:
            continue
        point = projected.representative_point()
        shapes.append(Shape(key, path, round(point.x), round(point.y)))
    return OutlineMap(projection.width, projection.height, tuple(shapes))
