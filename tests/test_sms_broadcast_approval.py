"""Broadcast approval follows the audience actually reached, whoever asks (issue 9, point 6).

station_a has three beats here (beat_a, beat_b and Khungai), station_b one (beat_c).
"""

from __future__ import annotations

from typing import Any

import pytest

from rabta.messaging import broadcasts
from rabta.messaging.models import Broadcast, BroadcastStatus, OutboundMessage, Purpose
from tests import factories
from tests.conftest import World, verified_client
from tests.paths import url_for
from tests.sms_fixtures import Sms, console_channel
from tests.tasks_helper import run_ready_tasks

pytestmark = pytest.mark.django_db

ROLES = [
    "beat_officer",
    "womens_desk_officer",
    "station_head",
    "other_station_head",
    "district_coordinator",
    "admin_user",
]
AUDIENCES = ["one_beat", "several_beats", "all_beats_of_station", "two_stations", "station", "district"]

# Who may send it at once (else it waits for approval), per audience.
SENDS_AT_ONCE = {
    "one_beat": {"beat_officer", "womens_desk_officer", "station_head", "district_coordinator", "admin_user"},
    "several_beats": {"womens_desk_officer", "station_head", "district_coordinator", "admin_user"},
    "all_beats_of_station": {"station_head", "district_coordinator", "admin_user"},
    "two_stations": {"district_coordinator", "admin_user"},
    "station": {"station_head", "district_coordinator", "admin_user"},
    "district": {"district_coordinator", "admin_user"},
}
# Who may approve it when it waits.
APPROVERS = {
    "one_beat": {"station_head", "district_coordinator", "admin_user"},
    "several_beats": {"station_head", "district_coordinator", "admin_user"},
    "all_beats_of_station": {"station_head", "district_coordinator", "admin_user"},
    "two_stations": {"district_coordinator", "admin_user"},
    "station": {"station_head", "district_coordinator", "admin_user"},
    "district": {"district_coordinator", "admin_user"},
}


@pytest.fixture
def khungai(world: World) -> Any:
    return factories.beat(world.station_a, code="KHN", name="Khungai", lon=71.83, lat=34.80)


def _audience(world: World, khungai: Any, name: str) -> dict[str, Any]:
    beats = {
        "one_beat": [world.beat_a],
        "several_beats": [world.beat_a, world.beat_b],
        "all_beats_of_station": [world.beat_a, world.beat_b, khungai],
        "two_stations": [world.beat_a, world.beat_c],
    }
    if name in beats:
        return {"beats": beats[name]}
    return {"station": world.station_a} if name == "station" else {"district": world.district}


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("role", ROLES)
def test_every_role_and_audience(world: World, khungai: Any, role: str, audience: str) -> None:
    author = getattr(world, role)
    broadcast = broadcasts.create_broadcast(
        author=author, body_en="Awareness walk on Sunday", **_audience(world, khungai, audience)
    )
    at_once = role in SENDS_AT_ONCE[audience]
    assert broadcast.status == (BroadcastStatus.SCHEDULED if at_once else BroadcastStatus.PENDING_APPROVAL)
    assert broadcasts.needs_approval(user=author, broadcast=broadcast) is not at_once
    personas = world.personas()
    may_approve = {
        name for name, user in personas.items() if broadcasts.can_approve(user=user, broadcast=broadcast)
    }
    assert may_approve == APPROVERS[audience]
    if at_once:
        return
    for name in sorted(set(personas) - APPROVERS[audience]):
        with pytest.raises(broadcasts.BroadcastError):
            broadcasts.approve_broadcast(broadcast=broadcast, by=personas[name])
    broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.PENDING_APPROVAL
    approver = personas[sorted(APPROVERS[audience])[0]]
    broadcasts.approve_broadcast(broadcast=broadcast, by=approver)
    broadcast.refresh_from_db()
    assert (broadcast.status, broadcast.approved_by) == (BroadcastStatus.SCHEDULED, approver)
    with pytest.raises(broadcasts.BroadcastError):  # approved once only
        broadcasts.approve_broadcast(broadcast=broadcast, by=approver)


def _subscribers(world: World, khungai: Any) -> None:
    channel = console_channel()
    for n, beat in enumerate(["Gulabad", "Shagai", "Khungai", "Rabat"]):
        Sms(channel, f"+92300111000{n}").send(f"JOIN {beat}")


