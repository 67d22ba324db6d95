"""Back and Send makes one report; a replay shows the code only to the browser that sent it; a
language switch on the confirmation keeps the code (issue #12, point 4)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.test import Client

from rabta.reports import form_binding
from rabta.reports.models import Report
from tests.conftest import World
from tests.paths import url_for
from tests.test_reports_public_form import form_data

pytestmark = pytest.mark.django_db

CODE = re.compile(r"\d{3}-\d{3}-\d{4}")
KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')


def _key(body: str) -> str:
    found = KEY.search(body)
    assert found, "the form has no idempotency key"
    return found.group(1)


def _send(client: Client, world: World, key: str, lang: str = "en", **extra: Any) -> str:
    response = client.post(url_for("reports:new", lang=lang), form_data(world, idempotency_key=key, **extra))
    assert response.status_code == 200
    return response.content.decode()


def test_back_after_sending_gets_the_same_key_and_sending_again_replays(world: World, client: Client) -> None:
    key = _key(client.get(url_for("reports:new")).content.decode())
    first = _send(client, world, key)
    code = CODE.search(first)
    assert code and Report.objects.count() == 1

    back = client.get(url_for("reports:new"))  # the browser fetches the never-cached form again
    body = back.content.decode()
    assert _key(body) == key
    assert "You sent a report from this phone a few minutes ago." in body
    assert "private, no-store" in back["Cache-Control"]

    again = _send(client, world, _key(body))
    assert Report.objects.count() == 1
    assert CODE.search(again) and CODE.search(again).group(0) == code.group(0)  # type: ignore[union-attr]


def test_reload_before_sending_keeps_the_key_and_another_starts_afresh(world: World, client: Client) -> None:
    key = _key(client.get(url_for("reports:new")).content.decode())
    assert _key(client.get(url_for("reports:new")).content.decode()) == key
    _send(client, world, key)
    fresh = _key(client.get(url_for("reports:new", query={"another": "1"})).content.decode())
    assert fresh != key
    _send(client, world, fresh, description="Boys race motorbikes past the school every evening.")
    assert Report.objects.count() == 2


def test_a_replay_from_another_browser_shows_no_code(world: World, client: Client) -> None:
    key = _key(client.get(url_for("reports:new")).content.decode())
    mine = _send(client, world, key)
    code = CODE.search(mine)
    assert code

    stranger = Client()
    body = _send(stranger, world, key)
    assert Report.objects.count() == 1
    assert not CODE.search(body) and not re.search(r"/track/[A-Za-z0-9_-]{32,}/", body)
    assert code.group(0) not in body
    assert "no second report was made" in body
    assert form_binding.COOKIE not in stranger.cookies or not stranger.cookies[form_binding.COOKIE].value


def test_a_double_tap_shows_the_code_both_times(world: World, client: Client) -> None:
    key = _key(client.get(url_for("reports:new")).content.decode())
    # The second tap leaves before the first answer (and its cookie) arrives: it carries the form's.
    cookie = client.cookies[form_binding.COOKIE].value
    first = _send(client, world, key)
    client.cookies[form_binding.COOKIE] = cookie
    second = _send(client, world, key)
    assert Report.objects.count() == 1
    assert CODE.search(first).group(0) == CODE.search(second).group(0)  # type: ignore[union-attr]


def test_other_words_under_a_sent_key_ask_before_a_second_report(world: World, client: Client) -> None:
    key = _key(client.get(url_for("reports:new")).content.decode())
    _send(client, world, key)
    other = "Someone sells drugs at the corner shop after dark."
    asked = _send(client, world, key, description=other)
    assert Report.objects.count() == 1
    assert "If this is a different concern, press Send again" in asked and other in asked
    assert not CODE.search(asked)
    new_key = _key(asked)
    assert new_key != key
    done = _send(client, world, new_key, description=other)
    assert Report.objects.count() == 2 and CODE.search(done)


def test_language_switch_on_the_confirmation_keeps_the_code(world: World, client: Client) -> None:
    key = _key(client.get(url_for("reports:new")).content.decode())
    first = _send(client, world, key)
    code = CODE.search(first).group(0)  # type: ignore[union-attr]
    sent_ps = url_for("reports:sent", lang="ps")
    assert f'href="{sent_ps}"' in first  # the language link carries nothing secret
    assert code.replace("-", "") not in sent_ps

    pashto = client.get(sent_ps)
    body = pashto.content.decode()
    assert pashto.status_code == 200 and code in body and 'lang="ps"' in body
    assert "private, no-store" in pashto["Cache-Control"]
    assert "/ps/track/" in body
    assert Report.objects.count() == 1


def test_the_confirmation_is_gone_after_the_window_and_elsewhere(world: World, client: Client) -> None:
    key = _key(client.get(url_for("reports:new")).content.decode())
    code = CODE.search(_send(client, world, key)).group(0)  # type: ignore[union-attr]
    other = Client().get(url_for("reports:sent", lang="ur"))
    assert other.status_code == 404 and code not in other.content.decode()
    later = dt.datetime.now(dt.UTC) + form_binding.SENT_WINDOW + dt.timedelta(minutes=1)
    with time_machine.travel(later):
        gone = client.get(url_for("reports:sent", lang="ur"))
        assert gone.status_code == 404 and code not in gone.content.decode()
        # Back after the window: a new form, no longer tied to the sent report.
        assert _key(client.get(url_for("reports:new")).content.decode()) != key


def test_a_forged_cookie_is_ignored(world: World, client: Client) -> None:
    key = _key(client.get(url_for("reports:new")).content.decode())
    _send(client, world, key)
    thief = Client()
    thief.cookies[form_binding.COOKIE] = f'{{"k": "{key}", "s": 1}}'
    assert thief.get(url_for("reports:sent")).status_code == 404
    assert not CODE.search(_send(thief, world, key))


def test_the_cookie_holds_no_credential(world: World, client: Client) -> None:
    key = _key(client.get(url_for("reports:new")).content.decode())
    body = _send(client, world, key)
    code = CODE.search(body).group(0)  # type: ignore[union-attr]
    token = re.search(r"/track/([A-Za-z0-9_-]{32,})/", body).group(1)  # type: ignore[union-attr]
    morsel = client.cookies[form_binding.COOKIE]
    assert morsel["httponly"] and morsel["samesite"] == "Lax" and not morsel["max-age"]
    assert code.replace("-", "") not in morsel.value and token not in morsel.value
    report = Report.objects.get()
    assert report.public_id not in morsel.value
