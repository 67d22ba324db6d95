"""The queue, the API list and the overdue sweep as they must behave with a million reports
(bench/queues.py measures them): one stored sort key, keyset pages, a bounded count, and a sweep whose
statements do not grow with its backlog."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rabta.reports import selectors, tasks
from rabta.reports.lifecycle import OPEN_STATUSES, Status
from rabta.reports.models import Report
from tests import factories
from tests.conftest import World, verified_client
from tests.paths import url_for
from tests.tasks_helper import send_queued_emails

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def emails(world: World) -> World:
    for user in (world.station_head, world.other_station_head, world.oversight, world.district_coordinator):
        user.email = f"{user.username}@police.example"
        user.save(update_fields=["email"])
    return world


def _spread(world: World, n: int, *, category: str = "theft") -> list[Report]:
    """n reports an hour apart from START, in beat_a, in a mix of states."""
    made = []
    for i in range(n):
        with time_machine.travel(START + dt.timedelta(hours=i), tick=False):
            report = factories.report(category, beat_obj=world.beat_a).report
            if i % 3 == 1:
                report.acknowledge(by=world.beat_officer)
            elif i % 3 == 2:
                report.acknowledge(by=world.beat_officer)
                report.resolve(by=world.beat_officer)
        made.append(report)
    return made


def _expected_order(reports: list[Report], now: dt.datetime) -> list[str]:
    """The queue's promise, computed the long way: overdue first, then what falls due soonest, then
    the newest of those with no deadline running."""
    fresh = [Report.objects.get(pk=r.pk) for r in reports]

    def running(r: Report) -> dt.datetime | None:
        if r.status == Status.NEW:
            return r.first_contact_due
        return r.resolution_due if r.status in OPEN_STATUSES else None

    def key(r: Report) -> tuple[Any, ...]:
        due = running(r)
        return (
            0 if r.is_overdue(now) else 1,
            due is None,
            due or now,
            -r.created_at.timestamp(),
            r.public_id,
        )

    return [r.public_id for r in sorted(fresh, key=key)]


def test_next_due_is_the_running_deadline_through_the_lifecycle(world: World) -> None:
    with time_machine.travel(START, tick=False):
        report = factories.report("theft", beat_obj=world.beat_a).report
    report.refresh_from_db()
    assert report.next_due == report.first_contact_due == START + dt.timedelta(hours=24)
    report.acknowledge(by=world.beat_officer)
    report.refresh_from_db()
    assert report.next_due == report.resolution_due
    report.resolve(by=world.beat_officer)
    report.refresh_from_db()
    assert report.next_due is None


def test_first_contact_is_never_due_after_resolution(world: World) -> None:
    from rabta.reports.models import Category

    category = Category.objects.get(code="theft")
    category.first_contact_hours, category.resolution_hours = 48, 12
    category.save(update_fields=["first_contact_hours", "resolution_hours"])
    with time_machine.travel(START, tick=False):
        report = factories.report("theft", beat_obj=world.beat_a).report
    assert report.first_contact_due == report.resolution_due == START + dt.timedelta(hours=12)


def test_queue_order_is_overdue_then_soonest_then_newest(world: World) -> None:
    reports = _spread(world, 12)
    now = START + dt.timedelta(hours=30)
    got = [
        r.public_id
        for r in selectors.queue(world.station_head, selectors.QueueFilters(status="all"), now=now)
    ]
    assert got == _expected_order(reports, now)
    late = selectors.queue(world.station_head, selectors.QueueFilters(status="all"), now=now)
    flags = [bool(r.is_late) for r in late]
    # Every overdue report comes before every other.
    assert flags == sorted(flags, reverse=True) and any(flags) and not all(flags)


def test_queue_pages_by_cursor_visit_every_report_once_in_order(world: World) -> None:
    reports = _spread(world, 13)
    now = START + dt.timedelta(hours=30)
    client = verified_client(world.station_head)
    url = url_for("reports:staff_queue") + "?status=all"
    seen: list[str] = []
    pages = 0
    with time_machine.travel(now, tick=False), pytest.MonkeyPatch.context() as mp:
        mp.setattr(selectors, "QUEUE_PAGE", 5)
        while url:
            response = client.get(url)
            assert response.status_code == 200
            seen += [r.public_id for r in response.context["page"].reports]
            pages += 1
            found = re.search(r'rel="next" href="([^"]+)"', response.content.decode())
            url = url_for("reports:staff_queue") + found.group(1).replace("&amp;", "&") if found else ""
            assert "status=all" in url or not url  # filters are kept from page to page
    assert pages == 3
    assert seen == _expected_order(reports, now)


def test_api_pages_by_cursor_and_refuses_a_made_up_one(world: World) -> None:
    reports = _spread(world, 7)
    now = START + dt.timedelta(hours=30)
    client = verified_client(world.station_head)
    seen: list[str] = []
    url: str | None = "/api/v1/reports/?status=all&limit=3"
    with time_machine.travel(now, tick=False):
        while url:
            body = client.get(url).json()
            assert set(body) == {"next", "first", "results"}
            seen += [r["public_id"] for r in body["results"]]
            url = body["next"]
        assert seen == _expected_order(reports, now)
        for bad in [
            "x",
            "1.2.3",
            "-.-.zzzz",
            "9" * 40 + ".1." + "a" * 16,
            "1.2.ABCDEFABCDEFABCD",
        ]:
            response = client.get(f"/api/v1/reports/?cursor={bad}")
            assert response.status_code == 400, bad
            assert "cursor" in response.json()


def test_queue_refuses_a_made_up_cursor(world: World) -> None:
    response = verified_client(world.beat_officer).get(url_for("reports:staff_queue") + "?after=nonsense")
    assert response.status_code == 400


def test_a_cursor_never_widens_the_scope(world: World) -> None:
    """A cursor is a position, not a permission: the other beat's officer pages through nothing."""
    _spread(world, 4)
    client = verified_client(world.other_beat_officer)
    first = Report.objects.order_by("created_at").first()
    assert first is not None
    cursor = selectors.QueueCursor.after(first).encode()
    body = client.get(f"/api/v1/reports/?status=all&cursor={cursor}").json()
    assert body["results"] == []


