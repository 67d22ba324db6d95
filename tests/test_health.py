"""`manage.py health` and /staff/health/: stuck tasks, failed SMS and e-mails, the database, as counts."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import DatabaseError
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from rabta.core.models import EmailPurpose, EmailStatus
from rabta.core.outbox import queue_email
from rabta.core.tasks import ABANDONED
from rabta.messaging.models import OutboundMessage, OutboundStatus, Purpose
from rabta.messaging.phones import phone_for
from rabta.site import selectors
from tests.paths import url_for
from tests.personas import all_but
from tests.sms_fixtures import console_channel

SECRET_SMS = "Your report 4821 about the harasser at Gulabad bazaar"
SECRET_ADDRESS = "reporter.health@example.org"


def run_health(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("health", *args, stdout=out)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue()
    return 0, out.getvalue()


def stuck_task(*, minutes: int = 30) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - dt.timedelta(minutes=minutes),
        args_kwargs={"args": [], "kwargs": {}},
        task_path="rabta.reports.tasks.sweep_overdue",
        backend_name="default",
        run_after=get_date_max(),
    )


def overdue_task(*, minutes: int = 30) -> DBTaskResult:
    return DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="rabta.messaging.tasks.sweep_messages",
        backend_name="default",
        run_after=timezone.now() - dt.timedelta(minutes=minutes),
    )


def abandoned_task() -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=TaskResultStatus.FAILED,
        exception_class_path=ABANDONED,
        started_at=timezone.now() - dt.timedelta(minutes=20),
        finished_at=timezone.now() - dt.timedelta(minutes=1),
        args_kwargs={"args": [], "kwargs": {}},
        task_path="rabta.messaging.tasks.sweep_messages",
        backend_name="default",
        run_after=get_date_max(),
    )


def failed_sms() -> OutboundMessage:
    return OutboundMessage.objects.create(
        channel=console_channel(),
        phone=phone_for("+923001112233"),
        body=SECRET_SMS,
        purpose=Purpose.REPLY,
        encoding="GSM-7",
        segments=1,
        cost_estimate=0,
        status=OutboundStatus.UNDELIVERED,
    )


def failed_email() -> None:
    (row,) = queue_email(
        to=[SECRET_ADDRESS], subject="Your report", body=SECRET_SMS, purpose=EmailPurpose.REPORTER_UPDATE
    )
    row.status = EmailStatus.FAILED
    row.save(update_fields=["status"])


def make_trouble() -> None:
    stuck_task()
    overdue_task()
    abandoned_task()
    failed_sms()
    failed_email()


def test_all_well_exits_zero(db: Any) -> None:
    code, out = run_health()
    assert code == 0
    assert "database: ok" in out
    assert "status: ok" in out


def test_each_problem_is_counted_and_exits_one(db: Any) -> None:
    make_trouble()
    code, out = run_health()
    assert code == 1
    assert "tasks running longer than 15 min: 1" in out
    assert "tasks waiting more than 15 min past their time: 1" in out
    assert "tasks abandoned by a stopped worker in the last 24 h: 1" in out
    assert "SMS failed or undelivered in the last 24 h: 1" in out
    assert "e-mails failed in the last 24 h: 1" in out
    assert "status: attention needed" in out
    assert SECRET_ADDRESS not in out and "4821" not in out and "+92300" not in out


@pytest.mark.parametrize("make", [stuck_task, overdue_task, abandoned_task, failed_sms, failed_email])
def test_any_one_problem_alone_exits_one(db: Any, make: Any) -> None:
    make()
    assert run_health()[0] == 1


def test_recent_and_old_things_are_not_trouble(db: Any) -> None:
    stuck_task(minutes=5)  # running for 5 minutes: a long sweep, not stuck
    overdue_task(minutes=5)
    overdue_task(minutes=-60)  # due in an hour
    DBTaskResult.objects.create(  # enqueued just now without run_after: due now, not overdue
        args_kwargs={"args": [], "kwargs": {}},
        task_path="x.y",
        backend_name="default",
        run_after=get_date_max(),
    )
    old = failed_sms()
    OutboundMessage.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(hours=25))
    OutboundMessage.objects.create(**{**_sms_fields(old), "status": OutboundStatus.DELIVERED})
    code, out = run_health()
    assert (code, "status: ok" in out) == (0, True)


def _sms_fields(msg: OutboundMessage) -> dict[str, Any]:
    return {
        "channel": msg.channel,
        "phone": msg.phone,
        "body": "x",
        "purpose": Purpose.REPLY,
        "encoding": "GSM-7",
        "segments": 1,
        "cost_estimate": 0,
    }


def test_stuck_minutes_option(db: Any) -> None:
    stuck_task(minutes=10)
    assert run_health()[0] == 0
    code, out = run_health("--stuck-minutes", "5")
    assert code == 1
    assert "tasks running longer than 5 min: 1" in out


def test_database_unreachable_exits_two(db: Any) -> None:
    # The cursor fails the way a stopped server makes it fail; nothing else is asked of it.
    with mock.patch.object(selectors.connection, "cursor", side_effect=DatabaseError("refused")):
        code, out = run_health()
    assert code == 2
    assert "database: unreachable" in out


# The page.


@pytest.mark.parametrize("name", ["admin_user", "district_coordinator"])
def test_page_shows_the_counts_without_content(world: Any, staff_client: Any, name: str) -> None:
    make_trouble()
    home = staff_client(getattr(world, name)).get(url_for("site:staff_home"))
    assert url_for("site:staff_health") in home.content.decode()
    response = staff_client(getattr(world, name)).get(url_for("site:staff_health"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Something needs attention." in html
    for cell in ("tasks-running", "tasks-overdue", "tasks-abandoned", "sms-failed", "emails-failed"):
        assert f'id="{cell}">1<' in html
    assert SECRET_ADDRESS not in html and "4821" not in html and "Gulabad bazaar" not in html
    assert "+92300" not in html and "sweep_overdue" not in html


def test_page_all_well(world: Any, staff_client: Any) -> None:
    html = staff_client(world.admin_user).get(url_for("site:staff_health")).content.decode()
    assert "All is well." in html


@pytest.mark.parametrize("name", all_but("admin_user", "district_coordinator", "resident"))
def test_other_staff_neither_see_the_page_nor_the_link(world: Any, staff_client: Any, name: str) -> None:
    make_trouble()
    client = staff_client(getattr(world, name))
    assert client.get(url_for("site:staff_health")).status_code == 404
    assert url_for("site:staff_health") not in client.get(url_for("site:staff_home")).content.decode()


def test_resident_and_anonymous_are_kept_out(world: Any, client: Any) -> None:
    response = client.get(url_for("site:staff_health"))
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(world.resident)
    assert client.get(url_for("site:staff_health")).status_code == 403
