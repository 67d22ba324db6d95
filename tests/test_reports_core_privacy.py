"""Privacy: contact encrypted at rest, audited reveals, nothing identifying in the database,
the logs, the tracking page or any notification; SMS and anonymity choices respected."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from rabta.audit.models import AccessLog
from rabta.core.errors import NotVisible
from rabta.core.models import RateCounter
from rabta.reports import notify
from rabta.reports.models import Category, Report, Status
from rabta.reports.services import ContactRefused, add_note, change_status, reveal_contact, reveal_location
from tests import factories
from tests.conftest import World
from tests.paths import url_for
from tests.tasks_helper import send_queued_emails

pytestmark = pytest.mark.django_db

PHONE_SHAPES = ("3001234567", "300 1234567", "0300", "1234567")
EMAIL = "amina.bibi@example.org"


@pytest.fixture(autouse=True)
def _own_channels(monkeypatch: Any) -> None:
    """Tests register fake SMS channels; keep the process-wide registry (the real SMS channel) intact."""
    monkeypatch.setattr(notify, "_channels", dict(notify._channels))


def _raw_rows(table: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")
        return cursor.fetchall()


def _post(world: World, client: Client, **extra: Any) -> str:
    data = {
        "idempotency_key": "p" * 32,
        "category": Category.objects.get(code="street_harassment").pk,
        "beat": world.beat_a.code,
        "description": "Men on motorbikes follow girls from the college every evening.",
        "phone": "0300 1234567",
        "email": EMAIL,
        "safe_call_hours": "weekdays 10 to 12",
        "no_sms": "on",
        "lat": "34.80537",
        "lon": "71.80519",
    }
    data.update(extra)
    response = client.post(
        url_for("reports:new"), data, HTTP_USER_AGENT="Nokia-105-UA-marker", REMOTE_ADDR="203.0.113.77"
    )
    assert response.status_code == 200
    return response.content.decode()


def test_raw_database_holds_no_contact_ip_or_user_agent(world: World, client: Client, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    _post(world, client)
    report = Report.objects.get()
    assert not report.anonymous and report.contact_phone_index and report.contact_email_index
    dump = repr([_raw_rows(t) for t in ("reports_report", "reports_reportupdate", "core_ratecounter")])
    for secret in (*PHONE_SHAPES, "amina", "example.org", "203.0.113.77", "Nokia-105"):
        assert secret not in dump, secret
    assert RateCounter.objects.exists()  # the limiter counted, by keyed hash only
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "203.0.113.77" not in logged and "Nokia-105" not in logged


def test_reveal_contact_checks_scope_and_is_audited(world: World) -> None:
    report = factories.report("theft", beat_obj=world.beat_a, phone="0300 1234567", email=EMAIL).report
    contact = reveal_contact(report=report, viewer=world.beat_officer)
    assert (contact.phone, contact.email) == ("+923001234567", EMAIL)
    entry = AccessLog.objects.get()
    assert (entry.actor, entry.action, entry.object_id) == (
        world.beat_officer,
        "view_contact",
        str(report.pk),
    )
    with pytest.raises(NotVisible):
        reveal_contact(report=report, viewer=world.other_beat_officer)
    assert AccessLog.objects.count() == 1  # refused views are not logged as views


def test_reveal_location_is_audited(world: World) -> None:
    report = factories.report("theft", lat=34.8051, lon=71.8052).report
    assert reveal_location(report=report, viewer=world.station_head) == (34.8051, 71.8052)
    assert AccessLog.objects.filter(action="view_location", actor=world.station_head).count() == 1
    with pytest.raises(NotVisible):
        reveal_location(report=report, viewer=world.analyst)


def test_tracking_page_shows_progress_never_the_reporter(
    world: World, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    sub = factories.report(
        "theft",
        beat_obj=world.beat_a,
        phone="0300 1234567",
        email=EMAIL,
        place_description="House 12, Gali 4",
    )
    report = sub.report
    with django_capture_on_commit_callbacks(execute=True):
        change_status(
            report=report, by=world.beat_officer, to=Status.ACKNOWLEDGED, note="We will patrol tonight."
        )
        add_note(
            report=report, by=world.beat_officer, note="Reporter's cousin Bilal is a suspect", public=False
        )
    body = client.get(url_for("reports:track", sub.token)).content.decode()
    assert "Acknowledged" in body and "We will patrol tonight." in body
    for secret in (
        "3001234567",
        "amina",
        "House 12",
        "Bilal",
        world.beat_officer.last_name,
        report.description,
    ):
        assert secret not in body, secret
    # Dates to the day only: no clock time on the page.
    assert not re.search(r"\d{1,2}:\d{2}", body.split("<main>")[1])


def test_anonymous_report_is_never_notified(world: World, django_capture_on_commit_callbacks: Any) -> None:
    sent: list[Any] = []
    notify.register_channel("sms", lambda **kw: sent.append(kw) or True, address="phone", text_message=True)
    with django_capture_on_commit_callbacks(execute=True):
        report = factories.report("theft", beat_obj=world.beat_a).report
        change_status(report=report, by=world.beat_officer, to=Status.ACKNOWLEDGED, note="Seen")
    assert report.anonymous and not report.has_contact
    assert notify.notify_reporter(report=report, event="status") == []
    send_queued_emails()  # the worker sends the queued e-mail
    assert mail.outbox == [] and sent == []
    # Anonymous means no consent: a reveal is refused, and the refusal is logged.
    with pytest.raises(ContactRefused):
        reveal_contact(report=report, viewer=world.beat_officer)
    assert AccessLog.objects.get(actor=world.beat_officer).action == AccessLog.Action.REFUSED


def test_notifications_respect_no_sms_and_carry_no_identity(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    sent: list[dict[str, Any]] = []
    notify.register_channel("sms", lambda **kw: sent.append(kw) or True, address="phone", text_message=True)
    with django_capture_on_commit_callbacks(execute=True):
        quiet = factories.report(
            "theft", beat_obj=world.beat_a, phone="03001234567", email=EMAIL, no_sms=True
        )
        loud = factories.report("theft", beat_obj=world.beat_a, phone="03007654321", language="ur")
        change_status(
            report=quiet.report, by=world.beat_officer, to=Status.ACKNOWLEDGED, note="Officer coming"
        )
        change_status(report=loud.report, by=world.beat_officer, to=Status.ACKNOWLEDGED)
    # no_sms: email only, for "received" and "status"; the other reporter gets SMS.
    send_queued_emails()  # the worker sends the queued e-mail
    assert [m.to for m in mail.outbox] == [[EMAIL], [EMAIL]]
    assert {kw["contact"].phone for kw in sent} == {"+923007654321"}
    assert "Officer coming" in mail.outbox[1].body
    for message in [m.body + m.subject for m in mail.outbox] + [kw["body"] for kw in sent]:
        for secret in ("300", "amina", "7654321", world.beat_a.name, "mosque"):
            assert secret not in message, secret
    # Messages are in the report's language (Urdu here; the text comes from gettext).
    from django.utils import translation

    with translation.override("ur"):
        from django.utils.translation import gettext

        assert gettext("Rabta: news about your report") == sent[0]["subject"]


def test_a_failing_channel_does_not_leak_or_break(world: World, caplog: Any) -> None:
    def broken(**kw: Any) -> bool:
        raise RuntimeError("gateway down for " + kw["contact"].phone)

    notify.register_channel("sms", broken, address="phone", text_message=True)
    report = factories.report("theft", beat_obj=world.beat_a, phone="03001234567").report
    assert notify.notify_reporter(report=report, event="received") == []
    assert "notification failed" in caplog.text
    assert "+923001234567" not in caplog.text and "RuntimeError" in caplog.text
