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
    assert len(queued("process_inbound")) == 1
