"""Two-way tracking on a phone without JavaScript: add information, then say a resolved report is
not fixed (issue #12, point 5), in Urdu and Pashto. Screenshots: var/screens/tracking/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from rabta.reports.lifecycle import Status
from rabta.reports.models import Report, ReportUpdate
from tests import factories
from tests.browser.helpers import horizontal_overflow
from tests.conftest import World
from tests.paths import url_for

pytestmark = pytest.mark.browser

SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens" / "tracking"


def shot(page: Page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("lang", ["ur", "ps"])
def test_add_information_then_not_fixed(new_page: Callable[..., Page], world: World, lang: str) -> None:
    submission = factories.report(beat_obj=world.beat_a)
    report = submission.report
    officer = world.beat_officer
    officer.first_name = "Bilal"
    officer.save(update_fields=["first_name"])
    profile = officer.officer_profile
    profile.display_name_ur = "بلال خان"
    profile.display_name_ps = "بلال خان"
    profile.save(update_fields=["display_name_ur", "display_name_ps"])
    report.assign(to=officer, by=world.station_head)
    report.acknowledge(by=officer, note="We will look at it tomorrow.")

    page = new_page(java_script_enabled=False)
    page.goto(url_for("reports:track", submission.token, lang=lang))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("dd bdi", has_text="بلال")).to_be_visible()
    shot(page, f"two-way-1-track-{lang}")

    words = (
        "شام سات بجے کے بعد گلی میں مکمل اندھیرا ہوتا ہے۔"
        if lang == "ur"
        else "د ماښام اوو بجو وروسته کوڅه تیاره وي."
    )
    page.locator("textarea[name=text]").fill(words)
    page.locator("section[aria-labelledby=add-h] button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("p.box[role=status]")).to_be_visible()
    assert ReportUpdate.objects.filter(report=report, from_resident=True, note=words).exists()
    assert horizontal_overflow(page) == 0
    shot(page, f"two-way-2-added-{lang}")

    report.refresh_from_db()
    report.resolve(by=officer, note="The light was repaired.")
    page.goto(url_for("reports:track", submission.token, lang=lang))
    expect(page.locator("#not-fixed-h")).to_be_visible()
    reason = "بتی پھر بند ہو گئی۔" if lang == "ur" else "څراغ بیا بند شو."
    page.locator("textarea[name=reason]").fill(reason)
    shot(page, f"two-way-3-resolved-{lang}")
    page.locator("section[aria-labelledby=not-fixed-h] button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("p.box[role=status]")).to_be_visible()
    report.refresh_from_db()
    assert report.status == Status.IN_PROGRESS
    assert horizontal_overflow(page) == 0
    shot(page, f"two-way-4-reopened-{lang}")
    assert Report.objects.count() == 1
