"""Report density maps: counts per H3 cell (kept by the rollups, rabta.insights.rollup.rewrite_hexes)
drawn as SVG hexagons over the beats' outlines, for the staff dashboards and the public pages.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import h3
from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

from rabta.insights import selectors
from rabta.insights.models import Scope
from rabta.insights.rollup import PUBLIC_RESOLUTION, STAFF_RESOLUTIONS
from rabta.insights.selectors import Place
from rabta.lib import hexmap, stats
from rabta.lib.geo import GeometryError, polygon_from_geojson
from rabta.places.models import Beat


@dataclass(frozen=True)
class HexView:
    """A density map ready to write: the same for everyone who may see the place, so it is kept until
    the rollups change."""

    view_box: str
    markup: SafeString  # the <svg>'s content (rabta.lib.hexmap.HexMap.inner_markup)
    legend: tuple[Any, ...]
    cells: int
    resolution: int

    @property
    def area_km2(self) -> str:
        """The cells' average area, to one significant figure or so ("0.1", "0.7", "5")."""
        area = h3.average_hexagon_area(self.resolution, unit="km^2")
        return f"{area:.1f}" if area < 1 else f"{area:.0f}"


# A map draws the finest kept resolution whose cells stay at least this many units across (the map is
# 320 units wide on a phone), so a district's map is not thousands of specks.
MIN_CELL_UNITS = 8
HEX_CACHE_SECONDS = 24 * 3600


def hex_resolution(bounds: tuple[float, float, float, float]) -> int:
    """The finest of STAFF_RESOLUTIONS whose cells are MIN_CELL_UNITS across on a map of these bounds."""
    minx, miny, maxx, maxy = bounds
    mid = math.radians((miny + maxy) / 2)
    extent_km = max((maxx - minx) * 111.32 * math.cos(mid), (maxy - miny) * 110.57, 0.001)
    for resolution in STAFF_RESOLUTIONS:  # finest first
        across_km = 2 * h3.average_hexagon_edge_length(resolution, unit="km")
        if across_km * 320 / extent_km >= MIN_CELL_UNITS:
            return resolution
    return STAFF_RESOLUTIONS[-1]


def density_map(
    place: Place, months: Sequence[dt.date], refreshed: dt.datetime | None, *, public: bool = False
) -> HexView | None:
    """Reports per H3 cell over `months` in a station or district, over its beats' outlines. For staff
    the finest resolution that stays legible; for the public (`public`) PUBLIC_RESOLUTION only, and no
    cell under MIN_CELL reports drawn. None for a beat, or when there is nothing to draw."""
    if place.scope not in (Scope.STATION, Scope.DISTRICT):
        return None
    stamp = refreshed.isoformat() if refreshed else "-"
    when = f"{months[0].isoformat()}:{len(months)}:{stamp}"
    key = f"insights:hexes:v1:{int(public)}:{place.scope}:{place.pk}:{when}"
    found: HexView | None = cache.get(key)
    if found is not None:
        return found
    outlines: list[tuple[int, Any]] = []
    for pk, boundary in Beat.objects.filter(selectors.beat_filter(place)).values_list("pk", "boundary"):
        try:
            outlines.append((pk, polygon_from_geojson(boundary)))
        except GeometryError:
            continue
    if not outlines:
        return None
    boxes = [g.bounds for _, g in outlines]
    bounds = (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
    resolution = PUBLIC_RESOLUTION if public else hex_resolution(bounds)
    where = {"district_id": place.pk} if place.scope == Scope.DISTRICT else {"station_id": place.pk}
    cells = selectors.hex_counts(resolution=resolution, months=months, **where)
    if not cells:
        return None
    drawn = hexmap.hexagons(cells, outlines=outlines, min_count=stats.MIN_CELL if public else 0)
    if not drawn.hexagons:
        return None
    # Path data, fill colours and counts, all written by hexmap from numbers: no text anyone typed.
    markup = mark_safe(drawn.inner_markup())  # noqa: S308
    found = HexView(drawn.view_box, markup, drawn.legend, len(drawn.hexagons), resolution)
    cache.set(key, found, HEX_CACHE_SECONDS)
    return found
