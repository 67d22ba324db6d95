"""The same SMS delivered several times at once has exactly one effect (PostgreSQL, real transactions)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from rabta.messaging.models import InboundMessage, Phone
from tests.sms_fixtures import twilio_channel, twilio_post
from tests.tasks_helper import queued

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency is proven on PostgreSQL"),
]


def test_concurrent_duplicate_deliveries_store_one_message() -> None:
    channel = twilio_channel()
    params = {"MessageSid": "SMconcurrent", "From": "+923009998877", "To": "+15005550006", "Body": "HELP"}
    barrier = threading.Barrier(8)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            client = Client()
            barrier.wait(timeout=10)
            statuses.append(twilio_post(client, channel, params).status_code)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert statuses == [200] * 8
    assert InboundMessage.objects.count() == 1
    assert Phone.objects.count() == 1
    assert len(queued("drain_inbound")) == 1


def test_two_workers_draining_at_once_handle_each_message_once() -> None:
    from rabta.messaging import services
    from rabta.messaging.models import OutboundMessage
    from tests.sms_fixtures import console_channel

    channel = console_channel()
    for n in range(40):
        services.receive_inbound(
            channel=channel, provider_message_id=f"c{n}", sender=f"+9230055{n:05d}", body="HELP"
        )
    barrier = threading.Barrier(2)
    handled: list[int] = []
    errors: list[BaseException] = []

    def drain() -> None:
        try:
            barrier.wait(timeout=10)
            handled.append(services.process_pending_inbound(chunk=5))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=drain) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sum(handled) == 40
    assert set(InboundMessage.objects.values_list("status", flat=True)) == {"processed"}
    assert OutboundMessage.objects.count() == 40
    assert OutboundMessage.objects.filter(status="sent").count() == 40
