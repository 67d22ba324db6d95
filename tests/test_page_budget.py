"""Item 9 of the foundation: every public page, in every language, stays small and loads nothing from
another host. Run with -s to see the sizes (bench/README.md quotes the demo's, from bench/page_weight.py)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from tests.conftest import World
from tests.paths import url_for
from tests.public_pages import (
    HTML_BUDGET,
    PAGE_BUDGET,
    PAGE_LANGUAGES,
    PUBLIC_PAGES,
    PublicPage,
    is_offsite,
    measure,
)


@pytest.mark.parametrize("language", PAGE_LANGUAGES)
@pytest.mark.parametrize("page", PUBLIC_PAGES, ids=lambda p: p.name)
def test_public_page_within_budget(page: PublicPage, language: str, world: World, client: Client) -> None:
    with translation.override(language):
        path = page.path(world)
    assert path.startswith(f"/{language}/"), f"{page.name} is not served per language: {path}"
    weight = measure(client, page.name, language, path)
    print(f"\npage-weight {weight.line()}")
    assert weight.status == page.status, f"{path} answered {weight.status}"
    assert weight.assets, f"{path} links no stylesheet: is the page complete?"
    assert weight.html_gzip <= HTML_BUDGET, (
        f"{path}: HTML is {weight.html_gzip} bytes gzipped (> {HTML_BUDGET})"
    )
    assert weight.total_gzip <= PAGE_BUDGET, (
        f"{path}: HTML with CSS/JS is {weight.total_gzip} bytes gzipped (> {PAGE_BUDGET}): {weight.assets}"
    )
    assert weight.offsite == [], f"{path} points to another host"


def test_the_budget_checker_catches_offsite_urls() -> None:
    # The budget test must be able to fail: these are the slips it exists to catch.
    for url in [
        "https://cdn.example.com/x.js",
        "//fonts.googleapis.com/css",
        "http://evil.test/",
        "javascript:alert(1)",
    ]:
        assert is_offsite(url, "testserver"), url
    for url in [
        "/en/",
        "beats/GUL/",
        "#main",
        "tel:+92945",
        "sms:+92945",
        "mailto:a@b.pk",
        "http://testserver/x",
    ]:
        assert not is_offsite(url, "testserver"), url


def test_measure_finds_urls_in_every_place(
    world: World, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    html = (
        '<html><head><link rel="stylesheet" href="/static/rabta/site.css">'
        '<style>body{background:url("https://img.example/bg.png")}</style></head><body>'
        '<img src="/x.png" srcset="/x.png 1x, https://cdn.example/x2.png 2x">'
        '<form action="https://collect.example/"></form><div data-url="https://api.example/"></div>'
        '<p style="background: url(//tracker.example/p.gif)">x</p><a href="tel:15">15</a>'
        # A namespace names, it does not fetch; an <image> inside the <svg> would.
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<image href="https://maps.example/tile.png"/></svg></body></html>'
    )

    class Fake:
        status_code = 200
        charset = "utf-8"
        content = html.encode()

    monkeypatch.setattr(Client, "get", lambda self, path, **kw: Fake())
    weight = measure(client, "fake", "en", url_for("places:home"))
    assert sorted(url.split(": ", 1)[1] for url in weight.offsite) == [
        "//tracker.example/p.gif",
        "https://api.example/",
        "https://cdn.example/x2.png",
        "https://collect.example/",
        "https://img.example/bg.png",
        "https://maps.example/tile.png",
    ]
    assert list(weight.assets) == ["/static/rabta/site.css"]
    assert weight.total_gzip > weight.html_gzip
