"""The community trust and safety survey on the web: code entry, the form, spending the code, the
open link, the thank-you page, rate limits and cache headers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from rabta.core.crypto import field_cipher
from rabta.feedback.models import (
    FREE_TEXT_CONTEXT,
    Campaign,
    CommunityResponse,
    FreeText,
    InviteCode,
    Mode,
    WalkSafety,
)
from tests.conftest import World

pytestmark = pytest.mark.django_db

FULL = {
    "trust_respect": "3",
    "trust_listen": "2",
    "safety": "6",
    "walk_day": WalkSafety.FAIRLY_SAFE,
    "walk_dark": WalkSafety.NEVER,
    "knows_officer": "no",
    "willingness": "8",
    "top_issue": "Street lights on the bazaar road are broken",
    "gender": "woman",
    "age_band": "15_29",
}


def running_campaign(world: World, **kw: Any) -> Campaign:
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name=kw.pop("name", "Round 3"),
        opens_on=kw.pop("opens_on", today - dt.timedelta(days=2)),
        closes_on=kw.pop("closes_on", today + dt.timedelta(days=10)),
    )
    campaign.beats.set(kw.pop("beats", [world.beat_a]))
    return campaign


def code_for(campaign: Campaign, beat: Any) -> InviteCode:
    return InviteCode.objects.create(campaign=campaign, beat=beat)


def url(name: str, lang: str = "en", **kwargs: Any) -> str:
    with translation.override(lang):
        return reverse(f"feedback:{name}", kwargs=kwargs or None)


def test_code_entry_accepts_spaces_dashes_and_lower_case(world: World) -> None:
    code = code_for(running_campaign(world), world.beat_a)
    typed = f" {code.code[:4].lower()} - {code.code[4:].lower()} "
    response = Client().post(url("survey"), {"code": typed})
    assert response.status_code == 200
    body = response.content.decode()
    assert f'value="{code.code}"' in body  # the code rides along in the hidden field
    assert "Gulabad" in body
    code.refresh_from_db()
    assert code.used_on is None  # looking it up spends nothing


def test_qr_link_opens_the_questions(world: World) -> None:
    code = code_for(running_campaign(world), world.beat_a)
    response = Client().get(url("survey", "ps") + f"?code={code.code}")
    assert response.status_code == 200
    assert 'name="trust_respect"' in response.content.decode()


@pytest.mark.parametrize("typed", ["", "ABC", "ZZZZ-ZZZZ"])
def test_bad_or_unknown_code_is_a_clear_4xx(world: World, typed: str) -> None:
    response = Client().post(url("survey"), {"code": typed})
    assert response.status_code in (400, 404)
    assert "error-summary" in response.content.decode()


def test_full_answer_spends_the_code_and_saves_the_answer(world: World) -> None:
    campaign = running_campaign(world)
    code = code_for(campaign, world.beat_a)
    client = Client()
    response = client.post(url("survey_answer", "ur"), {"code": code.code, **FULL})
    assert response.status_code == 302
    assert response["Location"] == url("survey_thanks", "ur")
    code.refresh_from_db()
    assert code.used_on == timezone.localdate()
    answer = CommunityResponse.objects.get()
    assert answer.mode == Mode.WEB and answer.campaign == campaign and answer.beat == world.beat_a
    assert (answer.trust_respect, answer.trust_listen, answer.safety, answer.willingness) == (3, 2, 6, 8)
    assert answer.walk_day == WalkSafety.FAIRLY_SAFE and answer.walk_dark == WalkSafety.NEVER
    assert answer.knows_officer is False and answer.gender == "woman" and answer.age_band == "15_29"
    assert answer.entered_by is None
    text = FreeText.objects.get()
    assert text.language == "ur" and text.campaign == campaign
    assert field_cipher().decrypt(text.text_encrypted, context=FREE_TEXT_CONTEXT) == FULL["top_issue"]
    # The thank-you page says nothing of the answers.
    thanks = client.get(response["Location"]).content.decode()
    assert "Street lights" not in thanks and "bazaar" not in thanks


def test_every_item_may_be_skipped(world: World) -> None:
    code = code_for(running_campaign(world), world.beat_a)
    response = Client().post(url("survey_answer"), {"code": code.code, "walk_dark": WalkSafety.DONT_KNOW})
    assert response.status_code == 302
    answer = CommunityResponse.objects.get()
    assert answer.walk_dark == WalkSafety.DONT_KNOW
    assert answer.trust_respect is None and answer.knows_officer is None and answer.walk_day == ""
    assert not FreeText.objects.exists()


def test_an_empty_form_or_a_bad_value_keeps_the_code(world: World) -> None:
    code = code_for(running_campaign(world), world.beat_a)
    client = Client()
    assert client.post(url("survey_answer"), {"code": code.code}).status_code == 400
    assert client.post(url("survey_answer"), {"code": code.code, "safety": "11"}).status_code == 400
    assert client.post(url("survey_answer"), {"code": code.code, "walk_dark": "maybe"}).status_code == 400
    code.refresh_from_db()
    assert code.used_on is None and not CommunityResponse.objects.exists()


def test_a_used_code_is_refused_without_a_second_answer(world: World) -> None:
    code = code_for(running_campaign(world), world.beat_a)
    client = Client()
    assert client.post(url("survey_answer"), {"code": code.code, **FULL}).status_code == 302
    again = client.post(url("survey_answer"), {"code": code.code, **FULL})
    assert again.status_code == 404
    assert client.post(url("survey"), {"code": code.code}).status_code == 404
    assert CommunityResponse.objects.count() == 1


def test_a_code_of_a_closed_campaign_is_refused(world: World) -> None:
    today = timezone.localdate()
    closed = running_campaign(
        world, opens_on=today - dt.timedelta(days=30), closes_on=today - dt.timedelta(days=1)
    )
    code = code_for(closed, world.beat_a)
    assert Client().post(url("survey"), {"code": code.code}).status_code == 404
    assert Client().post(url("survey_answer"), {"code": code.code, **FULL}).status_code == 404


@pytest.mark.parametrize("name", ["survey", "survey_thanks"])
def test_survey_pages_are_never_stored(world: World, name: str) -> None:
    response = Client().get(url(name))
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]


def test_the_answer_page_is_never_stored(world: World) -> None:
    code = code_for(running_campaign(world), world.beat_a)
    response = Client().post(url("survey"), {"code": code.code})
    assert "no-store" in response["Cache-Control"]


def test_code_lookups_are_rate_limited(world: World, settings: Any) -> None:
    settings.RABTA_RATE_LIMITS = {**settings.RABTA_RATE_LIMITS, "survey_code": (3, 3600)}
    client = Client()
    statuses = [client.post(url("survey"), {"code": "ZZZZZZZZ"}).status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]


def test_open_link_answers_are_flagged(world: World) -> None:
    campaign = running_campaign(world)
    token = campaign.enable_open_link()
    client = Client()
    page = client.get(url("survey_open", token=token))
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    response = client.post(url("survey_open", token=token), {"safety": "4", "gender": "man"})
    assert response.status_code == 302
    answer = CommunityResponse.objects.get()
    assert answer.mode == Mode.OPEN_LINK and answer.open_link and answer.beat == world.beat_a


def test_open_link_in_several_beats_asks_which(world: World) -> None:
    campaign = running_campaign(world, beats=[world.beat_a, world.beat_b])
    token = campaign.enable_open_link()
    client = Client()
    assert client.post(url("survey_open", token=token), {"safety": "4"}).status_code == 400
    assert (
        client.post(url("survey_open", token=token), {"safety": "4", "beat": world.beat_c.pk}).status_code
        == 400
    )
    assert (
        client.post(url("survey_open", token=token), {"safety": "4", "beat": world.beat_b.pk}).status_code
        == 302
    )
    assert CommunityResponse.objects.get().beat == world.beat_b


def test_open_link_is_rate_limited(world: World, settings: Any) -> None:
    settings.RABTA_RATE_LIMITS = {**settings.RABTA_RATE_LIMITS, "survey_open": (2, 3600)}
    token = running_campaign(world).enable_open_link()
    client = Client()
    statuses = [client.post(url("survey_open", token=token), {"safety": "4"}).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert CommunityResponse.objects.count() == 2


def test_unknown_or_closed_open_link_is_404(world: World) -> None:
    today = timezone.localdate()
    closed = running_campaign(
        world, opens_on=today - dt.timedelta(days=30), closes_on=today - dt.timedelta(days=1)
    )
    token = closed.enable_open_link()
    assert Client().get(url("survey_open", token=token)).status_code == 404
    assert Client().get(url("survey_open", token="nope")).status_code == 404
    assert Client().post(url("survey_open", token="nope"), {"safety": "3"}).status_code == 404


@pytest.mark.parametrize("lang", ["en", "ur", "ps"])
def test_the_form_in_each_language(world: World, lang: str) -> None:
    code = code_for(running_campaign(world), world.beat_a)
    response = Client().post(url("survey", lang), {"code": code.code})
    body = response.content.decode()
    assert response.status_code == 200 and f'lang="{lang}"' in body
    # 0-10 scales: eleven choices each, for the two trust items, safety and willingness.
    for name in ("trust_respect", "trust_listen", "safety", "willingness"):
        assert body.count(f'name="{name}"') == 11
    for name in ("walk_day", "walk_dark"):
        assert body.count(f'name="{name}"') == 6
    assert body.count('name="knows_officer"') == 2
    assert "<script" not in body.replace('<script src="/static/rabta/error-summary.js"', "")
