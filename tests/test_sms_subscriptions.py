"""Beat news sign-ups from the web wait for the phone's own YES, and never undo a STOP (issue 9, point 5)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from rabta.lib.sms import segment_info
from rabta.messaging import broadcasts, subscriptions
from rabta.messaging.models import (
    Broadcast,
    BroadcastStatus,
    OutboundMessage,
    OutboundStatus,
    Phone,
    Purpose,
    Subscription,
)
from tests.conftest import World
from tests.paths import url_for
from tests.sms_fixtures import Sms, console_channel
from tests.tasks_helper import run_ready_tasks

pytestmark = pytest.mark.django_db

NUMBER = "+923001112223"


def _sign_up(
    client: Client, number: str = "0300 1112223", *, beat: str = "GUL", lang: str = "en", ip: str = ""
) -> Any:
    extra = {"REMOTE_ADDR": ip} if ip else {}
    return client.post(url_for("messaging:subscribe", beat, lang=lang), {"phone": number}, **extra)


def _reached_by_beat_broadcast(world: World) -> set[str]:
    broadcast = Broadcast.objects.create(author=world.beat_officer, body_en="Open talk Friday")
    broadcast.beats.set([world.beat_a])
    broadcasts.submit_broadcast(broadcast=broadcast, by=world.beat_officer)
    assert broadcast.status == BroadcastStatus.SCHEDULED
    run_ready_tasks()
    sent = OutboundMessage.objects.filter(broadcast=broadcast, status=OutboundStatus.SENT)
    return {m.phone.number for m in sent}


def _page_text(response: Any) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def test_a_web_sign_up_waits_for_the_phone_and_sends_one_confirmation(world: World, client: Client) -> None:
    console_channel()
    response = _sign_up(client)
    assert response.status_code == 200
    assert "reply YES to confirm" in response.content.decode()
    phone = Phone.objects.for_number(NUMBER).get()
    row = phone.subscriptions.get()
    assert (row.beat, row.active, row.pending, row.confirmed_at) == (world.beat_a, False, True, None)
    sms = OutboundMessage.objects.get(phone=phone)
    assert sms.purpose == Purpose.NOTIFICATION and sms.status == OutboundStatus.QUEUED
    assert sms.body == ("Rabta: reply YES to get news for Gulabad by SMS. Ignore this if you did not ask.")
    # Not yet a subscriber: a broadcast to the beat does not reach it.
    assert NUMBER not in _reached_by_beat_broadcast(world)


def test_yes_starts_it_once(world: World, client: Client) -> None:
    console_channel()
    _sign_up(client)
    phone = Phone.objects.for_number(NUMBER).get()
    started = subscriptions.confirm_pending_subscriptions(phone=phone)
    assert [s.beat for s in started] == [world.beat_a]
    row = Subscription.objects.get(phone=phone)
    assert row.active and not row.pending and row.confirmed_at is not None
    assert subscriptions.confirm_pending_subscriptions(phone=phone) == []  # a second YES changes nothing
    assert Subscription.objects.filter(phone=phone, active=True).count() == 1
    assert NUMBER in _reached_by_beat_broadcast(world)


def test_an_old_sign_up_is_forgotten(world: World, client: Client) -> None:
    console_channel()
    _sign_up(client)
    Subscription.objects.update(created_at=timezone.now() - subscriptions.PENDING_FOR - dt.timedelta(hours=1))
    phone = Phone.objects.for_number(NUMBER).get()
    assert subscriptions.confirm_pending_subscriptions(phone=phone) == []
    row = Subscription.objects.get()
    assert not row.active and not row.pending and row.ended_at is not None


def test_yes_for_a_beat_already_joined_by_sms_keeps_one_subscription(world: World, client: Client) -> None:
    channel = console_channel()
    _sign_up(client)
    Sms(channel, NUMBER).send("JOIN Gulabad")
    phone = Phone.objects.for_number(NUMBER).get()
    assert subscriptions.confirm_pending_subscriptions(phone=phone) == []
    assert Subscription.objects.filter(phone=phone, active=True).count() == 1
    assert not Subscription.objects.filter(phone=phone, pending=True).exists()


def test_a_number_that_sent_stop_is_never_messaged_by_a_web_sign_up(world: World, client: Client) -> None:
    channel = console_channel()
    sms = Sms(channel, NUMBER)
    sms.send("JOIN Gulabad")
    sms.send("STOP")
    before = OutboundMessage.objects.count()
    response = _sign_up(client)
    assert response.status_code == 200
    phone = sms.phone
    assert phone.opted_out  # the web cannot undo STOP
    assert OutboundMessage.objects.count() == before  # not even a suppressed row
    assert not Subscription.objects.filter(phone=phone, pending=True).exists()
    assert subscriptions.confirm_pending_subscriptions(phone=phone) == []
    assert NUMBER not in _reached_by_beat_broadcast(world)


def test_yes_after_stop_starts_nothing(world: World, client: Client) -> None:
    console_channel()
    _sign_up(client)
    phone = Phone.objects.for_number(NUMBER).get()
    phone.opt_out()
    assert subscriptions.confirm_pending_subscriptions(phone=phone) == []
    assert not Subscription.objects.filter(phone=phone, active=True).exists()


def test_the_confirmation_is_not_sent_if_the_phone_stops_before_it_goes(world: World, client: Client) -> None:
    console_channel()
    _sign_up(client)
    Phone.objects.for_number(NUMBER).get().opt_out()
    run_ready_tasks()
    assert OutboundMessage.objects.get().status == OutboundStatus.SUPPRESSED


def test_leave_ends_a_sign_up_still_waiting(world: World, client: Client) -> None:
    console_channel()
    _sign_up(client)
    phone = Phone.objects.for_number(NUMBER).get()
    subscriptions.unsubscribe_all(phone=phone)
    assert subscriptions.confirm_pending_subscriptions(phone=phone) == []


def test_a_stranger_cannot_flood_a_number(world: World, client: Client) -> None:
    console_channel()
    # From different addresses (the per-client limit does not help), for two beats, three times.
    for n, beat in enumerate(["GUL", "SHG", "GUL"]):
        assert _sign_up(client, beat=beat, ip=f"10.0.0.{n + 1}").status_code == 200
    phone = Phone.objects.for_number(NUMBER).get()
    assert OutboundMessage.objects.filter(phone=phone).count() == 1
    # Only the beat named in the SMS that went can start with YES.
    assert [s.beat for s in subscriptions.confirm_pending_subscriptions(phone=phone)] == [world.beat_a]


def test_the_page_says_the_same_whatever_the_number(world: World, client: Client) -> None:
    channel = console_channel()
    Sms(channel, "+923001110001").send("STOP")
    Sms(channel, "+923001110002").send("JOIN Gulabad")
    _sign_up(client, "03001110003", ip="10.0.0.9")  # the next one is over the daily limit
    pages = {
        state: _page_text(_sign_up(client, number, ip=f"10.0.1.{n}"))
        for n, (state, number) in enumerate(
            [
                ("new", "03001110004"),
                ("opted_out", "03001110001"),
                ("subscribed", "03001110002"),
                ("limited", "03001110003"),
            ]
        )
    }
    assert len(set(pages.values())) == 1, "the page differs by the number's state"
    page = pages["new"]
    assert "If this number can receive SMS, it will get a message: reply YES to confirm." in page
    assert "1110004" not in page and "1110001" not in page


@pytest.mark.parametrize("lang", ["en", "ur", "ps"])
def test_the_confirmation_is_in_the_pages_language_and_fits_two_sms(
    world: World, client: Client, lang: str
) -> None:
    console_channel()
    world.beat_a.name_ur, world.beat_a.name_ps = "گل آباد بازار", "ګل اباد بازار"
    world.beat_a.save(update_fields=["name_ur", "name_ps"])
    _sign_up(client, lang=lang)
    body = OutboundMessage.objects.get().body
    name = {"en": "Gulabad", "ur": "گل آباد بازار", "ps": "ګل اباد بازار"}[lang]
    assert name in body and body == subscriptions.confirmation_text(beat=world.beat_a, language=lang)
    assert segment_info(body).segments <= 2


def test_a_bad_number_gets_a_clear_400(world: World, client: Client) -> None:
    console_channel()
    bad = _sign_up(client, "12")
    assert bad.status_code == 400 and "0300 1234567" in bad.content.decode()
    assert not Phone.objects.exists() and not OutboundMessage.objects.exists()


def test_the_phone_answers_yes_by_sms_and_the_news_starts(world: World, client: Client) -> None:
    channel = console_channel()
    _sign_up(client)
    replies = Sms(channel, NUMBER).send("YES")
    assert any("Gulabad" in reply for reply in replies)
    row = Subscription.objects.get(phone__in=Phone.objects.for_number(NUMBER))
    assert row.active and not row.pending and row.confirmed_at is not None
    assert NUMBER in _reached_by_beat_broadcast(world)
