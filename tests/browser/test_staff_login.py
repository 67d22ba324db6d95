"""A station head's first login on a phone: password, pairing an authenticator app, then the staff page.

Screenshots land in tests/artifacts/screenshots/staff-*.png.
"""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.browser.helpers import PHONE, screenshot
from tests.conftest import World
from tests.paths import url_for
from tests.test_auth import PASSWORD, current_code

pytestmark = pytest.mark.browser


def test_first_staff_login_pairs_an_app(page: Page, world: World) -> None:
    page.goto(url_for("people:login"))
    page.get_by_label("Username").fill("sho_a")
    page.get_by_label("Password").fill(PASSWORD)
    screenshot(page, "staff-1-login-en")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/en/staff/two-factor/")
    qr = page.locator(".qr svg")
    expect(qr).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "staff-2-pair-en")

    device = TOTPDevice.objects.get(user=world.station_head, confirmed=False)
    page.get_by_label("Six-digit code").fill(current_code(device))
    page.get_by_role("button", name="Confirm").click()
    # Pairing leads straight to backup codes: made once, shown once, on the page that made them.
    page.wait_for_url("**/en/staff/security/?enrolled=1")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sign-in security")
    page.get_by_role("button", name="Make backup codes").click()
    expect(page.locator(".codes li")).to_have_count(10)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "staff-3-backup-codes-en")
    page.get_by_role("link", name="Back to your work").click()
    page.wait_for_url("**/en/staff/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    screenshot(page, "staff-4-home-en")


def test_pairing_page_mirrors_in_urdu(page: Page, world: World) -> None:
    page.goto(url_for("people:login", lang="ur"))
    page.locator("#id_username").fill("sho_a")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_url("**/ur/staff/two-factor/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator(".qr svg")).to_be_visible()
    screenshot(page, "staff-4-pair-ur")
