"""Staff dashboards: who sees which place, the figures they show, their links, and their cost."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from rabta.audit.models import AccessLog
from rabta.insights import rollup
from rabta.reports.lifecycle import Status
from rabta.reports.models import Report
from tests import factories
from tests.conftest import verified_client
from tests.paths import url_for
from tests.personas import PERSONAS
from tests.queries import assert_constant_queries

PKT = zoneinfo.ZoneInfo("Asia/Karachi")
TODAY = dt.datetime(2026, 4, 8, 12, 0, tzinfo=PKT)  # March is the last complete month
pytestmark = pytest.mark.django_db


def report(beat, day, *, late=False, lat=None, lon=None):
    r = factories.report(beat_obj=beat).report
    created = dt.datetime(2026, 3, day, 10, 0, tzinfo=PKT)
    Report.objects.filter(pk=r.pk).update(
        created_at=created,
        updated_at=created,
        first_contact_due=created + dt.timedelta(hours=24),
        resolution_due=created + dt.timedelta(hours=72),
        acknowledged_at=created + dt.timedelta(hours=30 if late else 2),
        resolved_at=created + dt.timedelta(hours=40),
        status=Status.RESOLVED,
        lat=lat,
        lon=lon,
    )


def refresh():
    with time_machine.travel(TODAY, tick=False):
        rollup.refresh(full=True)


def dashboard(scope, pk):
    return url_for("insights:dashboard", scope, pk)


VISIBLE = {
    # persona: the places whose dashboards they may open
    "beat_officer": {"beat_a"},
    "other_beat_officer": {"beat_b"},
    "station_head": {"station_a", "beat_a", "beat_b"},
    "other_station_head": {"station_b", "beat_c"},
    "district_coordinator": {"district", "station_a", "station_b", "beat_a", "beat_b", "beat_c"},
    "oversight": {"district", "station_a", "station_b", "beat_a", "beat_b", "beat_c"},
    "analyst": {"district", "station_a", "station_b", "beat_a", "beat_b", "beat_c"},
    "admin_user": {"province", "district", "station_a", "station_b", "beat_a", "beat_b", "beat_c"},
}


@pytest.mark.parametrize("name", PERSONAS)
def test_each_persona_sees_the_dashboards_of_their_own_scope(world, name):
    refresh()
    person = world.personas()[name]
    places = {
        "province": ("province", 0),
        "district": ("district", world.district.pk),
        "station_a": ("station", world.station_a.pk),
        "station_b": ("station", world.station_b.pk),
        "beat_a": ("beat", world.beat_a.pk),
        "beat_b": ("beat", world.beat_b.pk),
        "beat_c": ("beat", world.beat_c.pk),
    }
    if name == "resident":
        response = verified_client(person).get(dashboard(*places["district"]))
        assert response.status_code in (302, 403)
        return
    client = verified_client(person)
    womens_desk = {"station_a", "beat_a", "beat_b"}  # the desk officer works at station a
    allowed = VISIBLE.get(name, womens_desk)
    if person.sees_everything:
        allowed = set(places)
    for label, (scope, pk) in places.items():
        status = client.get(dashboard(scope, pk), {"period": "month"}).status_code
        assert status == (200 if label in allowed else 404), (name, label, status)


def test_the_district_dashboard_shows_the_figures_and_where_to_look(world):
    for day in (2, 3, 4, 5, 6):
        report(world.beat_a, day)
    for day in (2, 3, 4, 5, 6, 9):
        report(world.beat_c, day, late=True)
    refresh()
    client = verified_client(world.district_coordinator)
    with time_machine.travel(TODAY, tick=False):
        response = client.get(dashboard("district", world.district.pk))
    assert response.status_code == 200
    board = response.context["board"]
    assert board.start == dt.date(2026, 3, 1) and board.complete
    rows = {r.indicator.value: r for _, area in board.areas for r in area}
    assert rows["on_time"].value == "45%" and rows["on_time"].n == 11  # 5 on time of 11
    assert rows["median_ack_hours"].value == "30.0"  # 2 h five times, 30 h six times
    assert rows["reports"].value == "11"
    # Balambat (beat c, all late) needs attention first, and says why, with no officer named.
    attention = board.attention
    assert attention[0].place.name == "Balambat"
    assert ("Reports handled on time", "0%", 6) in attention[0].reasons
    body = response.content.decode()
    assert world.beat_officer.get_full_name() not in body
    assert "<svg" in body and "<script" not in body
    assert rows["on_time"].link == url_for("reports:staff_queue") + "?status=all"
    assert f'href="{rows["on_time"].link}"' in body


def test_the_hex_map_is_for_staff_and_logged(world):
    for day in (2, 3, 4, 5, 6):
        report(world.beat_a, day, lat=34.8005, lon=71.8005)
    refresh()
    client = verified_client(world.station_head)
    with time_machine.travel(TODAY, tick=False):
        response = client.get(dashboard("station", world.station_a.pk))
    board = response.context["board"]
    # A station a few km across is drawn at the finest resolution kept, 9 (about 0.1 km2).
    assert board.hexes is not None and (board.hexes.cells, board.hexes.resolution) == (1, 9)
    assert board.hexes.area_km2 == "0.1" and "<title>5</title>" in board.hexes.markup
    assert board.hexes.markup in response.content.decode()
    logged = AccessLog.objects.get(actor_id=world.station_head.pk, action=AccessLog.Action.VIEW_LOCATION)
    assert logged.detail == "insights dashboard: report density, 1 cells at H3 resolution 9"
    # A station's map holds its own reports only: the other station's has none of these.
    coordinator = verified_client(world.district_coordinator)
    with time_machine.travel(TODAY, tick=False):
        assert coordinator.get(dashboard("station", world.station_b.pk)).context["board"].hexes is None
        district = coordinator.get(dashboard("district", world.district.pk)).context["board"].hexes
    assert district is not None and "<title>5</title>" in district.markup


def test_a_wide_place_is_drawn_with_coarser_cells():
    from rabta.insights.maps import hex_resolution

    degrees = 1 / 111  # about a kilometre
    assert hex_resolution((71.8, 34.8, 71.8 + 5 * degrees, 34.8 + 5 * degrees)) == 9
    assert hex_resolution((71.8, 34.8, 71.8 + 30 * degrees, 34.8 + 20 * degrees)) == 8
    assert hex_resolution((71.0, 34.0, 72.0, 35.0)) == 7
    assert hex_resolution((69.0, 32.0, 74.0, 36.0)) == 7  # the coarsest kept


def test_unreadable_choices_are_a_400_not_a_500(world):
    refresh()
    client = verified_client(world.district_coordinator)
    url = dashboard("district", world.district.pk)
    for query in ({"period": "year"}, {"start": "yesterday"}, {"map": "<script>"}):
        response = client.get(url, query)
        assert response.status_code == 400, query
        assert b"could not be read" in response.content
    assert client.get(dashboard("county", 1)).status_code == 404
    assert client.get(dashboard("province", 7)).status_code == 404


def test_home_sends_each_person_to_their_widest_place(world):
    assert verified_client(world.station_head).get(url_for("insights:home"))["Location"] == dashboard(
        "station", world.station_a.pk
    )
    assert verified_client(world.admin_user).get(url_for("insights:home"))["Location"] == dashboard(
        "province", 0
    )


def test_dashboard_queries_do_not_grow_with_the_beats(world, settings):
    # Without a cache every request builds the page: the dearest case.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    client = verified_client(world.district_coordinator)
    made: list[object] = []

    def more_beats(k):
        for _ in range(k):
            beat = factories.beat(
                world.station_a, code=f"X{len(made)}", lon=71.7 + len(made) * 0.011, lat=34.7
            )
            made.append(beat)
            report(beat, 3)
        refresh()

    for scope, pk in (("district", world.district.pk), ("station", world.station_a.pk)):
        proof = assert_constant_queries(client, dashboard(scope, pk), more_beats)
        assert len(proof.large.context["board"].children) >= 2


def test_the_body_is_kept_until_the_rollups_change_and_the_map_view_is_logged_each_time(world):
    from tests.queries import render_queries

    for day in (2, 3, 4, 5, 6):
        report(world.beat_a, day, lat=34.8005, lon=71.8005)
    refresh()
    client = verified_client(world.district_coordinator)
    url = dashboard("district", world.district.pk)
    with time_machine.travel(TODAY, tick=False):
        first, built = render_queries(client, url)
        second, kept = render_queries(client, url)
    assert first.content == second.content and len(kept) < len(built) - 5
    logged = AccessLog.objects.filter(
        actor_id=world.district_coordinator.pk, action=AccessLog.Action.VIEW_LOCATION
    )
    assert logged.count() == 2  # the density map was shown twice
    # A later refresh with more reports changes the key: the page is built again with them.
    report(world.beat_a, 7, lat=34.8005, lon=71.8005)
    with time_machine.travel(TODAY + dt.timedelta(minutes=15), tick=False):
        rollup.refresh(full=True)
        third = client.get(url)
    assert "<title>6</title>" in third.content.decode() and "<title>6</title>" not in first.content.decode()


def test_a_beat_dashboard_links_to_that_beats_reports_only(world):
    for day in (2, 3, 4, 5, 6):
        report(world.beat_a, day)
    report(world.beat_b, 2)
    refresh()
    client = verified_client(world.station_head)
    with time_machine.travel(TODAY, tick=False):
        board = client.get(dashboard("beat", world.beat_a.pk)).context["board"]
    link = next(r.link for _, rows in board.areas for r in rows if r.indicator.value == "on_time")
    assert link.endswith(f"?status=all&beat={world.beat_a.code}")
    listed = client.get(link).context["page"].reports
    assert {r.beat_id for r in listed} == {world.beat_a.pk} and len(listed) == 5


def test_only_those_who_may_export_are_offered_the_downloads(world):
    refresh()
    export = url_for("insights:export_measures")
    analyst = verified_client(world.analyst).get(dashboard("district", world.district.pk))
    coordinator = verified_client(world.district_coordinator).get(dashboard("district", world.district.pk))
    assert export in analyst.content.decode()
    assert export not in coordinator.content.decode()


@pytest.mark.parametrize("language", ["en", "ur", "ps"])
def test_dashboards_keep_to_the_page_budget(world, language):
    from tests.public_pages import HTML_BUDGET, PAGE_BUDGET, measure

    for day in (2, 3, 4, 5, 6):
        report(world.beat_a, day, lat=34.8005, lon=71.8005)
        report(world.beat_c, day, lat=34.8005, lon=71.8205)
    refresh()
    client = verified_client(world.district_coordinator)
    for scope, pk in (
        ("district", world.district.pk),
        ("station", world.station_a.pk),
        ("beat", world.beat_a.pk),
    ):
        path = url_for("insights:dashboard", scope, pk, lang=language)
        with time_machine.travel(TODAY, tick=False):
            weight = measure(client, f"dashboard-{scope}", language, path)
        print(f"\npage-weight {weight.line()}")
        assert weight.status == 200 and weight.offsite == [], path
        assert weight.html_gzip <= HTML_BUDGET and weight.total_gzip <= PAGE_BUDGET, weight.line()
