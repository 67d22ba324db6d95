"""'Write to the women's desk' on a beat page opens the report form ready for the desk (no JavaScript,
360 px, English and Pashto). Screenshots: var/screens/beatpick/."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from rabta.core.demo import DemoContext
from rabta.places import demo as places_demo
from rabta.reports.models import Category, Sensitivity
from tests.browser.helpers import horizontal_overflow
from tests.paths import url_for

pytestmark = pytest.mark.browser

SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens" / "beatpick"


@pytest.mark.parametrize("lang", ["en", "ps"])
def test_write_to_the_womens_desk(new_page: Callable[..., Page], lang: str) -> None:
    page = new_page(java_script_enabled=False)
    places_demo.seed(DemoContext(stdout=io.StringIO()))
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.goto(url_for("site:beat", places_demo.DEMO_BEAT_CODE, lang=lang))
    desk_box = page.locator("section.box.women")
    expect(desk_box.locator("a[href^='tel:']")).to_be_visible()
    write = desk_box.locator("a.button.alt")
    expect(write).to_be_visible()
    assert horizontal_overflow(page) == 0
    desk_box.screenshot(path=str(SCREENS / f"desk-box-{lang}.png"))

    write.click()
    page.wait_for_load_state()
    desk = Category.objects.get(sensitivity=Sensitivity.WOMENS_DESK)
    expect(page.locator(f"input[name=category][value='{desk.pk}']")).to_be_checked()
    expect(page.locator("input[name=woman_officer_only]")).to_be_checked()
    expect(page.locator("select[name=beat]")).to_have_value(places_demo.DEMO_BEAT_CODE)
    assert horizontal_overflow(page) == 0
    page.screenshot(path=str(SCREENS / f"desk-form-{lang}.png"), full_page=True)
    page.locator("fieldset").first.screenshot(path=str(SCREENS / f"desk-form-{lang}-category.png"))
