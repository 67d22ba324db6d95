"""Report notifications by SMS (respecting the resident's choices) and broadcasts to subscribers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from rabta.lib.sms import segment_info
from rabta.messaging import broadcasts
from rabta.messaging.models import Broadcast, BroadcastStatus, OutboundMessage, Phone, Purpose
from rabta.reports.models import Category
from rabta.reports.services import change_status, submit_report
from tests.conftest import World, verified_client
from tests.paths import url_for
from tests.sms_fixtures import Sms, console_channel
from tests.tasks_helper import queued, run_ready_tasks

pytestmark = pytest.mark.django_db


def _report(world: World, **kw: Any) -> Any:
    category = Category.objects.get(code="street_lighting")
    return submit_report(
        category=category, beat=world.beat_a, description="Dark street", language="ur", **kw
    ).report


def _acknowledge(report: Any, by: Any, capture: Any) -> None:
    with capture(execute=True):
        change_status(report=report, by=by, to="acknowledged", note="We will visit tomorrow")


def test_status_change_reaches_a_reporter_by_sms(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    console_channel()
    report = _report(world, phone="0300 7654321")
    OutboundMessage.objects.all().delete()
    _acknowledge(report, world.beat_officer, django_capture_on_commit_callbacks)
    sms = OutboundMessage.objects.get(purpose=Purpose.NOTIFICATION)
    assert sms.phone.number == "+923007654321"
    assert "0300" not in sms.body and "Dark street" not in sms.body


@pytest.mark.parametrize("case", ["no_sms", "anonymous", "opted_out"])
def test_choices_are_respected(world: World, django_capture_on_commit_callbacks: Any, case: str) -> None:
    console_channel()
    if case == "opted_out":
        Phone.build("+923007654321", opted_out=True).save()
    report = _report(
        world, **({"phone": "0300 7654321", "no_sms": case == "no_sms"} if case != "anonymous" else {})
    )
    _acknowledge(report, world.beat_officer, django_capture_on_commit_callbacks)
    assert (
        not OutboundMessage.objects.filter(purpose=Purpose.NOTIFICATION).exclude(status="suppressed").exists()
    )


def test_discreet_phone_gets_neutral_wording(world: World, django_capture_on_commit_callbacks: Any) -> None:
    console_channel()
    Phone.build("+923007654321", discreet=True).save()
    report = _report(world, phone="0300 7654321")
    _acknowledge(report, world.beat_officer, django_capture_on_commit_callbacks)
    body = OutboundMessage.objects.filter(purpose=Purpose.NOTIFICATION).last().body  # type: ignore[union-attr]
    assert "report" not in body.lower() and "police" not in body.lower()


def _subscribers(world: World) -> None:
    channel = console_channel()
    for number, language, beat in [
        ("+923001110001", "en", "Gulabad"),
        ("+923001110002", "ps", "Gulabad"),
        ("+923001110003", "en", "Rabat"),
    ]:
        sms = Sms(channel, number)
        sms.send(f"LANG {language}")
        sms.send(f"JOIN {beat}")


def test_beat_broadcast_goes_to_its_subscribers_in_their_language(world: World) -> None:
    _subscribers(world)
    broadcast = Broadcast.objects.create(
        author=world.beat_officer, body_en="Open talk Friday 4pm", body_ps="د جمعې ورځ خبرې اترې"
    )
    broadcast.beats.set([world.beat_a])
    broadcasts.submit_broadcast(broadcast=broadcast, by=world.beat_officer)
    assert broadcast.status == BroadcastStatus.SCHEDULED
    assert (broadcast.recipients, broadcast.segments_total) == (2, 2)
    run_ready_tasks()
    sent = {m.phone.number: m.body for m in OutboundMessage.objects.filter(purpose=Purpose.BROADCAST)}
    assert sent == {"+923001110001": "Open talk Friday 4pm", "+923001110002": "د جمعې ورځ خبرې اترې"}
    broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.SENT
    assert broadcasts.dispatch_broadcast_now(broadcast.pk) == 0  # never twice


def test_station_broadcast_needs_the_station_head(world: World) -> None:
    _subscribers(world)
    broadcast = Broadcast.objects.create(
        author=world.beat_officer, body_en="Awareness walk", station=world.station_a
    )
    broadcasts.submit_broadcast(broadcast=broadcast, by=world.beat_officer)
    assert broadcast.status == BroadcastStatus.PENDING_APPROVAL
    run_ready_tasks()
    assert not OutboundMessage.objects.filter(purpose=Purpose.BROADCAST).exists()
    with pytest.raises(broadcasts.BroadcastError):
        broadcasts.approve_broadcast(broadcast=broadcast, by=world.other_station_head)
    broadcasts.approve_broadcast(broadcast=broadcast, by=world.station_head)
    run_ready_tasks()
    assert OutboundMessage.objects.filter(purpose=Purpose.BROADCAST).count() == 2


def test_scheduled_broadcast_waits(world: World) -> None:
    _subscribers(world)
    broadcast = Broadcast.objects.create(
        author=world.beat_officer, body_en="Later", scheduled_for=timezone.now() + dt.timedelta(hours=2)
    )
    broadcast.beats.set([world.beat_c])
    broadcasts.submit_broadcast(broadcast=broadcast, by=world.beat_officer)
    run_ready_tasks()
    assert not OutboundMessage.objects.filter(purpose=Purpose.BROADCAST).exists()
    assert queued("dispatch_broadcast") == []  # deferred, not ready


def test_broadcast_form_shows_cost_before_sending(world: World) -> None:
    _subscribers(world)
    client = verified_client(world.beat_officer)
    data = {"audience": "beats", "beats": [world.beat_a.pk], "body_en": "Open talk Friday", "check": "1"}
    page = client.post(url_for("messaging:broadcast_new"), data)
    assert page.status_code == 200
    assert "2 subscribers will receive it" in page.content.decode()
    assert not Broadcast.objects.exists()
    out_of_scope = client.post(url_for("messaging:broadcast_new"), {**data, "beats": [world.beat_c.pk]})
    assert "Select a valid choice" in out_of_scope.content.decode()
    client.post(url_for("messaging:broadcast_new"), {**data, "send": "1"})
    assert Broadcast.objects.get().status == BroadcastStatus.SCHEDULED


def test_broadcast_approval_through_the_page(world: World) -> None:
    _subscribers(world)
    officer = verified_client(world.beat_officer)
    officer.post(
        url_for("messaging:broadcast_new"),
        {"audience": "station", "station": world.station_a.pk, "body_en": "Walk on Sunday", "send": "1"},
    )
    broadcast = Broadcast.objects.get()
    assert broadcast.status == BroadcastStatus.PENDING_APPROVAL
    assert (
        verified_client(world.other_station_head)
        .post(url_for("messaging:broadcast_approve", broadcast.pk))
        .status_code
        == 404
    )
    head = verified_client(world.station_head)
    assert "Walk on Sunday" in head.get(url_for("messaging:broadcast_list")).content.decode()
    assert head.post(url_for("messaging:broadcast_approve", broadcast.pk)).status_code == 302
    broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.SCHEDULED and broadcast.approved_by == world.station_head


def test_meeting_announcement_reaches_the_beats_subscribers(world: World) -> None:
    from rabta.engagement.services import announce_meeting
    from tests import test_engagement_support as engagement

    _subscribers(world)
    meeting = engagement.meeting(world.beat_officer, [world.beat_a])
    announcement = announce_meeting(meeting=meeting, by=world.beat_officer)
    assert announcement.status == "sent" and announcement.recipients == 2
    run_ready_tasks()
    sent = {m.phone.number: m.body for m in OutboundMessage.objects.filter(purpose=Purpose.BROADCAST)}
    assert set(sent) == {"+923001110001", "+923001110002"}  # the Rabat subscriber is not told
    assert "Gulabad Chowk hujra" in sent["+923001110001"]
    assert all(segment_info(body).segments <= 2 for body in sent.values())
