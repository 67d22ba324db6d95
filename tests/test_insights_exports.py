"""The exports for analysts and researchers: who may export, what each file holds (worked out by hand),
that nothing outside the viewer's district and no report id, text or phone leaves, that each export is
in the access log, and that bad parameters are a 400."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zoneinfo
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from rabta.audit.models import AccessLog
from rabta.insights import codebook
from rabta.insights.metrics import GROUPS, Metric
from rabta.insights.models import Measure, PeriodKind, Scope
from rabta.people.models import User
from rabta.reports.lifecycle import Status
from rabta.reports.models import Report
from tests import factories
from tests.conftest import World, verified_client
from tests.paths import url_for
from tests.personas import PERSONAS, STAFF_PERSONAS, extra_personas

pytestmark = pytest.mark.django_db

PKT = zoneinfo.ZoneInfo("Asia/Karachi")
NOW = dt.datetime(2026, 4, 15, 12, 0, tzinfo=PKT)  # March (2-29 March, whole weeks) is over; April is not
MARCH = dt.date(2026, 3, 1)
EXPORTS = ("insights:export_measures", "insights:export_research", "insights:export_research_summary")
EXPORTERS = ("analyst", "admin_user")
PHONE = "03001234567"


@pytest.fixture(autouse=True)
def _now() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def body(response: Any) -> str:
    return b"".join(response.streaming_content).decode()


def csv_rows(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    assert response["Cache-Control"] == "no-store"
    return list(csv.DictReader(io.StringIO(body(response))))


# ---- who may export ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", EXPORTS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_only_analysts_and_admins_export(world: World, persona: str, name: str) -> None:
    response = verified_client(getattr(world, persona)).get(url_for(name))
    assert response.status_code == (200 if persona in EXPORTERS else 403)
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT).count() == (
        1 if persona in EXPORTERS else 0
    )


@pytest.mark.parametrize("name", (*EXPORTS, "insights:export_codebook"))
def test_anonymous_visitors_are_sent_to_log_in(world: World, name: str) -> None:
    response = Client().get(url_for(name))
    assert response.status_code == 302
    assert response["Location"].startswith(url_for("people:login") + "?next=")


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_staff_member_may_read_the_codebook(world: World, persona: str) -> None:
    response = verified_client(getattr(world, persona)).get(url_for("insights:export_codebook"))
    assert response.status_code == (200 if persona in STAFF_PERSONAS else 403)
    assert not AccessLog.objects.exists()  # no data in it


# ---- the measures CSV ----------------------------------------------------------------------------


def measure(scope: str, pk: int, metric: Metric, n: int, value: float, **kw: Any) -> Measure:
    kw.setdefault("period", PeriodKind.MONTH)
    kw.setdefault("start", MARCH)
    kw.setdefault("group", "")
    return Measure.objects.create(scope=scope, scope_id=pk, metric=metric.value, n=n, value=value, **kw)


@pytest.fixture
def measures(world: World) -> dict[str, User]:
    d, sa, a = world.district.pk, world.station_a.pk, world.beat_a.pk
    beat = {"station_id": sa, "district_id": d}
    measure(Scope.BEAT, a, Metric.ON_TIME, 8, 6, **beat)
    measure(Scope.BEAT, a, Metric.TRUST, 4, 250, group="women", **beat)
    measure(Scope.BEAT, a, Metric.LAST_PROACTIVE, 9, dt.date(2026, 3, 20).toordinal(), **beat)
    measure(Scope.STATION, sa, Metric.REPORTS, 12, 12, station_id=sa, district_id=d)
    measure(Scope.DISTRICT, d, Metric.ACK_HOURS, 10, 5.5, district_id=d)
    measure(Scope.PROVINCE, 0, Metric.REPORTS, 5_000_000, 5_000_000)
    # Outside the asked month or period.
    measure(Scope.BEAT, a, Metric.REPORTS, 3, 3, start=dt.date(2026, 2, 1), **beat)
    measure(Scope.BEAT, a, Metric.REPORTS, 2, 2, period=PeriodKind.WEEK, start=dt.date(2026, 3, 9), **beat)
    people = extra_personas(world)
    far = User.objects.get(pk=people["far_desk_officer"].pk).officer_profile.station
    far_beat = far.beats.get()
    measure(Scope.BEAT, far_beat.pk, Metric.REPORTS, 7, 7, station_id=far.pk, district_id=far.district_id)
    return people


MARCH_QUERY = {"period": "month", "start": "2026-03-01", "end": "2026-03-31"}
COLUMNS = [name for name, _text in codebook.MEASURE_COLUMNS]


def march(place: tuple[str, ...], *values: object) -> dict[str, str]:
    """A row of the March export: the place's (scope, code, name, district, station), then the rest."""
    cells = (*place, "month", "2026-03-01", "2026-03-31", *values)
    return dict(zip(COLUMNS, (str(v) for v in cells), strict=True))


