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
from tests.paths import url_for

pytestmark = pytest.mark.browser


def report_and_track(page: Page, lang: str, description: str) -> tuple[str, str]:
    """Fill the form without JavaScript help, send it, read the code, open the tracking page."""
    lighting = Category.objects.get(code="street_lighting")
    page.goto(url_for("reports:new", lang=lang))
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
    assert url_for("reports:track_lookup", lang=lang) in link
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
    officer.goto(url_for("reports:staff_queue"))
    expect(officer.get_by_role("heading", level=1)).to_have_text("My queue")
    cards = officer.locator("ul.queue > li")
    expect(cards).to_have_count(2)
    assert horizontal_overflow(officer) == 0
    screenshot(officer, "report-flow-4-queue-en")

    english = Report.objects.get(description__startswith="The street lights")
    officer.locator(f"a[href='{url_for('reports:staff_detail', english.public_id)}']").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Poor street lighting")
    # Both reports name only the neighbourhood (no map point): the Pashto one is offered as a possible
    # duplicate from the same beat, labelled as such, with no distance.
    duplicates = officer.locator("fieldset", has_text="Open reports of the same kind")
    expect(duplicates).to_contain_text("same neighbourhood, no map point")
    expect(duplicates.locator("input[name=of]")).to_have_count(1)
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


def test_urdu_form_says_who_reads_and_offers_neutral_wording(
    new_page: Callable[..., Page], world: World, live_server: Any
) -> None:
    """The Urdu form, without JavaScript: the "who will read it" line under the woman-only box and the
    neutral-wording box; a women-only report's confirmation says only the women's desk reads it."""
    harassment = Category.objects.get(code="street_harassment")
    page = new_page(java_script_enabled=False, locale="ur-PK")
    page.goto(url_for("reports:new", lang="ur"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    woman_only = page.locator("input[name=woman_officer_only]")
    neutral = page.locator("input[name=neutral_wording]")
    expect(woman_only).to_be_visible()
    expect(neutral).to_be_visible()
    who = page.locator("#id_woman_officer_only-help")
    expect(who).to_be_visible()
    assert woman_only.get_attribute("aria-describedby") == "id_woman_officer_only-help"
    page.locator(f"input[name=category][value='{harassment.pk}']").check()
    page.locator("select[name=beat]").select_option("GUL")
    page.locator("textarea[name=description]").fill("بس اسٹینڈ کے پاس ہر شام لڑکیوں کا پیچھا کیا جاتا ہے۔")
    woman_only.check()
    neutral.check()
    page.locator("input[name=email]").fill("shared@example.org")
    who.scroll_into_view_if_needed()
    assert horizontal_overflow(page) == 0
    screenshot(page, "report-flow-8-form-who-reads-ur")
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".who-reads")).to_be_visible()
    assert horizontal_overflow(page) == 0
    screenshot(page, "report-flow-9-done-who-reads-ur")
    report = Report.objects.get(category=harassment)
    assert report.woman_officer_only and report.neutral_wording and report.language == "ur"
