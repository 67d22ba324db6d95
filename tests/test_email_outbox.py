"""E-mail goes through the outbox: sent by the worker, retried with backoff, visible when it fails,
and never written to a log with the address in it."""

from __future__ import annotations

import datetime as dt
import io
import logging
import smtplib
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rabta.core.mailbackend import RedactedConsoleBackend
from rabta.core.models import EmailPurpose, EmailStatus, OutboundEmail
from rabta.core.outbox import SEND_EMAIL, queue_email, retry_delay, sweep_due
from rabta.reports.models import Report
from tests import factories
from tests.conftest import World, verified_client
from tests.paths import url_for
from tests.tasks_helper import send_queued_emails
from tests.test_reports_public_form import form_data
from tests.test_settings import PRODUCTION, manage, production

ADDRESS = "amina.reporter@example.org"
PHONE = "03001234567"


class RefusingBackend(BaseEmailBackend):
    """An SMTP server that refuses the recipient, quoting the address in its reply (as servers do)."""

    calls = 0

    def send_messages(self, email_messages: Any) -> int:
        RefusingBackend.calls += 1
        address = email_messages[0].to[0]
        raise smtplib.SMTPRecipientsRefused({address: (550, f"5.1.1 <{address}>: no such user".encode())})


def _all_log_text(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(f"{r.name} {r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)


def _tasks() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=SEND_EMAIL).order_by("enqueued_at"))


# ---- the whole path, from a web request to the mail server ---------------------------------


def test_a_report_by_web_queues_its_email_and_the_worker_sends_it(
    world: World, client: Client, caplog: pytest.LogCaptureFixture, django_capture_on_commit_callbacks: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url_for("reports:new"), form_data(world, email=ADDRESS, phone=PHONE))
    assert response.status_code in (200, 302)
    report = Report.objects.get()
    # The request sent nothing: one e-mail waits in the outbox, with its send task.
    assert mail.outbox == []
    row = OutboundEmail.objects.get()
    assert (row.status, row.attempts, row.purpose) == (EmailStatus.QUEUED, 0, EmailPurpose.REPORTER_UPDATE)
    assert [t.status for t in _tasks()] == ["READY"]
    # Stored encrypted: neither the address nor the words are in the row.
    stored = " ".join(str(getattr(row, f.attname)) for f in OutboundEmail._meta.concrete_fields)
    assert ADDRESS not in stored and "received your report" not in stored

    assert send_queued_emails() == 1
    assert [m.to for m in mail.outbox] == [[ADDRESS]]
    assert "We received your report" in mail.outbox[0].body
    row.refresh_from_db()
    assert row.status == EmailStatus.SENT and row.attempts == 1 and row.sent_at is not None
    # Once sent, nothing personal is kept.
    assert (row.to_encrypted, row.subject_encrypted, row.body_encrypted) == ("", "", "")
    # A second run of the same task (a retried worker) sends nothing more.
    from rabta.core.outbox import deliver

    assert deliver(row.pk) == "skipped"
    assert len(mail.outbox) == 1

    log = _all_log_text(caplog)
    for secret in (ADDRESS, "amina.reporter", "3001234567", report.description):
        assert secret not in log, secret


def test_nothing_is_queued_when_the_callers_transaction_rolls_back(world: World) -> None:
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        queue_email(to=[ADDRESS], subject="s", body="b", purpose=EmailPurpose.OVERDUE)
        raise RuntimeError("the caller failed")
    assert not OutboundEmail.objects.exists() and _tasks() == []


# ---- retries, backoff, failure ------------------------------------------------------------


