"""The 500 page and the favicon: answers that must work when little else does.

404, 403 and the CSRF failure page are Django's own handlers with Rabta's templates (404.html,
403.html, 403_csrf.html extend base.html). The 500 handler is Rabta's: Django calls it with no
context, possibly before LocaleMiddleware ran or with the database gone, so it takes the language
from the URL prefix itself and renders a template that needs neither the database nor a context
processor.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

FAVICON = Path(__file__).resolve().parent.parent / "static" / "rabta" / "favicon.ico"

# The last resort when even the template fails to load or render: no markup that could break.
_PLAIN_500 = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Rabta</title></head>'
    "<body><h1>Something went wrong</h1><p>In an emergency call 15.</p></body></html>"
)


def _language_of(path: str) -> str:
    """The language of the URL prefix (/ur/...), else the site's default: never the session or a cookie."""
    return translation.get_language_from_path(path) or settings.LANGUAGE_CODE


def _home_of(language: str) -> str:
    try:
        return reverse("places:home")
    except NoReverseMatch:  # a broken URLconf may be the very error being reported
        return f"/{language}/"


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a translated, right-to-left-aware page from a fixed template, never a second error."""
    from rabta.core.middleware import _machine_error

    language = _language_of(request.path_info)
    with translation.override(language):
        machine = _machine_error(request.path_info, 500, translation.gettext("Something went wrong"))
    if machine is not None:  # Open311 and API clients get the error in their own format
        return machine
    try:
        with translation.override(language):
            choices = []
            for code, _name in settings.LANGUAGES:
                with translation.override(code):
                    home = _home_of(code)
                name = translation.get_language_info(code)["name_local"]
                choices.append({"code": code, "name": name, "url": home, "current": code == language})
            body = loader.get_template("500.html").render(
                {
                    "lang": language,
                    "rtl": translation.get_language_bidi(),
                    "home": _home_of(language),
                    "language_choices": choices,
                }
            )
    except Exception:  # the error page itself must never fail
        logger.exception("the 500 page could not be rendered")
        body = _PLAIN_500
    response = HttpResponseServerError(body, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


@cache
def _favicon_bytes() -> bytes:
    return FAVICON.read_bytes()


@require_safe
@cache_control(max_age=7 * 24 * 3600, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for on their own: the same small file as the static one."""
    return HttpResponse(_favicon_bytes(), content_type="image/x-icon")
