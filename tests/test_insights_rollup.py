"""The rollup: Measure rows from hand-built records, with every value worked out by hand, at every level;
and an incremental refresh that rewrites only the periods that changed."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from rabta.engagement.models import Attendance, Meeting, MeetingKind, MeetingStatus
from rabta.feedback.models import CommunityResponse, ContactResponse, Mode, Source, WalkSafety
from rabta.insights import rollup
from rabta.insights.models import HexCount, Measure, PeriodKind, Population, RefreshState, Scope
from rabta.places.models import Beat
from rabta.presence.models import ContactKind
from rabta.reports.lifecycle import Status
from rabta.reports.models import Report
from tests import factories

PKT = zoneinfo.ZoneInfo("Asia/Karachi")
NOW = dt.datetime(2026, 3, 18, 12, 0, tzinfo=PKT)  # a Wednesday
WEEK = dt.date(2026, 3, 9)
MONTH = dt.date(2026, 3, 1)

pytestmark = pytest.mark.django_db


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=PKT)


def report(beat, created, *, ack_hours=None, done_hours=None, status=Status.NEW, gender="", band=""):
    r = factories.report(beat_obj=beat).report
    fields = {
        "created_at": created,
        "first_contact_due": created + dt.timedelta(hours=24),
        "resolution_due": created + dt.timedelta(hours=72),
        "status": status,
        "reporter_gender": gender,
        "reporter_age_band": band,
        "acknowledged_at": created + dt.timedelta(hours=ack_hours) if ack_hours is not None else None,
        "resolved_at": created + dt.timedelta(hours=done_hours) if done_hours is not None else None,
    }
    Report.objects.filter(pk=r.pk).update(**fields)
    return r


def measures(scope, scope_id, *, period=PeriodKind.WEEK, start=WEEK):
    return {
        (m.metric, m.group): (m.n, round(m.value, 4))
        for m in Measure.objects.filter(scope=scope, scope_id=scope_id, period=period, start=start)
    }


@pytest.fixture
def built(world):
    with time_machine.travel(NOW - dt.timedelta(hours=1), tick=False):
        _build(world)
    with time_machine.travel(NOW, tick=False):
        result = rollup.refresh(full=True)
    return world, result


def _build(world):
    a, b, c = world.beat_a, world.beat_b, world.beat_c
    # Reports. r1 on time (contacted in 2 h, resolved in a day); r2 late (first contact after 30 h);
    # r3 contacted in 4 h and still open past its resolution deadline (late); r4 received at 00:30
    # local on Monday, which is Sunday in UTC, contacted in 6 h, open past its deadline too; a duplicate
    # is nobody's new report.
    report(a, at(10, 10), ack_hours=2, done_hours=24, status=Status.RESOLVED, gender="woman", band="15_29")
    report(a, at(11, 10), ack_hours=30, status=Status.ACKNOWLEDGED, gender="man", band="30_44")
    report(b, at(12, 10), ack_hours=4, status=Status.ACKNOWLEDGED)
    report(c, at(9, 0, 30), ack_hours=6, status=Status.ACKNOWLEDGED, gender="other")
    report(c, at(10, 9), status=Status.DUPLICATE)
    # Presence: a proactive patrol at night, one by day, and a call response (reactive).
    factories.contact(a, at=at(10, 20), kind=ContactKind.FOOT_PATROL)
    factories.contact(a, at=at(12, 10), kind=ContactKind.DOOR_TO_DOOR)
    factories.contact(a, at=at(13, 11), kind=ContactKind.CALL_RESPONSE)
    # A held meeting on beat a with 3 young women and 5 men aged 45-59.
    meeting = Meeting.objects.create(
        kind=MeetingKind.OPEN_TALK,
        starts_at=at(14, 16),
        ends_at=at(14, 17),
        venue="Gulabad school",
        status=MeetingStatus.HELD,
    )
    meeting.beats.add(a)
    Attendance.objects.create(meeting=meeting, women_15_29=3, men_45_59=5)
    # Surveys: two post-contact answers and two community answers on beat a.
    common = {"beat": a, "source": Source.CONTACT, "mode": Mode.SMS, "answered_on": dt.date(2026, 3, 15)}
    ContactResponse.objects.create(
        **common, voice=4, neutrality=5, respect=4, motives=5, gender="woman", age_band="15_29"
    )
    ContactResponse.objects.create(**common, voice=2, neutrality=3, respect=None, motives=3, gender="man")
    campaign = _campaign(a)
    answer = {"campaign": campaign, "beat": a, "mode": Mode.PAPER, "answered_on": dt.date(2026, 3, 13)}
    CommunityResponse.objects.create(
        **answer,
        trust_respect=8,
        trust_listen=6,
        safety=7,
        walk_dark=WalkSafety.BIT_UNSAFE,
        walk_day=WalkSafety.VERY_SAFE,
        knows_officer=True,
        willingness=9,
        gender="woman",
        age_band="30_44",
    )
    CommunityResponse.objects.create(
        **answer,
        trust_respect=4,
        trust_listen=None,
        safety=3,
        walk_dark=WalkSafety.NEVER,
        knows_officer=False,
    )
    # Through the open link: anyone could have answered, so it is left out.
    CommunityResponse.objects.create(**{**answer, "mode": Mode.OPEN_LINK}, trust_respect=0, trust_listen=0)


def _campaign(beat):
    from rabta.feedback.models import Campaign

    campaign = Campaign.objects.create(
        name="Round 1", opens_on=dt.date(2026, 3, 1), closes_on=dt.date(2026, 3, 31)
    )
    campaign.beats.add(beat)
    return campaign


def test_beat_rows_are_the_records_counted_by_hand(built):
    world, result = built
    assert result.full
    a = measures(Scope.BEAT, world.beat_a.pk)
    assert a[("reports", "")] == (2, 2)
    for group in ("", "women", "men", "15_29", "30_44"):
        assert a[("reporters", group)] == ((2, 2) if group == "" else (1, 1)), group
    assert ("reporters", "women_15_29") not in a  # cells are kept for weighted metrics only
    assert a[("on_time", "")] == (2, 1)
    assert a[("ack_hours", "")] == (2, 16.0)  # median of 2 h and 30 h
    assert a[("contacts", "")] == (3, 3)
    assert a[("proactive", "")] == (2, 2)
    assert a[("proactive_night", "")] == (1, 1)
    assert a[("last_proactive", "")][1] == dt.date(2026, 3, 12).toordinal()
    assert a[("meetings_held", "")] == (1, 1)
    assert a[("attendees", "")] == (8, 8)
    assert a[("attendees", "women")] == (3, 3)
    assert a[("attendees", "45_59")] == (5, 5)
    assert ("attendees", "30_44") not in a
    # PJ: 4.5 (all agree) and (2 + 3 + 3) / 3, respect not said.
    assert a[("pj", "")] == (2, round(4.5 + 8 / 3, 4))
    assert a[("pj_all_agree", "")] == (1, 1)  # unanswered respect: not in the share's n
    # Survey answers are broken down by group in months only.
    assert ("pj", "women") not in a
    month = measures(Scope.BEAT, world.beat_a.pk, period=PeriodKind.MONTH, start=MONTH)
    assert month[("pj", "women")] == (1, 4.5)
    assert month[("pj_respondents", "men")] == (1, 1)
    # Community: trust 70 and 40 (one item answered), the open-link answer left out.
    assert a[("respondents", "")] == (2, 2)
    assert a[("trust", "")] == (2, 110.0)
    assert a[("safety", "")] == (2, 10.0)
    assert a[("unsafe_dark", "")] == (1, 1)  # "never" is not an answer about feeling unsafe
    assert a[("avoid_dark", "")] == (2, 1)
    assert a[("unsafe_day", "")] == (1, 0)
    assert a[("knows_officer", "")] == (2, 1)
    assert a[("willingness", "")] == (1, 9.0)
    assert month[("trust", "women_30_44")] == (1, 70.0)  # trust is weighted: it keeps its cells
    assert ("safety", "women_30_44") not in month

    c = measures(Scope.BEAT, world.beat_c.pk)
    assert c[("reports", "")] == (
        1,
        1,
    )  # Monday 00:30 local counts in Monday's week; the duplicate not at all
    assert c[("reporters", "")] == (1, 1)  # said "other": counted among those who said, in no group
    assert ("reporters", "women") not in c
    assert c[("on_time", "")] == (1, 0)
    assert measures(Scope.BEAT, world.beat_b.pk)[("on_time", "")] == (1, 0)


def test_stations_districts_and_the_province_add_up_and_medians_are_recomputed(built):
    world, _ = built
    s = measures(Scope.STATION, world.station_a.pk)
    assert s[("reports", "")] == (3, 3)
    assert s[("on_time", "")] == (3, 1)
    assert s[("ack_hours", "")] == (3, 4.0)  # median of 2, 30, 4: not the mean of the beats' medians
    d = measures(Scope.DISTRICT, world.district.pk)
    assert d[("reports", "")] == (4, 4)
    assert d[("ack_hours", "")] == (4, 5.0)  # median of 2, 4, 6, 30
    assert d[("on_time", "")] == (4, 1)
    assert d[("attendees", "women")] == (3, 3)
    p = measures(Scope.PROVINCE, 0)
    assert p == d  # one district
    row = Measure.objects.get(
        scope=Scope.BEAT, scope_id=world.beat_a.pk, period="week", start=WEEK, metric="reports"
    )
    assert (row.station_id, row.district_id) == (world.station_a.pk, world.district.pk)


def test_months_hold_the_same_records(built):
    world, _ = built
    m = measures(Scope.BEAT, world.beat_a.pk, period=PeriodKind.MONTH, start=MONTH)
    assert m[("reports", "")] == (2, 2)
    assert m[("attendees", "")] == (8, 8)
    assert m[("trust", "")] == (2, 110.0)


def test_population_is_summed_by_group(world):
    cells = [f"population_{g}_{b}" for g in ("women", "men") for b in ("15_29", "30_44", "45_59", "60")]
    Beat.objects.update(**dict.fromkeys(cells, 0))
    for beat in (world.beat_a, world.beat_c):
        beat.refresh_from_db()
    world.beat_a.population_women_15_29 = 100
    world.beat_a.population_men_60 = 40
    world.beat_a.save(update_fields=["population_women_15_29", "population_men_60"])
    world.beat_c.population_women_15_29 = 10
    world.beat_c.save(update_fields=["population_women_15_29"])
    rollup.refresh_population()

    def pop(scope, pk):
        return dict(Population.objects.filter(scope=scope, scope_id=pk).values_list("group", "n"))

    assert pop(Scope.BEAT, world.beat_a.pk)[""] == 140
    assert pop(Scope.BEAT, world.beat_a.pk)["women"] == 100
    assert pop(Scope.BEAT, world.beat_a.pk)["60"] == 40
    assert pop(Scope.DISTRICT, world.district.pk)["women_15_29"] == 110
    assert pop(Scope.PROVINCE, 0)[""] == 150


def test_a_refresh_after_new_data_rewrites_only_the_periods_that_changed(built):
    world, _ = built
    old = Measure.objects.get(
        scope=Scope.BEAT, scope_id=world.beat_a.pk, period="week", start=WEEK, metric="reports"
    )
    later = NOW + dt.timedelta(days=14)  # Wednesday 1 April
    with time_machine.travel(later, tick=False):
        report(world.beat_b, later - dt.timedelta(hours=1))
        result = rollup.refresh()
    assert not result.full
    # The new report's week and month (today's too), and yesterday's month, March.
    assert result.periods == 3
    state = RefreshState.objects.get()
    assert state.periods_refreshed == 3 and state.refreshed_at == later
    kept = Measure.objects.get(pk=old.pk)
    assert (kept.n, kept.value) == (2, 2)  # the week of 9 March was not rewritten
    new_week = measures(Scope.BEAT, world.beat_b.pk, start=dt.date(2026, 3, 30))
    assert new_week[("reports", "")] == (1, 1)
    april = measures(Scope.DISTRICT, world.district.pk, period=PeriodKind.MONTH, start=dt.date(2026, 4, 1))
    assert april[("reports", "")] == (1, 1)


def test_a_deadline_passing_changes_the_on_time_rate_of_its_period(world):
    # Contacted in 4 h, still open: undecided until its resolution deadline, 15 March 10:00, passes.
    report(world.beat_b, at(12, 10), ack_hours=4, status=Status.ACKNOWLEDGED)
    with time_machine.travel(at(14, 9), tick=False):
        rollup.refresh(full=True)
    assert ("on_time", "") not in measures(Scope.BEAT, world.beat_b.pk)
    with time_machine.travel(at(16, 9), tick=False):
        result = rollup.refresh()
    assert not result.full
    assert measures(Scope.BEAT, world.beat_b.pk)[("on_time", "")] == (1, 0)
    assert measures(Scope.DISTRICT, world.district.pk)[("on_time", "")] == (1, 0)


def test_the_periodic_task_rebuilds_once_a_day_and_refreshes_in_between(world):
    from rabta.core.periodic import SWEEPS
    from rabta.insights.tasks import sweep_insights
    from tests.tasks_helper import queued

    assert "rabta.insights.tasks.sweep_insights" in {s.task_path for s in SWEEPS}
    with time_machine.travel(at(10, 9), tick=False):
        report(world.beat_a, at(10, 8))
        first = sweep_insights.call()
    assert first["full"] is True
    assert measures(Scope.BEAT, world.beat_a.pk)[("reports", "")] == (1, 1)
    assert len(queued("rabta.insights.tasks.sweep_insights")) == 1  # it schedules its next run
    with time_machine.travel(at(10, 9, 15), tick=False):
        report(world.beat_a, at(10, 9, 10))
        second = sweep_insights.call()
    assert second["full"] is False
    assert measures(Scope.BEAT, world.beat_a.pk)[("reports", "")] == (2, 2)
    with time_machine.travel(at(11, 9, 1), tick=False):
        assert sweep_insights.call()["full"] is True


def test_reports_most_staff_cannot_see_are_not_counted(world):
    # A conduct complaint, a women's-desk report and an ordinary one marked "a woman officer only":
    # an officer who compared the count with their queue would learn that one was made.
    from rabta.reports.models import Category, Sensitivity

    with time_machine.travel(at(10, 9), tick=False):
        report(world.beat_a, at(10, 8), ack_hours=1)
        for sensitivity in (Sensitivity.CONDUCT, Sensitivity.WOMENS_DESK):
            hidden = factories.report(
                category_code=Category.objects.filter(sensitivity=sensitivity).values_list("code", flat=True)[
                    0
                ],
                beat_obj=world.beat_a,
            ).report
            Report.objects.filter(pk=hidden.pk).update(created_at=at(10, 8), lat=34.8, lon=71.8)
        desk_only = report(world.beat_a, at(10, 8), ack_hours=1)
        Report.objects.filter(pk=desk_only.pk).update(woman_officer_only=True, lat=34.8, lon=71.8)
        rollup.refresh(full=True)
    a = measures(Scope.BEAT, world.beat_a.pk)
    assert a[("reports", "")] == (1, 1)
    assert a[("ack_hours", "")] == (1, 1.0)
    assert not HexCount.objects.exists()  # the only points were theirs
