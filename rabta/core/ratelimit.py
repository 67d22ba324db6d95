"""Database-backed fixed-window rate limits (no cache server needed; shared by all workers).

Keys are keyed hashes of what is limited (a client address, a username, a phone's blind index),
so the table never holds the raw value and cannot be used to trace a resident.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import random
import secrets

from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from rabta.core import sql
from rabta.core.models import RateCounter


def _key(scope: str, value: str) -> str:
    """The counter's key: the scope in clear, then a short salted_hmac of the value under SECRET_KEY."""
    return f"{scope}:{salted_hmac('ratelimit:', value, algorithm='sha256').hexdigest()[:40]}"


def key(scope: str, value: str) -> str:
    """The stored key of a counter, for limiters that read or refund counters themselves."""
    return _key(scope, value)


# An IPv6 subscriber usually gets a whole /64 (SLAAC, privacy addresses): counting single addresses
# would let one phone take a fresh address for every attempt.
IPV6_PREFIX = 64


def client_network(value: str) -> str:
    """The unit a limit counts for one client address: the /64 network for IPv6, the address for IPv4.

    Accepts what proxies write ("[2001:db8::1]:443", "203.0.113.9:5678", "fe80::1%eth0"); an
    IPv4-mapped IPv6 address counts as its IPv4 address. Anything that is no address is returned
    trimmed (and cut short), so it still counts as one client and never raises.
    """
    text = value.strip()
    host = text
    if host.startswith("[") and "]" in host:
        host = host[1 : host.index("]")]
    elif host.count(":") == 1:  # IPv4 with a port
        host = host.split(":", 1)[0]
    host = host.split("%", 1)[0]
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return text[:64] or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, IPV6_PREFIX), strict=False))
    return str(address)


def client_fingerprint(request: HttpRequest) -> str:
    """What identifies a client for rate limiting only. Never stored in clear, never logged.

    Behind RABTA_PROXY_HOPS trusted proxies, the client is the address the outermost of them saw:
    that many entries from the right of X-Forwarded-For. Entries further left are written by the
    client itself and could be forged to dodge a limit, so they are never used. IPv6 clients count
    by their /64 network (client_network).
    """
    hops = settings.RABTA_PROXY_HOPS
    if hops > 0:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
        ]
        if len(forwarded) >= hops:
            return client_network(forwarded[-hops])
    return client_network(request.META.get("REMOTE_ADDR", "") or "")


def hit(scope: str, value: str, *, limit: int | None = None, window: int | None = None) -> bool:
    """Count one attempt; return True when it is within the limit, False when it must be refused."""
    default_limit, default_window = settings.RABTA_RATE_LIMITS[scope]
    limit = default_limit if limit is None else limit
    window = default_window if window is None else window
    now = timezone.now()
    start = dt.datetime.fromtimestamp(int(now.timestamp()) // window * window, tz=dt.UTC)
    count = sql.increment(
        RateCounter, unique={"key": _key(scope, value), "window_start": start}, counter="count"
    )
    if random.random() < 0.01:  # noqa: S311 - housekeeping, not security
        RateCounter.objects.filter(window_start__lt=now - dt.timedelta(days=1)).delete()
    return count <= limit


# A form left open on a slow phone for a day still counts as the same form.
FORM_TOKEN_MAX_AGE = 2 * 24 * 3600


def new_form_token(purpose: str) -> str:
    """A signed, dated random value for one rendered form: counted on its own, so the people behind
    one carrier address (carrier-grade NAT puts a town there) do not share one small limit."""
    return signing.TimestampSigner(salt=f"rabta.form-token:{purpose}").sign(secrets.token_urlsafe(12))


def form_token_value(purpose: str, token: str, *, max_age: int = FORM_TOKEN_MAX_AGE) -> str | None:
    """The random part of a token this server issued for `purpose` within max_age; None otherwise."""
    if not token or len(token) > 120:
        return None
    try:
        value: str = signing.TimestampSigner(salt=f"rabta.form-token:{purpose}").unsign(
            token, max_age=max_age
        )
    except signing.BadSignature:  # SignatureExpired is one
        return None
    return value


def hit_form(
    request: HttpRequest, *, purpose: str, token: str, per_form: str, per_client: str, untokened: str
) -> bool:
    """Count one submission of a form; True when it is within the limits.

    With a valid form token it counts against that form (`per_form`) and against a high ceiling for
    the client address (`per_client`), so one sender cannot flood and a town behind one address is
    not blocked. Without one (an old page, a script) it counts against the tight `untokened` limit of
    the address alone. A token needs a fresh page, so a flood that fetches new ones is still held by
    the ceiling."""
    client = client_fingerprint(request)
    value = form_token_value(purpose, token)
    if value is None:
        return hit(untokened, client)
    return hit(per_form, f"{purpose}:{value}") and hit(per_client, client)


def reset(scope: str, value: str) -> None:
    RateCounter.objects.filter(key=_key(scope, value)).delete()
