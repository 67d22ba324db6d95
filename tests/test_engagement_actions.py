"""Action items: one owner, status rules, reminders before the due date, escalation when overdue."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError
from django_tasks_db.models import DBTaskResult

from rabta.engagement import reminders, services, tasks
from rabta.engagement.cadence import held_against_due, periods
from rabta.engagement.models import ActionItem, ActionReminder, ActionStatus, CommitteeMember, MeetingKind
from tests.conftest import World, verified_client
from tests.paths import url_for
from tests.tasks_helper import send_queued_emails
from tests.test_engagement_support import KARACHI, action, agency, committee, held_meeting, priority

DAY0 = dt.datetime(2025, 3, 3, 10, 0, tzinfo=KARACHI)  # a Monday morning in Timergara


@pytest.fixture
def emails(world: World) -> World:
    for name, address in (("beat_officer", "ali@police.example"), ("station_head", "sho@police.example")):
        user = getattr(world, name)
        user.email = address
        user.save(update_fields=["email"])
    return world


def test_exactly_one_owner(world: World) -> None:
    p = priority(world.beat_officer, world.beat_a)
    with pytest.raises(ValidationError):
        action(world.beat_officer, p, owner_officer=world.beat_officer, owner_agency=agency())
    with pytest.raises(IntegrityError):
        ActionItem.objects.create(priority=p, action="no owner", due_on=dt.date(2025, 1, 1))


def test_done_needs_outcome_and_dropped_needs_reason(world: World) -> None:
    item = action(world.beat_officer, priority(world.beat_officer, world.beat_a))
    with pytest.raises(ValidationError):
        services.update_action_item(item=item, by=world.beat_officer, status=ActionStatus.DONE)
    with pytest.raises(ValidationError):
        services.update_action_item(item=item, by=world.beat_officer, status=ActionStatus.DROPPED)
    services.update_action_item(
        item=item,
        by=world.beat_officer,
        status=ActionStatus.DONE,
        outcome="12 lights repaired",
        today=dt.date(2025, 3, 9),
    )
    item.refresh_from_db()
    assert (item.status, item.done_on, item.outcome) == (
        ActionStatus.DONE,
        dt.date(2025, 3, 9),
        "12 lights repaired",
    )


def test_staff_page_updates_status_with_note(world: World) -> None:
    item = action(world.beat_officer, priority(world.beat_officer, world.beat_a))
    client = verified_client(world.beat_officer)
    data = {
        "status": "in_progress",
        "note": "Spoke to the TMA engineer",
        "outcome": "",
        "drop_reason": "",
        "due_on": item.due_on.isoformat(),
    }
    assert client.post(url_for("engagement:action", item.pk), data).status_code == 302
    item.refresh_from_db()
    assert item.status == "in_progress" and item.notes.get().text == "Spoke to the TMA engineer"
    assert (
        verified_client(world.other_beat_officer).get(url_for("engagement:action", item.pk)).status_code
        == 404
    )


def test_creating_an_item_enqueues_deferred_reminder_and_escalation(world: World) -> None:
    with time_machine.travel(DAY0, tick=False):
        item = action(world.beat_officer, priority(world.beat_officer, world.beat_a), due_in=10)
    queued = {r.task_path.rsplit(".", 1)[-1]: r for r in DBTaskResult.objects.all()}
    assert set(queued) == {"remind_action_item", "escalate_action_item"}
    remind, escalate = queued["remind_action_item"], queued["escalate_action_item"]
    assert remind.args_kwargs["args"] == [item.pk]
    # 3 days before the due date at 09:00 in Karachi; escalation the day after the due date.
    assert remind.run_after == dt.datetime(2025, 3, 10, 4, 0, tzinfo=dt.UTC)
    assert escalate.run_after == dt.datetime(2025, 3, 14, 4, 0, tzinfo=dt.UTC)


def test_reminder_then_escalation_each_sent_once(emails: World) -> None:
    world = emails
    with time_machine.travel(DAY0, tick=False):
        item = action(
            world.beat_officer, priority(world.beat_officer, world.beat_a), due_in=10
        )  # due 13 March
        assert reminders.sweep().as_dict() == {"reminded": [], "escalated": []}
    with time_machine.travel(dt.datetime(2025, 3, 10, 9, 30, tzinfo=KARACHI), tick=False):
        assert reminders.sweep().reminded == [item.pk]
        assert reminders.sweep().reminded == []  # idempotent
        assert tasks.remind_action_item.call(item.pk) is False  # the deferred task finds it done
        send_queued_emails()  # the worker sends the queued e-mail
        assert [m.to for m in mail.outbox] == [["ali@police.example"]]
        assert "due on 2025-03-13" in mail.outbox[0].subject
    with time_machine.travel(dt.datetime(2025, 3, 13, 18, 0, tzinfo=KARACHI), tick=False):
        assert reminders.sweep().escalated == []  # due today is not overdue
        assert not item.is_overdue()
    with time_machine.travel(dt.datetime(2025, 3, 14, 9, 0, tzinfo=KARACHI), tick=False):
        item.refresh_from_db()
        assert item.is_overdue()
        assert tasks.escalate_action_item.call(item.pk) is True
        assert reminders.sweep().escalated == []
        call_command("engagement_reminders", stdout=io.StringIO())
    send_queued_emails()  # the worker sends the queued e-mail
    recipients = sorted(addr for m in mail.outbox[1:] for addr in m.to)
    assert recipients == ["ali@police.example", "sho@police.example"]
    assert all("overdue by 1 days" in m.subject for m in mail.outbox[1:])
    assert ActionReminder.objects.filter(item=item).count() == 2
    # The overdue flag shows on the staff list.
    with time_machine.travel(dt.datetime(2025, 3, 14, 9, 0, tzinfo=KARACHI), tick=False):
        body = (
            verified_client(world.beat_officer)
            .get(url_for("engagement:actions", query="show=overdue"))
            .content.decode()
        )
    assert "Overdue" in body and item.action in body


def test_new_due_date_means_new_reminder(emails: World) -> None:
    world = emails
    with time_machine.travel(DAY0, tick=False):
        item = action(world.beat_officer, priority(world.beat_officer, world.beat_a), due_in=2)
        assert reminders.sweep().reminded == [item.pk]
        services.update_action_item(
            item=item, by=world.beat_officer, due_on=DAY0.date() + dt.timedelta(days=3)
        )
        assert reminders.sweep().reminded == [item.pk]
        assert reminders.sweep().reminded == []
    send_queued_emails()  # the worker sends the queued e-mail
    assert len(mail.outbox) == 2


def test_done_items_are_never_reminded(emails: World) -> None:
    world = emails
    with time_machine.travel(DAY0, tick=False):
        item = action(world.beat_officer, priority(world.beat_officer, world.beat_a), due_in=1)
        services.update_action_item(item=item, by=world.beat_officer, status="done", outcome="Fixed")
    with time_machine.travel(DAY0 + dt.timedelta(days=5), tick=False):
        assert reminders.sweep().as_dict() == {"reminded": [], "escalated": []}
    send_queued_emails()  # the worker sends the queued e-mail
    assert mail.outbox == []


def test_agency_and_member_owners_reach_the_right_people(emails: World) -> None:
    world = emails
    tma = agency()
    c = committee([world.beat_a], liaison=world.beat_officer)
    member = CommitteeMember.objects.create(
        committee=c, name="Haji Sher Zaman", role="chair", email="chair@example.org"
    )
    with time_machine.travel(DAY0, tick=False):
        p = priority(world.beat_officer, world.beat_a)
        by_agency = action(world.beat_officer, p, due_in=-2, owner_agency=tma)
        by_member = action(world.beat_officer, p, due_in=-2, owner_member=member)
        result = reminders.sweep()
    assert sorted(result.escalated) == sorted([by_agency.pk, by_member.pk])
    send_queued_emails()  # the worker sends the queued e-mail
    to_agency = {a for m in mail.outbox for a in m.to}
    assert {
        "engineer@tma.example",
        "chair@example.org",
        "ali@police.example",
        "sho@police.example",
    } <= to_agency


def test_sweep_task_reschedules_itself_once(world: World) -> None:
    with time_machine.travel(DAY0, tick=False):
        assert tasks.sweep_action_items.call(reschedule=True) == {"reminded": [], "escalated": []}
        tasks.schedule_next_sweep()
    sweeps = DBTaskResult.objects.filter(task_path__endswith="sweep_action_items")
    assert sweeps.count() == 1
    assert sweeps.get().run_after == dt.datetime(2025, 3, 4, 4, 0, tzinfo=dt.UTC)
    out = io.StringIO()
    call_command("engagement_reminders", "--enqueue", stdout=out)
    assert "enqueued" in out.getvalue()


def test_cadence_periods_and_missed_meetings() -> None:
    monthly = periods("monthly", dt.date(2025, 1, 15), dt.date(2025, 1, 1), dt.date(2025, 6, 10))
    # January started mid-month (not due); February to May are whole months; June is not over.
    assert [p.start.month for p in monthly] == [2, 3, 4, 5]
    weekly = periods("weekly", dt.date(2025, 3, 3), dt.date(2025, 3, 5), dt.date(2025, 3, 31))
    assert [p.start.day for p in weekly] == [10, 17, 24]
    quarterly = periods("quarterly", dt.date(2024, 1, 1), dt.date(2024, 1, 1), dt.date(2025, 1, 1))
    assert [(p.start.month, p.end.month) for p in quarterly] == [(1, 4), (4, 7), (7, 10), (10, 1)]
    report = held_against_due(
        "monthly",
        dt.date(2025, 1, 1),
        dt.date(2025, 1, 1),
        dt.date(2025, 5, 1),
        [dt.date(2025, 1, 9), dt.date(2025, 2, 6), dt.date(2025, 2, 20), dt.date(2025, 4, 3)],
    )
    assert (report.due, report.held) == (4, 4)
    assert [p.start for p in report.missed] == [dt.date(2025, 3, 1)]
    fortnightly = held_against_due(
        "fortnightly", dt.date(2025, 1, 6), dt.date(2025, 1, 6), dt.date(2025, 2, 3), [dt.date(2025, 1, 8)]
    )
    assert (fortnightly.due, fortnightly.held, len(fortnightly.missed)) == (2, 1, 1)


def test_committee_page_flags_missed_meeting(world: World, django_assert_max_num_queries: Any) -> None:
    import django.utils.timezone as tz

    today = tz.localdate()
    c = committee(
        [world.beat_a],
        liaison=world.beat_officer,
        cadence="monthly",
        started_on=today - dt.timedelta(days=150),
    )
    held_meeting(
        world.beat_officer,
        [world.beat_a],
        {"men_60": 6},
        days_ago=3,
        kind=MeetingKind.COMMITTEE_MEETING,
        committee=c,
    )
    CommitteeMember.objects.create(committee=c, name="Haji Sher Zaman", role="chair")
    client = verified_client(world.beat_officer)
    client.get(url_for("engagement:committees"))
    with django_assert_max_num_queries(10):
        body = client.get(url_for("engagement:committees")).content.decode()
    assert "missed meeting" in body and "1 held" in body
    detail = client.get(url_for("engagement:committee", c.pk)).content.decode()
    assert "Missed meetings" in detail and "Haji Sher Zaman" in detail
    assert (
        verified_client(world.other_station_head).get(url_for("engagement:committee", c.pk)).status_code
        == 404
    )


def test_agency_contact_is_staff_only(world: World) -> None:
    tma = agency(contact_phone="0945-111222")
    item = action(world.beat_officer, priority(world.beat_officer, world.beat_a), owner_agency=tma)
    body = verified_client(world.beat_officer).get(url_for("engagement:agencies")).content.decode()
    assert "0945-111222" in body and item.action in body
    from django.test import Client

    public = Client().get(url_for("engagement:you_said_we_did", "GUL")).content.decode()
    assert "TMA Timergara" in public
    assert (
        "0945-111222" not in public
        and "engineer@tma.example" not in public
        and "Mr Municipal Engineer" not in public
    )


def test_action_list_query_count(world: World, django_assert_max_num_queries: Any) -> None:
    tma = agency()
    c = committee([world.beat_a])
    member = CommitteeMember.objects.create(committee=c, name="Member", role="member")
    p = priority(world.beat_officer, world.beat_a)
    for i in range(5):
        action(world.beat_officer, p, due_in=i - 2)
        action(world.beat_officer, p, due_in=i, owner_agency=tma)
        action(world.beat_officer, p, due_in=i, owner_member=member)
    client = verified_client(world.beat_officer)
    client.get(url_for("engagement:actions"))
    with django_assert_max_num_queries(8):
        body = client.get(url_for("engagement:actions", query="show=all")).content.decode()
    assert body.count(url_for("engagement:actions")) >= 15
