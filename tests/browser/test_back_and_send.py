"""Back and Send makes one report, with and without JavaScript; a language switch on the
confirmation keeps the code (issue #12, point 4). Screenshots: var/screens/tracking/."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from rabta.reports.models import Category, Report
from tests.browser.helpers import horizontal_overflow
from tests.conftest import World
from tests.paths import url_for

pytestmark = pytest.mark.browser

SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens" / "tracking"


def shot(page: Page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


def _fill_and_send(page: Page, lang: str, description: str) -> str:
    lighting = Category.objects.get(code="street_lighting")
    page.goto(url_for("reports:new", lang=lang))
    page.locator(f"input[name=category][value='{lighting.pk}']").check()
    page.locator("select[name=beat]").select_option("GUL")
    page.locator("textarea[name=description]").fill(description)
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_load_state()
    code = page.locator(".code bdi").inner_text().strip()
    assert re.fullmatch(r"\d{3}-\d{3}-\d{4}", code)
    return code


@pytest.mark.parametrize(("javascript", "lang"), [(False, "ur"), (True, "ps"), (False, "en")])
def test_back_and_send_makes_one_report(
    new_page: Callable[..., Page], world: World, javascript: bool, lang: str
) -> None:
    page = new_page(java_script_enabled=javascript)
    description = "گل اباد چوک کی بتیاں دو ہفتوں سے بند ہیں۔"
    code = _fill_and_send(page, lang, description)
    shot(page, f"back-1-done-{lang}-js{int(javascript)}")

    page.go_back()
    page.wait_for_load_state()
    expect(page.locator("[role=status]").first).to_be_visible()
    shot(page, f"back-2-form-again-{lang}-js{int(javascript)}")
    # Whatever the browser restored, the words are the sender's: send them again.
    page.locator("textarea[name=description]").fill(description)
    lighting = Category.objects.get(code="street_lighting")
    page.locator(f"input[name=category][value='{lighting.pk}']").check()
    page.locator("select[name=beat]").select_option("GUL")
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".code bdi")).to_have_text(code)
    assert Report.objects.count() == 1
    assert horizontal_overflow(page) == 0
    shot(page, f"back-3-same-report-{lang}-js{int(javascript)}")


def test_language_switch_on_the_confirmation_keeps_the_code(
    new_page: Callable[..., Page], world: World
) -> None:
    page = new_page(java_script_enabled=False)
    code = _fill_and_send(page, "en", "The street lights by Gulabad Chowk are dark.")
    page.locator("nav.langs a[lang=ps]").click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator(".code bdi")).to_have_text(code)
    assert "?" not in page.url and code.replace("-", "") not in page.url
    shot(page, "lang-switch-done-ps")
    page.locator("nav.langs a[lang=ur]").click()
    page.wait_for_load_state()
    expect(page.locator(".code bdi")).to_have_text(code)
    assert horizontal_overflow(page) == 0
    shot(page, "lang-switch-done-ur")
    assert Report.objects.count() == 1
