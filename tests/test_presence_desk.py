"""Women's desk shifts: started and ended on the phone, recorded by the station head, measured against
the station's scheduled hours; other stations' desks are 404."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from rabta.presence.desk import desk_summary
from rabta.presence.models import DeskShift
from tests.conftest import verified_client
from tests.paths import url_for
from tests.personas import all_but

PKT = zoneinfo.ZoneInfo("Asia/Karachi")
# Wednesday 11 March 2026, 15:00 in Timergara; station_a's desk opens Monday to Saturday 09:00-17:00.
NOW = dt.datetime(2026, 3, 11, 15, 0, tzinfo=PKT)

pytestmark = pytest.mark.django_db


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=PKT)


def test_desk_officer_starts_and_ends_her_shift(world):
    client = verified_client(world.womens_desk_officer)
    with time_machine.travel(NOW, tick=False):
        page = client.get(url_for("presence:desk"))
        assert page.status_code == 200 and not page.context["summary"].open_now
        assert client.post(url_for("presence:shift_start")).status_code == 302
        # A double tap does not open a second shift.
        client.post(url_for("presence:shift_start"))
        shift = DeskShift.objects.get()
        assert (shift.officer, shift.station, shift.started_at, shift.ended_at) == (
            world.womens_desk_officer,
            world.station_a,
            NOW,
            None,
        )
        assert shift.recorded_by == world.womens_desk_officer
        assert client.get(url_for("presence:desk")).context["summary"].open_now
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        client.post(url_for("presence:shift_end"))
        client.post(url_for("presence:shift_end"))  # ending twice is harmless
    shift.refresh_from_db()
    assert shift.ended_at == NOW + dt.timedelta(hours=1)
    assert DeskShift.objects.count() == 1


def test_station_head_starts_ends_and_records_shifts(world):
    client = verified_client(world.station_head)
    officer = world.womens_desk_officer
    with time_machine.travel(NOW, tick=False):
        page = client.get(url_for("presence:desk"))
        assert page.status_code == 200 and page.context["record_form"] is not None
        client.post(url_for("presence:shift_start"), {"officer": officer.pk, "station": world.station_a.pk})
        shift = DeskShift.objects.get()
        assert shift.officer == officer and shift.recorded_by == world.station_head
        client.post(url_for("presence:shift_end"), {"officer": officer.pk, "station": world.station_a.pk})
        response = client.post(
            url_for("presence:shift_record"),
            {
                "station": world.station_a.pk,
                "officer": officer.pk,
                "started_at": "2026-03-10T09:00",
                "ended_at": "2026-03-10T13:00",
            },
        )
        assert response.status_code == 302
        recorded = DeskShift.objects.get(started_at=at(10, 9))
        assert recorded.ended_at == at(10, 13) and recorded.recorded_by == world.station_head
        # Ends before it starts, or in the future: refused, nothing written.
        for start, end in (
            ("2026-03-10T13:00", "2026-03-10T09:00"),
            ("2026-03-11T14:00", "2026-03-12T09:00"),
        ):
            bad = client.post(
                url_for("presence:shift_record"),
                {"station": world.station_a.pk, "officer": officer.pk, "started_at": start, "ended_at": end},
            )
            assert bad.status_code == 400
        assert DeskShift.objects.count() == 2


def test_a_man_officer_cannot_start_a_desk_shift(world):
    response = verified_client(world.beat_officer).post(url_for("presence:shift_start"))
    assert response.status_code == 404
    assert not DeskShift.objects.exists()


@pytest.mark.parametrize("name", ["other_station_head", "beat_officer", "other_beat_officer"])
def test_another_station_or_a_plain_officer_sees_no_desk(world, name):
    client = verified_client(world.personas()[name])
    assert client.get(url_for("presence:desk", query={"station": world.station_a.pk})).status_code == 404
    response = client.post(
        url_for("presence:shift_start"),
        {"station": world.station_a.pk, "officer": world.womens_desk_officer.pk},
    )
    assert response.status_code == 404
    assert not DeskShift.objects.exists()


@pytest.mark.parametrize("name", all_but("resident", "station_head", "district_coordinator", "admin_user"))
def test_only_heads_record_shifts_for_others(world, name):
    client = verified_client(world.personas()[name])
    response = client.post(
        url_for("presence:shift_record"),
        {
            "station": world.station_a.pk,
            "officer": world.womens_desk_officer.pk,
            "started_at": "2026-03-10T09:00",
            "ended_at": "2026-03-10T13:00",
        },
    )
    assert response.status_code in (403, 404)
    assert not DeskShift.objects.exists()


def test_staffed_hours_against_scheduled_hours(world):
    officer = world.womens_desk_officer
    # Monday 9: 09:00-13:00 and an overlapping second officer's 12:00-14:00 count as 5 hours, once.
    DeskShift.objects.create(
        station=world.station_a, officer=officer, started_at=at(9, 9), ended_at=at(9, 13)
    )
    other = world.station_head  # any account: the summary reads shifts, not roles
    DeskShift.objects.create(station=world.station_a, officer=other, started_at=at(9, 12), ended_at=at(9, 14))
    # Tuesday 10: nobody. Sunday 8: not scheduled, a shift then adds nothing.
    DeskShift.objects.create(
        station=world.station_a, officer=officer, started_at=at(8, 10), ended_at=at(8, 12)
    )
    # Today (Wednesday 11) from 07:00, open: counts from 09:00 to now (15:00), 6 hours.
    DeskShift.objects.create(station=world.station_a, officer=officer, started_at=at(11, 7))
    with time_machine.travel(NOW, tick=False):
        summary = desk_summary(world.station_a, days=3)
    days = {d.day.day: d for d in summary.days}
    assert sorted(days) == [9, 10, 11]
    assert days[9].staffed_hours == 5.0 and days[9].scheduled_hours == 8.0
    assert days[10].unstaffed
    assert days[11].scheduled_hours == 6.0 and days[11].staffed_hours == 6.0
    assert summary.staffed_hours == 11.0 and summary.scheduled_hours == 22.0
    assert summary.staffed_percent == 50
    assert summary.unstaffed_days == 1
    assert summary.open_now
    # After closing time the desk is closed, though the shift is still open.
    with time_machine.travel(at(11, 18), tick=False):
        assert not desk_summary(world.station_a).open_now


def test_desk_page_lists_the_days(world):
    with time_machine.travel(NOW, tick=False):
        page = verified_client(world.station_head).get(url_for("presence:desk"))
    assert page.status_code == 200
    assert page.context["summary"].scheduled_hours > 0
    assert b"unstaffed" in page.content
