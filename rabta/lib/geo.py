"""Geometry helpers: GeoJSON polygons, a point-in-beat index, overlap detection, public snapping.

Django-free. Coordinates follow GeoJSON (RFC 7946): longitude first, WGS84.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.validation import explain_validity

K = TypeVar("K", bound=Hashable)


class GeometryError(ValueError):
    """A boundary that cannot be used; the message says why in plain words."""


def polygon_from_geojson(geometry: Any) -> Polygon | MultiPolygon:
    """Validate a GeoJSON geometry object and return it as a shapely (Multi)Polygon."""
    if not isinstance(geometry, dict):
        raise GeometryError("geometry is missing or not an object")
    kind = geometry.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        raise GeometryError(f"geometry type must be Polygon or MultiPolygon, not {kind!r}")
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.GEOSException) as exc:
        raise GeometryError(f"geometry coordinates are malformed ({exc})") from None
    if geom.is_empty:
        raise GeometryError("geometry is empty")
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise GeometryError("coordinates are outside longitude -180..180 / latitude -90..90 (lon, lat order?)")
    if not geom.is_valid:
        raise GeometryError(f"geometry is not valid: {explain_validity(geom)}")
    if geom.area == 0:
        raise GeometryError("geometry has no area")
    return geom  # type: ignore[return-value]


def geojson_from_polygon(geom: Polygon | MultiPolygon) -> dict[str, Any]:
    return shapely.geometry.mapping(geom)  # type: ignore[return-value]


@dataclass(frozen=True)
class Overlap:
    first: Hashable
    second: Hashable
    area_share: float  # overlap area / smaller polygon's area


def find_overlaps(items: Sequence[tuple[K, Polygon | MultiPolygon]], tolerance: float = 0.001) -> list[Overlap]:
    """Pairs whose interiors overlap by more than `tolerance` of the smaller one (shared edges are fine)."""
    if not items:
        return []
    geoms = [g for _, g in items]
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    found: list[Overlap] = []
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i >= j:
            continue
        shared = geoms[i].intersection(geoms[j]).area
        smaller = min(geoms[i].area, geoms[j].area)
        if smaller and shared / smaller > tolerance:
            found.append(Overlap(items[i][0], items[j][0], shared / smaller))
    return found


class BeatIndex(Generic[K]):
    """Which polygon contains a point, answered from an in-memory STRtree.

    Where polygons overlap (the importer reports that), the smallest containing polygon wins:
    it is the more specific neighbourhood.
    """

    def __init__(self, items: Iterable[tuple[K, Polygon | MultiPolygon]]):
        pairs = list(items)
        # Smallest first, so the first hit of a query ordered by position is the most specific.
        pairs.sort(key=lambda kv: kv[1].area)
        self._keys: list[K] = [k for k, _ in pairs]
        self._geoms = np.array([g for _, g in pairs], dtype=object)
        for g in self._geoms:
            shapely.prepare(g)
        self._tree = shapely.STRtree(self._geoms)

    def __len__(self) -> int:
        return len(self._keys)

    def lookup(self, lat: float, lon: float) -> K | None:
        if not (math.isfinite(lat) and math.isfinite(lon)):
            return None
        hits = self._tree.query(shapely.Point(lon, lat), predicate="intersects")
        if len(hits) == 0:
            return None
        return self._keys[int(hits.min())]

    def lookup_many(self, lats: Sequence[float], lons: Sequence[float]) -> list[K | None]:
        """Vectorised lookup for bulk work (imports, rollups, benchmarks)."""
        points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
        point_idx, geom_idx = self._tree.query(points, predicate="intersects")
        best = np.full(len(points), -1, dtype=np.int64)
        # Sort by (point, geometry) descending so the smallest geometry index is written last.
        order = np.lexsort((-geom_idx, point_idx))
        best[point_idx[order]] = geom_idx[order]
        return [self._keys[i] if i >= 0 else None for i in best.tolist()]


# Public locations: a grid of about 250 m. Latitude steps are constant; longitude steps widen
# with latitude so cells stay roughly square. Snapping to a cell centre hides the house.
GRID_METRES = 250.0
_METRES_PER_DEGREE_LAT = 111_320.0


def snap_to_grid(lat: float, lon: float, metres: float = GRID_METRES) -> tuple[float, float]:
    dlat = metres / _METRES_PER_DEGREE_LAT
    lat_c = (math.floor(lat / dlat) + 0.5) * dlat
    # Use the cell's own latitude for the longitude step so every point in a cell snaps alike.
    dlon = metres / (_METRES_PER_DEGREE_LAT * max(math.cos(math.radians(lat_c)), 0.01))
    lon_c = (math.floor(lon / dlon) + 0.5) * dlon
    return round(lat_c, 5), round(lon_c, 5)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))
