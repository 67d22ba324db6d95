"""Twilio's X-Twilio-Signature scheme: base64(HMAC-SHA1(auth token, URL + sorted POST parameters)).

The URL is the full URL Twilio requested; Twilio may or may not include a default port, so both
forms are tried, as Twilio's own validator does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit, urlunsplit


def compute(auth_token: str, url: str, params: Mapping[str, Sequence[str]]) -> str:
    text = url
    for name in sorted(set(params)):
        for value in sorted(set(params[name])):
            text += name + value
    digest = hmac.new(auth_token.encode("utf-8"), text.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def _url_variants(url: str) -> list[str]:
    parts = urlsplit(url)
    host = parts.hostname or ""
    default_port = 443 if parts.scheme == "https" else 80
    without = urlunsplit(parts._replace(netloc=host if not parts.username else parts.netloc))
    with_port = urlunsplit(parts._replace(netloc=f"{host}:{parts.port or default_port}"))
    return list(dict.fromkeys([url, without, with_port]))


def is_valid(auth_token: str, url: str, params: Mapping[str, Sequence[str]], signature: str) -> bool:
    if not signature or not auth_token:
        return False
    return any(hmac.compare_digest(compute(auth_token, u, params), signature) for u in _url_variants(url))
