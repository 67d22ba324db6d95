"""Markup a screen reader relies on, checked without a browser: ids are unique, and every id that
`aria-describedby`, `aria-labelledby`, `<label for>` or a `#fragment` link names exists on the page.
The error summary after a failed submit links each field. (axe-core checks the rendered pages too:
tests/browser/test_accessibility.py.)"""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

import pytest
from django.template.loader import render_to_string
from django.test import Client

from rabta.people.forms import LoginForm, TokenForm
from rabta.reports.models import Report
from tests import factories
from tests.conftest import World, verified_client
from tests.paths import url_for


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.refs: list[tuple[str, str]] = []  # (attribute, id)
        self.summary_links: list[str] = []
        self._in_summary = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if "id" in values:
            self.ids.append(values["id"])
        for name in ("aria-describedby", "aria-labelledby", "aria-controls"):
            self.refs.extend((name, ref) for ref in values.get(name, "").split())
        if tag == "label" and values.get("for"):
            self.refs.append(("for", values["for"]))
        href = values.get("href", "")
        if tag == "a" and href.startswith("#") and len(href) > 1:
            self.refs.append(("href", href[1:]))
            if self._in_summary:
                self.summary_links.append(href[1:])
        if values.get("id") == "error-summary":
            self._in_summary = 1
        elif self._in_summary and tag == "div":
            self._in_summary += 1

    def handle_endtag(self, tag: str) -> None:
        if self._in_summary and tag == "div":
            self._in_summary -= 1


def refs_of(html: str) -> _Refs:
    parser = _Refs()
    parser.feed(html)
    duplicates = [i for i, n in Counter(parser.ids).items() if n > 1]
    assert duplicates == [], f"duplicate ids: {duplicates}"
    missing = [(attr, ref) for attr, ref in parser.refs if ref not in parser.ids]
    assert missing == [], f"references to ids that are not on the page: {missing}"
    return parser


@pytest.mark.parametrize("lang", ["en", "ur", "ps"])
def test_report_form_and_its_error_summary(world: World, client: Client, lang: str) -> None:
    page = client.get(url_for("reports:new", lang=lang))
    html = page.content.decode()
    assert 'aria-describedby="id_safe_call_hours_helptext"' in html
    assert 'id="id_safe_call_hours_helptext"' in html
    assert refs_of(html).summary_links == []

    sent = client.post(url_for("reports:new", lang=lang), {"description": ""})
    assert not Report.objects.exists()
    html = sent.content.decode()
    refs = refs_of(html)
    # The category (its first choice) and the description, in the form's order, each linked.
    assert refs.summary_links[:1] == ["id_category_0"]
    assert "id_description" in refs.summary_links
    assert 'aria-describedby="id_description_error"' in html or 'id_description_error"' in html
    assert html.index('id="error-summary"') < html.index('name="description"')
    assert 'src="/static/rabta/error-summary.js"' in html


def test_track_lookup_code_help_and_unknown_code(world: World, client: Client) -> None:
    html = client.get(url_for("reports:track_lookup", lang="ur")).content.decode()
    assert 'aria-describedby="id_code_helptext"' in html and 'id="id_code_helptext"' in html
    refs_of(html)
    sent = client.post(url_for("reports:track_lookup", lang="ur"), {"code": "123-456-7890"})
    refs = refs_of(sent.content.decode())
    assert refs.summary_links == ["id_code"]


def test_login_and_second_factor_help_texts_are_linked(world: World) -> None:
    login = render_to_string("people/login.html", {"form": LoginForm(data={"username": "x"})})
    assert 'id="id_otp_token_helptext"' in login
    refs_of(login)
    setup = render_to_string(
        "people/two_factor_setup.html",
        {"form": TokenForm(data={"otp_token": "x"}), "qr_svg": "", "secret": "K"},
    )
    refs_of(setup)


def test_staff_report_page_has_one_of_each_id(world: World) -> None:
    submission = factories.report("street_lighting", beat_obj=world.beat_a)
    officer = verified_client(world.beat_officer)
    html = officer.get(url_for("reports:staff_detail", submission.report.public_id)).content.decode()
    assert html.count('name="note"') >= 2  # the status form's note and the note form's, both named note
    refs_of(html)
