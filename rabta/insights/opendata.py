"""Open data: the public figures of every beat, station or district as CSV and JSON, and the beats as
GeoJSON (RFC 7946) with their last complete month's figures.

Every number comes from rabta.insights.public.shown_figures, the function the transparency pages read, so a
file never says more than a page: a hidden value is empty (null) with `<name>_suppressed` true. One row per
place and complete period (the last 12 months or 8 weeks). The files are built district by district: a
fixed number of queries per district, whatever the number of beats, and never the whole province's rows
in memory at once.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.geometry.polygon import orient

from rabta.insights import public, suppression
from rabta.insights.models import Scope
from rabta.insights.periods import end_of, previous_start, start_of
from rabta.insights.public import PlaceKey, Tree
from rabta.lib.geo import GeometryError, polygon_from_geojson
from rabta.places.models import Beat, District, PoliceStation

LICENCE = "CC BY 4.0"
BASE_COLUMNS = (
    "scope",
    "code",
    "name",
    "name_ur",
    "name_ps",
    "station",
    "district",
    "period",
    "start",
    "end",
)
FIGURE_COLUMNS = tuple(c for item in public.ITEMS for c in item.columns)
COLUMNS = BASE_COLUMNS + FIGURE_COLUMNS
COORDINATE_DECIMALS = 6  # about 10 cm: RFC 7946 section 11.2 advises no more


@dataclass(frozen=True)
class Named:
    pk: int
    code: str
    name: str
    name_ur: str
    name_ps: str
    station: str  # the station's code ('' for a district)
    district: str


@dataclass(frozen=True)
class Province:
    """Every district, station and beat, read once (three queries)."""

    districts: list[Named]
    stations: dict[int, list[Named]]  # district -> its stations
    beats: dict[int, list[Named]]  # station -> its beats
    trees: dict[int, Tree]

    def places(self, district: int, scope: str) -> list[tuple[PlaceKey, Named, PlaceKey]]:
        """The places of one scope in a district: key, names, and whose women's desk it reports."""
        named = next(d for d in self.districts if d.pk == district)
        if scope == Scope.DISTRICT:
            return [((Scope.DISTRICT, district), named, (Scope.DISTRICT, district))]
        stations = self.stations.get(district, [])
        if scope == Scope.STATION:
            return [((Scope.STATION, s.pk), s, (Scope.STATION, s.pk)) for s in stations]
        return [
            ((Scope.BEAT, b.pk), b, (Scope.STATION, s.pk)) for s in stations for b in self.beats.get(s.pk, [])
        ]


def province() -> Province:
    names = ("pk", "code", "name", "name_ur", "name_ps")
    districts = [
        Named(pk, code, name, ur, ps, "", code)
        for pk, code, name, ur, ps in District.objects.order_by("name").values_list(*names)
    ]
    codes = {d.pk: d.code for d in districts}
    stations: dict[int, list[Named]] = defaultdict(list)
    station_codes: dict[int, tuple[str, str]] = {}
    rows = PoliceStation.objects.order_by("name", "pk").values_list(*names, "district_id")
    for pk, code, name, ur, ps, district_id in rows:
        district = codes.get(district_id, "")
        stations[district_id].append(Named(pk, code, name, ur, ps, code, district))
        station_codes[pk] = (code, district)
    beats: dict[int, list[Named]] = defaultdict(list)
    for pk, code, name, ur, ps, station_id in Beat.objects.order_by("name", "pk").values_list(
        *names, "station_id"
    ):
        station, district = station_codes[station_id]
        beats[station_id].append(Named(pk, code, name, ur, ps, station, district))
    trees = {}
    for d in districts:
        ids = sorted(s.pk for s in stations.get(d.pk, []))
        trees[d.pk] = Tree(d.pk, tuple(ids), {s: tuple(sorted(b.pk for b in beats.get(s, []))) for s in ids})
    return Province(districts, dict(stations), dict(beats), trees)


def records(scope: str, period: str, today: dt.date) -> Iterator[dict[str, Any]]:
    """Each place of `scope` in each complete period, as the files' columns."""
    starts = public.complete_starts(period, today)
    everything = province()
    known = suppression.versions(period, starts)
    for district in everything.districts:
        cells = public.district_cells(district.pk, period, starts)
        hidden = suppression.decisions(
            district.pk, period, starts, cells=cells, shape=everything.trees[district.pk], known=known
        )
        for key, named, desk in everything.places(district.pk, scope):
            for start in starts:
                found = cells.get(start, {})
                shown = public.shown_figures(
                    key, found.get(key, {}), hidden[start], desk_cells=found.get(desk, {})
                )
                yield _record(scope, named, period, start, shown)


