"""Where a report goes, on the demo district (14 beats, 3 stations) at 360 px.

With JavaScript, "use my location" names the neighbourhood found (or says the point is outside them
all) and chooses it in the list and on the map. Without JavaScript, a beat is tapped on the server's
SVG map and the form comes back with it chosen, then the report goes there. English, Urdu, Pashto.
Screenshots: var/screens/beatpick/.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from rabta.core.demo import DemoContext
from rabta.places import demo as places_demo
from rabta.places.models import Beat
from rabta.reports.models import Category, Report
from tests.browser.helpers import clipped_text, horizontal_overflow
from tests.paths import url_for

pytestmark = pytest.mark.browser

SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens" / "beatpick"


def shot(page: Page, name: str) -> None:
    """The whole page, and the "Where?" part of the form close up."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)
    page.locator("fieldset:has(#id_beat)").screenshot(path=str(SCREENS / f"{name}-where.png"))


@pytest.fixture
def demo_beats(new_page: Callable[..., Page]) -> dict[str, tuple[float, float]]:
    """The demo district's places (new_page first: it makes the test transactional for the live
    server); a point inside each beat as (lat, lon)."""
    places_demo.seed(DemoContext(stdout=io.StringIO()))
    points = {}
    for beat in Beat.objects.all():
        inside = beat.geometry.representative_point()
        points[beat.code] = (round(inside.y, 5), round(inside.x, 5))
    return points


def fits(page: Page) -> None:
    assert horizontal_overflow(page) == 0
    assert clipped_text(page) == []


@pytest.mark.parametrize("lang", ["en", "ps"])
def test_use_my_location_names_the_beat_found(
    new_page: Callable[..., Page], demo_beats: dict[str, tuple[float, float]], lang: str
) -> None:
    lat, lon = demo_beats[places_demo.DEMO_BEAT_CODE]
    page = new_page(geolocation={"latitude": lat, "longitude": lon}, permissions=["geolocation"])
    page.goto(url_for("reports:new", lang=lang))
    expect(page.locator("select[name=beat]")).to_have_value("")
    page.locator("#report-locate button").click()
    note = page.locator("#report-locate .note")
    expect(note.locator("bdi")).to_be_visible()
    gulabad = Beat.objects.select_related("station").get(code=places_demo.DEMO_BEAT_CODE)
    name = gulabad.name_ps if lang == "ps" else gulabad.name
    expect(note.locator("bdi")).to_contain_text(name)
    expect(page.locator("select[name=beat]")).to_have_value(places_demo.DEMO_BEAT_CODE)
    expect(page.locator(f".beatmap a[data-code='{places_demo.DEMO_BEAT_CODE}']")).to_have_class(
        re.compile(r"\bon\b")
    )
    expect(page.locator(".beatmap a.on")).to_have_count(1)
    fits(page)
    shot(page, f"locate-found-{lang}")


def test_a_point_outside_every_beat_says_to_choose(
    new_page: Callable[..., Page], demo_beats: dict[str, tuple[float, float]]
) -> None:
    page = new_page(geolocation={"latitude": 31.5, "longitude": 74.3}, permissions=["geolocation"])
    page.goto(url_for("reports:new", lang="ur"))
    page.locator("#report-locate button").click()
    note = page.locator("#report-locate .note")
    expect(note).not_to_be_empty()
    assert note.locator("bdi").count() == 0
    expect(page.locator("select[name=beat]")).to_have_value("")
    expect(page.locator(".beatmap a.on")).to_have_count(0)
    fits(page)
    shot(page, "locate-outside-ur")


@pytest.mark.parametrize("lang", ["en", "ur"])
def test_choose_the_beat_on_the_map_without_javascript(
    new_page: Callable[..., Page], demo_beats: dict[str, tuple[float, float]], lang: str
) -> None:
    page = new_page(java_script_enabled=False)
    page.goto(url_for("reports:new", lang=lang) + "?category=street_lighting")
    expect(page.locator("#report-locate")).to_be_hidden()
    shapes = page.locator(".beatmap a[data-code]")
    expect(shapes).to_have_count(len(demo_beats))
    fits(page)
    shot(page, f"map-form-{lang}")

    # Tap Talash bazaar's shape where its name is written (inside the outline).
    target = "TLB"
    page.locator(f".beatmap a[data-code='{target}'] text").click(force=True)
    page.wait_for_url(re.compile(rf"beat={target}"))
    expect(page.locator("select[name=beat]")).to_have_value(target)
    expect(page.locator(f".beatmap a[data-code='{target}']")).to_have_class(re.compile(r"\bon\b"))
    lighting = Category.objects.get(code="street_lighting")
    expect(page.locator(f"input[name=category][value='{lighting.pk}']")).to_be_checked()
    fits(page)
    page.locator(".beatmap").scroll_into_view_if_needed()
    shot(page, f"map-chosen-{lang}")

    page.locator("textarea[name=description]").fill("The street light at the bazaar is broken.")
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_load_state()
    assert Report.objects.get().beat.code == target
