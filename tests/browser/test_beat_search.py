"""A resident on a 360 px phone finds their neighbourhood however they spell it, in Pashto, Urdu and English.

The search is a plain form, so JavaScript is off here. Screenshots land in var/screens/search/
(and tests/artifacts/screenshots/search-*.png).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.helpers import PHONE, clipped_text, horizontal_overflow, screenshot
from tests.conftest import World
from tests.paths import url_for

pytestmark = pytest.mark.browser

SCREENS = Path(__file__).resolve().parent.parent.parent / "var" / "screens" / "search"


def _shot(page: Page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    shutil.copy(screenshot(page, f"search-{name}"), SCREENS / f"{name}.png")


def _fits_phone(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert horizontal_overflow(page) == 0
    assert clipped_text(page) == []


def _search(page: Page, lang: str, text: str) -> None:
    page.goto(url_for("places:home", lang=lang))
    page.locator("#q").fill(text)
    page.locator("form.search button[type=submit]").click()
    page.wait_for_url(f"**/{lang}/?q=*")


def test_search_forgives_spelling_in_pashto_urdu_and_english(
    new_page: Callable[..., Page], world: World
) -> None:
    gul = world.beat_a
    gul.name_ur, gul.name_ps = "گل آباد", "ګل اباد"
    gul.areas_ur, gul.areas_ps = "گل آباد چوک، باغ محلہ", "ګل اباد چوک، باغ محله"
    gul.save(update_fields=["name_ur", "name_ps", "areas_ur", "areas_ps"])
    factories.beat(
        gul.station,
        code="TMB",
        name="Timergara Bazaar",
        name_ur="تیمرگرہ بازار",
        name_ps="تیمرګره بازار",
        lon=71.83,
        lat=34.80,
    )
    page = new_page(java_script_enabled=False)
    results = page.locator("section[aria-labelledby=results-h]")

    # Pashto page, Urdu gaf and no madda: the Pashto spelling of the name is found.
    _search(page, "ps", "گل اباد")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(results.get_by_role("link")).to_have_text(["ګل اباد"])
    expect(page.locator("#q")).to_have_value("گل اباد")
    _fits_phone(page)
    _shot(page, "ps-gul-abad-urdu-gaf")

    results.get_by_role("link", name="ګل اباد").click()
    page.wait_for_url("**/ps/beats/GUL/")
    expect(page.get_by_text("ګل اباد چوک، باغ محله")).to_be_visible()  # the areas in Pashto script
    _shot(page, "ps-gul-beat-page")

    # Urdu page, written without the space.
    _search(page, "ur", "گلاباد")
    expect(results.get_by_role("link")).to_have_text(["گل آباد"])
    _fits_phone(page)
    _shot(page, "ur-gulabad-no-space")

    # An Urdu area name.
    _search(page, "ur", "باغ محلہ")
    expect(results.get_by_role("link")).to_have_text(["گل آباد"])

    # English, a misspelt bazaar: the nearest spelling, and the page says it is not exact.
    _search(page, "en", "Timergara bazar")
    expect(results).to_contain_text("No place has exactly that spelling")
    expect(results.get_by_role("link")).to_have_text(["Timergara Bazaar"])
    _fits_phone(page)
    _shot(page, "en-timergara-bazar-similar")

    # The same in Pashto script on the Pashto page.
    _search(page, "ps", "تیمرګره بزار")
    expect(results.get_by_role("link")).to_have_text(["تیمرګره بازار"])
    _fits_phone(page)
    _shot(page, "ps-timergara-bazar-similar")

    # A word that names no place finds nothing.
    _search(page, "ur", "بجلی خراب")
    expect(results.get_by_role("link")).to_have_count(0)
    _shot(page, "ur-nothing")
