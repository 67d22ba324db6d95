"""Survey results on a 360x740 phone: a station head reads the station's and a beat's results by group
and by beat, in English and in Urdu, and residents read the beat's public results in English, Urdu and
Pashto, without JavaScript.

Screenshots land in tests/artifacts/screenshots/feedback-results-*.png.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from rabta.feedback.models import Campaign
from tests.browser.helpers import screenshot
from tests.browser.test_engagement_meeting import fits_phone, logged_in_page
from tests.conftest import World
from tests.paths import url_for
from tests.test_feedback_results import answers, public_results_world

pytestmark = pytest.mark.browser


def test_station_results_and_public_page_fit_a_phone(
    new_page: Callable[..., Page], live_server: Any, world: World
) -> None:
    public_results_world(world)
    camp = Campaign.objects.get(name="Round 1")
    answers(world.beat_b, camp, 8, trust_respect=9, trust_listen=9)
    answers(world.beat_a, camp, 6, trust_respect=4, trust_listen=5, gender="man", age_band="60")
    page = logged_in_page(new_page, live_server, world.station_head)
    page.goto(url_for("feedback:station_results", world.station_a.code))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Timergara")
    expect(page.get_by_role("heading", name="By beat").first).to_be_visible()
    fits_phone(page)
    screenshot(page, "feedback-results-1-station-en")

    page.goto(url_for("feedback:station_results", world.station_a.code, lang="ur"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    fits_phone(page)
    screenshot(page, "feedback-results-2-station-ur")

    page.goto(url_for("feedback:beat_results", world.beat_a.code, lang="ur"))
    # "60+" is isolated left to right: on an Urdu page it would otherwise read "+60".
    sixty = page.locator("th bdi[dir=ltr]", has_text="60+").first
    expect(sixty).to_have_text("60+")
    fits_phone(page)
    screenshot(page, "feedback-results-3-beat-ur")

    resident = new_page(java_script_enabled=False)
    for number, lang in ((4, "en"), (5, "ur"), (6, "ps")):
        resident.goto(url_for("feedback:public_results", world.beat_a.code, lang=lang))
        assert resident.locator("table").count() >= 4
        fits_phone(resident)
        screenshot(resident, f"feedback-results-{number}-public-{lang}")
