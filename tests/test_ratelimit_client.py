"""Which address a rate limit counts: the socket's, or the one a trusted proxy saw."""

from django.test import RequestFactory, override_settings

from rabta.core.ratelimit import client_fingerprint


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
