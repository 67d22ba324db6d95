"""Logging in: password for everyone, plus TOTP for staff; enrolment; rate limits; redirects."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from rabta.core.models import RateCounter
from rabta.people.models import Role, User
from tests import factories
from tests.conftest import World, verified_client
from tests.paths import url_for

PASSWORD = "correct horse battery"  # what tests.factories.user sets
LOGIN = url_for("people:login")


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def wrong_code(device: TOTPDevice) -> str:
    """A code that is valid at no step within the device's tolerance right now."""
    now = int(time.time())
    valid = {
        totp(device.bin_key, device.step, device.t0, device.digits, device.drift + offset)
        for offset in range(-device.tolerance - 1, device.tolerance + 2)
    }
    code = now % 1_000_000
    while code in valid:
        code = (code + 1) % 1_000_000
    del now
    return f"{code:06d}"


def post_login(client: Client, username: str, password: str = PASSWORD, code: str = "", **extra: Any) -> Any:
    data = {"username": username, "password": password, "otp_token": code, **extra.pop("data", {})}
    return client.post(LOGIN + extra.pop("query", ""), data, **extra)


def logged_in_as(client: Client) -> int | None:
    value = client.session.get(SESSION_KEY)
    return int(value) if value is not None else None


def otp_verified(client: Client) -> bool:
    return bool(client.session.get(DEVICE_ID_SESSION_KEY))


# --- staff with a device -------------------------------------------------------------------------


def test_wrong_password_is_refused(world: World, client: Client) -> None:
    device = factories.totp_device(world.beat_officer)
    response = post_login(client, "officer_a", password="not the password", code=current_code(device))
    assert response.status_code == 200
    assert "That username and password do not match." in response.content.decode()
    assert logged_in_as(client) is None


def test_right_password_wrong_code_is_refused(world: World, client: Client) -> None:
    device = factories.totp_device(world.beat_officer)
    response = post_login(client, "officer_a", code=wrong_code(device))
    assert response.status_code == 200
    assert "Enter the current code from your authenticator app." in response.content.decode()
    assert logged_in_as(client) is None
    # No code at all is refused the same way, and nothing is logged in half-way.
    response = post_login(client, "officer_a")
    assert "Enter the current code" in response.content.decode()
    assert logged_in_as(client) is None


def test_right_password_and_code_log_staff_in_verified(world: World, client: Client) -> None:
    device = factories.totp_device(world.beat_officer)
    response = post_login(client, "officer_a", code=current_code(device))
    assert response.status_code == 302
    assert response["Location"] == url_for("site:staff_home")
    assert logged_in_as(client) == world.beat_officer.pk
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    page = client.get(url_for("site:staff_home"))
    assert page.status_code == 200
    assert "Gulabad" in page.content.decode()  # the officer's beat is listed


def test_a_used_code_cannot_be_replayed(world: World) -> None:
    device = factories.totp_device(world.beat_officer)
    code = current_code(device)
    assert post_login(Client(), "officer_a", code=code).status_code == 302
    second = Client()
    response = post_login(second, "officer_a", code=code)
    assert response.status_code == 200
    assert logged_in_as(second) is None


# --- first login: enrolment ----------------------------------------------------------------------


