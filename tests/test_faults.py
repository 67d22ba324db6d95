"""Fault drills in test form: the database down for one request answers 503 + Retry-After in each
endpoint's own format, never Django's generic 500, and logs no unhandled exception.

The outage is simulated by making the connection's cursors raise OperationalError, as a refused
connection or a restarting server does. Paths are written out where they are the promise (Open311,
SMS webhooks).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock
from xml.etree import ElementTree as ET

import pytest
import time_machine
from django.db import DataError, IntegrityError, InterfaceError, OperationalError, connections
from django.db.backends.sqlite3.base import SQLiteCursorWrapper
from django.db.backends.utils import CursorWrapper
from django.db.utils import ConnectionHandler
from django.test import Client, RequestFactory
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rabta.core import outbox_tasks
from rabta.core.middleware import DatabaseUnavailableMiddleware
from rabta.core.selectors import abandoned_tasks
from rabta.core.tasks import ABANDONED, enqueue_now, waiting
from rabta.core.worker_tasks import sweep_abandoned_tasks
from rabta.messaging import inbound, outbound
from rabta.messaging import tasks as messaging_tasks
from rabta.messaging.models import InboundMessage, OutboundMessage, OutboundStatus, Phone, Purpose
from rabta.messaging.providers.console.transport import ConsoleTransport
from rabta.reports.models import Report
from rabta.reports.open311.models import ApiClient
from tests.conftest import World, verified_client
from tests.paths import url_for
from tests.sms_fixtures import console_channel, twilio_channel, twilio_post
from tests.test_reports_public_form import form_data

pytestmark = pytest.mark.django_db


@contextmanager
def database_down(error: type[Exception] = OperationalError) -> Iterator[None]:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise error('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    wrapper = connections["default"]
    with (
        mock.patch.object(wrapper, "cursor", side_effect=refuse),
        mock.patch.object(wrapper, "chunked_cursor", side_effect=refuse),
    ):
        yield


def _no_unhandled_exception(caplog: pytest.LogCaptureFixture) -> None:
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    for record in caplog.records:
        assert record.exc_info is None, f"traceback logged by {record.name}: {record.getMessage()}"
        assert "Internal Server Error" not in record.getMessage()
        assert "Connection refused" not in record.getMessage()


@pytest.fixture
def api_key(db: Any) -> str:
    client = ApiClient(name="Partner app")
    key = client.set_new_key()
    client.save()
    return key


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_answers_its_error_list_with_retry_after(
    world: World, client: Client, caplog: pytest.LogCaptureFixture, fmt: str
) -> None:
    caplog.set_level(logging.INFO)
    with database_down():
        response = client.get(f"/open311/v2/requests.{fmt}")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    if fmt == "json":
        errors = json.loads(response.content)
        assert [e["code"] for e in errors] == [503]
        assert "database" in errors[0]["description"]
    else:
        root = ET.fromstring(response.content)  # noqa: S314 - our own server's output in a test
        assert root.tag == "errors"
        assert root.findtext("error/code") == "503"
    _no_unhandled_exception(caplog)


def test_open311_post_in_an_outage_stores_nothing_and_a_retry_with_the_key_stores_one(
    world: World, client: Client, api_key: str
) -> None:
    data = {"api_key": api_key, "service_code": "theft", "description": "Bike stolen", "lat": "34.805123",
            "long": "71.805456"}  # fmt: skip
    with database_down():
        refused = client.post("/open311/v2/requests.json", data, HTTP_IDEMPOTENCY_KEY="app-42")
    assert refused.status_code == 503
    assert Report.objects.count() == 0
    first = client.post("/open311/v2/requests.json", data, HTTP_IDEMPOTENCY_KEY="app-42")
    again = client.post("/open311/v2/requests.json", data, HTTP_IDEMPOTENCY_KEY="app-42")
    assert first.status_code in (200, 201)
    assert again.status_code == 200
    assert Report.objects.count() == 1


def test_staff_api_answers_json_detail(world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    client = verified_client(world.station_head)
    with database_down(InterfaceError):
        response = client.get("/api/v1/reports/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert set(response.json()) == {"detail"}
    _no_unhandled_exception(caplog)


@pytest.mark.parametrize("lang", ["en", "ur"])
def test_pages_answer_a_minimal_translated_page(
    world: World, client: Client, caplog: pytest.LogCaptureFixture, lang: str
) -> None:
    caplog.set_level(logging.INFO)
    with database_down():
        response = client.get(url_for("places:home", lang=lang))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert f'lang="{lang}"' in body
    assert ('dir="rtl"' in body) == (lang == "ur")
    # No driver message, host or SQL reaches the resident.
    assert "5432" not in body and "Connection refused" not in body and "Traceback" not in body
    assert "Set-Cookie" not in response.headers or "sessionid" not in response.headers["Set-Cookie"]
    _no_unhandled_exception(caplog)


def test_staff_page_answers_503_not_a_login_redirect(world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    client = verified_client(world.beat_officer)
    with database_down():
        response = client.get(url_for("site:staff_home"))
    assert response.status_code == 503
    _no_unhandled_exception(caplog)


def test_sms_webhook_answers_503_so_the_gateway_retries(
    world: World, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    channel = twilio_channel()
    params = {"From": "+923001234567", "To": channel.number, "Body": "STATUS", "MessageSid": "SM" + "2" * 32}
    with database_down():
        response = twilio_post(client, channel, params)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert InboundMessage.objects.count() == 0
    # The phone number is in no log line.
    assert all("3001234567" not in r.getMessage() for r in caplog.records)
    _no_unhandled_exception(caplog)
    # The gateway's retry, once the database is back, is stored once.
    assert twilio_post(client, channel, params).status_code < 300
    assert twilio_post(client, channel, params).status_code < 300
    assert InboundMessage.objects.count() == 1


@pytest.mark.parametrize(
    "error", [IntegrityError("duplicate key"), DataError("value too long"), ValueError("bug")]
)
def test_bugs_and_bad_input_are_not_disguised_as_an_outage(error: Exception) -> None:
    middleware = DatabaseUnavailableMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]
    assert middleware.process_exception(RequestFactory().get("/api/v1/reports/"), error) is None


# ---- worker killed mid-batch: each SMS is recorded as it goes ----------------------------------


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after it runs, no except Exception sees it."""


