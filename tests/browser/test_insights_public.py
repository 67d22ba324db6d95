"""A beat's transparency page on a 360x740 phone without JavaScript, in Urdu (right to left) and in
English, and its district's page in Pashto: nothing wider than the screen, nothing cut off, small numbers
shown as hidden.

Screenshots land in tests/artifacts/screenshots/insights-public-*.png.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import translation
from playwright.sync_api import Page, expect

from rabta.insights import labels
from tests.browser.helpers import screenshot
from tests.browser.test_engagement_meeting import fits_phone
from tests.conftest import World
from tests.paths import url_for
from tests.test_insights_public import recent_transparency_world

pytestmark = pytest.mark.browser


def test_beat_transparency_page_fits_a_phone_in_urdu(
    new_page: Callable[..., Page], live_server: Any, world: World
) -> None:
    cache.clear()
    recent_transparency_world(world)
    page = new_page(java_script_enabled=False, locale="ur-PK")
    page.goto(url_for("insights:public", "beat", world.beat_a.code, lang="ur"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    with translation.override("ur"):
        fewer = str(labels.FEWER_THAN_5)
    expect(page.locator("table.figures td", has_text=fewer).first).to_be_visible()
    # The chart's newest month sits on the left in a right-to-left page, and the table keeps to the screen.
    assert page.locator(".chart svg[direction=rtl]").count() == 2
    fits_phone(page)
    screenshot(page, "insights-public-1-beat-ur")

    english = new_page(java_script_enabled=False)
    english.goto(url_for("insights:public", "beat", world.beat_a.code))
    expect(english.locator("html")).to_have_attribute("dir", "ltr")
    expect(english.get_by_role("cell", name="fewer than 5").first).to_be_visible()
    fits_phone(english)
    screenshot(english, "insights-public-2-beat-en")

    english.goto(url_for("insights:public", "district", world.district.code, lang="ps"))
    expect(english.locator("html")).to_have_attribute("dir", "rtl")
    fits_phone(english)
    screenshot(english, "insights-public-3-district-ps")
    cache.clear()
