"""An officer records a meeting with attendance on a 360x740 phone; residents read the outcome in Urdu.

Screenshots land in tests/artifacts/screenshots/engagement-*.png.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from playwright.sync_api import Page, expect

from rabta.engagement import services
from rabta.engagement.models import ActionItem, Attendance, MeetingKind
from tests import factories
from tests.browser.helpers import PHONE, clipped_text, horizontal_overflow, screenshot
from tests.conftest import World
from tests.paths import url_for
from tests.test_engagement_support import agency

pytestmark = pytest.mark.browser


def logged_in_page(new_page: Callable[..., Page], live_server: Any, user: Any) -> Page:
    """A phone page whose session is a logged-in officer with a verified second factor."""
    device = factories.totp_device(user)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    page = new_page()
    page.context.add_cookies(
        [{"name": "sessionid", "value": session.session_key, "url": live_server.url}]  # type: ignore[list-item]
    )
    return page


def fits_phone(page: Page) -> None:
    assert horizontal_overflow(page) == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert clipped_text(page) == []


def test_officer_records_meeting_and_residents_read_outcome_in_urdu(
    new_page: Callable[..., Page], live_server: Any, world: World
) -> None:
    tma = agency()
    start = timezone.now() - dt.timedelta(hours=2)
    meeting = services.create_meeting(
        by=world.beat_officer,
        kind=MeetingKind.OPEN_TALK,
        title="Street lighting and safety at night",
        beats=[world.beat_a],
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=90),
        venue="Gulabad Chowk",
        facilitators=[world.beat_officer],
    )
    page = logged_in_page(new_page, live_server, world.beat_officer)

    page.goto(url_for("engagement:meetings"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Meetings")
    page.get_by_role("link", name="Record it").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record attendance")
    fits_phone(page)
    page.get_by_label("Women 15-29", exact=True).fill("2")
    page.get_by_label("Women 30-44", exact=True).fill("1")
    page.get_by_label("Men 15-29", exact=True).fill("3")
    page.get_by_label("Men 45-59", exact=True).fill("9")
    page.get_by_label("Men 60+", exact=True).fill("11")
    page.get_by_label("Minutes").fill("Residents asked for streetlights on the Bagh Mohalla lane.")
    screenshot(page, "engagement-1-record-en")
    page.get_by_role("button", name="Save the record").click()

    expect(page.get_by_role("heading", name="Who came")).to_be_visible()
    women = page.locator("[data-group=women]")
    expect(women).to_contain_text("representation ratio 0.24")  # (3 * 6220) / (26 * 3000) = 0.239
    expect(women).to_contain_text("less than half their share")
    expect(women.get_by_role("link", name="Plan a women's session")).to_be_visible()
    fits_phone(page)
    screenshot(page, "engagement-2-recorded-en")
    attendance = Attendance.objects.get(meeting=meeting)
    assert (attendance.total, attendance.women_15_29, attendance.men_60) == (26, 2, 11)
    assert list(attendance.officers_present.all()) == [
        world.beat_officer
    ]  # preselected: the officer recording

    page.get_by_role("link", name="Record a priority").click()
    page.locator("#id_issue").fill("Streetlights on the Bagh Mohalla lane are dark; women avoid it at night.")
    page.get_by_label("Raised by").select_option("women")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Add an action").click()
    page.get_by_label("Action:", exact=True).fill("TMA to install streetlights on the Bagh Mohalla lane")
    page.get_by_label("or a partner agency").select_option(str(tma.pk))
    page.get_by_label("Due").fill((timezone.localdate() + dt.timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Save").click()
    expect(
        page.get_by_role("link", name="TMA to install streetlights on the Bagh Mohalla lane")
    ).to_be_visible()
    page.get_by_role("link", name="TMA to install streetlights on the Bagh Mohalla lane").click()
    page.get_by_label("Status").select_option("done")
    page.locator("#id_outcome").fill("۱۴ نئی اسٹریٹ لائٹس لگ گئیں۔ 14 new streetlights installed.")
    screenshot(page, "engagement-3-action-en")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".chip.done")).to_be_visible()
    assert ActionItem.objects.get().status == "done"

    # The officer's record form in Urdu, right to left, still fits the phone.
    page.goto(url_for("engagement:meeting_record", meeting.pk, lang="ur"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    fits_phone(page)
    screenshot(page, "engagement-4-record-ur")

    resident = new_page(locale="ur-PK", java_script_enabled=False)
    resident.goto(url_for("engagement:you_said_we_did", "GUL", lang="ur"))
    expect(resident.locator("html")).to_have_attribute("dir", "rtl")
    expect(resident.locator(".outcome")).to_contain_text("14 new streetlights installed")
    expect(resident.locator(".said")).to_contain_text("Bagh Mohalla")
    assert world.beat_officer.get_full_name() not in resident.content()
    fits_phone(resident)
    screenshot(resident, "engagement-5-you-said-we-did-ur")
    resident.goto(url_for("engagement:you_said_we_did", "GUL"))
    screenshot(resident, "engagement-6-you-said-we-did-en")