GUL = ("beat", "GUL", "Gulabad", "LD", "TMG")
DISTRICT_ROWS = [
    march(GUL, "last_proactive", "latest", "", 9, 739695, "2026-03-20", 0),
    march(GUL, "on_time", "ratio", "", 8, 6, "0.7500", 0),
    march(GUL, "trust", "sum", "women", 4, 250, "62.5000", 1),
    march(("district", "LD", "Lower Dir Test", "LD", ""), "ack_hours", "median", "", 10, 5.5, "5.5", 0),
    march(("station", "TMG", "Timergara", "LD", "TMG"), "reports", "count", "", 12, 12, "12", 0),
]


def test_a_district_analyst_gets_their_district_s_rows_only(world: World, measures: dict[str, User]) -> None:
    response = verified_client(world.analyst).get(url_for("insights:export_measures", query=MARCH_QUERY))
    assert csv_rows(response) == DISTRICT_ROWS
    log = AccessLog.objects.get()
    assert (log.actor, log.action, log.object_type) == (
        world.analyst,
        AccessLog.Action.EXPORT,
        "insights.measure",
    )
    assert log.object_id == f"district:{world.district.pk}"
    assert log.detail == "measures CSV month 2026-03-01..2026-03-31 scope=all, 5 rows"


def test_a_province_analyst_gets_every_place_and_the_province(
    world: World, measures: dict[str, User]
) -> None:
    client = verified_client(measures["province_analyst"])
    got = csv_rows(client.get(url_for("insights:export_measures", query=MARCH_QUERY)))
    assert [(r["scope"], r["place_code"], r["metric"]) for r in got] == [
        ("beat", "GUL", "last_proactive"),
        ("beat", "GUL", "on_time"),
        ("beat", "GUL", "trust"),
        ("beat", "MNG1", "reports"),
        ("district", "LD", "ack_hours"),
        ("province", "", "reports"),
        ("station", "TMG", "reports"),
    ]
    province = got[5]
    assert (province["n"], province["value"], province["indicator"]) == ("5000000", "5000000", "5000000")
    assert AccessLog.objects.get().object_id == "all"


def test_a_scope_and_a_week_period_choose_the_rows(world: World, measures: dict[str, User]) -> None:
    client = verified_client(world.analyst)
    beats = csv_rows(
        client.get(url_for("insights:export_measures", query={**MARCH_QUERY, "scope": "station"}))
    )
    assert beats == [DISTRICT_ROWS[4]]
    weeks = csv_rows(
        client.get(url_for("insights:export_measures", query={"period": "week", "start": "2026-03-01"}))
    )
    assert [(r["start"], r["end"], r["metric"], r["n"]) for r in weeks] == [
        ("2026-03-09", "2026-03-15", "reports", "2")
    ]
    # Without dates: the last 365 days to today, so February is in.
    default = csv_rows(client.get(url_for("insights:export_measures")))
    assert [r["start"] for r in default] == ["2026-02-01"] + ["2026-03-01"] * 5


