"""Ties a report form's one-time key to the browser it was served to, so Back and Send makes one report.

The form's idempotency key travels twice: in the page (a hidden field) and in a signed, HttpOnly
cookie that lives until the browser closes. Pressing Back after sending fetches the form again
(it is never cached); the cookie gives the page its old key back, so sending again replays the
first report instead of filing a second one. The cookie is also the proof that a replay comes from
the browser that sent the report: only then does the answer show the tracking code again. Anyone
else holding the key (a saved copy of the page) learns only that it was sent.

Nothing is stored on the server and the cookie holds no code, token or report id: only the key,
which derives the credentials with a server secret (tracking.derived_credentials), and whether and
when it was sent. The windows keep a shared phone from showing a code long after the sender left.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

COOKIE = "rabta_report_form"
_SALT = "rabta.reports.form_binding"
# A form may take long to fill on a slow phone; the key of an unsent form is kept this long.
FORM_WINDOW = dt.timedelta(hours=12)
# After sending, the same browser sees its code again (Back and Send, a language switch) this long.
SENT_WINDOW = dt.timedelta(minutes=30)


@dataclass(frozen=True)
class Binding:
    key: str
    sent: bool


def read(request: HttpRequest) -> Binding | None:
    """The browser's binding, or None when it has none or it is past its window."""
    raw = request.COOKIES.get(COOKIE)
    if not raw or len(raw) > 300:
        return None
    try:
        value = signing.loads(raw, salt=_SALT, max_age=FORM_WINDOW)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("k"), str):
        return None
    binding = Binding(key=value["k"], sent=bool(value.get("s")))
    if binding.sent:
        try:
            signing.loads(raw, salt=_SALT, max_age=SENT_WINDOW)
        except signing.BadSignature:
            return None
    return binding


def bound(request: HttpRequest, key: str) -> bool:
    """Does this request come from the browser the form with `key` was served to?"""
    binding = read(request)
    return binding is not None and binding.key == key


def sent_key(request: HttpRequest) -> str | None:
    """The key of the report this browser sent within SENT_WINDOW, or None."""
    binding = read(request)
    return binding.key if binding is not None and binding.sent else None


def remember(response: HttpResponse, *, key: str, sent: bool, secure: bool) -> None:
    value = signing.dumps({"k": key, "s": 1 if sent else 0}, salt=_SALT, compress=False)
    # No max_age: gone when the browser closes. Path "/" covers every language prefix.
    response.set_cookie(
        COOKIE,
        value,
        httponly=True,
        samesite="Lax",
        secure=secure or bool(getattr(settings, "SESSION_COOKIE_SECURE", False)),
    )


def forget(response: HttpResponse) -> None:
    response.delete_cookie(COOKIE, samesite="Lax")
