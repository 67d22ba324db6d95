"""The SMS worker: one drain task serves many messages, in order, failures isolated, nothing lost."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils.module_loading import import_string
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from rabta.core.periodic import ensure_scheduled
from rabta.messaging import conversation, inbound, jobs, outbound
from rabta.messaging.models import (
    InboundMessage,
    InboundStatus,
    OutboundMessage,
    OutboundStatus,
    Phone,
    Purpose,
)
from rabta.messaging.tasks import sweep_messages
from tests.sms_fixtures import console_channel
from tests.tasks_helper import queued, run_ready_tasks

pytestmark = pytest.mark.django_db


def receive(channel: Any, number: str, text: str, sid: str) -> InboundMessage:
    message, created = inbound.receive_inbound(
        channel=channel, provider_message_id=sid, sender=number, body=text
    )
    assert created
    return message


def replies_to(number: str) -> list[str]:
    phone = Phone.objects.for_number(number).get()
    return list(OutboundMessage.objects.filter(phone=phone).order_by("pk").values_list("body", flat=True))


def test_many_messages_wake_one_drain_that_handles_them_all() -> None:
    channel = console_channel()
    for n in range(6):
        receive(channel, f"+92300111222{n}", "HELP", f"m{n}")
    # The first message queued a drain; the rest found it waiting and queued nothing.
    assert len(queued("drain_inbound")) == 1
    assert run_ready_tasks() == 1
    assert set(InboundMessage.objects.values_list("status", flat=True)) == {InboundStatus.PROCESSED}
    sent = OutboundMessage.objects.all()
    assert sent.count() == 6 and {m.status for m in sent} == {OutboundStatus.SENT}
    # Replies went out from the drain itself: no send task per message.
    assert not DBTaskResult.objects.filter(task_path__endswith="send_outbound").exists()


def test_a_phones_messages_are_handled_in_arrival_order_across_chunks() -> None:
    channel = console_channel()
    number = "+923001234567"
    receive(channel, number, "LANG UR", "a1")
    receive(channel, number, "LANG EN", "a2")
    receive(channel, number, "HELP", "a3")
    inbound.process_pending_inbound(chunk=1)
    replies = replies_to(number)
    assert len(replies) == 3
    assert "Send REPORT" in replies[2]  # English, because LANG EN came second
    assert Phone.objects.for_number(number).get().language == "en"


def test_a_failing_message_is_marked_failed_and_the_rest_go_on(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    channel = console_channel()
    real_handle = conversation.handle

    def handle(*, phone: Phone, text: str, channel: Any, inbound_id: int | None = None) -> Any:
        if text == "BOOM":
            phone.opt_out()  # a write that must be rolled back with the failure
            raise RuntimeError("broken message")
        return real_handle(phone=phone, text=text, channel=channel, inbound_id=inbound_id)

    monkeypatch.setattr(conversation, "handle", handle)
    good = receive(channel, "+923001111111", "HELP", "g1")
    bad = receive(channel, "+923002222222", "BOOM", "b1")
    later = receive(channel, "+923002222222", "HELP", "g2")
    assert inbound.process_pending_inbound() == 3
    bad.refresh_from_db()
    assert bad.status == InboundStatus.FAILED and "RuntimeError: broken message" in bad.error
    # The log names the failure's kind, never its text or the number (a message's text may quote either).
    assert "RuntimeError" in caplog.text
    assert "broken message" not in caplog.text and "+923002222222" not in caplog.text
    for message in (good, later):
        message.refresh_from_db()
        assert message.status == InboundStatus.PROCESSED
    # The failed message's own write was undone; the next message from that phone was answered.
    assert not Phone.objects.for_number("+923002222222").get().opted_out
    assert len(replies_to("+923002222222")) == 1


def test_sweep_handles_messages_no_drain_saw_and_sends_stale_replies() -> None:
    channel = console_channel()
    start = dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        message = receive(channel, "+923003333333", "HELP", "s1")
        DBTaskResult.objects.all().delete()  # the worker died with the drain task (or its row was lost)
        phone = Phone.objects.for_number("+923004444444").first() or Phone.build("+923004444444")
        phone.save()
        stale = outbound.queue_sms(
            phone=phone, body="left behind", purpose=Purpose.REPLY, channel=channel, send=False
        )
        assert stale is not None
        clock.shift(outbound.STALE_AFTER - dt.timedelta(seconds=10))
        assert inbound.sweep_messages() == {"inbound": 0, "resent": 0}  # too young: a worker may have it
        clock.shift(dt.timedelta(minutes=3))
        assert inbound.sweep_messages() == {"inbound": 1, "resent": 1}
    message.refresh_from_db()
    stale.refresh_from_db()
    assert message.status == InboundStatus.PROCESSED and stale.status == OutboundStatus.SENT
    assert replies_to("+923003333333")


def test_sweeps_keep_themselves_scheduled() -> None:
    start = dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        started = ensure_scheduled()
        assert "rabta.messaging.tasks.sweep_messages" in started
        assert ensure_scheduled() == []
        run_ready_tasks()
        waiting = DBTaskResult.objects.filter(task_path=sweep_messages.module_path, status="READY").get()
        assert waiting.run_after == start + dt.timedelta(minutes=1)
        ran = DBTaskResult.objects.filter(task_path=sweep_messages.module_path, status="SUCCESSFUL").count()
        assert ran == 1


def test_no_transaction_is_open_while_the_provider_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import connection

    from rabta.messaging.providers.console.transport import ConsoleTransport

    channel = console_channel()
    phone = Phone.build("+923005555555")
    phone.save()
    message = outbound.queue_sms(
        phone=phone, body="hello", purpose=Purpose.REPLY, channel=channel, send=False
    )
    assert message is not None
    depth_here = len(connection.atomic_blocks)  # the test's own wrapping transaction
    seen: list[int] = []
    real_send = ConsoleTransport.send

    def send(self: Any, **kw: Any) -> str:
        seen.append(len(connection.atomic_blocks))
        return real_send(self, **kw)

    monkeypatch.setattr(ConsoleTransport, "send", send)
    assert outbound.send_outbound_messages([message.pk]) == {message.pk: OutboundStatus.SENT}
    assert seen == [depth_here]


def test_a_claimed_message_is_left_to_its_sender_until_the_lease_runs_out() -> None:
    channel = console_channel()
    phone = Phone.build("+923006666666")
    phone.save()
    start = dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        message = outbound.queue_sms(
            phone=phone, body="hi", purpose=Purpose.REPLY, channel=channel, send=False
        )
        assert message is not None
        # Another sender claimed it and died before recording the outcome: it is in doubt.
        OutboundMessage.objects.filter(pk=message.pk).update(
            status=OutboundStatus.SENDING, attempts=1, next_attempt_at=start + outbound.SEND_LEASE
        )
        assert outbound.send_outbound_messages([message.pk]) == {}
        clock.shift(outbound.SEND_LEASE - dt.timedelta(seconds=1))
        assert inbound.sweep_messages()["resent"] == 0  # its sender may still be waiting for the provider
        clock.shift(dt.timedelta(seconds=1))
        assert inbound.sweep_messages()["resent"] == 1
    message.refresh_from_db()
    assert message.status == OutboundStatus.SENT and message.attempts == 2


@pytest.mark.parametrize("path", jobs.PATHS)
def test_the_services_queue_tasks_by_their_real_names(path: str) -> None:
    """The services name the tasks they queue (jobs.py); a renamed or moved task fails here."""
    task = import_string(path)
    assert isinstance(task, Task)
    assert task.module_path == path
