"""Outbound SMS: real HTTP to a fake provider on loopback, retries with backoff, throttling, costs."""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
import time_machine
from django.db import connection

from rabta.messaging import outbound
from rabta.messaging.models import OutboundMessage, OutboundStatus, Phone, Purpose
from rabta.messaging.providers import http as provider_http
from tests.sms_fixtures import AUTH_TOKEN, twilio_channel
from tests.tasks_helper import queued, run_ready_tasks

pytestmark = pytest.mark.django_db


class FakeTwilio:
    """A Twilio-shaped REST endpoint on 127.0.0.1 that answers from a script of behaviours."""

    def __init__(self) -> None:
        self.script: list[str] = []  # "ok", "500", "400", "429", "slow"
        self.requests: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                fake.requests.append(
                    {"path": self.path, "auth": self.headers.get("Authorization"), "form": form}
                )
                behaviour = fake.script.pop(0) if fake.script else "ok"
                if behaviour == "slow":
                    threading.Event().wait(1.0)
                    behaviour = "ok"
                if behaviour == "ok":
                    body = json.dumps({"sid": f"SM{len(fake.requests):032d}", "status": "queued"}).encode()
                    self.send_response(201)
                else:
                    body = b'{"message": "failure"}'
                    self.send_response(int(behaviour))
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    server = FakeTwilio()
    yield server
    server.close()


@pytest.fixture
def phone() -> Phone:
    p = Phone.build("+923001234567", language="ur", language_chosen=True)
    p.save()
    return p


def test_sends_through_twilio_rest_shape(fake: FakeTwilio, phone: Phone) -> None:
    channel = twilio_channel(api_base=fake.url)
    message = outbound.queue_sms(
        phone=phone, body="Meeting on Friday", purpose=Purpose.BROADCAST, channel=channel
    )
    assert message is not None and len(queued("send_outbound")) == 1
    run_ready_tasks()
    message.refresh_from_db()
    assert message.status == OutboundStatus.SENT and message.provider_message_id.startswith("SM")
    request = fake.requests[0]
    assert request["path"] == f"/2010-04-01/Accounts/AC{'1' * 32}/Messages.json"
    assert request["form"]["To"] == "+923001234567" and request["form"]["Body"] == "Meeting on Friday"
    # The callback is the literal webhook path Twilio is told to call back.
    assert request["form"]["StatusCallback"].endswith(f"/sms/twilio/{channel.inbound_slug}/status")
    assert base64.b64decode(request["auth"].split()[1]).decode() == f"AC{'1' * 32}:{AUTH_TOKEN}"


def test_provider_errors_are_retried_with_backoff_then_sent(fake: FakeTwilio, phone: Phone) -> None:
    channel = twilio_channel(api_base=fake.url)
    fake.script = ["500", "429"]
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        message = outbound.queue_sms(phone=phone, body="hello", purpose=Purpose.REPLY, channel=channel)
        assert message is not None
        run_ready_tasks()
        message.refresh_from_db()
        assert (message.status, message.attempts) == (OutboundStatus.QUEUED, 1)
        assert "HTTP 500" in message.last_error
        run_ready_tasks()  # the retry is deferred: nothing runs yet
        assert len(fake.requests) == 1
        traveller.shift(dt.timedelta(seconds=31))
        run_ready_tasks()
        traveller.shift(dt.timedelta(seconds=121))
        run_ready_tasks()
    message.refresh_from_db()
    assert (message.status, message.attempts, len(fake.requests)) == (OutboundStatus.SENT, 3, 3)


def test_timeouts_exhaust_retries_and_mark_failed_without_losing_the_message(
    fake: FakeTwilio, phone: Phone, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(provider_http, "TIMEOUT_SECONDS", 0.2)
    channel = twilio_channel(api_base=fake.url)
    fake.script = ["slow"] * 10
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        message = outbound.queue_sms(phone=phone, body="hello", purpose=Purpose.REPLY, channel=channel)
        assert message is not None
        for delay in [0, *outbound.RETRY_DELAYS]:
            traveller.shift(dt.timedelta(seconds=delay + 1))
            run_ready_tasks()
    message.refresh_from_db()
    assert message.status == OutboundStatus.FAILED
    assert message.attempts == len(outbound.RETRY_DELAYS) + 1
    assert "network" in message.last_error
    assert message.body == "hello"


def test_permanent_error_fails_at_once(fake: FakeTwilio, phone: Phone) -> None:
    channel = twilio_channel(api_base=fake.url)
    fake.script = ["400"]
    message = outbound.queue_sms(phone=phone, body="hello", purpose=Purpose.REPLY, channel=channel)
    run_ready_tasks()
    assert message is not None
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboundStatus.FAILED, 1)
    assert queued("send_outbound") == []


def test_throttled_per_channel(fake: FakeTwilio, phone: Phone) -> None:
    channel = twilio_channel(api_base=fake.url, max_per_minute=2)
    for n in range(3):
        outbound.queue_sms(phone=phone, body=f"m{n}", purpose=Purpose.BROADCAST, channel=channel)
    run_ready_tasks(max_rounds=1)
    assert len(fake.requests) == 2
    assert OutboundMessage.objects.filter(status=OutboundStatus.QUEUED).count() == 1
    assert len([r for r in queued("send_outbound")]) == 0  # deferred by 20 s, not ready yet


def test_segments_and_cost(phone: Phone) -> None:
    channel = twilio_channel(cost_per_segment=Decimal("0.75"))
    urdu = outbound.queue_sms(phone=phone, body="ا" * 71, purpose=Purpose.REPLY, channel=channel)
    latin = outbound.queue_sms(phone=phone, body="a" * 160, purpose=Purpose.REPLY, channel=channel)
    assert urdu is not None and latin is not None
    assert (urdu.encoding, urdu.segments, urdu.cost_estimate) == ("UCS-2", 2, Decimal("1.5"))
    assert (latin.encoding, latin.segments) == ("GSM-7", 1)


def test_opted_out_phone_gets_nothing(phone: Phone) -> None:
    channel = twilio_channel()
    phone.opt_out()
    message = outbound.queue_sms(phone=phone, body="news", purpose=Purpose.BROADCAST, channel=channel)
    assert message is not None and message.status == OutboundStatus.SUPPRESSED
    assert queued("send_outbound") == []


def test_numbers_are_encrypted_and_masked_in_the_database(phone: Phone) -> None:
    channel = twilio_channel()
    outbound.queue_sms(phone=phone, body="hello", purpose=Purpose.REPLY, channel=channel)
    with connection.cursor() as cursor:
        for table in ("messaging_phone", "messaging_outboundmessage", "messaging_channel"):
            cursor.execute(f"SELECT * FROM {table}")
            dump = repr(cursor.fetchall())
            assert "3001234567" not in dump, table
            assert AUTH_TOKEN not in dump, table
    assert phone.number_masked == "+92*******567"
