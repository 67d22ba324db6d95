"""Geometry helpers: GeoJSON polygons, a point-in-beat index, overlap detection, public snapping.

Django-free. Coordinates follow GeoJSON (RFC 7946): longitude first, WGS84.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.validation import explain_validity

K = TypeVar("K", bound=Hashable)

# The public shapely.intersects_xy checks its arguments in Python, which for one point costs as
# much as the GEOS test itself; the ufunc underneath is the same call without that.
_intersects_xy = getattr(shapely.lib, "intersects_xy", shapely.intersects_xy)


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
        raise GeometryError(
            "coordinates are outside longitude -180..180 / latitude -90..90 (lon, lat order?)"
        )
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


def find_overlaps(
    items: Sequence[tuple[K, Polygon | MultiPolygon]], tolerance: float = 0.001
) -> list[Overlap]:
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
    """Which polygon contains a point, answered from memory.

    Where polygons overlap (the importer reports that), the smallest containing polygon wins:
    it is the more specific neighbourhood. Points on a boundary count as inside (closed polygons),
    so a point on an edge shared by two beats goes to the smaller one, and between equal areas to
    the one given first: the same answer every time.

    Single points go through a uniform grid built once from the STRtree: most cells lie wholly
    inside one polygon and answer with no geometry test at all; the rest keep the few polygons
    that touch them, tested with GEOS's prepared point-in-polygon. Asking the STRtree per point
    costs a shapely Point and a tree query, about 19 us; the grid about 3 us on average, and less
    inside a beat (bench/beat_lookup.py measures both). Batches go through the STRtree, vectorised.
    """

    # Aim for this many grid cells across a typical (median) polygon's bounding box side.
    CELLS_PER_SIDE = 8
    MAX_CELLS = 1 << 21  # 8 MB of int32 at most, however sparse or large the area

    def __init__(self, items: Iterable[tuple[K, Polygon | MultiPolygon]]):
        pairs = list(items)
        # Smallest first (stable: equal areas keep their given order), so the lowest position among
        # the hits is the answer for both the grid and the tree.
        pairs.sort(key=lambda kv: kv[1].area)
        self._keys: list[K] = [k for k, _ in pairs]
        self._geoms = np.array([g for _, g in pairs], dtype=object)
        shapely.prepare(self._geoms)
        self._tree = shapely.STRtree(self._geoms)
        self._build_grid()

    def __len__(self) -> int:
        return len(self._keys)

    @property
    def grid_size(self) -> int:
        return self._nx * self._ny

    def _build_grid(self) -> None:
        n = len(self._geoms)
        self._nx = self._ny = 0
        self._x0 = self._y0 = self._x1 = self._y1 = 0.0
        self._inv_cw = self._inv_ch = 0.0
        self._cells = array("i")
        self._cand = array("i")
        self._offsets = array("i", [0])
        if n == 0:
            return
        bounds = shapely.bounds(self._geoms)  # (n, 4): minx, miny, maxx, maxy
        x0, y0 = float(bounds[:, 0].min()), float(bounds[:, 1].min())
        x1, y1 = float(bounds[:, 2].max()), float(bounds[:, 3].max())
        sides = np.maximum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])
        cell = float(np.median(sides)) / self.CELLS_PER_SIDE
        width, height = max(x1 - x0, 1e-12), max(y1 - y0, 1e-12)
        cell = max(cell, math.sqrt(width * height / self.MAX_CELLS), 1e-12)
        nx = max(1, min(math.ceil(width / cell), self.MAX_CELLS))
        ny = max(1, min(math.ceil(height / cell), self.MAX_CELLS // nx))
        cw, ch = width / nx, height / ny
        self._nx, self._ny = nx, ny
        self._x0, self._y0, self._x1, self._y1 = x0, y0, x1, y1
        self._inv_cw, self._inv_ch = 1.0 / cw, 1.0 / ch

        # Cells are grown by a hair so that rounding in the point -> cell arithmetic can never put a
        # point in a cell whose candidate list misses the polygon it lies in.
        eps_x, eps_y = cw * 1e-6, ch * 1e-6
        # The cells under some polygon's bounding box, each once (sparse areas stay cheap) ...
        ix0 = np.clip(np.floor((bounds[:, 0] - x0 - 2 * eps_x) / cw).astype(np.int64), 0, nx - 1)
        ix1 = np.clip(np.floor((bounds[:, 2] - x0 + 2 * eps_x) / cw).astype(np.int64), 0, nx - 1)
        iy0 = np.clip(np.floor((bounds[:, 1] - y0 - 2 * eps_y) / ch).astype(np.int64), 0, ny - 1)
        iy1 = np.clip(np.floor((bounds[:, 3] - y0 + 2 * eps_y) / ch).astype(np.int64), 0, ny - 1)
        wx, wy = ix1 - ix0 + 1, iy1 - iy0 + 1
        counts = wx * wy
        owner = np.repeat(np.arange(n), counts)
        local = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        used = np.unique((iy0[owner] + local // wx[owner]) * nx + ix0[owner] + local % wx[owner])
        ux, uy = used % nx, used // nx
        boxes = shapely.box(
            x0 + ux * cw - eps_x, y0 + uy * ch - eps_y, x0 + (ux + 1) * cw + eps_x, y0 + (uy + 1) * ch + eps_y
        )
        # ... and the polygons that really touch each of them, and whether they cover it whole.
        # (The polygons are prepared; a predicate given to the tree would prepare every box instead.)
        box_idx, rank = self._tree.query(boxes)
        touching = shapely.intersects(self._geoms[rank], boxes[box_idx])
        box_idx, rank = box_idx[touching], rank[touching]
        covering = shapely.covers(self._geoms[rank], boxes[box_idx])
        cell_id = used[box_idx]

        # Per cell, candidates in rank order up to and including the first polygon that covers the
        # whole cell: nothing after it can win.
        order = np.lexsort((rank, cell_id))
        cell_id, rank, covering = cell_id[order], rank[order], covering[order]
        starts = np.flatnonzero(np.r_[True, cell_id[1:] != cell_id[:-1]])
        group = np.cumsum(np.r_[False, cell_id[1:] != cell_id[:-1]])
        pos = np.arange(len(cell_id)) - starts[group]
        first_cover = np.full(len(starts), np.iinfo(np.int64).max)
        np.minimum.at(first_cover, group[covering], pos[covering])
        keep = pos <= first_cover[group]
        cell_id, rank, covering, group, pos = (
            cell_id[keep],
            rank[keep],
            covering[keep],
            group[keep],
            pos[keep],
        )

        cells = np.full(nx * ny, -1, dtype=np.int32)
        direct = covering & (pos == 0)
        cells[cell_id[direct]] = rank[direct]
        mixed = ~direct
        # Candidates of mixed cells, stored once per cell: a covering polygon is stored as -(rank + 1)
        # and ends the search with a sure answer.
        m_cell, m_rank, m_cov = cell_id[mixed], rank[mixed], covering[mixed]
        encoded = np.where(m_cov, -(m_rank + 1), m_rank).astype(np.int32)
        m_starts = (
            np.flatnonzero(np.r_[True, m_cell[1:] != m_cell[:-1]]) if len(m_cell) else np.array([], int)
        )
        offsets = np.r_[m_starts, len(m_cell)].astype(np.int32)
        cells[m_cell[m_starts]] = -2 - np.arange(len(m_starts), dtype=np.int32)
        self._cells = array("i", cells.tobytes())
        self._cand = array("i", encoded.tobytes())
        self._offsets = array("i", offsets.tobytes())

    def lookup(self, lat: float, lon: float) -> K | None:
        x, y = lon, lat
        # Written as "not inside" so NaN (which fails every comparison) lands here too; inf is outside.
        if not (self._x0 <= x <= self._x1 and self._y0 <= y <= self._y1) or not self._nx:
            return None
        ix = int((x - self._x0) * self._inv_cw)
        iy = int((y - self._y0) * self._inv_ch)
        if ix >= self._nx:
            ix = self._nx - 1
        if iy >= self._ny:
            iy = self._ny - 1
        state = self._cells[iy * self._nx + ix]
        if state >= 0:
            return self._keys[state]
        if state == -1:
            return None
        slot = -2 - state
        geoms = self._geoms
        cand = self._cand
        for i in range(self._offsets[slot], self._offsets[slot + 1]):
            r = cand[i]
            if r < 0:
                return self._keys[-r - 1]
            if _intersects_xy(geoms[r], x, y):
                return self._keys[r]
        return None

    def lookup_via_tree(self, lat: float, lon: float) -> K | None:
        """The plain STRtree query per point; kept as the reference the grid is measured against."""
        if not (math.isfinite(lat) and math.isfinite(lon)) or not self._keys:
            return None
        hits = self._tree.query(shapely.Point(lon, lat), predicate="intersects")
        if len(hits) == 0:
            return None
        return self._keys[int(hits.min())]

    def lookup_many(self, lats: Sequence[float], lons: Sequence[float]) -> list[K | None]:
        """Vectorised lookup for bulk work (imports, rollups, benchmarks)."""
        xs = np.asarray(lons, dtype=float)
        ys = np.asarray(lats, dtype=float)
        best = np.full(len(xs), -1, dtype=np.int64)
        if self._keys and len(xs):
            finite = np.isfinite(xs) & np.isfinite(ys)
            which = np.flatnonzero(finite)
            points = shapely.points(xs[which], ys[which])
            point_idx, geom_idx = self._tree.query(points, predicate="intersects")
            if len(point_idx):
                # Sort by (point, geometry) descending so the smallest geometry index is written last.
                order = np.lexsort((-geom_idx, point_idx))
                best[which[point_idx[order]]] = geom_idx[order]
        keys = self._keys
        return [keys[i] if i >= 0 else None for i in best.tolist()]


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
