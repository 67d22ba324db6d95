"""A resident reports and tracks (English, then Pashto) on a 360x740 phone; an officer acknowledges it.

The officer's browser gets a verified staff session (password and TOTP already passed) as a cookie, like
tests.conftest.verified_client. Screenshots: tests/artifacts/screenshots/report-flow-*.png.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from rabta.reports.models import Category, Report
from tests.browser.helpers import horizontal_overflow, screenshot
from tests.conftest import World, verified_client

pytestmark = pytest.mark.browser


def report_and_track(page: Page, lang: str, description: str) -> tuple[str, str]:
    """Fill the form without JavaScript help, send it, read the code, open the tracking page."""
    lighting = Category.objects.get(code="street_lighting")
    page.goto(f"/{lang}/report/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang in ("ur", "ps") else "ltr")
    page.locator(f"input[name=category][value='{lighting.pk}']").check()
    page.locator("select[name=beat]").select_option("GUL")
    page.locator("textarea[name=description]").fill(description)
    assert horizontal_overflow(page) == 0
    screenshot(page, f"report-flow-1-form-{lang}")
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_load_state()
    code = page.locator(".code bdi").inner_text().strip()
    assert len(code.replace("-", "")) == 10
    link = page.locator("main a[dir=ltr]").first.get_attribute("href") or ""
    assert f"/{lang}/track/" in link
    assert horizontal_overflow(page) == 0
    screenshot(page, f"report-flow-2-done-{lang}")
    page.goto(urlsplit(link).path)
    expect(page.locator(".status")).to_have_count(1)
    assert horizontal_overflow(page) == 0
    screenshot(page, f"report-flow-3-track-{lang}")
    return code, urlsplit(link).path


def test_resident_reports_and_tracks_then_officer_acknowledges(
    new_page: Callable[..., Page], world: World, live_server: Any
) -> None:
    resident = new_page(java_script_enabled=False)
    code_en, track_en = report_and_track(resident, "en", "The street lights by Gulabad Chowk are dark.")
    expect(resident.locator(".status")).to_have_text("New")

    pashto = new_page(java_script_enabled=False, locale="ps-AF")
    code_ps, track_ps = report_and_track(pashto, "ps", "د ګل اباد چوک څراغونه بند دي.")
    assert code_ps != code_en
    assert Report.objects.filter(beat=world.beat_a, category__code="street_lighting").count() == 2

    # The beat officer, on a phone, with a verified session.
    session = verified_client(world.beat_officer).cookies["sessionid"].value
    officer = new_page()
    officer.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    officer.goto("/en/staff/reports/")
    expect(officer.get_by_role("heading", level=1)).to_have_text("My queue")
    cards = officer.locator("ul.queue > li")
    expect(cards).to_have_count(2)
    assert horizontal_overflow(officer) == 0
    screenshot(officer, "report-flow-4-queue-en")

    english = Report.objects.get(description__startswith="The street lights")
    officer.locator(f"a[href='/en/staff/reports/{english.public_id}/']").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Poor street lighting")
    # Both reports name only the neighbourhood (no map point), so no duplicate can be measured and offered.
    expect(officer.get_by_text("No open report of the same kind within 300 m and 14 days.")).to_be_visible()
    assert horizontal_overflow(officer) == 0
    screenshot(officer, "report-flow-5-detail-en")
    officer.get_by_label("Acknowledge: a word for the resident (optional)").fill(
        "We have told PESCO; patrol tonight."
    )
    officer.get_by_role("button", name="Acknowledge", exact=True).click()
    expect(officer.locator(".messages")).to_contain_text("Acknowledged")
    expect(officer.locator("p > .chip").first).to_have_text("Acknowledged")
    assert horizontal_overflow(officer) == 0
    screenshot(officer, "report-flow-6-acknowledged-en")
    english.refresh_from_db()
    assert english.status == "acknowledged" and english.acknowledged_at is not None

    # The resident sees it, with the officer's public words, and nothing about the officer's session.
    resident.goto(track_en)
    expect(resident.locator(".status")).to_have_text("Acknowledged")
    expect(resident.locator(".timeline")).to_contain_text("We have told PESCO; patrol tonight.")
    screenshot(resident, "report-flow-7-track-acknowledged-en")
    pashto.goto(track_ps)
    expect(pashto.locator("html")).to_have_attribute("dir", "rtl")
    expect(pashto.locator(".status")).not_to_have_text("Acknowledged")
