"""Issue 10 point 3: retention. Personal data is erased on time; every count the indicators need stays.

Time is moved with time-machine: reports are made and closed on one day, then the purge runs on a
day before and on a day after each period ends (defaults: contact 90 days after closing, SMS 30
days, registers 180 days after the meeting, the access log 730 days).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, F, Q

from rabta.audit.models import AccessLog, AppendOnlyError, record_access
from rabta.core.periodic import SWEEPS, ensure_scheduled
from rabta.engagement import services as engagement_services
from rabta.engagement.models import Meeting, RegisterEntry
from rabta.lib.env import ConfigError, Env
from rabta.messaging.models import Conversation, InboundMessage, OutboundMessage
from rabta.reports import selectors
from rabta.reports.contact import phone_index
from rabta.reports.models import Channel, Report
from rabta.reports.services import ContactRefused, reveal_contact
from rabta.site.retention import purge
from rabta.site.tasks import sweep_purge
from tests import factories
from tests.conftest import World, verified_client
from tests.paths import url_for
from tests.sms_fixtures import Sms, console_channel
from tests.tasks_helper import queued
from tests.test_engagement_support import held_meeting

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2025, 1, 6, 9, 0, tzinfo=dt.UTC)
PHONE, EMAIL, HOURS = "03001234567", "gul.bano@example.org", "after 4 pm"
SECRETS = ("+923001234567", "3001234567", "gul.bano", "after 4 pm")
CONTACT_COLUMNS = (
    "contact_phone_encrypted",
    "contact_phone_index",
    "contact_email_encrypted",
    "contact_email_index",
    "safe_call_hours",
)


def at(days: float) -> Any:
    return time_machine.travel(T0 + dt.timedelta(days=days), tick=False)


def raw(table_model: Any, pk: int, columns: tuple[str, ...]) -> tuple[Any, ...]:
    """Read columns straight from the database, past the ORM and any model code."""
    table = connection.ops.quote_name(table_model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {cols} FROM {table} WHERE id = %s", [pk])
        row = cursor.fetchone()
    assert row is not None
    return tuple(row)


def indicators() -> dict[str, Any]:
    """The counts the indicators read from reports: per beat, category, status, channel, on time."""
    reports = Report.objects.all()
    return {
        "beat": sorted(reports.values_list("beat_id").annotate(n=Count("id"))),
        "category": sorted(reports.values_list("category__code").annotate(n=Count("id"))),
        "status": sorted(reports.values_list("status").annotate(n=Count("id"))),
        "channel": sorted(reports.values_list("channel").annotate(n=Count("id"))),
        "flags": sorted(reports.values_list("anonymous", "woman_officer_only").annotate(n=Count("id"))),
        "first_contact_on_time": reports.filter(acknowledged_at__lte=F("first_contact_due")).count(),
        "resolved_on_time": reports.filter(resolved_at__lte=F("resolution_due")).count(),
        "overdue_flags": reports.filter(
            Q(first_contact_overdue_at__isnull=False) | Q(resolution_overdue_at__isnull=False)
        ).count(),
        "dates": sorted(
            reports.values_list("public_id", "created_at", "acknowledged_at", "resolved_at", "closed_at")
        ),
        "sms": sorted(
            [("in", *r) for r in InboundMessage.objects.values_list("status", "received_at", "report_id")]
            + [
                ("out", *r)
                for r in OutboundMessage.objects.values_list("status", "purpose", "created_at", "report_id")
            ]
        ),
    }


@pytest.fixture
def closed_reports(world: World) -> dict[str, Any]:
    """On T0: an SMS report with consent and safe hours and a web report with e-mail, both resolved or
    closed that day; one still open; one anonymous. On T0+60 a fourth is resolved."""
    with at(0):
        sms = factories.report(
            "theft",
            beat_obj=world.beat_a,
            channel=Channel.SMS,
            phone=PHONE,
            contact_consent=True,
            safe_call_hours=HOURS,
        )
        web = factories.report("street_lighting", beat_obj=world.beat_a, email=EMAIL)
        still_open = factories.report("street_lighting", beat_obj=world.beat_b, phone="03007654321")
        anonymous = factories.report("street_lighting", beat_obj=world.beat_b)
        late = factories.report("theft", beat_obj=world.beat_a, email="late@example.org")
        for s in (sms, web):
            s.report.acknowledge(by=world.beat_officer)
        sms.report.resolve(by=world.beat_officer)
        web.report.close(by=world.beat_officer, reason="fixed by the TMA")
        anonymous.report.close(by=world.beat_officer, reason="not a police matter")
        still_open.report.acknowledge(by=world.beat_officer)
        record_access(actor=world.beat_officer, action=AccessLog.Action.VIEW_CONTACT, obj=sms.report)
    with at(60):
        late.report.acknowledge(by=world.beat_officer)
        late.report.resolve(by=world.beat_officer)
    return {"sms": sms, "web": web, "open": still_open, "anonymous": anonymous, "late": late}


def test_contact_erased_after_the_period_and_counts_unchanged(closed_reports: dict[str, Any]) -> None:
    sms, web, late = closed_reports["sms"].report, closed_reports["web"].report, closed_reports["late"].report
    with at(89):
        assert purge()["report contact"] == 0
    before = indicators()
    with at(91):
        counts = purge()
    assert counts["report contact"] == 2
    assert indicators() == before
    for report in (sms, web):
        assert raw(Report, report.pk, CONTACT_COLUMNS) == ("",) * len(CONTACT_COLUMNS)
        assert raw(Report, report.pk, ("contact_consent",))[0] in (False, 0)
        report.refresh_from_db()
        assert report.contact_erased_at == T0 + dt.timedelta(days=91)
        assert not report.has_contact and not report.staff_may_contact
        # The tracking hashes are not contact data: the reporter still follows the report.
        assert report.tracking_code_hash and report.tracking_token_hash
    assert selectors.find_by_code(closed_reports["sms"].code) == sms
    assert selectors.find_by_token(closed_reports["web"].token) == web
    # Still open, and closed too recently: untouched.
    for kept in (closed_reports["open"].report, late):
        kept.refresh_from_db()
        assert kept.has_contact and kept.contact_erased_at is None
    # Nothing looks up an erased contact by its blind index any more.
    assert not Report.objects.filter(contact_phone_index=phone_index("+923001234567")).exclude(
        pk=closed_reports["open"].report.pk
    )
    with at(151):
        assert purge()["report contact"] == 1  # the late one, 90 days after its own closing
    late.refresh_from_db()
    assert late.contact_erased_at is not None


def test_staff_page_says_erased_and_reveal_is_refused_not_500(
    world: World, closed_reports: dict[str, Any]
) -> None:
    report = closed_reports["sms"].report
    with at(91):
        purge()
    report.refresh_from_db()
    client = verified_client(world.beat_officer)
    page = client.get(url_for("reports:staff_detail", report.public_id)).content.decode()
    assert "Contact details erased on" in page
    assert url_for("reports:staff_reveal_contact", report.public_id) not in page
    response = client.post(url_for("reports:staff_reveal_contact", report.public_id))
    assert response.status_code == 403
    assert "erased on" in response.content.decode()
    assert not any(s in response.content.decode() for s in SECRETS)
    with pytest.raises(ContactRefused):
        reveal_contact(report=report, viewer=world.beat_officer)
    refused = AccessLog.objects.filter(action=AccessLog.Action.REFUSED, object_id=str(report.pk))
    assert refused.count() == 2 and all("erased" in r.detail for r in refused)
    api = client.post(url_for("api:report-reveal-contact", report.public_id))
    assert api.status_code == 403 and "erased on" in api.json()["detail"]
    assert refused.all().count() == 3


def test_a_report_reopened_before_the_period_keeps_its_contact(
    world: World, closed_reports: dict[str, Any]
) -> None:
    report = closed_reports["sms"].report
    with at(50):
        report.reopen(by=world.beat_officer)
    with at(200):
        purge()
    report.refresh_from_db()
    assert report.has_contact and report.contact_erased_at is None


def test_sms_bodies_erased_rows_kept_conversations_deleted(world: World) -> None:
    with at(0):
        sms = Sms(console_channel())
        sms.send("HELP")
        Conversation.objects.update_or_create(
            phone=sms.phone,
            defaults={
                "flow": "report",
                "step": "where",
                "data": {"description": "my neighbour beats his wife"},
                "expires_at": T0 + dt.timedelta(hours=2),
            },
        )
    inbound, outbound = list(InboundMessage.objects.all()), list(OutboundMessage.objects.all())
    assert inbound and outbound and Conversation.objects.count() == 1
    with at(29):
        counts = purge()
        assert (counts["inbound SMS body"], counts["outbound SMS body"], counts["SMS conversation"]) == (
            0,
            0,
            0,
        )
    before = indicators()
    with at(31):
        counts = purge()
    assert counts["inbound SMS body"] == len(inbound)
    assert counts["outbound SMS body"] == len(outbound)
    assert counts["SMS conversation"] == 1
    assert indicators() == before
    for message in inbound:
        assert raw(InboundMessage, message.pk, ("body",)) == ("",)
    for message in outbound:
        assert raw(OutboundMessage, message.pk, ("body",)) == ("",)
        assert raw(OutboundMessage, message.pk, ("segments", "status")) == (message.segments, message.status)
    assert (InboundMessage.objects.count(), OutboundMessage.objects.count()) == (len(inbound), len(outbound))
    assert not Conversation.objects.exists()


def test_register_erased_after_the_period_attendance_kept(world: World) -> None:
    with at(0):
        meeting = held_meeting(world.beat_officer, [world.beat_a], {"women_15_29": 5, "men_60": 10})
        engagement_services.add_register_entry(
            meeting=meeting,
            by=world.beat_officer,
            name="Gul Bano Yousafzai",
            phone="0301-1234567",
            consent_given=True,
            consent_method="verbal",
        )
    with at(170):
        assert purge()["meeting register entry"] == 0
    with at(181):
        assert purge()["meeting register entry"] == 1
    assert not RegisterEntry.objects.exists()
    attendance = Meeting.objects.get(pk=meeting.pk).attendance
    assert (attendance.women_15_29, attendance.men_60, attendance.total) == (5, 10, 15)


def test_access_log_kept_two_years_then_deleted_and_otherwise_append_only(
    world: World, closed_reports: dict[str, Any]
) -> None:
    assert AccessLog.objects.count() == 1
    with at(700):
        assert purge()["access log entry"] == 0
    with at(731):
        assert purge()["access log entry"] == 1
    assert not AccessLog.objects.exists()
    entry = record_access(actor=world.beat_officer, action=AccessLog.Action.EXPORT, obj=world.beat_a)
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.all().delete()
    assert AccessLog.objects.count() == 1


def test_dry_run_counts_and_erases_nothing_then_the_command_erases(closed_reports: dict[str, Any]) -> None:
    sms = closed_reports["sms"].report
    with at(91):
        out = io.StringIO()
        call_command("purge", "--dry-run", stdout=out)
        dry = out.getvalue()
        assert "would erase 2 report contact" in dry
        assert not any(s in dry for s in SECRETS)
        sms.refresh_from_db()
        assert sms.has_contact and sms.contact_erased_at is None
        out = io.StringIO()
        call_command("purge", stdout=out)
        assert "erased 2 report contact" in out.getvalue()
        out = io.StringIO()
        call_command("purge", stdout=out)  # idempotent
        assert "erased 0 report contact" in out.getvalue()
    sms.refresh_from_db()
    assert not sms.has_contact


def test_batches_of_one_erase_everything_once(closed_reports: dict[str, Any]) -> None:
    with at(800):
        first = purge(batch_size=1)
        again = purge(batch_size=1)
    assert first["report contact"] == 3 and first["access log entry"] == 1
    assert set(again.values()) == {0}


def test_daily_sweep_registered_runs_the_purge_and_reschedules(closed_reports: dict[str, Any]) -> None:
    sweep = next(s for s in SWEEPS if s.task_path == "rabta.site.tasks.sweep_purge")
    assert sweep.every == dt.timedelta(days=1)
    assert "rabta.site.tasks.sweep_purge" in ensure_scheduled()
    with at(91):
        result = sweep_purge.call()
    assert result["report contact"] == 2
    assert queued("sweep_purge")


def test_periods_come_from_the_environment(settings: Any, closed_reports: dict[str, Any]) -> None:
    settings.RABTA_RETENTION = {**settings.RABTA_RETENTION, "contact": 10}
    with at(11):
        assert purge(dry_run=True)["report contact"] == 2


def test_env_days_reader() -> None:
    assert Env({}).days("RABTA_RETAIN_SMS_DAYS", 30) == 30
    assert Env({"RABTA_RETAIN_SMS_DAYS": "7"}).days("RABTA_RETAIN_SMS_DAYS", 30) == 7
    for bad in ("0", "-3", "a week"):
        with pytest.raises(ConfigError, match="RABTA_RETAIN_SMS_DAYS"):
            Env({"RABTA_RETAIN_SMS_DAYS": bad}).days("RABTA_RETAIN_SMS_DAYS", 30)