def test_the_measures_export_runs_the_same_queries_for_many_rows(world: World) -> None:
    client = verified_client(world.admin_user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            body(client.get(url_for("insights:export_measures", query=MARCH_QUERY)))
        return len(context.captured_queries)

    client.get(url_for("insights:export_measures"))
    measure(Scope.BEAT, world.beat_a.pk, Metric.REPORTS, 1, 1, district_id=world.district.pk)
    few = queries()
    for beat in (world.beat_b, world.beat_c):
        for metric in (Metric.REPORTS, Metric.CONTACTS, Metric.ON_TIME):
            measure(Scope.BEAT, beat.pk, metric, 5, 5, district_id=world.district.pk)
    assert queries() == few


# ---- the codebook --------------------------------------------------------------------------------


def test_the_codebook_describes_every_column_metric_and_group(world: World) -> None:
    response = verified_client(world.analyst).get(url_for("insights:export_codebook"))
    rows = csv_rows(response)
    names = Counter((r["entry"], r["file"]) for r in rows)
    assert names == {
        ("column", "measures"): len(codebook.MEASURE_COLUMNS),
        ("metric", "measures"): len(Metric),
        ("group", "measures"): len(GROUPS),
        ("column", "research"): len(codebook.RESEARCH_COLUMNS),
    }
    assert {r["name"] for r in rows if r["entry"] == "metric"} == {m.value for m in Metric}
    on_time = next(r for r in rows if r["name"] == "on_time" and r["entry"] == "metric")
    assert on_time["kind"] == "ratio"
    assert on_time["n"] == "reports whose outcome is known (on time, or a deadline missed)"
    assert on_time["indicator"] == "value / n (a share, 0-1)"
    assert "within their category's deadlines" in on_time["formula"]
    assert next(r for r in rows if r["name"] == "women_15_29")["description"] == "women aged 15-29"


def test_the_docs_hold_the_codebook_as_the_code_says_it() -> None:
    docs = (Path(__file__).resolve().parent.parent / "docs/research-export.md").read_text()
    with translation.override("en"):
        text = codebook.markdown()
    start, end = "<!-- codebook:start -->\n", "<!-- codebook:end -->"
    assert docs[docs.index(start) + len(start) : docs.index(end)].strip() == text.strip()


# ---- the research file ---------------------------------------------------------------------------


def day(month: int, d: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, d, hour, tzinfo=PKT)


def report(beat: Any, category: str, created: dt.datetime, **fields: Any) -> Report:
    """A report through the intake service, then dated and moved along by hand."""
    submitted = factories.report(
        category, beat_obj=beat, phone=PHONE, reporter_gender="woman", reporter_age_band="15_29"
    )
    ack, done = fields.pop("ack_hours", None), fields.pop("done_hours", None)
    deadlines = fields.pop("deadlines", True)
    values: dict[str, Any] = {
        "created_at": created,
        "first_contact_due": created + dt.timedelta(hours=24) if deadlines else None,
        "resolution_due": created + dt.timedelta(hours=72) if deadlines else None,
        "acknowledged_at": created + dt.timedelta(hours=ack) if ack is not None else None,
        **fields,
    }
    if done is not None:
        values[{Status.RESOLVED: "resolved_at", Status.CLOSED: "closed_at"}[fields["status"]]] = (
            created + dt.timedelta(hours=done)
        )
    Report.objects.filter(pk=submitted.report.pk).update(**values)
    return submitted.report


@pytest.fixture
def reports(world: World) -> dict[str, User]:
    a, b, c = world.beat_a, world.beat_b, world.beat_c
    for d in range(3, 8):  # GUL, week of 2 March: five thefts handled on time
        report(a, "theft", day(3, d), ack_hours=2, done_hours=24, status=Status.RESOLVED)
    for _ in range(6):  # GUL, week of 9 March: six street lights never answered
        report(a, "street_lighting", day(3, 10), status=Status.NEW)
    for _ in range(2):  # GUL: two drug reports, too rare: merged into other, then dropped
        report(a, "drugs", day(3, 11), status=Status.NEW)
    for d in (3, 4, 5, 17, 18, 19):  # SHG: three thefts in each of two weeks: released by month
        report(b, "theft", day(3, d), ack_hours=1, status=Status.ACKNOWLEDGED, deadlines=False)
    # RBT, week of 16 March: received at 00:30 on the Monday (Sunday in UTC), contacted after 100
    # hours, closed.
    monday_night = dt.datetime(2026, 3, 16, 0, 30, tzinfo=PKT)
    for _ in range(5):
        report(c, "theft", monday_night, ack_hours=100, done_hours=120, status=Status.CLOSED)
    # Never in the file: the women's desk, "a woman officer only", conduct, a duplicate, April (not
    # over yet) and, for the district's analyst, another district.
    for _ in range(5):
        report(a, "violence_against_women", day(3, 3), status=Status.NEW)
    report(a, "theft", day(3, 3), status=Status.NEW, woman_officer_only=True)
    report(a, "police_conduct", day(3, 3), status=Status.NEW)
    report(a, "theft", day(3, 3), status=Status.DUPLICATE)
    report(a, "theft", day(4, 1), status=Status.NEW)
    people = extra_personas(world)
    far_beat = people["far_desk_officer"].officer_profile.beats.get()
    for _ in range(5):
        report(far_beat, "theft", day(3, 3), ack_hours=2, done_hours=24, status=Status.RESOLVED)
    return people


RESEARCH = [name for name, _text in codebook.RESEARCH_COLUMNS]


def research(*values: str) -> dict[str, str]:
    return dict(zip(RESEARCH, values, strict=True))


GUL_THEFT = research(
    "LD", "TMG", "GUL", "week", "2026-03-02", "2026-03-08", "2026-W10", "theft", "resolved", "<24h", "yes"
)
GUL_LIGHTS = research(
    "LD",
    "TMG",
    "GUL",
    "week",
    "2026-03-09",
    "2026-03-15",
    "2026-W11",
    "street_lighting",
    "open",
    "none",
    "no",
)
MNG_THEFT = research(
    "SW", "MNG", "MNG1", "week", "2026-03-02", "2026-03-08", "2026-W10", "theft", "resolved", "<24h", "yes"
)
RBT_THEFT = research(
    "LD", "BLB", "RBT", "week", "2026-03-16", "2026-03-22", "2026-W12", "theft", "closed", ">72h", "no"
)
SHG_THEFT = research(
    "LD", "TMG", "SHG", "month", "2026-03-02", "2026-03-29", "2026-03", "theft", "open", "<24h", "undecided"
)


def test_the_research_file_is_k_anonymous_and_worked_out_by_hand(
    world: World, reports: dict[str, User]
) -> None:
    response = verified_client(world.analyst).get(url_for("insights:export_research"))
    assert response["Content-Disposition"] == 'attachment; filename="research-2025-03-31-2026-03-29-k5.csv"'
    rows = csv_rows(response)
    assert rows == [GUL_THEFT] * 5 + [GUL_LIGHTS] * 6 + [RBT_THEFT] * 5 + [SHG_THEFT] * 6
    log = AccessLog.objects.get()
    assert (log.object_type, log.object_id) == ("reports.report", f"district:{world.district.pk}")
    assert log.detail == "research CSV k=5 2025-03-31..2026-03-29, 22 rows of 24 reports"


def test_the_research_file_says_nothing_about_a_person(world: World, reports: dict[str, User]) -> None:
    text = body(verified_client(world.admin_user).get(url_for("insights:export_research")))
    for report_obj in Report.objects.all():
        assert report_obj.public_id not in text
    assert PHONE not in text and "mosque" not in text and "street light" not in text
    assert "woman" not in text and "15_29" not in text and "15-29" not in text  # reporter groups withheld
    assert "10:00" not in text and "34.8" not in text and "71.8" not in text
    header = text.splitlines()[0].split(",")
    assert header == RESEARCH


def test_an_admin_gets_every_district_and_a_higher_k_coarsens_more(
    world: World, reports: dict[str, User]
) -> None:
    client = verified_client(world.admin_user)
    rows = csv_rows(
        client.get(url_for("insights:export_research", query={"start": "2026-03-10", "end": "2026-03-20"}))
    )
    assert rows == [GUL_THEFT] * 5 + [GUL_LIGHTS] * 6 + [MNG_THEFT] * 5 + [RBT_THEFT] * 5 + [SHG_THEFT] * 6
    strict = csv_rows(client.get(url_for("insights:export_research", query={"k": 6})))
    # k = 6: GUL's five thefts are merged with the drugs into other (7 in March, 5 + 2 over two weeks):
    # GUL goes by month; RBT's and MNG1's five are dropped, SHG's six stay. In GUL's March the 5
    # resolved are under 6, so they are withheld, and with them the 8 open: at least 6 withheld.
    gul_month = {
        "period": "month",
        "period_start": "2026-03-02",
        "period_end": "2026-03-29",
        "period_label": "2026-03",
    }
    assert [(r["beat"], r["period"], r["category"], r["status"]) for r in strict] == (
        [("GUL", "month", "other", "withheld")] * 7 + [("GUL", "month", "street_lighting", "withheld")] * 6
        + [("SHG", "month", "theft", "open")] * 6
    )  # fmt: skip
    assert all(strict[0][key] == value for key, value in gul_month.items())
    summary = json.loads(client.get(url_for("insights:export_research_summary", query={"k": 6})).content)
    assert summary["cells_withheld"] == {"status": 13, "first_contact": 13, "on_time": 13}
    assert (summary["reports_in"], summary["rows_released"], summary["rows_suppressed"]) == (29, 19, 10)


def test_the_summary_counts_what_was_merged_coarsened_and_dropped(
    world: World, reports: dict[str, User]
) -> None:
    response = verified_client(world.analyst).get(url_for("insights:export_research_summary"))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert json.loads(response.content) == {
        "k": 5,
        "first": "2025-03-31",
        "last": "2026-03-29",
        "quasi_identifiers": ["beat", "period", "category"],
        "reports_in": 24,
        "rows_released": 22,
        "rows_suppressed": 2,
        "categories_merged": 1,
        "beat_months_by_month": 1,
        "cells_withheld": {"status": 0, "first_contact": 0, "on_time": 0},
        "left_out": ["duplicates", "womens_desk", "woman_officer_only", "conduct"],
    }
    assert "drugs" not in response.content.decode()
    assert AccessLog.objects.get().detail == "research summary k=5 2025-03-31..2026-03-29"


def test_a_month_not_over_is_not_released(world: World, reports: dict[str, User]) -> None:
    client = verified_client(world.analyst)
    rows = csv_rows(client.get(url_for("insights:export_research", query={"start": "2026-04-01"})))
    assert rows == []
    summary = json.loads(
        client.get(url_for("insights:export_research_summary", query={"start": "2026-04-01"})).content
    )
    assert (summary["first"], summary["last"], summary["reports_in"]) == (None, None, 0)


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("insights:export_measures", "start=2026-13-01"),
        ("insights:export_measures", "end=yesterday"),
        ("insights:export_measures", "start=2026-03-02&end=2026-03-01"),
        ("insights:export_measures", "period=year"),
        ("insights:export_measures", "scope=planet"),
        ("insights:export_research", "k=4"),
        ("insights:export_research", "k=51"),
        ("insights:export_research", "k=five"),
        ("insights:export_research", "start=0000-01-01"),
        ("insights:export_research", "start=2026-03-02&end=2026-03-01"),
        ("insights:export_research_summary", "k=1"),
    ],
)
def test_bad_parameters_are_a_400(world: World, name: str, query: str) -> None:
    response = verified_client(world.analyst).get(url_for(name, query=query))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("query", ["start=0001-01-01&end=9999-12-31", "start=9999-12-31&end=9999-12-31"])
def test_extreme_dates_are_answered(world: World, query: str) -> None:
    client = verified_client(world.admin_user)
    for name in EXPORTS:
        response = client.get(url_for(name, query=query))
        assert response.status_code == 200
        if name != "insights:export_research_summary":
            body(response)