def test_staff_without_device_enrols_then_confirms(world: World, client: Client, settings: Any) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the wrong-then-right sequence runs within one second
    response = post_login(client, "sho_a")
    assert response.status_code == 302
    assert response["Location"] == url_for("people:two_factor_setup")
    assert not otp_verified(client)
    # Logged in with a password only: no staff page yet, and the admin refuses too.
    assert client.get(url_for("site:staff_home"))["Location"] == url_for("people:two_factor_setup")
    assert client.get(url_for("admin:index")).status_code == 302
    assert client.get(url_for("admin:places_beat_changelist")).status_code == 302

    page = client.get(url_for("people:two_factor_setup"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in body and "<?xml" not in body  # inline QR, no image request
    device = TOTPDevice.objects.get(user=world.station_head)
    assert not device.confirmed
    secret = page.context["secret"]
    assert secret in body and len(secret) >= 32
    # The same pending device is shown again on reload (the app scanned it already).
    client.get(url_for("people:two_factor_setup"))
    assert TOTPDevice.objects.filter(user=world.station_head).count() == 1

    response = client.post(url_for("people:two_factor_setup"), {"otp_token": wrong_code(device)})
    assert response.status_code == 200
    assert "That code did not match." in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed and not otp_verified(client)

    response = client.post(url_for("people:two_factor_setup"), {"otp_token": current_code(device)})
    assert response.status_code == 302
    assert response["Location"] == url_for("people:security") + "?enrolled=1"  # backup codes next
    device.refresh_from_db()
    assert device.confirmed
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get(url_for("site:staff_home")).status_code == 200
    assert client.get(url_for("admin:index")).status_code == 200


def test_enrolment_is_for_staff_only(world: World, client: Client) -> None:
    client.force_login(world.resident)
    assert client.get(url_for("people:two_factor_setup")).status_code == 403
    assert not TOTPDevice.objects.exists()
    anonymous = Client().get(url_for("people:two_factor_setup"))
    assert anonymous["Location"].startswith(url_for("people:login", query="next="))


def test_staff_with_device_cannot_enrol_another_from_an_unverified_session(
    world: World, client: Client
) -> None:
    factories.totp_device(world.station_head)
    client.force_login(world.station_head)
    response = client.get(url_for("people:two_factor_setup"))
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=world.station_head).count() == 1


# --- unverified and non-staff sessions -----------------------------------------------------------


def test_unverified_staff_session_reaches_no_staff_page(world: World, client: Client) -> None:
    factories.totp_device(world.station_head)
    client.force_login(world.station_head)  # password-level session, second factor skipped
    admin_response = client.get(url_for("admin:index"))
    assert admin_response.status_code == 302
    assert admin_response["Location"].startswith(url_for("admin:login"))
    followed = client.get(admin_response["Location"])
    assert followed.status_code == 302
    assert "/staff/login/" in followed["Location"]  # the admin's own login form is never offered
    assert client.get(url_for("admin:places_beat_changelist")).status_code == 302

    response = client.get(url_for("site:staff_home"))
    assert response.status_code == 302
    assert response["Location"].startswith(url_for("people:login"))
    assert logged_in_as(client) is None  # the half-session is ended


def test_admin_login_form_is_not_served(world: World, client: Client) -> None:
    response = client.post(url_for("admin:login"), {"username": "sho_a", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith(url_for("people:login"))
    assert logged_in_as(client) is None


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.VOLUNTEER, Role.COMMITTEE_MEMBER])
def test_non_staff_log_in_with_password_and_never_reach_staff_pages(world: World, role: str) -> None:
    scope = {"scope_beat": world.beat_a} if role == Role.COMMITTEE_MEMBER else {}
    person = factories.user(role, username=f"p_{role}", **scope)
    client = Client()
    response = post_login(client, person.username)
    assert response.status_code == 302
    assert response["Location"] == url_for("people:account")
    assert logged_in_as(client) == person.pk
    assert client.get(url_for("people:account")).status_code == 200
    assert client.get(url_for("site:staff_home")).status_code == 403
    # Even with a verified device in the session, the role decides.
    verified = verified_client(person)
    assert verified.get(url_for("site:staff_home")).status_code == 403
    assert verified.get(url_for("admin:login", query="next=/admin/")).status_code == 403
    assert verified.get(url_for("admin:places_beat_changelist")).status_code == 302
    person.refresh_from_db()
    assert not person.is_staff


def test_account_page_sends_staff_to_their_home(world: World) -> None:
    client = verified_client(world.beat_officer)
    assert client.get(url_for("people:account"))["Location"] == url_for("site:staff_home")
    assert Client().get(url_for("people:account"))["Location"].startswith(url_for("people:login"))


def test_logout_is_post_only(world: World) -> None:
    client = verified_client(world.beat_officer)
    assert client.get(url_for("people:logout")).status_code == 405
    assert logged_in_as(client) == world.beat_officer.pk
    response = client.post(url_for("people:logout"))
    assert response.status_code == 302
    assert logged_in_as(client) is None


def test_logout_needs_csrf_token(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.resident)
    assert client.post(url_for("people:logout")).status_code == 403
    assert logged_in_as(client) == world.resident.pk


# --- rate limits ---------------------------------------------------------------------------------


@pytest.fixture
def tight_login_limit(settings: Any) -> tuple[int, int]:
    settings.RABTA_RATE_LIMITS = {**settings.RABTA_RATE_LIMITS, "login": (3, 60)}
    return 3, 60


def test_rate_limit_per_client_kicks_in_and_resets(
    world: World, client: Client, tight_login_limit: Any
) -> None:
    limit, window = tight_login_limit
    with time_machine.travel(dt.datetime(2025, 3, 1, 9, 0, 5, tzinfo=dt.UTC), tick=False) as traveller:
        for attempt in range(limit):
            # Different usernames from one address: the per-client counter is what fills up.
            response = post_login(client, f"nobody{attempt}", password="guess")
            assert response.status_code == 200, attempt
        blocked = post_login(client, "resident")  # even the right password is not tried now
        assert blocked.status_code == 429
        assert "Too many login attempts. Wait 1 minute and try again." in blocked.content.decode()
        assert blocked["Retry-After"] == str(window - 5)  # what is left of the window
        assert logged_in_as(client) is None

        # What is stored: keyed hashes, never the address or the usernames.
        keys = list(RateCounter.objects.values_list("key", flat=True))
        assert keys
        for key in keys:
            assert "127.0.0.1" not in key
            assert "nobody" not in key and "resident" not in key
            assert key.startswith("login:")

        traveller.move_to(dt.datetime(2025, 3, 1, 9, 1, 5, tzinfo=dt.UTC))  # next window
        response = post_login(client, "resident")
        assert response.status_code == 302
        assert logged_in_as(client) == world.resident.pk


def test_many_clients_guessing_one_account_close_it_for_a_minute_only(
    world: World, tight_login_limit: Any
) -> None:
    limit, _window = tight_login_limit
    with time_machine.travel(dt.datetime(2025, 3, 1, 9, 0, 5, tzinfo=dt.UTC), tick=False) as traveller:
        for attempt in range(limit):
            response = post_login(
                Client(), "Resident ", password="guess", REMOTE_ADDR=f"10.0.0.{attempt + 1}"
            )
            assert response.status_code == 200
        # A fresh address, the right password, the same account (any case): one minute's cool-down.
        fresh = Client()
        blocked = post_login(fresh, "resident", REMOTE_ADDR="10.9.9.9")
        assert blocked.status_code == 429
        assert blocked["Retry-After"] == "60"
        assert logged_in_as(fresh) is None
        # Other accounts from other addresses are unaffected.
        other = factories.user(Role.VOLUNTEER, username="volunteer1")
        assert post_login(Client(), other.username, REMOTE_ADDR="10.9.9.10").status_code == 302
        traveller.shift(60)
        assert post_login(fresh, "resident", REMOTE_ADDR="10.9.9.9").status_code == 302
        assert logged_in_as(fresh) == world.resident.pk


def test_successful_login_clears_the_username_counter(world: World, tight_login_limit: Any) -> None:
    with time_machine.travel(dt.datetime(2025, 3, 1, 9, 0, 5, tzinfo=dt.UTC), tick=False):
        post_login(Client(), "resident", password="typo", REMOTE_ADDR="10.0.0.1")
        post_login(Client(), "resident", password="typo", REMOTE_ADDR="10.0.0.2")
        assert post_login(Client(), "resident", REMOTE_ADDR="10.0.0.3").status_code == 302
        # Two more typos later in the same window still leave room: the count restarted.
        post_login(Client(), "resident", password="typo", REMOTE_ADDR="10.0.0.4")
        post_login(Client(), "resident", password="typo", REMOTE_ADDR="10.0.0.5")
        assert post_login(Client(), "resident", REMOTE_ADDR="10.0.0.6").status_code == 302


def test_configured_default_limit_is_ten(world: World, client: Client) -> None:
    from django.conf import settings as django_settings

    limit, _window = django_settings.RABTA_RATE_LIMITS["login"]
    with time_machine.travel(dt.datetime(2025, 3, 1, 9, 0, 5, tzinfo=dt.UTC), tick=False):
        statuses = [post_login(client, "resident", password="guess").status_code for _ in range(limit + 1)]
    assert statuses == [200] * limit + [429]


# --- redirects -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "http://testserver.evil.example/",
        "javascript:alert(1)",
        "places:home",
        "evil.example",
    ],
)
def test_next_cannot_leave_the_site(world: World, client: Client, target: str) -> None:
    response = post_login(client, "resident", data={"next": target})
    assert response.status_code == 302
    assert response["Location"] == url_for("people:account")


def test_next_to_a_local_page_is_followed(world: World, client: Client) -> None:
    device = factories.totp_device(world.station_head)
    response = post_login(client, "sho_a", code=current_code(device), query="?next=/admin/places/beat/")
    assert response["Location"] == url_for("admin:places_beat_changelist")
    assert client.get(url_for("admin:places_beat_changelist")).status_code == 200


def test_login_page_keeps_only_a_safe_next(world: World, client: Client) -> None:
    body = client.get(LOGIN + "?next=https://evil.example/").content.decode()
    assert 'name="next"' not in body
    home = url_for("site:staff_home")
    body = client.get(LOGIN + "?next=" + home).content.decode()
    assert f'name="next" value="{home}"' in body


def test_inactive_user_cannot_log_in(world: World, client: Client) -> None:
    User.objects.filter(pk=world.resident.pk).update(is_active=False)
    response = post_login(client, "resident")
    assert response.status_code == 200
    assert logged_in_as(client) is None
