"""Officer triage actions and what they leave behind: statuses, timestamps, updates, access log rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from rabta.audit.models import AccessLog
from rabta.reports.models import Report, ReportUpdate
from rabta.reports.selectors import Nearness, QueueFilters, duplicate_candidates, queue
from tests import factories
from tests.conftest import World, verified_client
from tests.paths import url_for
from tests.queries import TRIAGE_QUEUE

BASE = (34.805, 71.805)  # inside beat_a
NORTH_250M = (34.805 + 250 / 111_320, 71.805)
EAST_400M = (34.805, 71.805 + 400 / 91_405)


def make(
    category: str = "street_lighting", at: tuple[float, float] = BASE, days_ago: float = 0, **kw: Any
) -> Report:
    report = factories.report(category, lat=at[0], lon=at[1], **kw).report
    if days_ago:
        Report.objects.filter(pk=report.pk).update(created_at=timezone.now() - dt.timedelta(days=days_ago))
        report.refresh_from_db()
    return report


@pytest.fixture
def officer(world: World) -> Any:
    return verified_client(world.beat_officer)


def test_acknowledge_sets_status_timestamp_and_a_public_update(world: World, officer: Any) -> None:
    report = make()
    response = officer.post(
        url_for("reports:staff_acknowledge", report.public_id), {"note": "We will visit today", "public": "1"}
    )
    assert response.status_code == 302
    assert response["Location"] == url_for("reports:staff_detail", report.public_id)
    report.refresh_from_db()
    assert report.status == "acknowledged"
    assert report.acknowledged_at is not None
    update = report.updates.latest("created_at")
    assert (update.author, update.to_status, update.public, update.note) == (
        world.beat_officer,
        "acknowledged",
        True,
        "We will visit today",
    )
    page = officer.get(response["Location"]).content.decode()
    assert "Acknowledged. The resident can see it" in page
    assert "We will visit today" in page


def test_status_changes_need_their_reason_and_follow_the_lifecycle(officer: Any) -> None:
    report = make("neighbour_dispute")
    url = url_for("reports:staff_status", report.public_id)
    # Resolving before anyone acknowledged it is not allowed: not even offered.
    page = officer.post(url, {"to": "resolved"}, follow=True).content.decode()
    assert "Select a valid choice" in page
    # Referring needs the agency or council.
    page = officer.post(url, {"to": "referred"}, follow=True).content.decode()
    assert "Say which agency or council" in page
    report.refresh_from_db()
    assert report.status == "new"
    officer.post(
        url, {"to": "referred", "referred_to": "DRC Timergara", "note": "The council meets on Thursday"}
    )
    report.refresh_from_db()
    assert (report.status, report.referred_to) == ("referred", "DRC Timergara")
    assert report.referred_at is not None and report.acknowledged_at is not None
    # Closing needs a reason.
    officer.post(url, {"to": "closed"})
    report.refresh_from_db()
    assert report.status == "referred"
    officer.post(url, {"to": "closed", "reason": "Settled by the council"})
    report.refresh_from_db()
    assert (report.status, report.closed_reason) == ("closed", "Settled by the council")
    assert report.closed_at is not None
    assert list(report.updates.exclude(to_status="").values_list("to_status", flat=True)) == [
        "new",
        "referred",
        "closed",
    ]


def test_start_then_resolve(officer: Any) -> None:
    report = make()
    url = url_for("reports:staff_status", report.public_id)
    officer.post(url, {"to": "in_progress"})
    officer.post(url, {"to": "resolved", "note": "WAPDA replaced the bulb"})
    report.refresh_from_db()
    assert report.status == "resolved"
    assert report.started_at is not None and report.resolved_at is not None
    assert report.updates.filter(to_status="resolved", note="WAPDA replaced the bulb", public=True).exists()


def test_internal_notes_stay_internal(world: World, officer: Any, client: Any) -> None:
    submission = factories.report("theft", lat=BASE[0], lon=BASE[1])
    report = submission.report
    officer.post(
        url_for("reports:staff_note", report.public_id),
        {"note": "Suspect is the cousin of the shopkeeper", "public": "0"},
    )
    officer.post(
        url_for("reports:staff_note", report.public_id),
        {"note": "We spoke to the shopkeepers", "public": "1"},
    )
    notes = dict(ReportUpdate.objects.filter(report=report).exclude(note="").values_list("note", "public"))
    assert notes == {"Suspect is the cousin of the shopkeeper": False, "We spoke to the shopkeepers": True}
    # The resident's tracking page shows the public note only.
    tracking = client.get(url_for("reports:track", submission.token)).content.decode()
    assert "We spoke to the shopkeepers" in tracking
    assert "cousin" not in tracking
    # An empty note is refused.
    before = ReportUpdate.objects.count()
    page = officer.post(
        url_for("reports:staff_note", report.public_id), {"note": "  ", "public": "1"}, follow=True
    )
    assert "Write the note first" in page.content.decode()
    assert ReportUpdate.objects.count() == before


def test_assign_only_to_officers_who_can_see_the_report(world: World) -> None:
    head = verified_client(world.station_head)
    ordinary = make()
    sensitive = make("street_harassment", woman_officer_only=True)
    # An ordinary report of beat_a: its beat officer, yes; the officer of beat_b, no.
    head.post(
        url_for("reports:staff_assign", ordinary.public_id), {"assignee": world.other_beat_officer.username}
    )
    ordinary.refresh_from_db()
    assert ordinary.assignee is None
    head.post(url_for("reports:staff_assign", ordinary.public_id), {"assignee": world.beat_officer.username})
    ordinary.refresh_from_db()
    assert ordinary.assignee == world.beat_officer
    update = ordinary.updates.latest("created_at")
    assert (update.assigned_to, update.author, update.public) == (
        world.beat_officer,
        world.station_head,
        False,
    )
    # A woman-only report never goes to a male officer, only to the woman on the desk.
    page = head.get(url_for("reports:staff_detail", sensitive.public_id)).content.decode()
    assert f'value="{world.womens_desk_officer.username}"' in page
    assert f'value="{world.beat_officer.username}"' not in page
    response = head.post(
        url_for("reports:staff_assign", sensitive.public_id),
        {"assignee": world.beat_officer.username},
        follow=True,
    )
    assert "cannot take this report" in response.content.decode()
    sensitive.refresh_from_db()
    assert sensitive.assignee is None
    head.post(
        url_for("reports:staff_assign", sensitive.public_id), {"assignee": world.womens_desk_officer.username}
    )
    sensitive.refresh_from_db()
    assert sensitive.assignee == world.womens_desk_officer


def test_contact_details_only_on_request_and_every_view_is_logged(world: World, officer: Any) -> None:
    report = make(phone="0300 1234567", email="amina@example.org", safe_call_hours="after 4 pm")
    page = officer.get(url_for("reports:staff_detail", report.public_id)).content.decode()
    assert "1234567" not in page and "amina@" not in page
    assert "Show contact details" in page
    assert "after 4 pm" in page  # preferences guide the officer; they are not contact details
    assert not AccessLog.objects.exists()
    response = officer.post(url_for("reports:staff_reveal_contact", report.public_id))
    body = response.content.decode()
    assert response.status_code == 200
    assert "+923001234567" in body and "amina@example.org" in body
    assert "no-store" in response["Cache-Control"]
    officer.post(url_for("reports:staff_reveal_contact", report.public_id))
    logs = AccessLog.objects.filter(action=AccessLog.Action.VIEW_CONTACT, object_id=str(report.pk))
    assert logs.count() == 2
    assert {log.actor for log in logs} == {world.beat_officer}
    # GET never reveals.
    assert officer.get(url_for("reports:staff_reveal_contact", report.public_id)).status_code == 405
    assert logs.count() == 2


def test_precise_location_only_on_request_and_logged(world: World, officer: Any) -> None:
    report = make(at=(34.805123, 71.805456))
    page = officer.get(url_for("reports:staff_detail", report.public_id)).content.decode()
    assert "34.805123" not in page and "71.805456" not in page
    assert f"{report.public_lat:.4f}" in page
    body = officer.post(url_for("reports:staff_reveal_location", report.public_id)).content.decode()
    assert "34.805123" in body and "71.805456" in body
    log = AccessLog.objects.get(action=AccessLog.Action.VIEW_LOCATION)
    assert (log.actor, log.object_id) == (world.beat_officer, str(report.pk))


def test_duplicate_suggestions_are_same_category_within_300_m_and_14_days(world: World) -> None:
    report = make()
    near = make(at=NORTH_250M, days_ago=3)
    far = make(at=EAST_400M)
    old = make(at=NORTH_250M, days_ago=15)
    other_kind = make("theft", at=NORTH_250M)
    closed = make(at=NORTH_250M)
    closed.acknowledge(by=world.beat_officer)
    closed.close(by=world.beat_officer, reason="fixed")
    found = duplicate_candidates(world.beat_officer, report)
    assert [(r.public_id, band) for r, band in found] == [(near.public_id, Nearness.UP_TO_300)]
    # An officer who cannot see the nearby report is not offered it.
    assert duplicate_candidates(world.other_beat_officer, report) == []
    page = (
        verified_client(world.beat_officer)
        .get(url_for("reports:staff_detail", report.public_id))
        .content.decode()
    )
    assert near.public_id in page and "100-300 m" in page and "250 m away" not in page
    for unwanted in (far, old, other_kind, closed):
        assert unwanted.public_id not in page


def test_mark_duplicate_only_of_a_suggested_report(world: World, officer: Any) -> None:
    report = make()
    near = make(at=NORTH_250M, days_ago=1)
    far = make(at=EAST_400M)
    url = url_for("reports:staff_duplicate", report.public_id)
    page = officer.post(url, {"of": far.public_id}, follow=True).content.decode()
    assert "Only a suggested report can be the original" in page
    report.refresh_from_db()
    assert report.status == "new"
    officer.post(url, {"of": near.public_id})
    report.refresh_from_db()
    assert (report.status, report.duplicate_of) == ("duplicate", near)
    assert report.duplicate_at is not None
    assert report.updates.filter(to_status="duplicate", author=world.beat_officer).exists()


def test_queue_puts_overdue_first_and_filters(
    world: World, officer: Any, django_assert_num_queries: Any
) -> None:
    fresh = make()
    late = make("theft", days_ago=2)  # no first contact after 24 hours
    Report.objects.filter(pk=late.pk).update(first_contact_due=timezone.now() - dt.timedelta(hours=24))
    done = make()
    done.acknowledge(by=world.beat_officer)
    done.start(by=world.beat_officer)
    done.resolve(by=world.beat_officer)
    for _ in range(12):
        make("drugs")
    ids = [r.public_id for r in queue(world.beat_officer, QueueFilters())]
    assert ids[0] == late.public_id
    assert fresh.public_id in ids and done.public_id not in ids
    with django_assert_num_queries(TRIAGE_QUEUE):
        body = officer.get(url_for("reports:staff_queue")).content.decode()
    assert body.index(late.public_id) < body.index(fresh.public_id)
    assert "Overdue" in body
    only_late = officer.get(url_for("reports:staff_queue", query="overdue=on")).content.decode()
    assert late.public_id in only_late and fresh.public_id not in only_late
    by_category = officer.get(
        url_for("reports:staff_queue", query="category=theft&status=all")
    ).content.decode()
    assert late.public_id in by_category and fresh.public_id not in by_category
    resolved = officer.get(url_for("reports:staff_queue", query="status=resolved")).content.decode()
    assert done.public_id in resolved and fresh.public_id not in resolved
    with django_assert_num_queries(TRIAGE_QUEUE):
        officer.get(url_for("reports:staff_queue", query="status=all"))
