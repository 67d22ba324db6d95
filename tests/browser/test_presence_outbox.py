"""An officer logs a patrol on a 360 px phone with the network off; it is sent when the network returns,
once. Without JavaScript the same form posts as usual. Screenshots: var/screens/contactlog/."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from rabta.presence.models import Contact, ContactChannel, ContactKind
from tests.browser.test_engagement_meeting import fits_phone, logged_in_page
from tests.conftest import World
from tests.paths import url_for

pytestmark = pytest.mark.browser

SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens" / "contactlog"


def shot(page: Page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


def wait_for(condition: Callable[[], bool], seconds: float = 30) -> None:
    # A ceiling, not a pace: on a loaded 2-core CI machine the outbox retry can take a while.
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_a_contact_logged_offline_is_sent_once_when_the_network_returns(
    new_page: Callable[..., Page], live_server: Any, world: World
) -> None:
    page = logged_in_page(new_page, live_server, world.beat_officer)
    page.goto(live_server.url + url_for("presence:contact_log"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a contact")
    expect(page.get_by_label("Gulabad")).to_be_checked()
    fits_phone(page)
    shot(page, "log-1-form-en")

    page.context.set_offline(True)
    page.get_by_text("Door-to-door visit").click()
    page.get_by_role("button", name="Save contact").click()
    outbox = page.locator("#outbox")
    expect(outbox).to_be_visible()
    expect(outbox).to_contain_text("Waiting to be sent from this phone: 1")
    expect(outbox).to_contain_text("No connection")
    assert not Contact.objects.exists()
    stored = page.evaluate("JSON.parse(localStorage.getItem('rabta.contactOutbox'))")
    assert len(stored) == 1
    # The form is ready for the next entry, with a new client id.
    assert page.locator("[name=client_id]").input_value() != dict(stored[0]["fields"])["client_id"]
    fits_phone(page)
    shot(page, "log-2-offline-en")

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_for(lambda: Contact.objects.exists())
    expect(page.locator(".messages")).to_contain_text("Contact saved")
    expect(page.locator("#outbox")).to_be_hidden()
    assert page.evaluate("JSON.parse(localStorage.getItem('rabta.contactOutbox'))") == []
    contact = Contact.objects.get()
    assert contact.kind == ContactKind.DOOR_TO_DOOR and contact.channel == ContactChannel.OUTBOX
    assert str(contact.client_id) == dict(stored[0]["fields"])["client_id"]
    shot(page, "log-3-sent-en")

    # The outbox sending the same entry again (its answer lost on the way) makes no second contact.
    page.evaluate("(item) => localStorage.setItem('rabta.contactOutbox', JSON.stringify([item]))", stored[0])
    page.reload()  # sent on load, then the page shows the list again
    expect(page.locator(".messages")).to_contain_text("already saved")
    assert page.evaluate("JSON.parse(localStorage.getItem('rabta.contactOutbox'))") == []
    assert Contact.objects.count() == 1


def test_the_form_in_urdu_mirrors_and_fits(
    new_page: Callable[..., Page], live_server: Any, world: World
) -> None:
    page = logged_in_page(new_page, live_server, world.beat_officer)
    page.goto(live_server.url + url_for("presence:contact_log", lang="ur"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.locator("details summary").first.click()
    fits_phone(page)
    shot(page, "log-4-form-ur")
    page.goto(live_server.url + url_for("presence:contact_log", lang="ps"))
    fits_phone(page)
    shot(page, "log-5-form-ps")


def test_without_javascript_the_form_posts(
    new_page: Callable[..., Page], live_server: Any, world: World
) -> None:
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from tests import factories

    device = factories.totp_device(world.station_head)
    client = Client()
    client.force_login(world.station_head)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    page = new_page(java_script_enabled=False)
    page.context.add_cookies([{"name": "sessionid", "value": session.session_key, "url": live_server.url}])  # type: ignore[list-item]
    page.goto(live_server.url + url_for("presence:contact_log"))
    expect(page.locator("#outbox")).to_be_hidden()
    page.get_by_text("Check-in with a committee or elder").click()
    page.get_by_label("Shagai").check()
    page.get_by_role("button", name="Save contact").click()
    expect(page.locator(".messages")).to_contain_text("Contact saved")
    contact = Contact.objects.get()
    assert contact.channel == ContactChannel.WEB and [b.code for b in contact.beats.all()] == ["SHG"]
    expect(page.locator(".cards")).to_contain_text("Check-in with a committee or elder")
    fits_phone(page)
    shot(page, "log-6-saved-nojs-en")
