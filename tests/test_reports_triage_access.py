"""Who sees what in officer triage: every triage page and action x every persona.

Three reports in beat_a (station_a): an ordinary one, a "woman officer only" one, and a conduct complaint
naming beat_officer (the accused officer persona). Only the personas allowed by visible_to may see a
report anywhere; for everyone else it does not exist (404), and a resident is not staff at all (403).
Of those who see it, only READS may read what it says: the station head (a man) sees that the
women-only report exists, never its words (tests/test_reports_women_only.py goes further).
"""

from __future__ import annotations

from typing import Any

import pytest

from rabta.audit.models import AccessLog
from rabta.reports.models import ReportUpdate
from tests import factories
from tests.conftest import World, verified_client
from tests.paths import url_for
from tests.personas import PERSONAS

SEES = {
    "ordinary": {"beat_officer", "womens_desk_officer", "station_head", "district_coordinator", "admin_user"},
    "sensitive": {"womens_desk_officer", "station_head"},
    "conduct": {"oversight"},
}
READS = {**SEES, "sensitive": {"womens_desk_officer"}}


@pytest.fixture
def reports(world: World) -> dict[str, Any]:
    ordinary = factories.report(
        "street_lighting",
        lat=34.805,
        lon=71.805,
        description="Light out by the school for girls",
        phone="03001234567",
    ).report
    sensitive = factories.report(
        "street_harassment",
        lat=34.806,
        lon=71.806,
        woman_officer_only=True,
        description="Men follow girls near the bus stop every evening",
    ).report
    conduct = factories.report(
        "police_conduct",
        beat_obj=world.beat_a,
        subject_officer=world.beat_officer,
        description="The officer shouted at my father at the checkpoint",
    ).report
    return {"ordinary": ordinary, "sensitive": sensitive, "conduct": conduct}


@pytest.mark.parametrize("persona", PERSONAS)
def test_queue_lists_exactly_the_reports_a_persona_may_see(
    world: World, reports: dict[str, Any], persona: str
) -> None:
    client = verified_client(getattr(world, persona))
    response = client.get(url_for("reports:staff_queue", query="status=all"))
    if persona == "resident":
        assert response.status_code == 403
        return
    assert response.status_code == 200
    body = response.content.decode()
    for kind, report in reports.items():
        shown = report.public_id in body
        assert shown == (persona in SEES[kind]), f"{persona} / {kind}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_detail_page_only_for_allowed_personas(world: World, reports: dict[str, Any], persona: str) -> None:
    client = verified_client(getattr(world, persona))
    for kind, report in reports.items():
        response = client.get(url_for("reports:staff_detail", report.public_id))
        if persona in SEES[kind]:
            assert response.status_code == 200, f"{persona} / {kind}"
            assert (report.description in response.content.decode()) == (persona in READS[kind])
        else:
            assert response.status_code in (403, 404), f"{persona} / {kind}"
            assert report.description not in response.content.decode()


ACTIONS = [  # by URL name
    ("reports:staff_acknowledge", {"note": "On my way", "public": "1"}),
    ("reports:staff_status", {"to": "in_progress", "note": "x"}),
    ("reports:staff_note", {"note": "internal words", "public": "0"}),
    ("reports:staff_assign", {"assignee": "officer_a"}),
    ("reports:staff_duplicate", {"of": "0000000000000000"}),
    ("reports:staff_reveal_contact", {}),
    ("reports:staff_reveal_location", {}),
]


@pytest.mark.parametrize("persona", PERSONAS)
def test_actions_out_of_scope_change_nothing(world: World, reports: dict[str, Any], persona: str) -> None:
    client = verified_client(getattr(world, persona))
    for kind, report in reports.items():
        if persona in SEES[kind]:
            continue
        updates = ReportUpdate.objects.filter(report=report).count()
        for name, data in ACTIONS:
            response = client.post(url_for(name, report.public_id), data)
            assert response.status_code in (403, 404), f"{persona} / {kind} / {name}"
        report.refresh_from_db()
        assert report.status == "new"
        assert report.assignee is None
        assert ReportUpdate.objects.filter(report=report).count() == updates
        assert not AccessLog.objects.filter(object_id=str(report.pk)).exists()


def test_the_accused_officer_never_sees_the_complaint(world: World, reports: dict[str, Any]) -> None:
    conduct = reports["conduct"]
    client = verified_client(world.beat_officer)
    assert client.get(url_for("reports:staff_detail", conduct.public_id)).status_code == 404
    assert (
        conduct.public_id
        not in client.get(url_for("reports:staff_queue", query="status=all")).content.decode()
    )
    # Oversight sees it, with the officer named.
    page = (
        verified_client(world.oversight)
        .get(url_for("reports:staff_detail", conduct.public_id))
        .content.decode()
    )
    assert world.beat_officer.get_full_name() in page


def test_staff_without_a_verified_second_factor_are_sent_away(
    world: World, reports: dict[str, Any], client: Any
) -> None:
    client.force_login(world.beat_officer)
    response = client.get(url_for("reports:staff_queue"))
    assert response.status_code == 302
    assert reports["ordinary"].public_id not in response.content.decode()
    response = client.post(url_for("reports:staff_reveal_contact", reports["ordinary"].public_id))
    assert response.status_code == 302
    assert "+923001234567" not in response.content.decode()
    assert not AccessLog.objects.exists()


def test_anonymous_visitors_are_sent_to_login(reports: dict[str, Any], client: Any) -> None:
    response = client.get(url_for("reports:staff_detail", reports["ordinary"].public_id))
    assert response.status_code == 302
    assert "/login/" in response["Location"]
