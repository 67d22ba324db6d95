"""A small HTTP client for provider APIs (standard library only), mapping failures to retry or not."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from rabta.messaging.providers.base import PermanentSendError, TransientSendError

TIMEOUT_SECONDS = 10


def post(url: str, *, data: bytes, headers: dict[str, str]) -> dict[str, Any]:
    if not url.startswith(("https://", "http://")):
        raise PermanentSendError("provider URL must be http(s)")
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310 - scheme checked
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            payload = response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:200].decode("utf-8", "replace")
        if exc.code == 429 or exc.code >= 500:
            raise TransientSendError(f"HTTP {exc.code}: {detail}") from None
        raise PermanentSendError(f"HTTP {exc.code}: {detail}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        raise TransientSendError(f"network: {exc}") from None
    try:
        answer: dict[str, Any] = json.loads(payload or b"{}")
    except ValueError:
        raise TransientSendError("provider answered with something that is not JSON") from None
    return answer
