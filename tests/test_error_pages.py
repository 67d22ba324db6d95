"""Pages for when things go wrong: 404, 403, the CSRF failure and 500, in each language and within the
page budget; the favicon; beat codes in URLs matched without regard to case."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.utils import translation

from rabta.core import error_views
from rabta.places.models import Beat
from tests.conftest import World
from tests.paths import url_for
from tests.public_pages import HTML_BUDGET, PAGE_BUDGET, is_offsite, static_bytes

LANGUAGES = [("en", "ltr"), ("ur", "rtl"), ("ps", "rtl")]
ROOT = Path(__file__).resolve().parent.parent


def html_of(response: Any) -> str:
    return response.content.decode(response.charset or "utf-8")


def assert_page_in(html: str, lang: str, direction: str) -> None:
    assert f'<html lang="{lang}" dir="{direction}">' in html
    assert "/static/rabta/site.css" in html
    assert re.search(r"<h1>[^<]+</h1>", html), "no heading"


def assert_within_budget(html: str) -> None:
    """The page budget of tests/test_page_budget.py: HTML and what it links, each gzipped, no other host."""
    urls = re.findall(r'(?:href|src)="([^"]+)"', html)
    assert not [u for u in urls if is_offsite(u, "testserver")]
    assets = [u for u in re.findall(r'<(?:link|script)[^>]+(?:href|src)="(/static/[^"]+)"', html)]
    html_gz = len(gzip.compress(html.encode(), 6))
    total = html_gz + sum(len(gzip.compress(static_bytes(u), 6)) for u in assets)
    assert html_gz <= HTML_BUDGET and total <= PAGE_BUDGET, (html_gz, total)


@pytest.mark.parametrize(("lang", "direction"), LANGUAGES)
def test_unknown_address_gets_the_translated_404_page(
    world: World, client: Client, lang: str, direction: str
) -> None:
    response = client.get(f"/{lang}/no-such-page/")
    assert response.status_code == 404
    html = html_of(response)
    assert_page_in(html, lang, direction)
    assert 'name="robots" content="noindex"' in html
    # Links onward, and no list of the site's URL patterns (Django's debug page).
    assert f'href="{url_for("places:home", lang=lang)}"' in html
    assert f'href="{url_for("reports:new", lang=lang)}"' in html
    assert "URLconf" not in html and "staff/" not in html
    # The switcher offers the same (missing) address in the other languages, not this one again.
    for other, _direction in LANGUAGES:
        if other != lang:
            assert f'href="/{other}/no-such-page/" lang="{other}"' in html
    assert_within_budget(html)


def test_a_view_404_uses_the_same_page(world: World, client: Client) -> None:
    response = client.get(url_for("site:beat", "NOPE", lang="ps"))
    assert response.status_code == 404
    assert_page_in(html_of(response), "ps", "rtl")


@pytest.mark.parametrize(("lang", "direction"), LANGUAGES)
def test_permission_denied_gets_the_translated_403_page(
    world: World, client: Client, monkeypatch: pytest.MonkeyPatch, lang: str, direction: str
) -> None:
    def refuse(code: str) -> Beat:
        raise PermissionDenied

    monkeypatch.setattr("rabta.places.selectors.find_beat_by_code", refuse)
    response = client.get(url_for("site:beat", world.beat_a.code, lang=lang))
    assert response.status_code == 403
    html = html_of(response)
    assert_page_in(html, lang, direction)
    assert_within_budget(html)


@pytest.mark.parametrize(("lang", "direction"), LANGUAGES)
def test_expired_form_gets_the_translated_csrf_page(world: World, lang: str, direction: str) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(url_for("reports:new", lang=lang), {"description": "x"})
    assert response.status_code == 403
    html = html_of(response)
    assert_page_in(html, lang, direction)
    assert "CSRF" not in html  # Django's own page names the mechanism, not what to do
    assert f'href="{url_for("places:home", lang=lang)}"' in html
    assert_within_budget(html)


@pytest.mark.parametrize(("lang", "direction"), LANGUAGES)
def test_a_crash_gets_the_translated_500_page(
    world: World, monkeypatch: pytest.MonkeyPatch, lang: str, direction: str
) -> None:
    def crash(code: str) -> Beat:
        raise RuntimeError("a bug")

    monkeypatch.setattr("rabta.places.selectors.find_beat_by_code", crash)
    client = Client(raise_request_exception=False)
    response = client.get(url_for("site:beat", world.beat_a.code, lang=lang))
    assert response.status_code == 500
    assert response["Cache-Control"] == "no-store"
    html = html_of(response)
    assert_page_in(html, lang, direction)
    assert "a bug" not in html and "Traceback" not in html
    assert f'href="{url_for("places:home", lang=lang)}"' in html
    assert_within_budget(html)


@pytest.mark.parametrize(("lang", "direction"), LANGUAGES)
def test_500_page_needs_no_database_and_no_active_language(lang: str, direction: str) -> None:
    # No `db` fixture: any query would fail the test. The language comes from the prefix alone.
    request = RequestFactory().get(f"/{lang}/beats/GUL/")
    with translation.override("en" if lang != "en" else "ur"):
        response = error_views.server_error(request)
    assert response.status_code == 500
    html = html_of(response)
    assert_page_in(html, lang, direction)
    # The other two languages are offered (their start pages), each marked with its language.
    for other, _direction in LANGUAGES:
        if other != lang:
            assert f'href="/{other}/" lang="{other}"' in html


def test_500_page_without_a_language_prefix_is_in_the_default_language() -> None:
    response = error_views.server_error(RequestFactory().get("/media/officers/x.jpg"))
    assert_page_in(html_of(response), "en", "ltr")


def test_500_page_falls_back_to_plain_html_when_its_template_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(name: str) -> Any:
        raise RuntimeError("template engine down")

    monkeypatch.setattr(error_views.loader, "get_template", broken)
    response = error_views.server_error(RequestFactory().get("/ur/"))
    assert response.status_code == 500
    assert "<h1>" in html_of(response)


def test_500_for_machine_endpoints_is_in_their_format() -> None:
    response = error_views.server_error(RequestFactory().get("/api/v1/reports/"))
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    response = error_views.server_error(RequestFactory().get("/open311/v2/requests.json"))
    assert json.loads(response.content)[0]["code"] == 500


def test_favicon_is_served_at_the_root_and_linked_from_static(world: World, client: Client) -> None:
    response = client.get("/favicon.ico")  # the literal path: browsers ask for it by themselves
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert "max-age=604800" in response["Cache-Control"]
    icon = (ROOT / "rabta" / "static" / "rabta" / "favicon.ico").read_bytes()
    assert response.content == icon and icon[:4] == b"\x00\x00\x01\x00" and len(icon) < 4096
    assert client.head("/favicon.ico").status_code == 200
    assert client.post("/favicon.ico").status_code == 405
    home = html_of(client.get(url_for("places:home", lang="ur")))
    assert '<link rel="icon" href="/static/rabta/favicon.svg" type="image/svg+xml">' in home
    assert len(static_bytes("/static/rabta/favicon.svg")) < 1024


@pytest.mark.parametrize(
    ("name", "suffix"),
    [("site:beat", ""), ("engagement:you_said_we_did", "")],
)
def test_beat_code_in_another_case_redirects_to_the_stored_code(
    world: World, client: Client, name: str, suffix: str
) -> None:
    lower = url_for(name, "gul", lang="ps")
    response = client.get(lower + "?from=poster")
    assert response.status_code == 302
    assert response["Location"] == url_for(name, "GUL", lang="ps") + "?from=poster"
    assert client.get(response["Location"]).status_code == 200
    assert client.get(url_for(name, "GuL", lang="en"))["Location"] == url_for(name, "GUL", lang="en")


def test_calendar_feed_code_matched_ignoring_case(world: World, client: Client) -> None:
    # The literal feed path: calendar apps subscribe to it.
    response = client.get("/feeds/beats/gul/meetings.ics")
    assert response.status_code == 302 and response["Location"] == "/feeds/beats/GUL/meetings.ics"


def test_unknown_code_and_posts_are_not_redirected(world: World, client: Client) -> None:
    assert client.get(url_for("site:beat", "zzz")).status_code == 404
    # A form posted to the wrong case is not replayed elsewhere: the resident sees the 404 page.
    assert client.post(url_for("messaging:subscribe", "gul"), {"phone": "03001234567"}).status_code == 404


def test_codes_that_differ_only_in_case_are_not_guessed(world: World, client: Client) -> None:
    from tests import factories

    factories.beat(world.station_a, code="gul", name="Another Gulabad", lon=71.9, lat=34.9)
    assert client.get(url_for("site:beat", "gul")).status_code == 200
    assert client.get(url_for("site:beat", "GUL")).status_code == 200
    assert client.get(url_for("site:beat", "Gul")).status_code == 404