def _record(
    scope: str, named: Named, period: str, start: dt.date, shown: dict[str, public.Shown]
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "scope": scope,
        "code": named.code,
        "name": named.name,
        "name_ur": named.name_ur,
        "name_ps": named.name_ps,
        "station": named.station if scope != Scope.DISTRICT else "",
        "district": named.district,
        "period": period,
        "start": start.isoformat(),
        "end": end_of(period, start).isoformat(),
    }
    for figure in shown.values():
        out.update(figure.record())
    return out


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo(), lineterminator="\r\n")  # RFC 4180
    yield writer.writerow(COLUMNS)
    for row in rows:
        yield writer.writerow(["" if row[c] is None else _csv_value(row[c]) for c in COLUMNS])


def _csv_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def json_chunks(
    rows: Iterator[dict[str, Any]], *, scope: str, period: str, as_of: dt.date | None
) -> Iterator[str]:
    head = {
        "licence": LICENCE,
        "scope": scope,
        "period": period,
        "figures_as_of": as_of.isoformat() if as_of else None,
        "columns": list(COLUMNS),
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "rows": ['
    for i, row in enumerate(rows):
        yield ("," if i else "") + "\n" + json.dumps(row, ensure_ascii=False)
    yield "\n]}\n"


# GeoJSON -------------------------------------------------------------------------------------------


def last_complete_month(today: dt.date) -> dt.date:
    return previous_start("month", start_of("month", today))


def rfc7946_geometry(boundary: Any) -> dict[str, Any]:
    """A beat's boundary as RFC 7946 wants it: longitude first, every exterior ring counter-clockwise and
    every hole clockwise (the right-hand rule, section 3.1.6), rings closed, six decimals."""
    geom = polygon_from_geojson(boundary)
    polygons = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
    oriented: list[Polygon] = [orient(p, sign=1.0) for p in polygons]
    shape = oriented[0] if len(oriented) == 1 else MultiPolygon(oriented)
    return _rounded(mapping(shape))


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, COORDINATE_DECIMALS)
    if isinstance(value, (list, tuple)):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def features(today: dt.date) -> Iterator[dict[str, Any]]:
    """Every beat with a valid boundary, with its last complete month's public figures."""
    month = last_complete_month(today)
    everything = province()
    known = suppression.versions("month", [month])
    boundaries = dict(Beat.objects.values_list("pk", "boundary"))
    station_names = {s.pk: s.name for group in everything.stations.values() for s in group}
    district_names = {d.code: d.name for d in everything.districts}
    for district in everything.districts:
        cells = public.district_cells(district.pk, "month", [month])
        hidden = suppression.decisions(
            district.pk, "month", [month], cells=cells, shape=everything.trees[district.pk], known=known
        )[month]
        found = cells.get(month, {})
        for key, named, desk in everything.places(district.pk, Scope.BEAT):
            try:
                geometry = rfc7946_geometry(boundaries.get(key[1]))
            except GeometryError:
                continue
            shown = public.shown_figures(key, found.get(key, {}), hidden, desk_cells=found.get(desk, {}))
            properties: dict[str, Any] = {
                "code": named.code,
                "name": named.name,
                "name_ur": named.name_ur,
                "name_ps": named.name_ps,
                "station": named.station,
                "station_name": station_names.get(desk[1], ""),
                "district": named.district,
                "district_name": district_names.get(named.district, ""),
                "month": month.isoformat(),
            }
            for figure in shown.values():
                properties.update(figure.record())
            yield {"type": "Feature", "geometry": geometry, "properties": properties}


def geojson_chunks(
    found: Iterator[dict[str, Any]], *, as_of: dt.date | None, month: dt.date
) -> Iterator[str]:
    head = {
        "type": "FeatureCollection",
        "licence": LICENCE,
        "month": month.isoformat(),
        "figures_as_of": as_of.isoformat() if as_of else None,
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "features": ['
    for i, feature in enumerate(found):
        yield ("," if i else "") + "\n" + json.dumps(feature, ensure_ascii=False)
    yield "\n]}\n"


def described() -> list[tuple[str, Sequence[str], public.Item]]:
    """Each figure's name, its columns and its definition, for the open-data page."""
    return [(item.name, item.columns, item) for item in public.ITEMS]
