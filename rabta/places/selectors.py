"""Reads of places: the public search and beat lookups, and what a manager may pick in the admin."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from rabta.core.adminscope import AdminUser
from rabta.core.errors import NotVisible
from rabta.places.lookup import beat_index
from rabta.places.models import Beat, District, PoliceStation
from rabta.places.search import BeatMatches, match_beats


def search_beats(text: str, *, limit: int) -> BeatMatches:
    """Up to `limit` beats (with their station) matching `text` however it is spelled, best first;
    the nearest spellings when nothing matches as typed. The same matcher answers SMS."""
    return match_beats(text, limit=limit)


def stations_with_beats() -> QuerySet[PoliceStation]:
    """Every station with the names of its beats, for the list of all neighbourhoods."""
    beats = Prefetch("beats", queryset=Beat.objects.only("code", "name", "name_ur", "name_ps", "station_id"))
    return PoliceStation.objects.prefetch_related(beats).only(  # type: ignore[arg-type]
        "name", "name_ur", "name_ps", "code"
    )


def find_beat_code_at(lat: float, lon: float) -> str | None:
    """The code of the beat containing the point; None when no beat does."""
    beat_id = beat_index.beat_id_at(lat, lon)
    if beat_id is None:
        return None
    return Beat.objects.filter(pk=beat_id).values_list("code", flat=True).get()


def find_beat_by_code(code: str) -> Beat:
    """A beat with its station and district, for its public page. Raises NotVisible for none."""
    try:
        return Beat.objects.select_related("station__district").get(code=code)
    except Beat.DoesNotExist:
        raise NotVisible(f"no beat {code}") from None


def womens_desk_for(station: PoliceStation) -> PoliceStation | None:
    """The station itself when it has a women's desk; else the first in its district that has one."""
    if station.has_womens_desk:
        return station
    return (
        PoliceStation.objects.filter(district_id=station.district_id, has_womens_desk=True)
        .order_by("name")
        .first()
    )


def districts_for(manager: AdminUser, districts: QuerySet[District] | None = None) -> QuerySet[District]:
    """The districts (of `districts`, else of all) a manager may see and pick in the admin."""
    if districts is None:
        districts = District.objects.all()
    level, district = manager.admin_level, manager.scope_district_id
    if level == "admin":
        return districts
    if level == "district" and district:
        return districts.filter(pk=district)
    return districts.none()


def stations_for(
    manager: AdminUser, stations: QuerySet[PoliceStation] | None = None
) -> QuerySet[PoliceStation]:
    """The stations (of `stations`, else of all) a manager may see and pick in the admin."""
    if stations is None:
        stations = PoliceStation.objects.all()
    level, district, station = manager.admin_level, manager.scope_district_id, manager.scope_station_id
    if level == "admin":
        return stations
    if level == "district" and district:
        return stations.filter(district_id=district)
    if level == "station" and station:
        return stations.filter(pk=station)
    return stations.none()


def beats_for(manager: AdminUser, beats: QuerySet[Beat] | None = None) -> QuerySet[Beat]:
    """The beats (of `beats`, else of all) a manager may see and pick in the admin."""
    if beats is None:
        beats = Beat.objects.all()
    level, district, station = manager.admin_level, manager.scope_district_id, manager.scope_station_id
    if level == "admin":
        return beats
    if level == "district" and district:
        return beats.filter(station__district_id=district)
    if level == "station" and station:
        return beats.filter(station_id=station)
    return beats.none()
