"""Deadlines: overdue reports are flagged once and the right supervisor is told."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from rabta.core.periodic import ensure_scheduled
from rabta.people.models import Role
from rabta.reports.models import Report, Status
from rabta.reports.selectors import QueueFilters, queue
from rabta.reports.tasks import flag_overdue_reports, flag_report
from tests import factories
from tests.conftest import World
from tests.tasks_helper import run_ready_tasks, send_queued_emails

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def emails(world: World) -> World:
    for user in (world.station_head, world.other_station_head, world.oversight, world.district_coordinator):
        user.email = f"{user.username}@police.example"
        user.save(update_fields=["email"])
    return world


def test_deadlines_come_from_the_category(world: World) -> None:
    with time_machine.travel(START, tick=False):
        theft = factories.report("theft", beat_obj=world.beat_a).report
        lights = factories.report("street_lighting", beat_obj=world.beat_a).report
    assert theft.first_contact_due == START + dt.timedelta(hours=24)
    assert theft.resolution_due == START + dt.timedelta(hours=72)
    assert lights.resolution_due == START + dt.timedelta(days=14)


def _sweep_runs() -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(task_path="rabta.reports.tasks.sweep_overdue").order_by("run_after")
    )


def test_periodic_sweep_flags_and_notifies_station_head(
    emails: World, django_capture_on_commit_callbacks: Any
) -> None:
    world = emails
    with time_machine.travel(START, tick=False), django_capture_on_commit_callbacks(execute=True):
        report = factories.report("theft", beat_obj=world.beat_a, email="resident@example.org").report
        # Intake writes no task rows of its own: deadlines are the sweep's job.
        assert not DBTaskResult.objects.exclude(task_path__startswith="rabta.messaging").exists()
        ensure_scheduled()
        assert ensure_scheduled() == []  # idempotent: one waiting run per sweep
    with time_machine.travel(START + dt.timedelta(hours=23), tick=False):
        run_ready_tasks()
    mail.outbox.clear()  # the resident's "received" email, sent by the worker in the run above
    report.refresh_from_db()
    assert report.first_contact_overdue_at is None  # not due yet
    waiting = [r for r in _sweep_runs() if r.status == "READY"]
    # The sweep queued its own next run, five minutes on.
    assert len(waiting) == 1 and waiting[0].run_after == START + dt.timedelta(hours=23, minutes=5)
    with time_machine.travel(START + dt.timedelta(hours=25), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            run_ready_tasks()
        send_queued_emails()  # the worker sends the e-mail the sweep queued
    report.refresh_from_db()
    assert report.first_contact_overdue_at == START + dt.timedelta(hours=25)
    assert report.resolution_overdue_at is None
    assert [m.to for m in mail.outbox] == [[world.station_head.email]]
    assert report.public_id in mail.outbox[0].subject
    # Local time (Asia/Karachi), one full stop: "by 3 Mar 2026, 14:00." not "by ... p.m..".
    assert "No first contact was made by 3 Mar 2026, 14:00." in mail.outbox[0].body
    assert "resident@example.org" not in mail.outbox[0].body
    assert Report.objects.overdue(START + dt.timedelta(hours=25)).filter(pk=report.pk).exists()
    internal = report.updates.get(note__startswith="overdue")
    assert not internal.public and internal.author is None


def test_flag_only_once_and_acknowledged_reports_skip_first_contact(
    emails: World, django_capture_on_commit_callbacks: Any
) -> None:
    world = emails
    with time_machine.travel(START, tick=False):
        late = factories.report("theft", beat_obj=world.beat_a).report
        handled = factories.report("theft", beat_obj=world.beat_a).report
        handled.acknowledge(by=world.beat_officer)
    later = START + dt.timedelta(hours=30)
    with django_capture_on_commit_callbacks(execute=True):
        assert flag_overdue_reports(now=later) == 1
        assert flag_overdue_reports(now=later) == 0
        with time_machine.travel(later, tick=False):
            assert flag_report(Report.objects.get(pk=late.pk)) == []  # already flagged
    send_queued_emails()  # the worker sends the queued e-mail
    assert len(mail.outbox) == 1
    # Past the 72-hour resolution deadline both are flagged for resolution.
    with django_capture_on_commit_callbacks(execute=True):
        assert flag_overdue_reports(now=START + dt.timedelta(hours=80)) == 2
    handled.refresh_from_db()
    assert handled.first_contact_overdue_at is None and handled.resolution_overdue_at is not None


def test_resolved_reports_are_not_overdue(world: World) -> None:
    with time_machine.travel(START, tick=False):
        report = factories.report("theft", beat_obj=world.beat_a).report
        report.acknowledge(by=world.beat_officer)
        report.resolve(by=world.beat_officer)
    assert flag_overdue_reports(now=START + dt.timedelta(days=30)) == 0
    assert report.status == Status.RESOLVED and not report.is_overdue(START + dt.timedelta(days=30))


def test_conduct_complaint_goes_to_oversight_never_station_head(
    emails: World, django_capture_on_commit_callbacks: Any
) -> None:
    world = emails
    with time_machine.travel(START, tick=False):
        report = factories.report("police_conduct", beat_obj=world.beat_a).report
    late = START + dt.timedelta(hours=25)
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(late, tick=False):
        assert flag_report(Report.objects.get(pk=report.pk)) == ["first_contact"]
    send_queued_emails()  # the worker sends the queued e-mail
    assert [m.to for m in mail.outbox] == [[world.oversight.email]]


def test_womens_desk_report_goes_to_station_head_only(
    emails: World, django_capture_on_commit_callbacks: Any
) -> None:
    world = emails
    factories.user(Role.STATION_HEAD, scope_station=world.station_b, email="sho2@police.example")
    with time_machine.travel(START, tick=False):
        report = factories.report("violence_against_women", beat_obj=world.beat_a).report
    with django_capture_on_commit_callbacks(execute=True):
        flag_overdue_reports(now=START + dt.timedelta(hours=25))
    send_queued_emails()  # the worker sends the queued e-mail
    assert [m.to for m in mail.outbox] == [[world.station_head.email]]
    assert Report.objects.filter(pk=report.pk, first_contact_overdue_at__isnull=False).exists()


def test_flag_overdue_command(world: World, capsys: Any) -> None:
    with time_machine.travel(START, tick=False):
        factories.report("theft", beat_obj=world.beat_a)
    with time_machine.travel(START + dt.timedelta(hours=25), tick=False):
        call_command("flag_overdue")
    assert "flagged 1 overdue" in capsys.readouterr().out
    assert Report.objects.filter(first_contact_overdue_at__isnull=False).count() == 1


@pytest.mark.parametrize(
    "offset", [dt.timedelta(0), dt.timedelta(microseconds=1), -dt.timedelta(microseconds=1)]
)
def test_overdue_rule_is_one_rule_in_sql_and_per_report(world: World, offset: dt.timedelta) -> None:
    """The queryset, the queue's sort key, the per-report check and the sweep agree, at a deadline
    to the microsecond: a deadline equal to `now` is not missed yet, one a microsecond earlier is."""
    with time_machine.travel(START, tick=False):
        made = {status: factories.report("theft", beat_obj=world.beat_a).report for status in Status.values}
    first_contact = START + dt.timedelta(hours=24)  # theft: first contact in 24 hours, resolution in 72
    resolution = START + dt.timedelta(hours=72)
    moves = {
        Status.ACKNOWLEDGED: ["acknowledge"],
        Status.IN_PROGRESS: ["acknowledge", "start"],
        Status.RESOLVED: ["acknowledge", "resolve"],
        Status.CLOSED: ["close"],
    }
    for status, report in made.items():
        for method in moves.get(status, []):
            kwargs = {"reason": "settled"} if method == "close" else {}
            getattr(report, method)(by=world.beat_officer, **kwargs)
        if status == Status.REFERRED:
            report.refer(by=world.beat_officer, to="the council")
        elif status == Status.DUPLICATE:
            report.mark_duplicate(by=world.beat_officer, of=made[Status.NEW])
        assert report.status == status
    undated = factories.report("theft", beat_obj=world.beat_a).report
    Report.objects.filter(pk=undated.pk).update(first_contact_due=None, resolution_due=None)
    ids = {r.public_id for r in [*made.values(), undated]}
    for deadline in (first_contact, resolution):
        now = deadline + offset
        fresh = Report.objects.filter(public_id__in=ids)
        per_report = {r.public_id for r in fresh if r.is_overdue(now)}
        in_sql = set(
            Report.objects.overdue(now).filter(public_id__in=ids).values_list("public_id", flat=True)
        )
        queued = queue(world.beat_officer, QueueFilters(status="all"), now=now)
        in_queue = {r.public_id for r in queued if r.is_late} & ids
        assert per_report == in_sql == in_queue, (deadline, offset)
        late = offset > dt.timedelta(0)
        if deadline == first_contact:
            assert per_report == ({made[Status.NEW].public_id} if late else set())
        else:  # NEW missed first contact two days ago; the others in work miss resolution now
            in_work = {made[Status.ACKNOWLEDGED].public_id, made[Status.IN_PROGRESS].public_id}
            assert per_report == {made[Status.NEW].public_id} | (in_work if late else set())
    # The sweep sets exactly the flags the rule has earned, once: NEW's first contact, and the
    # resolution of the three open reports once that deadline has passed.
    now = resolution + offset
    assert flag_overdue_reports(now=now) == (4 if offset > dt.timedelta(0) else 1)
    assert flag_overdue_reports(now=now) == 0