def test_a_refused_email_is_retried_with_backoff_then_marked_failed(
    world: World, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    settings.RABTA_EMAIL_MAX_ATTEMPTS = 4
    settings.RABTA_EMAIL_RETRY_SECONDS = 60
    RefusingBackend.calls = 0
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        (row,) = queue_email(to=[ADDRESS], subject="Overdue", body="body", purpose=EmailPurpose.OVERDUE)
    now = start
    pauses = []
    for attempt in range(1, 5):
        with time_machine.travel(now, tick=False):
            assert send_queued_emails() == 1
        row.refresh_from_db()
        assert row.attempts == attempt
        assert row.last_error == "SMTPRecipientsRefused"  # the kind of error, never the server's words
        if attempt < 4:
            assert row.status == EmailStatus.QUEUED
            pauses.append(row.next_attempt_at - now)
            # Not yet due: a worker run before the pause is over sends nothing.
            with time_machine.travel(row.next_attempt_at - dt.timedelta(seconds=1), tick=False):
                assert send_queued_emails() == 0
            now = row.next_attempt_at
    assert pauses == [dt.timedelta(minutes=1), dt.timedelta(minutes=2), dt.timedelta(minutes=4)]
    assert pauses == [retry_delay(n) for n in (1, 2, 3)]
    assert row.status == EmailStatus.FAILED and row.next_attempt_at is None
    assert RefusingBackend.calls == 4
    # A failed e-mail waits for no further task.
    with time_machine.travel(now + dt.timedelta(days=1), tick=False):
        assert send_queued_emails() == 0 and sweep_due() == 0
    assert ADDRESS not in _all_log_text(caplog)
    assert any("failed for good" in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)


def test_the_sweep_takes_back_late_and_abandoned_emails(world: World) -> None:
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        _late, abandoned, fresh = (
            queue_email(to=[f"{n}@example.org"], subject="s", body="b", purpose=EmailPurpose.OVERDUE)[0]
            for n in ("late", "abandoned", "fresh")
        )
    DBTaskResult.objects.filter(task_path=SEND_EMAIL).delete()  # the worker lost them
    OutboundEmail.objects.filter(pk=abandoned.pk).update(
        status=EmailStatus.SENDING, next_attempt_at=start + dt.timedelta(minutes=2)
    )
    OutboundEmail.objects.filter(pk=fresh.pk).update(next_attempt_at=start + dt.timedelta(minutes=10))
    with time_machine.travel(start + dt.timedelta(minutes=5), tick=False):
        assert sweep_due() == 2  # the late one and the one whose worker died mid-send
        assert send_queued_emails() == 2
    assert sorted(a for m in mail.outbox for a in m.to) == ["abandoned@example.org", "late@example.org"]
    assert OutboundEmail.objects.get(pk=fresh.pk).status == EmailStatus.QUEUED


def test_the_email_sweep_is_one_of_the_periodic_sweeps() -> None:
    from rabta.core.periodic import SWEEPS

    assert "rabta.core.outbox_tasks.sweep_emails" in {s.task_path for s in SWEEPS}


# ---- no address in any log, console included ------------------------------------------------


@pytest.mark.parametrize("debug", [False, True])
def test_the_console_backend_never_prints_the_address(settings: Any, debug: bool) -> None:
    settings.DEBUG = debug
    stream = io.StringIO()
    backend = RedactedConsoleBackend(stream=stream)
    backend.send_messages([EmailMessage("Rabta: news", f"call {PHONE}", "r@rabta.invalid", [ADDRESS])])
    printed = stream.getvalue()
    assert ADDRESS not in printed and "amina" not in printed
    assert "1 recipient" in printed
    assert (PHONE in printed) is debug  # the body only on a developer's machine


def test_django_console_backend_is_refused_with_debug_off() -> None:
    result = manage(
        "check", **production(RABTA_EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")
    )
    assert result.returncode != 0
    assert "RABTA_EMAIL_BACKEND" in result.stderr.strip().splitlines()[-1]


# ---- settings and the deploy check ---------------------------------------------------------


def test_deploy_check_warns_without_a_mail_server() -> None:
    without = {**PRODUCTION, "RABTA_EMAIL_HOST": None}
    result = manage("check", "--deploy", "--fail-level", "WARNING", **without)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "rabta.W001" in output and "server log" in output


def test_deploy_check_passes_with_a_mail_server() -> None:
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **production(RABTA_EMAIL_HOST="smtp.example.org", RABTA_EMAIL_STARTTLS="1"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "rabta.W001" not in result.stdout + result.stderr


def test_starttls_and_tls_exclude_each_other() -> None:
    result = manage(
        "check",
        **production(RABTA_EMAIL_HOST="smtp.example.org", RABTA_EMAIL_STARTTLS="1", RABTA_EMAIL_TLS="1"),
    )
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "RABTA_EMAIL_STARTTLS" in last_line and "RABTA_EMAIL_TLS" in last_line


def test_smtp_settings_come_from_the_environment() -> None:
    script = (
        "from django.conf import settings as s; print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, "
        "s.EMAIL_HOST_USER, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, s.EMAIL_TIMEOUT, s.DEFAULT_FROM_EMAIL)"
    )
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        script,
        **production(
            RABTA_EMAIL_HOST="smtp.example.org",
            RABTA_EMAIL_TLS="1",
            RABTA_EMAIL_USER="rabta",
            RABTA_EMAIL_PASSWORD="s3cret-pass",
            RABTA_EMAIL_TIMEOUT="7",
            RABTA_EMAIL_FROM="rabta@police.example",
        ),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.org",
        "465",
        "rabta",
        "False",
        "True",
        "7",
        "rabta@police.example",
    ]


# ---- the admin page -----------------------------------------------------------------------


def test_admins_see_failed_emails_without_address_or_subject(world: World, settings: Any) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    settings.RABTA_EMAIL_MAX_ATTEMPTS = 1
    report = factories.report("theft", beat_obj=world.beat_a).report
    (row,) = queue_email(
        to=[ADDRESS],
        subject=f"Overdue report {report.public_id}",
        body="Report is overdue",
        purpose=EmailPurpose.OVERDUE,
    )
    send_queued_emails()
    row.refresh_from_db()
    assert row.status == EmailStatus.FAILED
    admin = verified_client(world.admin_user)
    for url in (
        url_for("admin:core_outboundemail_changelist"),
        url_for("admin:core_outboundemail_change", row.pk),
    ):
        page = admin.get(url).content.decode()
        assert "SMTPRecipientsRefused" in page and "overdue report for a supervisor" in page
        for secret in (ADDRESS, "amina", report.public_id, "Report is overdue"):
            assert secret not in page, (url, secret)
    assert admin.get(url_for("admin:core_outboundemail_add")).status_code == 403
    assert admin.post(url_for("admin:core_outboundemail_delete", row.pk), {"post": "yes"}).status_code == 403
    assert OutboundEmail.objects.filter(pk=row.pk).exists()
    # Other admin-site users (a station head manages beats and officers) do not see e-mails at all.
    head = verified_client(world.station_head)
    assert head.get(url_for("admin:core_outboundemail_changelist")).status_code == 403
    assert "outboundemail" not in head.get(url_for("admin:index")).content.decode()


def test_queue_email_skips_empty_and_repeated_addresses(world: World) -> None:
    rows = queue_email(
        to=[ADDRESS, "", ADDRESS, "b@example.org"],
        subject="s",
        body="b",
        purpose=EmailPurpose.ACTION_REMINDER,
    )
    assert len(rows) == 2 and len(_tasks()) == 2
    assert all(r.next_attempt_at and r.next_attempt_at <= timezone.now() for r in rows)


def test_overdue_emails_log_no_address_either(
    world: World, caplog: pytest.LogCaptureFixture, django_capture_on_commit_callbacks: Any
) -> None:
    from rabta.reports.tasks import flag_report

    world.station_head.email = "sho.station-a@police.example"
    world.station_head.save(update_fields=["email"])
    caplog.set_level(logging.DEBUG)
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        report = factories.report("theft", beat_obj=world.beat_a).report
    with (
        time_machine.travel(start + dt.timedelta(hours=25), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert flag_report(Report.objects.get(pk=report.pk)) == ["first_contact"]
    with time_machine.travel(start + dt.timedelta(hours=25), tick=False):
        assert send_queued_emails() >= 1
    assert [m.to for m in mail.outbox] == [[world.station_head.email]]
    assert OutboundEmail.objects.filter(purpose=EmailPurpose.OVERDUE, status=EmailStatus.SENT).exists()
    log = _all_log_text(caplog)
    assert world.station_head.email not in log and "sho.station-a" not in log
