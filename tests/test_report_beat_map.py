"""Where a report goes: the beat found for "use my location", and the SVG map of beats without JavaScript."""

from __future__ import annotations

import gzip
import io
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from shapely.geometry import box

from rabta.core.demo import DemoContext
from rabta.lib.svgmap import outline_map
from rabta.places import demo as places_demo
from rabta.places.maps import MAX_BEATS, beat_map
from rabta.places.models import Beat
from rabta.reports.models import Category, Report
from tests import factories
from tests.conftest import World
from tests.paths import url_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def test_outline_map_fits_the_box_in_whole_units() -> None:
    drawn = outline_map([("a", box(71.80, 34.80, 71.85, 34.85)), ("b", box(71.85, 34.80, 71.90, 34.83))])
    assert drawn.width == 320 and 0 < drawn.height <= 420
    assert [s.key for s in drawn.shapes] == ["a", "b"]
    for shape in drawn.shapes:
        numbers = [int(n) for n in re.findall(r"-?\d+(?:\.\d+)?", shape.path)]
        assert all(0 <= n <= 320 for n in numbers)
        assert "." not in shape.path and shape.path.startswith("M") and shape.path.endswith("Z")
    # North is up: the taller square's top edge is the map's top, the other starts lower down.
    assert drawn.shapes[0].label_y < drawn.shapes[1].label_y + 60


def test_outline_map_simplifies_and_drops_what_vanishes() -> None:
    from shapely.geometry import Point

    circle = Point(71.85, 34.82).buffer(0.03, quad_segs=64)  # 257 vertices
    tiny = box(71.80, 34.80, 71.800001, 34.800001)
    drawn = outline_map([("round", circle), ("tiny", tiny)])
    assert [s.key for s in drawn.shapes] == ["round"]
    assert drawn.shapes[0].path.count("L") < 80


def test_map_of_the_district_with_links_that_keep_the_category(world: World, client: Client) -> None:
    lighting = Category.objects.get(code="street_lighting")
    body = client.get(url_for("reports:new"), {"beat": "SHG", "category": "street_lighting"}).content.decode()
    assert '<figure class="beatmap">' in body
    links = re.findall(r'<a href="([^"]+)" xlink:href="[^"]+" class="s(\d)( on)?" data-code="(\w+)"', body)
    assert {code for *_, code in links} == {"GUL", "SHG", "RBT"}
    for href, _, on, code in links:
        assert href == f"/en/report/?category=street_lighting&amp;beat={code}#id_beat"
        assert bool(on) == (code == "SHG")
    # Two stations, two fills.
    assert len({colour for _, colour, _, _ in links}) == 2
    assert re.search(rf'name="category" value="{lighting.pk}"[^>]* checked', body)


def test_a_map_link_opens_the_form_with_that_beat(world: World, client: Client) -> None:
    body = client.get(url_for("reports:new", lang="ur"), {"beat": "RBT"}).content.decode()
    assert '<option value="RBT" selected>' in body
    assert 'class="s1 on" data-code="RBT"' in body or 'class="s0 on" data-code="RBT"' in body
    # Names in the page's language, for the label and for screen readers.
    assert "نقشہ" in body or "Map of neighbourhoods" in body


def test_names_in_the_language_of_the_page(world: World, client: Client) -> None:
    world.beat_a.name_ps = "ګل اباد"
    world.beat_a.save()
    body = client.get(url_for("reports:new", lang="ps")).content.decode()
    assert re.search(r'data-code="GUL" aria-label="ګل اباد \([^)]+\)"><path d="M[\d LMZ]+"/><text', body)


def test_the_geometry_is_cached_and_redrawn_when_a_boundary_moves(world: World) -> None:
    beat_map("GUL")
    with CaptureQueriesContext(connection) as queries:
        again = beat_map("GUL")
    assert again is not None
    assert not any("boundary" in q["sql"] for q in queries.captured_queries)
    before = next(b.path for b in again.beats if b.code == "GUL")
    world.beat_a.boundary = factories.square(71.80, 34.80, size=0.005)
    world.beat_a.save()
    moved = beat_map("GUL")
    assert moved is not None and next(b.path for b in moved.beats if b.code == "GUL") != before


def test_no_map_to_guess_between_districts(world: World) -> None:
    other = factories.station(factories.district(code="SWT", name="Swat"))
    factories.beat(other, code="MNG", name="Mingora", lon=72.36, lat=34.77)
    assert beat_map(None) is None
    drawn = beat_map("MNG")
    assert drawn is not None and [b.code for b in drawn.beats] == ["MNG"]
    drawn = beat_map("GUL")
    assert drawn is not None and {b.code for b in drawn.beats} == {"GUL", "SHG", "RBT"}


def test_a_big_district_is_drawn_a_station_at_a_time(world: World) -> None:
    for n in range(MAX_BEATS):
        factories.beat(world.station_b, code=f"X{n}", lon=72.0 + (n % 8) * 0.01, lat=35.0 + (n // 8) * 0.01)
    drawn = beat_map("GUL")
    assert drawn is not None and {b.code for b in drawn.beats} == {"GUL", "SHG"}


def test_beat_at_answers_the_code_or_null(world: World, client: Client) -> None:
    found = client.get(url_for("places:beat_at"), {"lat": "34.805", "lon": "71.805"})
    assert found.status_code == 200 and found.json() == {"code": "GUL"}
    assert "no-store" in found["Cache-Control"]
    outside = client.get(url_for("places:beat_at"), {"lat": "31.5", "lon": "74.3"})
    assert outside.status_code == 200 and outside.json() == {"code": None}
    for bad in ({"lat": "nan", "lon": "71.8"}, {"lat": "95", "lon": "71.8"}, {"lat": "x"}, {}):
        assert client.get(url_for("places:beat_at"), bad).status_code == 400


def test_the_form_tells_the_script_where_to_ask(world: World, client: Client) -> None:
    body = client.get(url_for("reports:new", lang="ps")).content.decode()
    assert 'data-url="/ps/find/beat/"' in body and "data-found=" in body and "data-outside=" in body


def test_a_report_sent_by_the_point_goes_to_its_beat(
    world: World, client: Client, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    data = {
        "idempotency_key": "p" * 32,
        "category": Category.objects.get(code="street_lighting").pk,
        "beat": "",
        "lat": "34.8051",
        "lon": "71.8152",
        "description": "The street light has been broken for two weeks.",
    }
    assert client.post(url_for("reports:new"), data).status_code == 200
    assert Report.objects.get().beat == world.beat_b


def test_the_demo_district_map_keeps_the_form_within_budget(client: Client) -> None:
    places_demo.seed(DemoContext(stdout=io.StringIO()))
    assert Beat.objects.count() == 14
    response = client.get(url_for("reports:new", lang="ur"), {"beat": places_demo.DEMO_BEAT_CODE})
    body = response.content
    svg = body[body.index(b"<svg") : body.index(b"</svg>")]
    assert svg.count(b"<a ") == 14
    # The map alone, then the whole page, gzipped as a server sends them.
    assert len(gzip.compress(svg, 6)) < 3 * 1024
    assert len(gzip.compress(body, 6)) < 14 * 1024
