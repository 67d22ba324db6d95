"""A resident signs up for beat news on a 360 px phone without JavaScript; it waits for the phone's YES.

Screenshots land in tests/artifacts/screenshots/subscribe-*.png.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from rabta.messaging.models import OutboundMessage, Phone, Subscription
from tests.browser.helpers import clipped_text, horizontal_overflow, screenshot
from tests.conftest import World
from tests.sms_fixtures import console_channel

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["en", "ur"])
def test_sign_up_asks_the_phone_first(new_page: Callable[..., Page], world: World, lang: str) -> None:
    console_channel()
    page = new_page(java_script_enabled=False)
    page.goto(f"/{lang}/beats/GUL/")
    page.locator("#sub-phone").fill("0300 1112223")
    page.locator("form[action$='/subscribe/'] button[type=submit]").click()
    page.wait_for_url(f"**/{lang}/beats/GUL/subscribe/")
    if lang == "en":
        expect(page.locator("main")).to_contain_text("If this number can receive SMS, it will get a message")
    expect(page.locator("main")).not_to_contain_text("1112223")
    assert horizontal_overflow(page) == 0 and clipped_text(page) == []
    screenshot(page, f"subscribe-result-{lang}")
    phone = Phone.objects.for_number("+923001112223").get()
    row = Subscription.objects.get(phone=phone)
    assert row.pending and not row.active
    assert OutboundMessage.objects.filter(phone=phone).count() == 1
