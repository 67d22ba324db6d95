"""Open data: CSV and JSON of the public figures per beat, station or district and period, and the beats as
RFC 7946 GeoJSON with their last complete month's figures; small numbers hidden exactly as on the pages."""

from __future__ import annotations

import csv
import io
import itertools
import json
from typing import Any

import pytest
import time_machine
from django.core.cache import cache

from rabta.insights import opendata
from rabta.places.models import Beat
from tests import factories
from tests.paths import url_for
from tests.queries import assert_constant_queries
from tests.test_insights_public import TODAY, at, refresh, report, transparency_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_decisions() -> Any:
    cache.clear()
    yield
    cache.clear()


def fetch(client: Any, name: str, **query: Any) -> Any:
    with time_machine.travel(TODAY, tick=False):
        return client.get(url_for(name), query)


def body(response: Any) -> str:
    return b"".join(response.streaming_content).decode()


def csv_rows(client: Any, **query: Any) -> list[dict[str, str]]:
    response = fetch(client, "insights:open_data_csv", **query)
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    text = body(response)
    assert text.startswith(",".join(opendata.COLUMNS) + "\r\n")
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_has_a_row_per_place_and_complete_period(world, client):
    transparency_world(world)
    rows = csv_rows(client)  # beats, months by default
    assert len(rows) == 3 * 12
    assert {r["code"] for r in rows} == {"GUL", "SHG", "RBT"}
    assert sorted({r["start"] for r in rows})[-1] == "2026-03-01" and rows[0]["period"] == "month"
    gul = next(r for r in rows if r["code"] == "GUL" and r["start"] == "2026-03-01")
    assert (gul["station"], gul["district"], gul["end"]) == ("TMG", "LD", "2026-03-31")
    assert (gul["reports"], gul["median_ack_hours"], gul["median_ack_hours_n"]) == ("6", "2.0", "6")
    assert (gul["on_time_low"], gul["on_time_high"]) == ("0.4365", "0.9699")
    assert (gul["desk_staffed"], gul["desk_staffed_n"]) == ("0.5", "208")  # the station's desk
    assert (gul["attendees_15_29"], gul["attendees_15_29_suppressed"]) == ("", "true")
    assert (gul["attendees_30_44"], gul["attendees_60"]) == ("12", "0")
    # Neither the 3 women nor the 20 men: no cell of the row says either.
    assert gul["attendees_women"] == gul["attendees_men"] == ""
    assert (gul["proactive_visits"], gul["proactive_visits_suppressed"]) == ("1", "false")
    stations = csv_rows(client, scope="station")
    assert {r["code"] for r in stations} == {"TMG", "BLB"} and len(stations) == 24
    tmg = next(r for r in stations if r["code"] == "TMG" and r["start"] == "2026-03-01")
    assert (tmg["station"], tmg["attendees"], tmg["attendees_men_suppressed"]) == ("TMG", "23", "true")
    districts = csv_rows(client, scope="district", period="week")
    assert districts[0]["start"] == "2026-02-09" and len(districts) == 8
    assert districts[-1]["proactive_visits"] == "2" and districts[-1]["station"] == ""


def test_json_holds_the_csvs_rows(world, client):
    transparency_world(world)
    response = fetch(client, "insights:open_data_json", scope="beat", period="month")
    assert response["Content-Type"] == "application/json"
    data = json.loads(body(response))
    assert (data["licence"], data["scope"], data["period"]) == ("CC BY 4.0", "beat", "month")
    assert data["figures_as_of"] == "2026-04-08" and data["columns"] == list(opendata.COLUMNS)
    rows = csv_rows(client)
    assert len(data["rows"]) == len(rows)
    for row, record in zip(rows, data["rows"], strict=True):
        as_text = {
            k: "" if v is None else str(v).lower() if isinstance(v, bool) else str(v)
            for k, v in record.items()
        }
        assert as_text == row
    gul = next(r for r in data["rows"] if r["code"] == "GUL" and r["start"] == "2026-03-01")
    assert gul["attendees_women"] is None and gul["attendees_women_suppressed"] is True
    assert gul["trust"] == 68.57 and gul["trust_n"] == 7


