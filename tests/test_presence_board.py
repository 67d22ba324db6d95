"""The presence board, the weekly plan and per-beat targets: scope, flags with frozen time, query counts."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.utils import timezone

from rabta.audit.models import AccessLog
from rabta.presence.board import Flag, presence_board, weekly_plan
from rabta.presence.models import BeatTarget
from tests import factories
from tests.conftest import verified_client
from tests.paths import url_for
from tests.personas import PERSONAS, STAFF_PERSONAS
from tests.queries import STAFF_REQUEST, assert_constant_queries

PKT = zoneinfo.ZoneInfo("Asia/Karachi")
# A Wednesday afternoon in Timergara.
NOW = dt.datetime(2026, 3, 11, 15, 0, tzinfo=PKT)

pytestmark = pytest.mark.django_db


def local(days_ago: int, hour: int) -> dt.datetime:
    return dt.datetime.combine(NOW.date() - dt.timedelta(days=days_ago), dt.time(hour), tzinfo=PKT)


def beats_on_board(response: object) -> list[str]:
    return [row.beat.code for row in response.context["board"].rows]  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", PERSONAS)
def test_board_scope_for_every_persona(world, name):
    expected = {
        "resident": None,
        "beat_officer": ["GUL"],
        "other_beat_officer": ["SHG"],
        "womens_desk_officer": ["GUL", "SHG"],
        "station_head": ["GUL", "SHG"],
        "other_station_head": ["RBT"],
        "district_coordinator": ["GUL", "RBT", "SHG"],
        "oversight": ["GUL", "RBT", "SHG"],
        "analyst": ["GUL", "RBT", "SHG"],
        "admin_user": ["GUL", "RBT", "SHG"],
    }[name]
    response = verified_client(world.personas()[name]).get(url_for("presence:board"))
    if expected is None:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert sorted(beats_on_board(response)) == expected


def test_flags_with_frozen_time(world):
    BeatTarget.objects.create(
        beat=world.beat_a, proactive_per_week=3, night_share_percent=25, max_days_between=2
    )
    BeatTarget.objects.create(
        beat=world.beat_b, proactive_per_week=1, night_share_percent=0, max_days_between=10
    )
    with time_machine.travel(NOW, tick=False):
        # Gulabad: three daytime patrols this week, the last one 2 days ago; one night patrol 20 days ago.
        for days in (2, 3, 4):
            factories.contact(world.beat_a, officer_obj=world.beat_officer, at=local(days, 10))
        factories.contact(world.beat_a, officer_obj=world.beat_officer, at=local(20, 22))
        # A call response yesterday is reactive: it is no visit.
        factories.contact(world.beat_a, officer_obj=world.beat_officer, at=local(1, 11), kind="call_response")
        # Shagai: one patrol 9 days ago, nothing since.
        factories.contact(world.beat_b, officer_obj=world.other_beat_officer, at=local(9, 10))
        rows = {r.beat.code: r for r in presence_board(user=world.station_head)}
    gul, shg = rows["GUL"], rows["SHG"]
    assert (gul.days_since, gul.week_count, gul.window_count, gul.night_count) == (2, 3, 4, 1)
    assert gul.night_percent == 25
    assert gul.flags == []  # 2 days is not more than 2; 3 of 3; 25% of 25%
    assert (shg.days_since, shg.week_count) == (9, 0)
    assert shg.flags == [Flag.BELOW_TARGET]  # 9 days is within 10; no night target
    # A day later Gulabad's last visit is 3 days old: more than its 2.
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        rows = {r.beat.code: r for r in presence_board(user=world.station_head)}
    assert rows["GUL"].days_since == 3
    assert Flag.NEGLECTED in rows["GUL"].flags
    # One flag each: the beat unvisited longer (Shagai, 10 days) comes first.
    later = presence_board(user=world.station_head, now=NOW + dt.timedelta(days=1))
    assert [(r.beat.code, len(r.flags)) for r in later] == [("SHG", 1), ("GUL", 1)]


def test_beat_never_visited_and_old_visit_beyond_the_window(world):
    with time_machine.travel(NOW, tick=False):
        factories.contact(world.beat_b, officer_obj=world.other_beat_officer, at=local(60, 10))
        rows = {r.beat.code: r for r in presence_board(user=world.station_head)}
    assert rows["GUL"].days_since is None
    assert rows["GUL"].flags == [Flag.NEGLECTED, Flag.BELOW_TARGET, Flag.NIGHT]
    # Found by the second query, outside the four weeks of the aggregate.
    assert rows["SHG"].days_since == 60
    # Beats without a target of their own are held to the defaults and fall short first, the never
    # visited before the long unvisited.
    order = [r.beat.code for r in presence_board(user=world.station_head, now=NOW)]
    assert order == ["GUL", "SHG"]


def test_night_is_local_time(world):
    with time_machine.travel(NOW, tick=False):
        # 19:30 and 05:30 in Timergara are night; 14:00 UTC (19:00 PKT) too; 18:59 is not.
        factories.contact(world.beat_a, at=local(1, 19).replace(minute=30))
        factories.contact(world.beat_a, at=local(2, 5).replace(minute=30))
        factories.contact(world.beat_a, at=dt.datetime(2026, 3, 8, 14, 0, tzinfo=dt.UTC))
        factories.contact(world.beat_a, at=local(4, 18).replace(minute=59))
        row = next(r for r in presence_board(user=world.station_head) if r.beat.code == "GUL")
    assert (row.window_count, row.night_count) == (4, 3)


def test_board_queries_do_not_grow_with_beats(world):
    client = verified_client(world.district_coordinator)

    def more_beats(k: int) -> None:
        for i in range(k):
            beat = factories.beat(world.station_a, lon=72.0 + i / 100)
            factories.contact(beat, officer_obj=world.beat_officer)
            factories.contact(beat, officer_obj=world.beat_officer, at=timezone.now() - dt.timedelta(days=40))
            BeatTarget.objects.create(beat=beat, proactive_per_week=2)

    proof = assert_constant_queries(client, url_for("presence:board"), more_beats, n=3)
    assert len(proof.large.context["board"].rows) == 3 + 6
    # The session, user and device; the count of beats in scope (a district's board is cached);
    # the beats' ids and targets; the four weeks' day rows; the partial days' contacts; the older
    # visits; the shown beats as models.
    assert proof.count <= STAFF_REQUEST + 6


# --- targets ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["station_head", "district_coordinator", "admin_user"])
def test_target_setters_save_a_beats_targets(world, name):
    client = verified_client(world.personas()[name])
    url = url_for("presence:target_edit", "GUL")
    assert client.get(url).status_code == 200
    response = client.post(url, {"proactive_per_week": 7, "night_share_percent": 30, "max_days_between": 2})
    assert response.status_code == 302
    target = BeatTarget.objects.get(beat=world.beat_a)
    assert (target.proactive_per_week, target.night_share_percent, target.max_days_between) == (7, 30, 2)
    assert target.set_by == world.personas()[name]
    # Saving again changes the one row, never a second.
    client.post(url, {"proactive_per_week": 4, "night_share_percent": 10, "max_days_between": 5})
    assert BeatTarget.objects.filter(beat=world.beat_a).count() == 1
    assert BeatTarget.objects.get(beat=world.beat_a).proactive_per_week == 4


def test_target_of_another_station_is_404(world):
    client = verified_client(world.other_station_head)
    url = url_for("presence:target_edit", "GUL")
    assert client.get(url).status_code == 404
    assert (
        client.post(
            url, {"proactive_per_week": 1, "night_share_percent": 0, "max_days_between": 9}
        ).status_code
        == 404
    )
    assert not BeatTarget.objects.exists()


@pytest.mark.parametrize("name", ["beat_officer", "womens_desk_officer", "analyst", "oversight"])
def test_others_in_scope_cannot_set_targets(world, name):
    client = verified_client(world.personas()[name])
    response = client.post(
        url_for("presence:target_edit", "GUL"),
        {"proactive_per_week": 1, "night_share_percent": 0, "max_days_between": 9},
    )
    assert response.status_code == 403
    assert not BeatTarget.objects.exists()
    # They still read the targets.
    assert client.get(url_for("presence:targets")).status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        {"proactive_per_week": -1, "night_share_percent": 0, "max_days_between": 3},
        {"proactive_per_week": 5, "night_share_percent": 101, "max_days_between": 3},
        {"proactive_per_week": 5, "night_share_percent": 20, "max_days_between": 0},
        {"proactive_per_week": "lots", "night_share_percent": 20, "max_days_between": 3},
        {},
    ],
)
def test_bad_targets_are_refused_with_the_form(world, data):
    response = verified_client(world.station_head).post(url_for("presence:target_edit", "GUL"), data)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not BeatTarget.objects.exists()


@pytest.mark.parametrize("name", STAFF_PERSONAS)
def test_target_list_shows_only_beats_in_scope(world, name):
    response = verified_client(world.personas()[name]).get(url_for("presence:targets"))
    assert response.status_code == 200
    codes = sorted(b.code for b in response.context["beats"])
    board = verified_client(world.personas()[name]).get(url_for("presence:board"))
    assert codes == sorted(beats_on_board(board))


# --- the weekly plan --------------------------------------------------------------------------


def test_plan_suggests_neglected_beats_hours_and_clusters(world):
    with time_machine.travel(NOW, tick=False):
        factories.contact(world.beat_b, officer_obj=world.other_beat_officer, at=local(1, 10))
        # Four reports in one spot of Gulabad on Friday evenings, one alone in Shagai.
        for week in range(4):
            with time_machine.travel(local(5 + 7 * week, 20), tick=False):
                factories.report(beat_obj=world.beat_a, lat=34.805, lon=71.805)
        with time_machine.travel(local(3, 9), tick=False):
            factories.report(beat_obj=world.beat_b, lat=34.805, lon=71.818)
        plan = weekly_plan(user=world.station_head)
        response = verified_client(world.station_head).get(url_for("presence:plan"))
    assert plan.beats[0].beat.code == "GUL"
    top = plan.hours[0]
    assert (top.weekday, top.start_hour, top.reports) == (local(5, 20).isoweekday(), 18, 4)
    assert len(plan.places) == 1  # the lone report makes no cluster
    assert plan.places[0].reports == 4 and plan.places[0].beat == world.beat_a
    assert response.status_code == 200
    log = AccessLog.objects.get(actor_id=world.station_head.pk, action=AccessLog.Action.VIEW_LOCATION)
    assert "presence plan" in log.detail


def test_plan_of_another_station_holds_none_of_its_reports(world):
    with time_machine.travel(NOW, tick=False):
        for _ in range(3):
            factories.report(beat_obj=world.beat_a, lat=34.805, lon=71.805)
        plan = weekly_plan(user=world.other_station_head)
    assert plan.report_points == 0 and plan.places == [] and plan.hours == []
    assert [r.beat.code for r in plan.beats] == ["RBT"]


def test_plan_is_staff_only(world):
    response = verified_client(world.resident).get(url_for("presence:plan"))
    assert response.status_code == 403


def test_a_large_board_is_kept_a_minute_and_a_station_board_is_live(world, monkeypatch):
    from django.core.cache import cache

    from rabta.presence import board_views

    def todays(client) -> int:
        return client.get(url_for("presence:board")).content.decode().count("<dd>today")

    cache.clear()
    client = verified_client(world.station_head)
    assert todays(client) == 0
    factories.contact(world.beat_a, officer_obj=world.beat_officer)
    assert todays(client) == 1  # a station's board is live
    monkeypatch.setattr(board_views, "LARGE_BOARD", 1)  # as if the station were a district
    assert todays(client) == 1
    factories.contact(world.beat_b, officer_obj=world.other_beat_officer)
    assert todays(client) == 1  # kept
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        assert todays(client) == 2
    cache.clear()
