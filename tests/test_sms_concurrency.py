"""The same SMS delivered several times at once has exactly one effect (PostgreSQL, real transactions)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from rabta.messaging import inbound
from rabta.messaging.models import InboundMessage, OutboundMessage, Phone
from tests.concurrency import together
from tests.sms_fixtures import console_channel, twilio_channel, twilio_post
from tests.tasks_helper import queued

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency is proven on PostgreSQL"),
]


def test_concurrent_duplicate_deliveries_store_one_message() -> None:
    channel = twilio_channel()
    params = {"MessageSid": "SMconcurrent", "From": "+923009998877", "To": "+15005550006", "Body": "HELP"}
    statuses = together(8, lambda: twilio_post(Client(), channel, params).status_code)
    assert statuses == [200] * 8
    assert InboundMessage.objects.count() == 1
    assert Phone.objects.count() == 1
    assert len(queued("drain_inbound")) == 1


def test_two_workers_draining_at_once_handle_each_message_once() -> None:
    channel = console_channel()
    for n in range(40):
        inbound.receive_inbound(
            channel=channel, provider_message_id=f"c{n}", sender=f"+9230055{n:05d}", body="HELP"
        )
    handled = together(2, lambda: inbound.process_pending_inbound(chunk=5))
    assert sum(handled) == 40
    assert set(InboundMessage.objects.values_list("status", flat=True)) == {"processed"}
    assert OutboundMessage.objects.count() == 40
    assert OutboundMessage.objects.filter(status="sent").count() == 40
