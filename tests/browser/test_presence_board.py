"""A station head sets a beat's targets and sees the board on a 360x740 phone; a desk officer starts her
shift; a resident reads "last visit" and "open now" on the beat page in English, Urdu and Pashto.

Screenshots land in tests/artifacts/screenshots/presence-*.png (and var/screens/board/ for review).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from rabta.places.models import PoliceStation
from rabta.presence.models import BeatTarget, DeskShift
from tests import factories
from tests.browser.helpers import screenshot
from tests.browser.test_engagement_meeting import fits_phone, logged_in_page
from tests.conftest import World
from tests.paths import url_for

pytestmark = pytest.mark.browser

REVIEW = Path(__file__).resolve().parents[2] / "var" / "screens" / "board"


def shot(page: Page, name: str) -> None:
    path = screenshot(page, f"presence-{name}")
    REVIEW.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, REVIEW / path.name)


def days_ago(days: int, hour: int = 10) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def test_station_head_board_targets_and_desk(
    new_page: Callable[..., Page], live_server: Any, world: World
) -> None:
    # The desk is open whenever the test runs, so that starting a shift opens it (the scheduled
    # hours themselves are tested in test_presence_desk.py).
    PoliceStation.objects.filter(pk=world.station_a.pk).update(
        womens_desk_days="1234567", womens_desk_opens=dt.time(0, 0), womens_desk_closes=dt.time(23, 59, 59)
    )
    for d in (2, 5, 9, 16, 23, 30):
        factories.contact(world.beat_a, officer_obj=world.beat_officer, at=days_ago(d))
    factories.contact(world.beat_b, officer_obj=world.other_beat_officer, at=days_ago(12, 21))
    page = logged_in_page(new_page, live_server, world.station_head)

    page.goto(url_for("presence:board"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Presence board")
    fits_phone(page)
    shot(page, "1-board-en")
    page.get_by_role("link", name="Set targets").first.click()
    page.get_by_label("proactive contacts per week").fill("4")
    page.get_by_label("share after dark (%)").fill("10")
    page.get_by_label("most days between proactive visits").fill("5")
    fits_phone(page)
    shot(page, "2-targets-en")
    page.get_by_role("button", name="Save targets").click()
    expect(page.get_by_text("Targets saved")).to_be_visible()
    assert BeatTarget.objects.count() == 1

    page.goto(url_for("presence:desk"))
    page.get_by_role("button", name="Start").first.click()
    expect(page.get_by_text("Open now: an officer is on duty.")).to_be_visible()
    assert DeskShift.objects.filter(officer=world.womens_desk_officer, ended_at__isnull=True).exists()
    fits_phone(page)
    shot(page, "3-desk-en")

    page.goto(url_for("presence:board", lang="ur"))
    fits_phone(page)
    shot(page, "4-board-ur")


def test_resident_reads_presence_on_the_beat_page(new_page: Callable[..., Page], world: World) -> None:
    for d in (1, 3, 8, 10, 15, 22, 24, 40, 47):
        factories.contact(
            world.beat_a, officer_obj=world.beat_officer, at=days_ago(d), place="Near the mosque"
        )
    factories.contact(
        world.beat_a, officer_obj=world.beat_officer, at=timezone.now() - dt.timedelta(minutes=5)
    )
    page = new_page()
    page.goto(url_for("site:beat", "GUL"))
    expect(page.get_by_text("Last visit: 1 day ago.")).to_be_visible()
    assert page.locator("meter").count() == 8
    assert "mosque" not in page.content().lower()
    fits_phone(page)
    shot(page, "5-beat-en")
    for lang in ("ur", "ps"):
        page.goto(url_for("site:beat", "GUL", lang=lang))
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert page.locator("meter").count() == 8
        fits_phone(page)
        shot(page, f"6-beat-{lang}")
