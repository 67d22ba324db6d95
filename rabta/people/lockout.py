"""Login throttling that a stranger cannot turn against an account.

Three counters, all in rabta.core.ratelimit (keyed hashes only, no address or username in clear),
over the `login` window (RABTA_RATE_LOGIN, 10 per 15 minutes by default):

- per client (an IPv4 address, an IPv6 /64): every attempt, whatever the username; a success is
  refunded, so an office behind one address is not refused for logging in. Over the limit the
  client is refused for the rest of the window: this is what stops one machine guessing.
- per username: failed passwords from every client. Reaching the limit puts the account "under
  attack": for COOLDOWN seconds nobody may try it, and after that only connections that have not
  already failed PAIR_ALLOWANCE times for it. A username is never refused as such for longer, so
  many addresses guessing one officer's password cannot keep the officer out: their own connection
  waits at most COOLDOWN seconds.
- per (username, client): failed passwords for this account from this connection.

A session that already gave the right password (and now owes only its code) is never held back by
the username rules: django-otp's own throttle slows wrong codes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import ngettext

from rabta.core import ratelimit, sql
from rabta.core.models import RateCounter

SCOPE = "login"
# The longest any account is closed to a connection that has not guessed wrong for it.
COOLDOWN = 60
# Wrong passwords for one account one connection may give while the account is under attack.
PAIR_ALLOWANCE = 3
_SESSION_KEY = "rabta_login_password_ok"


@dataclasses.dataclass(frozen=True)
class Refusal:
    message: str
    retry_after: int


def _name(username: str) -> str:
    return username.strip().casefold()


def _window() -> tuple[int, int]:
    limit, window = settings.RABTA_RATE_LIMITS[SCOPE]
    return int(limit), int(window)


def _window_start(now: dt.datetime, window: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(now.timestamp()) // window * window, tz=dt.UTC)


def _count(value: str, start: dt.datetime) -> int:
    row = RateCounter.objects.filter(key=ratelimit.key(SCOPE, value), window_start=start).first()
    return row.count if row else 0


def _seconds_left(now: dt.datetime, start: dt.datetime, window: int) -> int:
    return max(1, int((start + dt.timedelta(seconds=window) - now).total_seconds()))


def _client_refusal(seconds: int) -> Refusal:
    minutes = max(1, -(-seconds // 60))
    return Refusal(
        ngettext(
            "Too many login attempts. Wait %(minutes)d minute and try again.",
            "Too many login attempts. Wait %(minutes)d minutes and try again.",
            minutes,
        )
        % {"minutes": minutes},
        seconds,
    )


def _cooldown_until(name: str, now: dt.datetime) -> dt.datetime | None:
    """The end of the account's latest cool-down, if one began within the last window."""
    _limit, window = _window()
    row = (
        RateCounter.objects.filter(
            key=ratelimit.key(SCOPE, "cooldown:" + name),
            window_start__gt=now - dt.timedelta(seconds=window),
        )
        .order_by("-window_start")
        .first()
    )
    return row.window_start if row else None


def _session_marker(name: str) -> str:
    return salted_hmac("login-password-ok", name, algorithm="sha256").hexdigest()


def _passed_password(session: SessionBase, name: str) -> bool:
    stored = session.get(_SESSION_KEY)
    return isinstance(stored, str) and constant_time_compare(stored, _session_marker(name))


def check(request: HttpRequest, username: str) -> Refusal | None:
    """Count this attempt for the client; say whether it may go on to the password check."""
    name = _name(username)
    client = ratelimit.client_fingerprint(request)
    limit, window = _window()
    now = timezone.now()
    start = _window_start(now, window)
    if not ratelimit.hit(SCOPE, "client:" + client):
        return _client_refusal(_seconds_left(now, start, window))
    if _passed_password(request.session, name):
        return None
    if _count("user:" + name, start) < limit:
        return None
    until = _cooldown_until(name, now)
    if until is not None and until > now:
        seconds = max(1, math.ceil((until - now).total_seconds()))
        return Refusal(
            ngettext(
                "Too many failed attempts for this account. Wait %(seconds)d second and try again.",
                "Too many failed attempts for this account. Wait %(seconds)d seconds and try again.",
                seconds,
            )
            % {"seconds": seconds},
            seconds,
        )
    if _count(f"pair:{name}|{client}", start) >= PAIR_ALLOWANCE:
        return _client_refusal(_seconds_left(now, start, window))
    return None


def failed_password(request: HttpRequest, username: str) -> None:
    name = _name(username)
    client = ratelimit.client_fingerprint(request)
    ratelimit.hit(SCOPE, "user:" + name)
    ratelimit.hit(SCOPE, f"pair:{name}|{client}")
    limit, window = _window()
    now = timezone.now()
    if _count("user:" + name, _window_start(now, window)) >= limit and _cooldown_until(name, now) is None:
        # The account has just come under attack: close it to everyone for one minute, at most once
        # per window's length (a second cool-down straight after the first would keep the owner out
        # for longer than a minute).
        sql.insert_or_ignore(
            RateCounter(
                key=ratelimit.key(SCOPE, "cooldown:" + name),
                window_start=now + dt.timedelta(seconds=COOLDOWN),
            ),
            unique=["key", "window_start"],
        )


def passed_password(request: HttpRequest, username: str) -> None:
    """The password was right but the code is still owed: later tries from this session skip the
    username rules (not the per-client limit)."""
    request.session[_SESSION_KEY] = _session_marker(_name(username))


def succeeded(request: HttpRequest, username: str) -> None:
    """A full login: refund this attempt to the client and forget the account's failures.

    The cool-down marker stays, so an attacker cannot start a fresh cool-down at once.
    """
    name = _name(username)
    client = ratelimit.client_fingerprint(request)
    _limit, window = _window()
    start = _window_start(timezone.now(), window)
    RateCounter.objects.filter(
        key=ratelimit.key(SCOPE, "client:" + client), window_start=start, count__gt=0
    ).update(count=F("count") - 1)
    ratelimit.reset(SCOPE, "user:" + name)
    ratelimit.reset(SCOPE, f"pair:{name}|{client}")
    request.session.pop(_SESSION_KEY, None)