def test_unreadable_choices_are_400(world, client):
    for name in ("insights:open_data_csv", "insights:open_data_json"):
        for query in ({"period": "year"}, {"scope": "province"}):
            assert fetch(client, name, **query).status_code == 400


def test_files_may_be_cached_for_an_hour(world, client):
    refresh()
    for name in ("insights:open_data", "insights:open_data_csv", "insights:open_data_geojson"):
        control = set(fetch(client, name)["Cache-Control"].replace(" ", "").split(","))
        assert control == {"public", "max-age=3600"}, name


def signed_area(ring: list[list[float]]) -> float:
    """Twice the ring's area, positive when counter-clockwise (x = longitude, y = latitude)."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring))


def test_geojson_is_rfc_7946(world, client):
    transparency_world(world)
    # Beat b drawn clockwise, beat c with a hole drawn counter-clockwise: both are turned round.
    world.beat_b.boundary = {
        "type": "Polygon",
        "coordinates": [[[71.81, 34.8], [71.81, 34.81], [71.82, 34.81], [71.82, 34.8], [71.81, 34.8]]],
    }
    world.beat_b.save()
    outer = [[71.82, 34.8], [71.84, 34.8], [71.84, 34.82], [71.82, 34.82], [71.82, 34.8]]
    hole = [[71.825, 34.805], [71.835, 34.805], [71.835, 34.815], [71.825, 34.815], [71.825, 34.805]]
    world.beat_c.boundary = {"type": "Polygon", "coordinates": [outer, hole]}
    world.beat_c.save()
    response = fetch(client, "insights:open_data_geojson")
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(body(response))
    assert data["type"] == "FeatureCollection" and data["month"] == "2026-03-01"
    features = {f["properties"]["code"]: f for f in data["features"]}
    assert set(features) == {"GUL", "SHG", "RBT"}
    for feature in data["features"]:
        assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Polygon"
        exterior, *holes = feature["geometry"]["coordinates"]
        for ring in (exterior, *holes):
            assert ring[0] == ring[-1] and len(ring) >= 4  # closed
            for lon, lat in ring:  # longitude first: Khyber Pakhtunkhwa is near 72 E, 35 N
                assert 60 < lon < 80 and 30 < lat < 40
        assert signed_area(exterior) > 0  # counter-clockwise
        assert all(signed_area(h) < 0 for h in holes)  # clockwise
    assert len(features["RBT"]["geometry"]["coordinates"]) == 2
    gul = features["GUL"]["properties"]
    assert (gul["name"], gul["station"], gul["station_name"], gul["district"]) == (
        "Gulabad",
        "TMG",
        "Timergara",
        "LD",
    )
    assert gul["attendees"] == 23 and gul["on_time"] == 0.8333 and gul["on_time_n"] == 6
    assert gul["attendees_women"] is None and gul["attendees_women_suppressed"] is True
    assert gul["attendees_men"] is None and gul["attendees_men_suppressed"] is True
    assert gul["trust_suppressed"] is False


def test_multipolygons_keep_every_part_counter_clockwise():
    clockwise = [[0.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, 0.0], [0.0, 0.0]]
    other = [[2.0, 0.0], [3.0, 0.0], [3.0, 1.0], [2.0, 1.0], [2.0, 0.0]]
    geometry = opendata.rfc7946_geometry({"type": "MultiPolygon", "coordinates": [[clockwise], [other]]})
    assert geometry["type"] == "MultiPolygon"
    assert [signed_area(p[0]) > 0 for p in geometry["coordinates"]] == [True, True]
    assert geometry["coordinates"][0][0][0] == geometry["coordinates"][0][0][-1]


@pytest.mark.parametrize("name", ["insights:open_data_csv", "insights:open_data_geojson"])
def test_file_queries_do_not_grow_with_the_beats(world, client, settings, name):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    made: list[Beat] = []

    def more_beats(k: int) -> None:
        for _ in range(k):
            beat = factories.beat(
                world.station_a, code=f"X{len(made)}", lon=71.7 + len(made) * 0.011, lat=34.7
            )
            made.append(beat)
            report(beat, at(3, 2))
        refresh()

    with time_machine.travel(TODAY, tick=False):
        proof = assert_constant_queries(client, url_for(name), more_beats)
    assert body(proof.large).count("X5") == (12 if name.endswith("csv") else 1)