def _replies(count: int) -> list[OutboundMessage]:
    channel = console_channel()
    messages = []
    for i in range(count):
        phone = Phone.build(f"+92300700{i:04d}")
        phone.save()
        message = outbound.queue_sms(
            phone=phone, body=f"reply {i}", purpose=Purpose.REPLY, channel=channel, send=False
        )
        assert message is not None
        messages.append(message)
    return messages


def test_a_killed_sender_repeats_only_the_message_in_flight_and_the_rest_go_within_a_minute(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    start = dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC)
    handed_over: list[str] = []  # what the provider accepted, in order
    real_send = ConsoleTransport.send
    kill_after = 4

    def send(self: Any, **kw: Any) -> str:
        handed_over.append(kw["body"])
        provider_id = real_send(self, **kw)
        if len(handed_over) == kill_after:
            raise WorkerKilled  # the provider has it; the worker dies before recording it
        return provider_id

    monkeypatch.setattr(ConsoleTransport, "send", send)
    with time_machine.travel(start, tick=False) as clock:
        messages = _replies(10)
        with pytest.raises(WorkerKilled):
            outbound.send_outbound_messages([m.pk for m in messages])
        states = dict(OutboundMessage.objects.values_list("pk", "status"))
        # Recorded as it went: three sent, one in doubt, six never handed over.
        assert [states[m.pk] for m in messages] == (
            [OutboundStatus.SENT] * 3 + [OutboundStatus.SENDING] + [OutboundStatus.QUEUED] * 6
        )
        assert OutboundMessage.objects.filter(status=OutboundStatus.SENT, body__contains="reply").count() == 3
        # A sender starting meanwhile (another task, the sweep) leaves the one in flight alone.
        monkeypatch.setattr(
            ConsoleTransport, "send", lambda self, **kw: handed_over.append(kw["body"]) or "x"
        )
        clock.shift(outbound.STALE_AFTER - dt.timedelta(seconds=1))
        assert inbound.sweep_messages()["resent"] == 0
        # Within the minute the periodic sweep runs, everything left behind goes.
        clock.shift(outbound.SEND_LEASE)
        assert dt.timedelta(minutes=1) >= outbound.SEND_LEASE + outbound.STALE_AFTER
        assert inbound.sweep_messages()["resent"] == 7
    assert sorted(handed_over) == sorted([f"reply {i}" for i in range(10)] + ["reply 3"])
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {OutboundStatus.SENT}
    # Sent bodies keep nothing the provider already has.
    assert OutboundMessage.objects.get(pk=messages[3].pk).attempts == 2


def test_two_senders_never_send_the_same_message(monkeypatch: pytest.MonkeyPatch) -> None:
    (message,) = _replies(1)
    handed_over: list[int] = []

    def send(self: Any, **kw: Any) -> str:
        # While the provider answers, a second sender (or the sweep) tries the same message.
        if not handed_over:
            handed_over.append(1)
            assert outbound.send_outbound_messages([message.pk]) == {}
        return "id-1"

    monkeypatch.setattr(ConsoleTransport, "send", send)
    assert outbound.send_outbound_messages([message.pk]) == {message.pk: OutboundStatus.SENT}
    assert handed_over == [1]
    message.refresh_from_db()
    assert message.status == OutboundStatus.SENT and message.attempts == 1


# ---- tasks left RUNNING by a killed worker -----------------------------------------------------


