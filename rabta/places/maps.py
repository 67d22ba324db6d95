"""Outline maps of beats, drawn by the server, so a resident without JavaScript can pick a beat by
tapping it (docs/beats.md, "The map of beats on the report form").

One map shows a district; a district with more than MAX_BEATS beats is shown a station at a time
(the station of the beat already chosen). The geometry is computed once per set of beats and kept in
the cache, keyed by the beats' ids and update times, so a moved boundary draws a new map.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache

from rabta.lib.geo import GeometryError, polygon_from_geojson
from rabta.lib.svgmap import OutlineMap, outline_map
from rabta.places.models import Beat

# More beats than this and the names no longer fit at a phone's width.
MAX_BEATS = 40
CACHE_SECONDS = 24 * 3600
# Stations are told apart by fill; a district rarely has more stations than this, and neighbours
# of the same colour still have their outlines.
STATION_COLOURS = 4


@dataclass(frozen=True)
class MapBeat:
    code: str
    name: str
    station_name: str
    colour: int
    path: str
    label_x: int
    label_y: int

    @property
    def lines(self) -> tuple[str, ...]:
        """The name on one line, or two when it is long ("Timergara / Bazaar"): a beat is narrow."""
        words = self.name.split()
        if len(self.name) <= 10 or len(words) < 2:
            return (self.name,)
        cut = min(range(1, len(words)), key=lambda i: abs(len(" ".join(words[:i])) - len(self.name) / 2))
        return (" ".join(words[:cut]), " ".join(words[cut:]))


@dataclass(frozen=True)
class BeatMap:
    view_box: str
    width: int
    height: int
    beats: tuple[MapBeat, ...]


def _members(beat_code: str | None) -> list[Beat]:
    """The beats to draw (names and stations, never boundaries): two queries at most."""
    beats = Beat.objects.select_related("station").defer("boundary").order_by("station__name", "name")
    chosen = (
        Beat.objects.filter(code=beat_code).values("station__district_id", "station_id").first()
        if beat_code
        else None
    )
    if chosen is not None:
        district = list(beats.filter(station__district_id=chosen["station__district_id"]))
        if len(district) <= MAX_BEATS:
            return district
        return [b for b in district if b.station_id == chosen["station_id"]]
    districts = list(Beat.objects.order_by().values_list("station__district_id", flat=True).distinct()[:2])
    if len(districts) != 1:
        return []  # several districts and nothing chosen yet: the list alone, no map to guess
    found = list(beats[: MAX_BEATS + 1])
    return found if len(found) <= MAX_BEATS else []


def _outlines(members: list[Beat]) -> OutlineMap[int]:
    stamp = "|".join(f"{b.pk}:{b.updated_at.isoformat()}" for b in sorted(members, key=lambda b: b.pk))
    key = "places:beat-map:v1:" + hashlib.sha256(stamp.encode()).hexdigest()[:32]
    found: OutlineMap[int] | None = cache.get(key)
    if found is not None:
        return found
    items = []
    rows = Beat.objects.filter(pk__in=[b.pk for b in members]).values_list("pk", "boundary")
    for pk, boundary in rows.order_by("pk"):
        try:
            items.append((pk, polygon_from_geojson(boundary)))
        except GeometryError:
            continue  # the lookup index logs broken boundaries; the map just leaves them out
    found = outline_map(items)
    cache.set(key, found, CACHE_SECONDS)
    return found


def beat_map(beat_code: str | None = None) -> BeatMap | None:
    """The map of the beats around `beat_code` (or of the only district), names in the active
    language; None when there is no sensible map to draw."""
    members = _members(beat_code)
    if not members:
        return None
    outlines = _outlines(members)
    if not outlines.shapes:
        return None
    by_pk = {b.pk: b for b in members}
    stations = sorted({(b.station.name, b.station_id) for b in members})
    colour = {pk: i % STATION_COLOURS for i, (_, pk) in enumerate(stations)}
    beats = tuple(
        MapBeat(
            code=beat.code,
            name=beat.local_name,
            station_name=beat.station.local_name,
            colour=colour[beat.station_id],
            path=shape.path,
            label_x=shape.label_x,
            label_y=shape.label_y,
        )
        for shape in outlines.shapes
        if (beat := by_pk.get(shape.key)) is not None
    )
    return BeatMap(outlines.view_box, outlines.width, outlines.height, beats)
