"""Paths for tests: `url_for("reports:staff_detail", report.public_id)` instead of "/en/staff/reports/...".

Pages carry their language in the path (/en/, /ur/, /ps/), so `reverse()` answers in whichever
language is active, and a request to /ps/... leaves Pashto active in the test's thread. url_for
reverses under the language it is given (English unless told), whatever ran before.

Tests whose point is a literal public address keep the literal, with a comment saying why: Open311
paths that partner apps hard-code, webhook paths configured at SMS gateways, calendar feed URLs that
calendar apps subscribe to, and /healthz.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import translation


def url_for(name: str, *args: object, lang: str = "en", query: str | Mapping[str, object] = "") -> str:
    """The path of the URL named `name` (with positional `args`), in `lang`, with an optional query."""
    with translation.override(lang):
        path = reverse(name, args=args or None)
    if query:
        path += "?" + (query if isinstance(query, str) else urlencode(query, doseq=True))
    return path
