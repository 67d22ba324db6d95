"""Login lockout: strangers guessing an officer's password from many addresses slow the officer down
for at most a minute; the guessing clients themselves are refused; nothing stored names an address."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from rabta.audit.models import AccessLog
from rabta.core.models import RateCounter
from tests import factories
from tests.conftest import World
from tests.test_auth import current_code, logged_in_as, otp_verified, post_login, wrong_code

START = dt.datetime(2025, 3, 1, 9, 0, 5, tzinfo=dt.UTC)
OFFICE = "203.0.113.50"


def attacker_address(n: int) -> str:
    return f"2001:db8:{n:x}::1"  # a different /64 each time


@pytest.fixture
def officer_device(world: World) -> Any:
    return factories.totp_device(world.beat_officer)


def hammer(username: str, *, addresses: range, tries: int = 1) -> list[int]:
    statuses = []
    for n in addresses:
        client = Client()
        for _ in range(tries):
            response = post_login(client, username, password="guess", REMOTE_ADDR=attacker_address(n))
            statuses.append(response.status_code)
    return statuses


def test_attack_from_many_addresses_keeps_the_officer_out_at_most_a_minute(
    world: World, officer_device: Any
) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        hammer("officer_a", addresses=range(40))
        own = Client()
        first = post_login(own, "officer_a", code=current_code(officer_device), REMOTE_ADDR=OFFICE)
        assert first.status_code == 429
        assert int(first["Retry-After"]) <= 60
        assert "Too many failed attempts for this account" in first.content.decode()
        # The attack goes on all the while.
        for second in range(0, 60, 10):
            traveller.move_to(START + dt.timedelta(seconds=second))
            hammer("officer_a", addresses=range(100 + second, 110 + second))
        traveller.move_to(START + dt.timedelta(seconds=60))
        hammer("officer_a", addresses=range(500, 520))
        response = post_login(own, "officer_a", code=current_code(officer_device), REMOTE_ADDR=OFFICE)
        assert response.status_code == 302
        assert logged_in_as(own) == world.beat_officer.pk and otp_verified(own)
        # Later in the same window, with the attack still on, the officer gets in again at once.
        traveller.move_to(START + dt.timedelta(minutes=5))
        hammer("officer_a", addresses=range(600, 620))
        again = Client()
        ok = post_login(again, "officer_a", code=current_code(officer_device), REMOTE_ADDR="203.0.113.51")
        assert ok.status_code == 302


def test_no_second_cool_down_straight_after_the_first(world: World, officer_device: Any) -> None:
    """Windows are fixed: an attack across a window boundary must not chain two cool-downs."""
    late = dt.datetime(2025, 3, 1, 9, 14, 50, tzinfo=dt.UTC)  # 10 s before the 15-minute window ends
    with time_machine.travel(late, tick=False) as traveller:
        hammer("officer_a", addresses=range(20))
        assert post_login(Client(), "officer_a", REMOTE_ADDR=OFFICE).status_code == 429
        traveller.move_to(late + dt.timedelta(seconds=20))  # a new window: the counter starts again
        hammer("officer_a", addresses=range(100, 120))
        traveller.move_to(late + dt.timedelta(seconds=61))
        own = Client()
        response = post_login(own, "officer_a", code=current_code(officer_device), REMOTE_ADDR=OFFICE)
        assert response.status_code == 302


def test_the_guessing_client_gets_429(world: World) -> None:
    with time_machine.travel(START, tick=False):
        statuses = hammer("officer_a", addresses=range(1), tries=12)
        assert statuses[:10] == [200] * 10
        assert statuses[10:] == [429, 429]
        # Trying another account from the same client does not help: the client is refused.
        blocked = post_login(Client(), "officer_b", REMOTE_ADDR=attacker_address(0))
        assert blocked.status_code == 429
        assert blocked["Retry-After"] == str(15 * 60 - 5)
        assert "Too many login attempts. Wait 15 minutes and try again." in blocked.content.decode()


def test_under_attack_a_client_that_kept_failing_for_the_account_stays_refused(world: World) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        statuses = hammer("officer_a", addresses=range(3), tries=3) + hammer(
            "officer_a", addresses=range(3, 4)
        )
        assert set(statuses) == {200}  # ten failures: the account is under attack now
        traveller.move_to(START + dt.timedelta(seconds=61))  # after the cool-down
        # These addresses have each failed three times for the account: refused for the window,
        # even with the right password.
        response = post_login(Client(), "officer_a", password="guess", REMOTE_ADDR=attacker_address(0))
        assert response.status_code == 429
        assert post_login(Client(), "officer_a", REMOTE_ADDR=attacker_address(1)).status_code == 429
        # A connection with fewer failures, and a clean one, still get through.
        assert post_login(Client(), "officer_a", REMOTE_ADDR=attacker_address(3)).status_code == 302
        assert post_login(Client(), "officer_a", REMOTE_ADDR=OFFICE).status_code == 302


def test_a_session_that_passed_the_password_is_not_held_back(world: World, officer_device: Any) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        own = Client()
        # The officer types the password but a wrong code: the session now only owes its code.
        assert (
            post_login(own, "officer_a", code=wrong_code(officer_device), REMOTE_ADDR=OFFICE).status_code
            == 200
        )
        hammer("officer_a", addresses=range(30))
        traveller.shift(5)  # past django-otp's delay after one wrong code, inside the cool-down
        # Strangers triggered the cool-down, but this session already proved the password.
        response = post_login(own, "officer_a", code=current_code(officer_device), REMOTE_ADDR=OFFICE)
        assert response.status_code == 302
        assert otp_verified(own)


def test_a_wrong_password_from_the_passed_session_is_still_a_failure(
    world: World, officer_device: Any
) -> None:
    with time_machine.travel(START, tick=False):
        own = Client()
        post_login(own, "officer_a", code=wrong_code(officer_device), REMOTE_ADDR=OFFICE)
        response = post_login(
            own, "officer_a", password="guess", code=current_code(officer_device), REMOTE_ADDR=OFFICE
        )
        assert response.status_code == 200
        assert logged_in_as(own) is None


def test_nothing_stored_names_an_address_or_the_account(world: World) -> None:
    with time_machine.travel(START, tick=False):
        hammer("officer_a", addresses=range(12), tries=2)
        post_login(Client(), "officer_a", REMOTE_ADDR="198.51.100.7")
    rows = list(RateCounter.objects.values_list("key", flat=True))
    assert rows
    for key in rows:
        assert key.startswith("login:")
        assert "2001" not in key and "db8" not in key and "198.51" not in key and "officer" not in key
    assert not AccessLog.objects.exists()


def test_unknown_usernames_are_throttled_like_real_ones(world: World) -> None:
    """The refusal must not tell a prober which usernames exist."""
    with time_machine.travel(START, tick=False):
        hammer("officer_a", addresses=range(10))
        hammer("no_such_user", addresses=range(100, 110))
        real = post_login(Client(), "officer_a", password="guess", REMOTE_ADDR=OFFICE)
        fake = post_login(Client(), "no_such_user", password="guess", REMOTE_ADDR="203.0.113.60")
    assert real.status_code == fake.status_code == 429
    assert real["Retry-After"] == fake["Retry-After"]
