"""Flood protection of the report form that does not block a town behind one carrier address.

Each rendered form carries a signed token and is counted on its own (report_form), under a high
ceiling per address (report_address); a post without a valid token counts against the tight
per-address limit (report); a phone or e-mail against its own (report_contact). Over any of them the
form comes back as typed, with its key, and says so.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import time_machine
from django.test import Client

from rabta.core import ratelimit
from rabta.core.models import RateCounter
from rabta.reports.models import Category, Report
from tests.conftest import World
from tests.paths import url_for

pytestmark = pytest.mark.django_db

CARRIER = "203.0.113.7"  # one address for a whole town (carrier-grade NAT)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def fresh_form(client: Client, lang: str = "en") -> dict[str, str]:
    body = client.get(url_for("reports:new", lang=lang)).content.decode()
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', body))
    assert fields.get("form_token") and fields.get("idempotency_key")
    return fields


def report_data(world: World, form: dict[str, str], **extra: str) -> dict[str, Any]:
    return {
        **form,
        "category": Category.objects.get(code="street_lighting").pk,
        "beat": world.beat_a.code,
        "place_description": "Behind the girls' school",
        "description": "The street light has been broken for two weeks; the lane is dark.",
        **extra,
    }


def limits(settings: Any, **values: tuple[int, int]) -> None:
    settings.RABTA_RATE_LIMITS = {**settings.RABTA_RATE_LIMITS, **values}


def test_a_town_behind_one_address_is_not_blocked(world: World, settings: Any) -> None:
    limits(settings, report=(3, 3600), report_form=(2, 3600), report_address=(50, 3600))
    for n in range(12):  # twelve residents, twelve phones, one address
        phone = Client(REMOTE_ADDR=CARRIER)
        response = phone.post(url_for("reports:new"), report_data(world, fresh_form(phone)))
        assert response.status_code == 200, n
    assert Report.objects.count() == 12


def test_one_form_cannot_flood(world: World, settings: Any) -> None:
    limits(settings, report_form=(3, 3600))
    client = Client(REMOTE_ADDR=CARRIER)
    form = fresh_form(client)
    for n in range(3):
        data = report_data(world, form, idempotency_key=f"{n}" * 32)
        assert client.post(url_for("reports:new"), data).status_code == 200
    refused = client.post(url_for("reports:new"), report_data(world, form, idempotency_key="z" * 32))
    assert refused.status_code == 429
    assert Report.objects.count() == 3


def test_the_address_ceiling_holds_a_flood_of_fresh_forms(world: World, settings: Any) -> None:
    limits(settings, report_form=(10, 3600), report_address=(4, 3600))
    statuses = []
    for _ in range(6):  # each post from another phone, all behind one address
        client = Client(REMOTE_ADDR=CARRIER)
        statuses.append(
            client.post(url_for("reports:new"), report_data(world, fresh_form(client))).status_code
        )
    assert statuses == [200, 200, 200, 200, 429, 429]
    assert Report.objects.count() == 4
    # Another address is not affected.
    other = Client(REMOTE_ADDR="198.51.100.1")
    assert other.post(url_for("reports:new"), report_data(world, fresh_form(other))).status_code == 200


def test_without_a_valid_token_the_tight_per_address_limit_applies(world: World, settings: Any) -> None:
    limits(settings, report=(2, 3600), report_address=(100, 3600))
    client = Client(REMOTE_ADDR=CARRIER)
    form = fresh_form(client)
    forged = form["form_token"][:-2] + ("AA" if not form["form_token"].endswith("AA") else "BB")
    tokens = ["", "not-a-token", forged]
    statuses = [
        client.post(
            url_for("reports:new"), report_data(world, form, form_token=t, idempotency_key=f"{i}" * 32)
        ).status_code
        for i, t in enumerate(tokens)
    ]
    assert statuses == [200, 200, 429]


def test_an_expired_token_counts_as_none(world: World, settings: Any) -> None:
    limits(settings, report=(0, 3600))
    client = Client(REMOTE_ADDR=CARRIER)
    with time_machine.travel("2026-03-01 08:00Z", tick=False):
        form = fresh_form(client)
    with time_machine.travel("2026-03-02 20:00Z", tick=False):  # a slow day and a half: still fine
        assert client.post(url_for("reports:new"), report_data(world, form)).status_code == 200
    with time_machine.travel("2026-03-03 09:00Z", tick=False):
        late = report_data(world, form, idempotency_key="l" * 32)
        assert client.post(url_for("reports:new"), late).status_code == 429


def test_per_contact_limit_across_addresses(world: World, settings: Any) -> None:
    limits(settings, report_contact=(1, 3600))
    first, second = Client(REMOTE_ADDR="10.0.0.1"), Client(REMOTE_ADDR="10.0.0.2")
    assert (
        first.post(
            url_for("reports:new"), report_data(world, fresh_form(first), phone="0300 1234567")
        ).status_code
        == 200
    )
    refused = second.post(
        url_for("reports:new"), report_data(world, fresh_form(second), phone="+92 300 1234567")
    )
    assert refused.status_code == 429
    assert Report.objects.count() == 1


def test_the_try_later_page_keeps_what_was_typed(world: World, settings: Any) -> None:
    limits(settings, report_form=(0, 3600))
    client = Client(REMOTE_ADDR=CARRIER)
    form = fresh_form(client, lang="ur")
    words = "گلی کی بتی دو ہفتوں سے خراب ہے۔ <b>رات</b> کو اندھیرا ہوتا ہے۔"
    data = report_data(
        world, form, description=words, safe_call_hours="10-12", no_sms="on", occurred_period="evening"
    )
    refused = client.post(url_for("reports:new", lang="ur"), data)
    body = refused.content.decode()
    assert refused.status_code == 429 and 'lang="ur"' in body
    assert 'id="limited"' in body
    # Every answer is back in its field, escaped, with the same key and token, so sending later
    # makes one report.
    assert "گلی کی بتی دو ہفتوں سے خراب ہے۔ &lt;b&gt;رات&lt;/b&gt;" in body
    assert f'name="idempotency_key" value="{form["idempotency_key"]}"' in body
    assert f'name="form_token" value="{form["form_token"]}"' in body
    assert '<option value="GUL" selected>' in body
    assert re.search(r'name="no_sms"[^>]* checked', body)
    assert 'value="10-12"' in body and '<option value="evening" selected>' in body
    assert "Behind the girls&#x27; school" in body
    # No error marks: nothing was wrong with the answers.
    assert 'class="error"' not in body.split('id="limited"')[1].split("</form>")[0]
    assert not Report.objects.exists()

    limits(settings, report_form=(5, 3600))
    assert client.post(url_for("reports:new", lang="ur"), data).status_code == 200
    assert Report.objects.get().description.startswith("گلی کی بتی")


def test_the_try_later_text_says_the_words_are_kept(world: World, settings: Any) -> None:
    limits(settings, report_form=(0, 3600))
    client = Client(REMOTE_ADDR=CARRIER)
    body = client.post(url_for("reports:new"), report_data(world, fresh_form(client))).content.decode()
    assert "Please try again later" in body and "What you typed is kept below." in body
    assert "Choose your photos again." in body


def test_counters_hold_no_token_or_address_in_clear(world: World) -> None:
    client = Client(REMOTE_ADDR=CARRIER)
    form = fresh_form(client)
    client.post(url_for("reports:new"), report_data(world, form))
    keys = list(RateCounter.objects.values_list("key", flat=True))
    assert {k.split(":", 1)[0] for k in keys} >= {"report_form", "report_address"}
    value = ratelimit.form_token_value("report", form["form_token"])
    assert value and not any(value in k or CARRIER in k for k in keys)


def test_a_token_is_bound_to_its_form() -> None:
    token = ratelimit.new_form_token("report")
    assert ratelimit.form_token_value("report", token)
    assert ratelimit.form_token_value("subscribe", token) is None
    assert ratelimit.form_token_value("report", "x" * 500) is None
