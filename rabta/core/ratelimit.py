"""Database-backed fixed-window rate limits (no cache server needed; shared by all workers).

Keys are keyed hashes of what is limited (a client address, a username, a phone's blind index),
so the table never holds the raw value and cannot be used to trace a resident.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from rabta.core.models import RateCounter
from rabta.lib.crypto import keyed_hash


def _key(scope: str, value: str) -> str:
    secret = hashlib.sha256(("ratelimit:" + settings.SECRET_KEY).encode()).digest()
    return f"{scope}:{keyed_hash(secret, value)}"


def client_fingerprint(request: HttpRequest) -> str:
    """What identifies a client for rate limiting only. Never stored in clear, never logged."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def hit(scope: str, value: str, *, limit: int | None = None, window: int | None = None) -> bool:
    """Count one attempt; return True when it is within the limit, False when it must be refused."""
    default_limit, default_window = settings.RABTA_RATE_LIMITS[scope]
    limit = default_limit if limit is None else limit
    window = default_window if window is None else window
    now = timezone.now()
    start = dt.datetime.fromtimestamp(int(now.timestamp()) // window * window, tz=dt.UTC)
    key = _key(scope, value)
    with transaction.atomic():
        updated = RateCounter.objects.filter(key=key, window_start=start).update(count=F("count") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    RateCounter.objects.create(key=key, window_start=start, count=1)
            except IntegrityError:  # another process created the row first
                RateCounter.objects.filter(key=key, window_start=start).update(count=F("count") + 1)
        count = RateCounter.objects.filter(key=key, window_start=start).values_list("count", flat=True).first()
    if random.random() < 0.01:  # noqa: S311 - housekeeping, not security
        RateCounter.objects.filter(window_start__lt=now - dt.timedelta(days=1)).delete()
    return (count or 0) <= limit


def reset(scope: str, value: str) -> None:
    RateCounter.objects.filter(key=_key(scope, value)).delete()