def test_queue_count_stops_at_the_bound(world: World) -> None:
    _spread(world, 6)
    client = verified_client(world.station_head)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(selectors, "COUNT_UP_TO", 4)
        page = client.get(url_for("reports:staff_queue") + "?status=all")
        assert page.context["page"].total == 5 and page.context["page"].more_than_counted
        assert "More than" in page.content.decode()
        mp.setattr(selectors, "COUNT_UP_TO", 10)
        page = client.get(url_for("reports:staff_queue") + "?status=all")
        assert page.context["page"].total == 6 and "6 reports" in page.content.decode()


def _sweep_statements(world: World, n: int, offset_days: int) -> tuple[int, int]:
    base = START + dt.timedelta(days=offset_days)
    for i in range(n):
        with time_machine.travel(base + dt.timedelta(minutes=i), tick=False):
            factories.report("theft", beat_obj=world.beat_a if i % 2 else world.beat_c)
            factories.report("police_conduct", beat_obj=world.beat_b)
    with CaptureQueriesContext(connection) as queries:
        flags = tasks.flag_overdue_reports(now=base + dt.timedelta(days=2))
    return len(queries), flags


def test_sweep_statements_do_not_grow_with_the_backlog(
    emails: World, django_capture_on_commit_callbacks: Any
) -> None:
    world = emails
    with django_capture_on_commit_callbacks(execute=True):
        small, small_flags = _sweep_statements(world, 3, 0)
    Report.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        large, large_flags = _sweep_statements(world, 12, 10)
    # Two days on, every report missed its first contact: one flag each.
    assert (small_flags, large_flags) == (2 * 3, 2 * 12)
    assert small == large


def test_sweep_sends_one_email_per_supervisor_grouped_by_station(
    emails: World, django_capture_on_commit_callbacks: Any
) -> None:
    world = emails
    with time_machine.travel(START, tick=False):
        a = [factories.report("theft", beat_obj=world.beat_a).report for _ in range(2)]
        b = factories.report("theft", beat_obj=world.beat_c).report
        conduct = factories.report("police_conduct", beat_obj=world.beat_a).report
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.flag_overdue_reports(now=START + dt.timedelta(hours=25)) == 4
    send_queued_emails()
    by_to = {tuple(m.to): m for m in mail.outbox}
    assert set(by_to) == {
        (world.station_head.email,),
        (world.other_station_head.email,),
        (world.oversight.email,),
    }
    head = by_to[(world.station_head.email,)]
    assert head.subject == "2 overdue reports"
    assert all(r.public_id in head.body for r in a) and b.public_id not in head.body
    assert conduct.public_id not in head.body  # a conduct complaint never reaches the station
    assert world.station_a.name in head.body
    assert by_to[(world.other_station_head.email,)].subject == f"Overdue report {b.public_id}"
    oversight = by_to[(world.oversight.email,)]
    assert conduct.public_id in oversight.body and all(r.public_id not in oversight.body for r in [*a, b])
    assert Report.objects.filter(first_contact_overdue_at=START + dt.timedelta(hours=25)).count() == 4
    assert {u.note for r in [*a, b, conduct] for u in r.updates.filter(note__startswith="overdue")} == {
        "overdue: first_contact"
    }


@pytest.mark.parametrize("limit", [1, 4, 5, 9, 30])
def test_open311_list_is_the_newest_days_as_a_full_sort_gives_them(world: World, limit: int) -> None:
    """The shortcut (start at the day of the limit-th newest report) lists what sorting the whole
    window by (day, public_id) lists, whatever the limit falls on: mid-day, a day's edge, all."""
    for day, count in enumerate([3, 1, 4, 2, 5]):
        for i in range(count):
            # Late evening local time on some: the day boundary is Asia/Karachi's, not UTC's.
            at = START + dt.timedelta(days=day, hours=(13 if i % 2 else 2), minutes=i)
            with time_machine.travel(at, tick=False):
                factories.report("street_lighting", beat_obj=world.beat_a)
    listed = selectors.open311_listed()
    from django.db.models.functions import TruncDate
    from django.utils import timezone

    day = TruncDate("created_at", tzinfo=timezone.get_current_timezone())
    full = [r.public_id for r in listed.annotate(d=day).order_by("-d", "public_id")[:limit]]
    assert [r.public_id for r in selectors.open311_newest_days(listed, limit=limit)] == full
