"""A resident on a 360 px phone finds their neighbourhood, meets its officers, reads it in Urdu and Pashto.

Screenshots of every step land in tests/artifacts/screenshots/find-*.png.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import PHONE, box, clipped_text, horizontal_overflow, screenshot
from tests.conftest import World
from tests.paths import url_for

pytestmark = pytest.mark.browser


def assert_fits_phone(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert horizontal_overflow(page) == 0
    assert clipped_text(page) == []


def assert_direction(page: Page, lang: str, direction: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("html")).to_have_attribute("dir", direction)
    assert page.evaluate("getComputedStyle(document.body).direction") == direction


def test_find_neighbourhood_meet_officers_and_switch_language(page: Page, world: World) -> None:
    officer = world.beat_officer.get_full_name()
    woman = world.womens_desk_officer.get_full_name()

    page.goto(url_for("places:home"))
    assert_direction(page, "en", "ltr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find your neighbourhood")
    # JavaScript is on, so "use my location" is offered.
    expect(page.get_by_role("button", name="Use my location")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "find-1-home-en")

    page.get_by_label("Neighbourhood, village or area").fill("Khungai")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/en/?q=Khungai")
    results = page.locator("section[aria-labelledby=results-h]")
    expect(results.get_by_role("heading")).to_have_text("1 neighbourhood found")
    expect(results.get_by_role("link")).to_have_text(["Gulabad"])
    assert_fits_phone(page)
    screenshot(page, "find-2-results-en")

    results.get_by_role("link", name="Gulabad").click()
    page.wait_for_url("**/en/beats/GUL/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Gulabad")
    officers = page.locator("ul.officers > li")
    expect(officers).to_have_count(2)
    expect(officers.filter(has_text=officer)).to_have_count(1)
    expect(officers.filter(has_text=woman)).to_contain_text("Woman officer")
    # The officer of the neighbouring beat is not shown here.
    expect(page.get_by_text(world.other_beat_officer.get_full_name())).to_have_count(0)
    desk = page.locator("section.women")
    expect(desk.get_by_role("heading")).to_have_text("Women's desk")
    expect(desk).to_contain_text("Monday to Saturday, 09:00 to 17:00")
    expect(desk.get_by_role("link", name="Call the women's desk")).to_have_attribute(
        "href", "tel:09459250099"
    )
    assert_fits_phone(page)
    screenshot(page, "find-3-beat-en")

    brand_ltr = box(page.locator(".brand"))
    langs_ltr = box(page.locator("nav.langs"))
    avatar_ltr = box(officers.first.locator(".avatar"))
    who_ltr = box(officers.first.locator(".who"))
    assert brand_ltr["x"] < 40, "the brand starts at the left edge in English"
    assert avatar_ltr["x"] < who_ltr["x"]

    # The switcher is a plain link, named in its own language.
    page.locator("nav.langs").get_by_role("link", name="اردو").click()
    page.wait_for_url("**/ur/beats/GUL/")
    assert_direction(page, "ur", "rtl")
    expect(page.locator("nav.langs strong")).to_have_text("اردو")
    expect(page.locator("ul.officers > li")).to_have_count(2)
    expect(page.locator("section.women")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "find-4-beat-ur")

    # The layout really mirrors: brand at the right edge, languages at the left, avatar before the name
    # on the reading side (right).
    width = PHONE["width"]
    brand_rtl = box(page.locator(".brand"))
    langs_rtl = box(page.locator("nav.langs"))
    assert brand_rtl["x"] + brand_rtl["width"] > width - 40, "the brand sits at the right edge in Urdu"
    assert langs_rtl["x"] < langs_ltr["x"], "the language switcher moved to the left"
    avatar_rtl = box(page.locator("ul.officers > li").first.locator(".avatar"))
    who_rtl = box(page.locator("ul.officers > li").first.locator(".who"))
    assert avatar_rtl["x"] > who_rtl["x"]
    assert abs((avatar_rtl["x"] + avatar_rtl["width"]) - (width - avatar_ltr["x"])) < 2, "mirror image"
    # Urdu is set in Nastaliq when the phone has it (Debian's fonts-noto-core does).
    assert "Nastaliq" in page.evaluate("getComputedStyle(document.body).fontFamily")

    # Urdu search from the Urdu home page, then Pashto.
    page.locator(".brand").click()
    page.wait_for_url("**/ur/")
    assert_direction(page, "ur", "rtl")
    assert_fits_phone(page)
    screenshot(page, "find-5-home-ur")
    page.locator("#q").fill("Khungai")
    page.locator("form.search button[type=submit]").click()
    page.wait_for_url("**/ur/?q=Khungai")
    expect(page.locator("section[aria-labelledby=results-h] a")).to_have_count(1)
    assert_fits_phone(page)
    screenshot(page, "find-6-results-ur")

    page.locator("nav.langs").get_by_role("link", name="پښتو").click()
    page.wait_for_url("**/ps/?q=Khungai")
    assert_direction(page, "ps", "rtl")
    expect(page.locator("section[aria-labelledby=results-h] a")).to_have_count(1)
    assert_fits_phone(page)
    screenshot(page, "find-7-results-ps")
    page.locator("section[aria-labelledby=results-h] a").click()
    page.wait_for_url("**/ps/beats/GUL/")
    assert_direction(page, "ps", "rtl")
    expect(page.locator("ul.officers > li")).to_have_count(2)
    brand_ps = box(page.locator(".brand"))
    assert brand_ps["x"] + brand_ps["width"] > width - 40
    assert_fits_phone(page)
    screenshot(page, "find-8-beat-ps")


@pytest.mark.parametrize("lang", ["en", "ur"])
def test_search_works_without_javascript(new_page: Callable[..., Page], world: World, lang: str) -> None:
    page = new_page(java_script_enabled=False)
    page.goto(url_for("places:home", lang=lang))
    # The location button is an enhancement: without JavaScript it stays hidden, and the form still works.
    expect(page.locator("#locate")).to_be_hidden()
    page.locator("#q").fill("gulabad bazaar")
    page.locator("#q").press("Enter")
    page.wait_for_url(f"**/{lang}/?q=gulabad+bazaar")
    link = page.locator("section[aria-labelledby=results-h] a")
    expect(link).to_have_count(1)
    screenshot(page, f"nojs-results-{lang}")
    link.click()
    page.wait_for_url(f"**/{lang}/beats/GUL/")
    expect(page.locator("ul.officers > li")).to_have_count(2)
    expect(page.locator("section.women a[href^='tel:']")).to_be_visible()
    assert_fits_phone(page)


def test_use_my_location_opens_the_beat(new_page: Callable[..., Page], world: World) -> None:
    page = new_page(geolocation={"latitude": 34.8051, "longitude": 71.8052}, permissions=["geolocation"])
    page.goto(url_for("places:home"))
    page.get_by_role("button", name="Use my location").click()
    # The position is rounded to about 100 m before it leaves the phone.
    page.wait_for_url("**/en/beats/GUL/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Gulabad")


def test_location_outside_every_beat_says_so(new_page: Callable[..., Page], world: World) -> None:
    page = new_page(geolocation={"latitude": 31.5, "longitude": 74.3}, permissions=["geolocation"])
    page.goto(url_for("places:home", lang="ur"))
    page.locator("#locate button").click()
    page.wait_for_url("**/ur/find/?lat=31.500&lon=74.300")
    assert_direction(page, "ur", "rtl")
    expect(page.locator("a.button")).to_have_attribute("href", url_for("places:home", lang="ur"))
    assert_fits_phone(page)
    screenshot(page, "find-not-found-ur")