def test_ticking_every_beat_of_a_station_on_the_page_waits_for_the_station_head(
    world: World, khungai: Any
) -> None:
    """The bypass found in the trial: the women's-desk officer sees every beat of station_a."""
    _subscribers(world, khungai)
    officer = verified_client(world.womens_desk_officer)
    data = {
        "audience": "beats",
        "beats": [world.beat_a.pk, world.beat_b.pk, khungai.pk],
        "body_en": "Walk on Sunday",
    }
    check = officer.post(url_for("messaging:broadcast_new"), {**data, "check": "1"}).content.decode()
    assert "3 subscribers will receive it" in check
    assert "It will be sent when the station head or the district coordinator approves it." in check
    officer.post(url_for("messaging:broadcast_new"), {**data, "send": "1"})
    broadcast = Broadcast.objects.get()
    assert broadcast.status == BroadcastStatus.PENDING_APPROVAL
    run_ready_tasks()
    assert not OutboundMessage.objects.filter(purpose=Purpose.BROADCAST).exists()
    head = verified_client(world.station_head)
    assert "Walk on Sunday" in head.get(url_for("messaging:broadcast_list")).content.decode()
    assert head.post(url_for("messaging:broadcast_approve", broadcast.pk)).status_code == 302
    broadcast.refresh_from_db()
    assert (broadcast.status, broadcast.approved_by) == (BroadcastStatus.SCHEDULED, world.station_head)
    assert broadcast.approved_at is not None
    run_ready_tasks()
    assert OutboundMessage.objects.filter(purpose=Purpose.BROADCAST).count() == 3


def test_a_beat_of_ones_own_sends_at_once_and_the_estimate_says_so(world: World, khungai: Any) -> None:
    _subscribers(world, khungai)
    officer = verified_client(world.womens_desk_officer)
    data = {"audience": "beats", "beats": [world.beat_a.pk, world.beat_b.pk], "body_en": "Walk", "check": "1"}
    check = officer.post(url_for("messaging:broadcast_new"), data).content.decode()
    assert "2 subscribers will receive it" in check and "approves it" not in check


def test_the_coordinator_is_named_for_beats_of_two_stations(world: World, khungai: Any) -> None:
    head = verified_client(world.station_head)
    # The station head may tick only his own beats; the coordinator's page shows both stations'.
    coordinator = verified_client(world.district_coordinator)
    data = {"audience": "beats", "beats": [world.beat_a.pk, world.beat_c.pk], "body_en": "Walk", "check": "1"}
    assert "Select a valid choice" in head.post(url_for("messaging:broadcast_new"), data).content.decode()
    page = coordinator.post(url_for("messaging:broadcast_new"), data).content.decode()
    assert "approves it" not in page  # the coordinator approves it himself
    estimate = broadcasts.estimate(
        beat_ids=[world.beat_a.pk, world.beat_c.pk],
        station_id=None,
        district_id=None,
        bodies={"en": "Walk"},
        user=world.womens_desk_officer,
    )
    assert estimate["needs_approval"] and estimate["district_wide"]


def test_an_analyst_cannot_send_alone(world: World, khungai: Any) -> None:
    broadcast = broadcasts.create_broadcast(author=world.analyst, beats=[world.beat_a], body_en="Hello")
    assert broadcast.status == BroadcastStatus.PENDING_APPROVAL


def test_creation_is_all_or_nothing(world: World, khungai: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(**kw: Any) -> Any:
        raise RuntimeError("estimate failed")

    monkeypatch.setattr(broadcasts, "submit_broadcast", broken)
    with pytest.raises(RuntimeError):
        broadcasts.create_broadcast(author=world.beat_officer, beats=[world.beat_a], body_en="Hello")
    assert not Broadcast.objects.exists()


def test_a_meeting_notice_for_ones_own_beat_still_goes_at_once(world: World, khungai: Any) -> None:
    broadcast = broadcasts.broadcast_to_beat(
        beat=world.beat_a, body_en="Meeting", body_ur="", body_ps="", by=world.beat_officer
    )
    assert broadcast.status == BroadcastStatus.SCHEDULED


def test_the_reach_of_a_list_is_the_reach_of_each(world: World, khungai: Any) -> None:
    """The broadcasts page works out every audience at once; it must agree with one at a time."""
    made = [
        broadcasts.create_broadcast(
            author=world.beat_officer, body_en="Walk", **_audience(world, khungai, audience)
        )
        for audience in AUDIENCES
    ]
    made.append(broadcasts.create_broadcast(author=world.beat_officer, beats=[khungai], body_en="Walk"))
    assert broadcasts.broadcast_reaches(made) == [broadcasts.broadcast_reach(b) for b in made]
    assert {a.reach for a in broadcasts.broadcast_reaches(made)} == set(broadcasts.Reach)
