"""The demo's dashboards tell the field study's story (issue 15): in Gulabad, representation, trust
and presence rise after the weekly open talks and the women's sessions; Balambat's on-time rate
lags; the women's desk is often unstaffed. Read from the rollups, as the dashboards read them."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from rabta.insights import indicators, selectors
from rabta.insights.indicators import Cells, Figure, Indicator
from rabta.insights.models import HexCount, Measure, PeriodKind, Population, RefreshState, Scope
from rabta.insights.periods import previous_start, start_of
from rabta.people.models import User
from rabta.places.models import Beat, District, PoliceStation
from tests.conftest import verified_client
from tests.demo_cleanup import last_access_log_id, undo_demo

SEED_DAY = dt.date(2025, 6, 2)
TALKS_BEGAN = SEED_DAY - dt.timedelta(days=90)  # rabta.engagement.demo: 2025-03-04
BEFORE_TALKS = dt.date(2025, 2, 1)  # the month before the talks began
LAST_MONTH = dt.date(2025, 5, 1)  # the last complete month on the seed day
QUARTER_BEFORE = (dt.date(2024, 12, 1), dt.date(2025, 1, 1), BEFORE_TALKS)
LAST_QUARTER = (dt.date(2025, 3, 1), dt.date(2025, 4, 1), LAST_MONTH)


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[dict[str, str]]:
    path = tmp_path_factory.mktemp("demo") / "demo.txt"
    with django_db_blocker.unblock():
        logged_before = last_access_log_id()
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            call_command(
                "seed_demo", "--today", SEED_DAY.isoformat(), "--write", str(path), stdout=io.StringIO()
            )
        yield dict(line.split("=", 1) for line in Path(path).read_text(encoding="utf-8").splitlines())
        undo_demo(access_log_after=logged_before)
        assert not Measure.objects.exists() and not Population.objects.exists()
        assert not HexCount.objects.exists() and not RefreshState.objects.exists()


def place(scope: str, code: str) -> selectors.Place:
    models: dict[str, Any] = {Scope.BEAT: Beat, Scope.STATION: PoliceStation, Scope.DISTRICT: District}
    found = selectors.place(scope, models[scope].objects.get(code=code).pk)
    assert found is not None
    return found


def snapshots(target: selectors.Place) -> dict[dt.date, selectors.Snapshot]:
    """The place's twelve complete months before the seed day, as its dashboard's trend has them."""
    trend = selectors.trend(target, PeriodKind.MONTH, SEED_DAY, complete_only=True)
    return {snap.start: snap for snap in trend}


def months(target: selectors.Place) -> dict[dt.date, dict[Indicator, Figure]]:
    return {start: snap.figures for start, snap in snapshots(target).items()}


def over(target: selectors.Place, starts: tuple[dt.date, ...]) -> dict[Indicator, Figure]:
    """The figures of several months taken together (their count rows add up)."""
    total: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0, 0.0])
    for cells in selectors.series(target, PeriodKind.MONTH, starts).values():
        for key, (n, value) in cells.items():
            total[key][0] += n
            total[key][1] += value
    summed: Cells = {key: (int(n), value) for key, (n, value) in total.items()}
    population = selectors.populations(target.scope, [target.pk])[target.pk]
    return indicators.figures(summed, population)


def test_the_months_are_the_ones_the_story_names() -> None:
    assert previous_start(PeriodKind.MONTH, start_of(PeriodKind.MONTH, TALKS_BEGAN)) == BEFORE_TALKS
    assert previous_start(PeriodKind.MONTH, start_of(PeriodKind.MONTH, SEED_DAY)) == LAST_MONTH


@pytest.mark.django_db
def test_a_year_of_figures_at_every_level_straight_after_the_seed(demo: dict[str, str]) -> None:
    district = months(place(Scope.DISTRICT, "LDIR-DEMO"))
    assert sorted(district) == [dt.date(2024, m, 1) for m in range(6, 13)] + [
        dt.date(2025, m, 1) for m in range(1, 6)
    ]
    for start, figures in district.items():
        for indicator in (Indicator.REPORTS, Indicator.ON_TIME, Indicator.CONTACTS, Indicator.ATTENDEES):
            assert indicator in figures, (start, indicator)
    assert {s for s, f in district.items() if Indicator.TRUST in f} == {
        dt.date(2025, 1, 1),
        BEFORE_TALKS,
        dt.date(2025, 4, 1),
        LAST_MONTH,
    }
    gul = Beat.objects.get(code="GUL")
    assert gul.population_total > 0
    assert Population.objects.get(scope=Scope.BEAT, scope_id=gul.pk, group="").n == gul.population_total
    assert Population.objects.get(scope=Scope.BEAT, scope_id=gul.pk, group="women_15_29").n == (
        gul.population_women_15_29
    )
    assert set(Measure.objects.values_list("scope", flat=True).distinct()) == set(Scope.values)
    assert RefreshState.objects.get().full_rebuild_at == dt.datetime(2025, 6, 2, 7, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_gulabad_rises_after_the_open_talks_and_the_womens_sessions(demo: dict[str, str]) -> None:
    gul = place(Scope.BEAT, "GUL")
    by_month = snapshots(gul)
    before, last = by_month[BEFORE_TALKS].figures, by_month[LAST_MONTH].figures
    # Elders' meetings before; open talks and women's and youth sessions after.
    assert before[Indicator.WOMEN_ATTENDEES].value < 0.2 < 0.6 < last[Indicator.WOMEN_ATTENDEES].value
    assert before[Indicator.YOUTH_ATTENDEES].value < 0.3 < 0.6 < last[Indicator.YOUTH_ATTENDEES].value
    assert last[Indicator.ATTENDEES].value > 3 * before[Indicator.ATTENDEES].value
    # Trust, from the survey round before the talks and the two after.
    assert last[Indicator.TRUST].value > before[Indicator.TRUST].value + 10
    assert before[Indicator.TRUST].n >= 20 and last[Indicator.TRUST].n >= 20
    # Regular proactive visits against the station head's target.
    assert before[Indicator.PROACTIVE_VS_TARGET].value < 0.3 < 0.9 < last[Indicator.PROACTIVE_VS_TARGET].value
    assert 3 * before[Indicator.PROACTIVE_PER_1000].value < last[Indicator.PROACTIVE_PER_1000].value
    health_before, health_last = by_month[BEFORE_TALKS].health.index, by_month[LAST_MONTH].health.index
    assert health_before is not None and health_last is not None and health_last > health_before + 15
    # Women and young people come forward as reporters: a quarter before against the last quarter.
    quarter_before, last_quarter = over(gul, QUARTER_BEFORE), over(gul, LAST_QUARTER)
    for indicator in (Indicator.WOMEN_REPORTERS, Indicator.YOUTH_REPORTERS):
        assert last_quarter[indicator].value > quarter_before[indicator].value + 0.2, indicator
    assert last_quarter[Indicator.REPORTS].value > quarter_before[Indicator.REPORTS].value
    # Elsewhere, women stay away from meetings.
    assert months(place(Scope.BEAT, "BBZ"))[LAST_MONTH][Indicator.WOMEN_ATTENDEES].value < 0.2


@pytest.mark.django_db
def test_balambat_answers_late(demo: dict[str, str]) -> None:
    stations = {code: months(place(Scope.STATION, code)) for code in ("TMG", "BLB", "TLS")}
    for start in LAST_QUARTER:
        on_time = {code: by_month[start][Indicator.ON_TIME] for code, by_month in stations.items()}
        assert on_time["BLB"].value < 0.5 < min(on_time["TMG"].value, on_time["TLS"].value), start
        assert on_time["BLB"].n >= 20, start
    # It lags the whole year, not only lately.
    assert all(by_month[Indicator.ON_TIME].value < 0.5 for by_month in stations["BLB"].values())
    for code in ("TMG", "TLS"):
        assert sum(f[Indicator.ON_TIME].value for f in stations[code].values()) / 12 > 0.7, code


@pytest.mark.django_db
def test_the_womens_desk_is_staffed_too_little(demo: dict[str, str]) -> None:
    timergara = months(place(Scope.STATION, "TMG"))
    last = timergara[LAST_MONTH][Indicator.DESK_STAFFED]
    # May 2025: 27 days Monday to Saturday, 09:00-17:00.
    assert last.n == 27 * 8
    assert last.value < 0.8
    assert all(f[Indicator.DESK_STAFFED].value < 0.8 for f in timergara.values())
    # Worse before the talks' months, when the desk was unstaffed one day in three.
    assert timergara[dt.date(2024, 9, 1)][Indicator.DESK_STAFFED].value < 0.65
    # The district has the one desk: its figure is Timergara's; the other stations have none.
    district = months(place(Scope.DISTRICT, "LDIR-DEMO"))[LAST_MONTH][Indicator.DESK_STAFFED]
    assert (district.value, district.n) == (last.value, last.n)
    for code in ("BLB", "TLS"):
        assert Indicator.DESK_STAFFED not in months(place(Scope.STATION, code))[LAST_MONTH]


@pytest.mark.django_db
def test_demo_txt_leads_to_the_dashboard_the_transparency_page_and_open_data(demo: dict[str, str]) -> None:
    district = District.objects.get(code="LDIR-DEMO")
    with translation.override("en"):
        assert demo["dashboard_path"] == reverse(
            "insights:dashboard", kwargs={"scope": "district", "pk": district.pk}
        )
        assert demo["transparency_path"] == reverse(
            "insights:public", kwargs={"scope": "beat", "code": "GUL"}
        )
        assert demo["open_data_path"] == reverse("insights:open_data")
    assert demo["dashboard_path"] == f"/en/staff/insights/district/{district.pk}/"
    coordinator = verified_client(User.objects.get(username="district_coordinator"))
    with time_machine.travel(dt.datetime(2025, 6, 2, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=5)))):
        dashboard = coordinator.get(demo["dashboard_path"])
        public = Client().get(demo["transparency_path"])
        open_data = Client().get(demo["open_data_path"])
    assert dashboard.status_code == 200
    body = dashboard.content.decode()
    assert "Balambat" in body and "Talash" in body and "Timergara" in body
    assert public.status_code == 200 and "Gulabad" in public.content.decode()
    assert open_data.status_code == 200
