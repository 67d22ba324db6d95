"""Which client a rate limit counts: the socket's address or a trusted proxy's view of it, IPv6 by /64."""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client, RequestFactory, override_settings

from rabta.core.models import RateCounter
from rabta.core.ratelimit import client_fingerprint
from tests.paths import url_for


def _request(remote: str, forwarded: str | None = None):  # type: ignore[no-untyped-def]
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_proxies_the_socket_address_counts_and_forwarded_headers_are_ignored() -> None:
    assert client_fingerprint(_request("10.0.0.5", "203.0.113.9")) == "10.0.0.5"


@override_settings(RABTA_PROXY_HOPS=1)
def test_behind_one_proxy_its_view_of_the_client_counts_and_forged_entries_do_not() -> None:
    # The client forged "1.1.1.1"; the proxy appended the address it really saw.
    assert client_fingerprint(_request("10.0.0.1", "1.1.1.1, 203.0.113.9")) == "203.0.113.9"
    assert client_fingerprint(_request("10.0.0.1", "203.0.113.7")) == "203.0.113.7"
    # A request that did not come through the proxy chain falls back to the socket address.
    assert client_fingerprint(_request("10.0.0.1")) == "10.0.0.1"


@override_settings(RABTA_PROXY_HOPS=2)
def test_behind_two_proxies() -> None:
    assert client_fingerprint(_request("10.0.0.1", "1.1.1.1, 203.0.113.9, 10.0.0.2")) == "203.0.113.9"


# --- IPv6 clients count by /64 -----------------------------------------------------------------------


def test_ipv6_clients_count_by_their_64_network() -> None:
    one = client_fingerprint(_request("2001:db8:aa:1::1"))
    # A phone on SLAAC takes a fresh privacy address at will: it is still the same client.
    assert client_fingerprint(_request("2001:db8:aa:1:9c4e:12ff:fe00:7")) == one == "2001:db8:aa:1::/64"
    # The neighbouring /64 is another subscriber.
    assert client_fingerprint(_request("2001:db8:aa:2::1")) == "2001:db8:aa:2::/64"
    # Written in any form (upper case, full zeros), an address counts the same.
    assert client_fingerprint(_request("2001:0DB8:00AA:0001:0000:0000:0000:0042")) == one


def test_ipv4_and_ipv4_mapped_ipv6_count_by_address() -> None:
    assert client_fingerprint(_request("203.0.113.9")) == "203.0.113.9"
    assert client_fingerprint(_request("::ffff:203.0.113.9")) == "203.0.113.9"
    # Two IPv4 clients are never lumped together through the mapped form.
    assert client_fingerprint(_request("::ffff:203.0.113.10")) == "203.0.113.10"


@override_settings(RABTA_PROXY_HOPS=1)
def test_forwarded_addresses_in_proxy_spellings() -> None:
    assert client_fingerprint(_request("10.0.0.1", "1.1.1.1, 2001:db8:aa:1::5")) == "2001:db8:aa:1::/64"
    assert client_fingerprint(_request("10.0.0.1", "[2001:db8:aa:1::6]:443")) == "2001:db8:aa:1::/64"
    assert client_fingerprint(_request("10.0.0.1", "203.0.113.9:51234")) == "203.0.113.9"
    assert client_fingerprint(_request("10.0.0.1", "fe80::1%eth0")) == "fe80::/64"


@pytest.mark.parametrize("bad", ["not-an-ip", "2001:db8::zz", "999.1.1.1", "[::1", "x" * 500])
def test_bad_values_still_count_and_never_raise(bad: str) -> None:
    got = client_fingerprint(_request(bad))
    assert got and len(got) <= 64
    assert client_fingerprint(_request(bad)) == got  # the same junk is the same client
    assert client_fingerprint(_request("")) == "unknown"


@pytest.fixture
def tight_login_limit(settings: Any) -> None:
    settings.RABTA_RATE_LIMITS = {**settings.RABTA_RATE_LIMITS, "login": (3, 60)}


def _login(remote: str, username: str) -> Any:
    return Client().post(
        url_for("people:login"),
        {"username": username, "password": "guess", "otp_token": ""},
        REMOTE_ADDR=remote,
    )


def test_login_limit_holds_across_addresses_of_one_ipv6_network(db: Any, tight_login_limit: None) -> None:
    with time_machine.travel(dt.datetime(2025, 3, 1, 9, 0, 5, tzinfo=dt.UTC), tick=False):
        for n in range(3):
            assert _login(f"2001:db8:aa:1::{n + 1}", f"nobody{n}").status_code == 200
        # A new address in the same /64 and a new username: still the same client, refused.
        assert _login("2001:db8:aa:1:ffff::9", "nobody9").status_code == 429
        # Another /64 is not affected.
        assert _login("2001:db8:aa:2::1", "nobody10").status_code == 200
        # What is stored are keyed hashes, never the address or the network.
        for key in RateCounter.objects.values_list("key", flat=True):
            assert "2001" not in key


def test_a_bad_client_address_gets_an_answer_not_an_error(db: Any) -> None:
    assert _login("not-an-ip", "nobody").status_code == 200
