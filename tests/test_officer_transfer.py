"""Officer transfer: a new posting, and the officer's open work handed over in one transaction."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from rabta.audit.models import AccessLog
from rabta.core.errors import NotVisible
from rabta.engagement.models import ActionItem, ActionStatus, Meeting, MeetingKind
from rabta.engagement.models.meetings import COUNT_FIELDS
from rabta.people.models import Gender, OfficerProfile, Role, User
from rabta.reports.lifecycle import Status
from rabta.reports.models import Report, ReportUpdate
from rabta.site import transfers
from tests import factories
from tests.conftest import World, verified_client
from tests.paths import url_for
from tests.test_engagement_support import action, held_meeting, meeting, priority


def _assigned(code: str, world: World, officer: User, **kw: Any) -> Report:
    report = factories.report(code, beat_obj=kw.pop("beat", world.beat_a), **kw).report
    report.assignee = officer
    report.save(update_fields=["assignee"])
    return report


@pytest.fixture
def successor(world: World) -> User:
    return factories.officer(station_obj=world.station_a, beats=[world.beat_a], username="successor")


@pytest.fixture
def work(world: World) -> dict[str, Any]:
    officer = world.beat_officer
    p = priority(officer, world.beat_a)
    closed = _assigned("theft", world, officer)
    closed.close(by=world.station_head, reason="settled", public=False)
    other = _assigned("theft", world, world.other_beat_officer)
    return {
        "open": [_assigned("theft", world, officer), _assigned("street_lighting", world, officer)],
        "closed": closed,
        "others_report": other,
        "organised": meeting(officer, [world.beat_a], facilitators=[officer, world.station_head]),
        "facilitated": meeting(world.station_head, [world.beat_a], facilitators=[officer]),
        "held": held_meeting(officer, [world.beat_a], {COUNT_FIELDS[0]: 3}),
        "action": action(officer, p),
        "done_action": _done(action(officer, p)),
        "others_action": action(world.station_head, p),
    }


def _done(item: ActionItem) -> ActionItem:
    item.set_status(ActionStatus.DONE, today=timezone.localdate(), outcome="repaired")
    return item


def _snapshot() -> tuple[Any, ...]:
    return (
        sorted(Report.objects.values_list("pk", "assignee_id")),
        sorted(Meeting.objects.values_list("pk", "created_by_id")),
        sorted(Meeting.facilitators.through.objects.values_list("meeting_id", "user_id")),
        sorted(ActionItem.objects.values_list("pk", "owner_officer_id", "status")),
        sorted(OfficerProfile.objects.values_list("pk", "station_id")),
        sorted(OfficerProfile.beats.through.objects.values_list("officerprofile_id", "beat_id")),
        sorted(User.objects.values_list("pk", "scope_beat_id", "scope_station_id")),
        ReportUpdate.objects.count(),
        AccessLog.objects.count(),
    )


def _transfer(world: World, officer: User, to: User | None, by: User | None = None, **kw: Any) -> Any:
    profile = OfficerProfile.objects.get(user=officer)
    return transfers.transfer_officer(
        profile=profile,
        station=kw.get("station", world.station_b),
        beats=kw.get("beats", [world.beat_c]),
        to=to,
        by=by or world.district_coordinator,
    )


def test_every_kind_of_open_item_moves_to_the_colleague_and_nothing_else(
    world: World, work: dict[str, Any], successor: User
) -> None:
    officer = world.beat_officer
    result = _transfer(world, officer, successor)
    assert result.counts == {"reports_to_colleague": 2, "reports_to_queue": 0, "meetings": 2, "actions": 1}

    for report in work["open"]:
        report.refresh_from_db()
        assert report.assignee == successor
        assert ReportUpdate.objects.filter(
            report=report, assigned_to=successor, author=world.district_coordinator
        ).exists()
    work["closed"].refresh_from_db()
    assert work["closed"].assignee == officer and work["closed"].status == Status.CLOSED
    work["others_report"].refresh_from_db()
    assert work["others_report"].assignee == world.other_beat_officer

    organised, facilitated, held = (
        Meeting.objects.get(pk=work[k].pk) for k in ("organised", "facilitated", "held")
    )
    assert organised.created_by == successor
    assert set(organised.facilitators.all()) == {successor, world.station_head}
    assert facilitated.created_by == world.station_head
    assert set(facilitated.facilitators.all()) == {successor}
    assert held.created_by == officer and officer in held.facilitators.all()

    assert ActionItem.objects.get(pk=work["action"].pk).owner_officer == successor
    assert ActionItem.objects.get(pk=work["done_action"].pk).owner_officer == officer
    assert ActionItem.objects.get(pk=work["others_action"].pk).owner_officer == world.station_head

    profile = OfficerProfile.objects.get(user=officer)
    assert profile.station == world.station_b
    assert list(profile.beats.all()) == [world.beat_c]
    officer.refresh_from_db()
    assert officer.scope_beat == world.beat_c
    # The officer no longer sees the old beat's reports.
    assert not Report.objects.visible_to(officer).filter(beat=world.beat_a).exists()

    log = AccessLog.objects.get(action=AccessLog.Action.TRANSFER)
    assert log.actor == world.district_coordinator
    assert (log.object_type, log.object_id) == ("people.officerprofile", str(profile.pk))
    assert "reports 2+0" in log.detail and "meetings 2" in log.detail and "actions 1" in log.detail
    assert officer.username not in log.detail and officer.last_name not in log.detail


def test_to_the_station_queue(world: World, work: dict[str, Any]) -> None:
    by = world.district_coordinator
    _transfer(world, world.beat_officer, None)
    for report in work["open"]:
        report.refresh_from_db()
        assert report.assignee is None
    organised = Meeting.objects.get(pk=work["organised"].pk)
    assert organised.created_by == by  # a meeting needs an organiser: the one who moved the officer
    assert set(organised.facilitators.all()) == {world.station_head}
    assert not Meeting.objects.get(pk=work["facilitated"].pk).facilitators.exists()
    assert ActionItem.objects.get(pk=work["action"].pk).owner_officer == by
    assert "to queue" in AccessLog.objects.get(action=AccessLog.Action.TRANSFER).detail


def test_a_failure_midway_moves_nothing(
    world: World, work: dict[str, Any], successor: User, monkeypatch: Any
) -> None:
    before = _snapshot()

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(transfers, "record_access", broken)
    with pytest.raises(RuntimeError):
        _transfer(world, world.beat_officer, successor)
    assert _snapshot() == before


def test_a_womens_session_is_never_left_without_a_woman(world: World, successor: User) -> None:
    wdo = world.womens_desk_officer
    _assigned("theft", world, wdo)  # assigned before the meeting fails: must roll back too
    meeting(wdo, [world.beat_a], kind=MeetingKind.WOMENS_SESSION, facilitators=[wdo])
    before = _snapshot()
    with pytest.raises(ValidationError):
        _transfer(world, wdo, successor, station=world.station_a, beats=[world.beat_b])
    assert _snapshot() == before


def test_women_only_and_desk_reports_go_only_to_a_woman_of_the_desk(world: World, successor: User) -> None:
    wdo = world.womens_desk_officer
    ordinary = _assigned("theft", world, wdo)
    desk = _assigned("violence_against_women", world, wdo)
    women_only = _assigned("street_harassment", world, wdo, woman_officer_only=True)

    # To a man (and to the station head, a man who sees but may not read women-only reports):
    result = _transfer(
        world, wdo, world.station_head, by=world.station_head, station=world.station_a, beats=[world.beat_b]
    )
    assert {r.pk for r in result.to_colleague} == {ordinary.pk, desk.pk}
    assert [r.pk for r in result.to_queue] == [women_only.pk]
    women_only.refresh_from_db()
    assert women_only.assignee is None

    # Back to the desk officer, then to another woman of the desk: everything goes to her.
    colleague = factories.officer(
        station_obj=world.station_a,
        beats=[world.beat_a],
        gender=Gender.WOMAN,
        role=Role.WOMENS_DESK,
        on_womens_desk=True,
        username="wdo2",
    )
    for report in (ordinary, desk, women_only):
        report.assignee = wdo
        report.save(update_fields=["assignee"])
    result = _transfer(
        world, wdo, colleague, by=world.station_head, station=world.station_a, beats=[world.beat_a]
    )
    assert result.counts["reports_to_colleague"] == 3
    assert set(Report.objects.filter(assignee=colleague)) == {ordinary, desk, women_only}


def test_a_report_naming_the_new_holder_is_never_handed_to_them(world: World, successor: User) -> None:
    complaint = _assigned("police_conduct", world, world.beat_officer, subject_officer=successor)
    result = _transfer(world, world.beat_officer, successor)
    assert [r.pk for r in result.to_queue] == [complaint.pk]
    complaint.refresh_from_db()
    assert complaint.assignee is None


def test_scope_rules(world: World, work: dict[str, Any], successor: User) -> None:
    far = factories.station(factories.district(code="SW", name="Swat Test"), code="MNG", name="Mingora")
    stranger = factories.officer(
        station_obj=far, beats=[factories.beat(far, code="MNG1", lon=72.3, lat=34.7)]
    )
    before = _snapshot()
    officer = world.beat_officer
    # Another station's head, and a beat officer: the officer does not exist for them.
    for by in (world.other_station_head, world.other_beat_officer, world.oversight):
        with pytest.raises(NotVisible):
            _transfer(world, officer, successor, by=by, station=world.station_a, beats=[world.beat_b])
    # A station head cannot post an officer to a station outside their scope.
    with pytest.raises(NotVisible):
        _transfer(world, officer, successor, by=world.station_head)
    # Nor hand the work to someone outside it.
    with pytest.raises(NotVisible):
        _transfer(
            world, officer, stranger, by=world.station_head, station=world.station_a, beats=[world.beat_b]
        )
    # Beats of another station are refused.
    with pytest.raises(ValidationError):
        _transfer(world, officer, successor, station=world.station_a, beats=[world.beat_c])
    assert _snapshot() == before
    # Within their station, the station head may.
    _transfer(world, officer, successor, by=world.station_head, station=world.station_a, beats=[world.beat_b])
    assert OfficerProfile.objects.get(user=officer).beats.get() == world.beat_b


def test_a_womens_desk_account_moves_station_only_through_a_role_request(world: World) -> None:
    with pytest.raises(ValidationError):
        _transfer(world, world.womens_desk_officer, None)


# --- the staff page --------------------------------------------------------------------------------


def test_page_previews_then_confirms(world: World, work: dict[str, Any], successor: User) -> None:
    client = verified_client(world.station_head)
    assert (
        url_for("site:transfer_officer", world.beat_officer.pk)
        in client.get(url_for("site:transfer_list")).content.decode()
    )
    page = url_for("site:transfer_officer", world.beat_officer.pk)
    data = {"station": world.station_a.pk, "beats": [world.beat_b.pk], "target": str(successor.pk)}
    preview = client.post(page, {**data, "preview": "1"})
    assert preview.status_code == 200
    text = preview.content.decode()
    assert "2 open reports to the colleague" in text and "2 scheduled meetings" in text
    assert "1 open action item" in text
    assert not AccessLog.objects.filter(action=AccessLog.Action.TRANSFER).exists()  # nothing moved yet
    assert Report.objects.filter(assignee=world.beat_officer, status=Status.NEW).count() == 2

    done = client.post(page, {**data, "confirm": "1"})
    assert done.status_code == 302
    assert Report.objects.filter(assignee=successor).count() == 2
    assert AccessLog.objects.filter(action=AccessLog.Action.TRANSFER, actor=world.station_head).count() == 1


@pytest.mark.parametrize(
    "persona", ["other_station_head", "beat_officer", "oversight", "womens_desk_officer"]
)
def test_page_out_of_scope_is_404(world: World, work: dict[str, Any], persona: str) -> None:
    client = verified_client(getattr(world, persona))
    officer = world.other_beat_officer if persona == "beat_officer" else world.beat_officer
    page = url_for("site:transfer_officer", officer.pk)
    assert client.get(page).status_code == 404
    data = {"station": world.station_a.pk, "beats": [world.beat_b.pk], "target": "queue", "confirm": "1"}
    assert client.post(page, data).status_code == 404
    listing = client.get(url_for("site:transfer_list"))
    if persona == "other_station_head":  # a manager elsewhere: the list leaves the officer out
        assert listing.status_code == 200 and page not in listing.content.decode()
    else:
        assert listing.status_code == 404
    assert not AccessLog.objects.filter(action=AccessLog.Action.TRANSFER).exists()


def test_page_offers_only_in_scope_colleagues(world: World, work: dict[str, Any]) -> None:
    client = verified_client(world.station_head)
    page = client.get(url_for("site:transfer_officer", world.beat_officer.pk)).content.decode()
    assert world.other_beat_officer.get_full_name() in page
    assert world.other_station_head.get_full_name() not in page
    # A colleague outside the scope, posted by hand: refused as if unknown.
    data = {
        "station": world.station_a.pk,
        "beats": [world.beat_b.pk],
        "target": str(world.other_station_head.pk),
    }
    response = client.post(url_for("site:transfer_officer", world.beat_officer.pk), {**data, "confirm": "1"})
    assert response.status_code == 200  # the form refuses the choice
    assert Report.objects.filter(assignee=world.beat_officer, status=Status.NEW).count() == 2
