"""A district coordinator opens the indicators on a 360x740 phone, in English and in Urdu: the health
index, the beats needing attention, a trend chart and the map, without JavaScript; then walks down to
a station and a beat.

Screenshots land in tests/artifacts/screenshots/insights-dashboard-*.png.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from rabta.insights import rollup
from rabta.reports.lifecycle import Status
from rabta.reports.models import Report
from tests import factories
from tests.browser.helpers import screenshot
from tests.browser.test_engagement_meeting import fits_phone, logged_in_page
from tests.conftest import World
from tests.paths import url_for

pytestmark = pytest.mark.browser


def last_month_report(beat: Any, day: int, *, late: bool) -> None:
    first = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    created = dt.datetime.combine(first.replace(day=day), dt.time(10), tzinfo=timezone.get_current_timezone())
    r = factories.report(beat_obj=beat).report
    Report.objects.filter(pk=r.pk).update(
        created_at=created,
        first_contact_due=created + dt.timedelta(hours=24),
        resolution_due=created + dt.timedelta(hours=72),
        acknowledged_at=created + dt.timedelta(hours=30 if late else 2),
        resolved_at=created + dt.timedelta(hours=40),
        status=Status.RESOLVED,
        lat=beat.centroid_lat,
        lon=beat.centroid_lon,
    )


def test_district_dashboard_on_a_phone_in_english_and_urdu(
    new_page: Callable[..., Page], live_server: Any, world: World
) -> None:
    for day in range(1, 8):
        last_month_report(world.beat_a, day, late=False)
        last_month_report(world.beat_c, day, late=True)
    rollup.refresh(full=True)
    page = logged_in_page(new_page, live_server, world.district_coordinator)

    page.goto(url_for("insights:home"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Lower Dir Test")
    expect(page.get_by_role("heading", name="Health index")).to_be_visible()
    expect(page.get_by_role("heading", name="Needs attention first")).to_be_visible()
    expect(page.locator(".chart svg").first).to_be_visible()
    screenshot(page, "insights-dashboard-1-district-en")
    fits_phone(page)

    page.get_by_role("link", name="Balambat").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Balambat")
    expect(page.locator(".imap svg").first).to_be_visible()
    screenshot(page, "insights-dashboard-2-station-en")
    fits_phone(page)

    page.goto(url_for("insights:dashboard", "district", world.district.pk, lang="ur"))
    assert page.locator("html").get_attribute("dir") == "rtl"
    expect(page.get_by_role("heading", level=1)).to_have_text("لوئر دیر")
    screenshot(page, "insights-dashboard-3-district-ur")
    fits_phone(page)