def _running(task: Any, *args: Any) -> DBTaskResult:
    enqueue_now(task, *args)
    row = DBTaskResult.objects.filter(task_path=task.module_path, status="READY").latest("enqueued_at")
    row.claim("worker-killed")  # what db_worker does when it takes the task
    return row


def test_tasks_a_killed_worker_left_running_are_marked_abandoned_and_a_dead_sweep_restarts() -> None:
    start = dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        dead_sweep = _running(messaging_tasks.sweep_messages)
        dead_email = _running(outbox_tasks.send_email, 1)
        clock.shift(dt.timedelta(minutes=2))
        assert sweep_abandoned_tasks.call() == 0  # a sweep two minutes in may just be slow
        live_email = _running(outbox_tasks.send_email, 2)
        clock.shift(dt.timedelta(minutes=2))
        assert sweep_abandoned_tasks.call() == 1
        dead_sweep.refresh_from_db()
        assert dead_sweep.status == "FAILED" and dead_sweep.exception_class_path == ABANDONED
        assert "killed" in dead_sweep.traceback and dead_sweep.finished_at == timezone.now()
        # The sweep it stood for runs again at once: SMS replies do not wait for the hourly restart.
        assert waiting(messaging_tasks.sweep_messages)
        clock.shift(dt.timedelta(minutes=12))
        assert sweep_abandoned_tasks.call() == 1
        assert list(abandoned_tasks()) == [
            DBTaskResult.objects.get(pk=dead_email.pk),
            DBTaskResult.objects.get(pk=dead_sweep.pk),
        ]
        assert list(abandoned_tasks(since=timezone.now() - dt.timedelta(minutes=1))) == [
            DBTaskResult.objects.get(pk=dead_email.pk)
        ]
        live_email.refresh_from_db()
        assert live_email.status == "RUNNING"  # 14 minutes: a long task may still be working
        # The sweep keeps itself scheduled.
        assert waiting(sweep_abandoned_tasks)


def test_a_task_finishing_while_it_is_marked_keeps_its_own_result() -> None:
    start = dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        slow = _running(outbox_tasks.send_email, 3)
        clock.shift(dt.timedelta(minutes=20))
        assert sweep_abandoned_tasks.call() == 1
        slow.set_successful("sent")  # it was alive after all
    slow.refresh_from_db()
    assert slow.status == "SUCCESSFUL"
    assert not abandoned_tasks().exists()


# ---- SQLite with a full disk: reads go on, writes get the 503 page -----------------------------


def _sqlite_file(path: Any) -> Any:
    handler = ConnectionHandler({"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}})
    return handler["default"]


def _disk_full_for_wal(self: Any, sql: str, params: Any = None) -> Any:
    if "journal_mode=WAL" in sql:
        raise sqlite3.OperationalError("database or disk is full")
    return real_sqlite_execute(self, sql, params)


real_sqlite_execute = SQLiteCursorWrapper.execute


def test_a_new_sqlite_connection_reads_even_when_wal_cannot_be_set(
    tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    with mock.patch.object(SQLiteCursorWrapper, "execute", _disk_full_for_wal):
        conn = _sqlite_file(tmp_path / "full.sqlite3")
        try:
            with conn.cursor() as cursor:
                cursor.execute("SELECT 1")
                assert cursor.fetchone() == (1,)
        finally:
            conn.close()
    assert any("could not switch SQLite to WAL" in r.getMessage() for r in caplog.records)


def test_wal_is_set_once_and_not_written_again_on_later_connections(tmp_path: Any) -> None:
    first = _sqlite_file(tmp_path / "db.sqlite3")
    with first.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone() == ("wal",)
    first.close()
    # The disk fills up: a later connection does not try to write the mode again.
    tried: list[str] = []

    def record(self: Any, sql: str, params: Any = None) -> Any:
        tried.append(sql)
        return _disk_full_for_wal(self, sql, params)

    with mock.patch.object(SQLiteCursorWrapper, "execute", record):
        later = _sqlite_file(tmp_path / "db.sqlite3")
        try:
            with later.cursor() as cursor:
                cursor.execute("SELECT 1")
        finally:
            later.close()
    assert "PRAGMA journal_mode" in tried
    assert not [sql for sql in tried if "journal_mode=WAL" in sql]


def test_a_report_sent_on_a_full_disk_gets_the_503_page_and_the_form_still_opens(
    world: World, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    real_execute = CursorWrapper.execute

    def disk_full_on_write(self: Any, sql: str, params: Any = None) -> Any:
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE")):
            raise OperationalError("database or disk is full")
        return real_execute(self, sql, params)

    with mock.patch.object(CursorWrapper, "execute", disk_full_on_write):
        assert client.get(url_for("reports:new")).status_code == 200
        response = client.post(url_for("reports:new"), form_data(world))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "it was not stored" in response.content.decode()
    assert Report.objects.count() == 0
    _no_unhandled_exception(caplog)
