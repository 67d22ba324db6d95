"""Issue 9 points 9b and 9c: Open311 leaks no precise time and no unpublished category.

9b: start_date/end_date select whole published days (Asia/Karachi), and results within a day come
in a fixed random order: 27 bisecting requests find a day boundary, never the report's second.
9c: a category with publish_open311 off (drugs, youth violence, women's desk, conduct) is never in
the list; its ordinary reports answer requests/{id} with status and days only; services.json still
offers it for submission; administrators switch the flag in the Category admin.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from rabta.reports.models import Category, Report
from tests import factories
from tests.conftest import World, verified_client
from tests.paths import url_for
from tests.test_open311_conformance import INSIDE_A, api_key, assert_private, parse  # noqa: F401

pytestmark = pytest.mark.django_db

# Open311 paths are written out, not reversed: partner apps hard-code them (GeoReport v2).
KARACHI = ZoneInfo("Asia/Karachi")
DAY = dt.date(2026, 3, 10)


def made_at(local: dt.datetime, code: str = "street_lighting", **kw: Any) -> Report:
    kw.setdefault("lat", 34.805123)
    kw.setdefault("lon", 71.805456)
    report = factories.report(code, **kw).report
    Report.objects.filter(pk=report.pk).update(created_at=local, updated_at=local)
    report.refresh_from_db()
    return report


def listed(client: Client, **query: str) -> list[str]:
    response = client.get("/open311/v2/requests.json", query)
    assert response.status_code == 200, response.content
    return [item["service_request_id"] for item in json.loads(response.content)]


def bisect(client: Client, report: Report, param: str, lo: dt.datetime, hi: dt.datetime) -> dict[str, Any]:
    """27 requests narrowing the moment where `report` enters or leaves the result.

    For start_date: the latest start that still includes it. For end_date: the earliest end that
    includes it. Returns the bracket found and every answer, for comparison.
    """
    answers = []
    for _ in range(27):
        mid = lo + (hi - lo) / 2
        query = {param: mid.isoformat()}
        if param == "end_date":
            query["start_date"] = (mid - dt.timedelta(days=60)).isoformat()
        hit = report.public_id in listed(client, **query)
        answers.append(hit)
        if (param == "start_date") == hit:
            lo = mid
        else:
            hi = mid
    return {"lo": lo, "hi": hi, "answers": answers}


def test_27_bisecting_requests_recover_only_the_day(world: World, client: Client) -> None:
    afternoon = made_at(dt.datetime(2026, 3, 10, 14, 37, 21, tzinfo=KARACHI))
    lo = dt.datetime(2026, 2, 1, tzinfo=KARACHI)
    hi = dt.datetime(2026, 4, 15, tzinfo=KARACHI)
    latest_start = bisect(client, afternoon, "start_date", lo, hi)
    earliest_end = bisect(client, afternoon, "end_date", lo, hi)
    assert latest_start["hi"] - latest_start["lo"] < dt.timedelta(seconds=1)  # the search converged...
    next_midnight = dt.datetime(2026, 3, 11, tzinfo=KARACHI)
    midnight = dt.datetime(2026, 3, 10, tzinfo=KARACHI)
    # ...on the day's edges, not on 14:37:21.
    assert abs(latest_start["hi"] - next_midnight) < dt.timedelta(seconds=1)
    assert abs(earliest_end["lo"] - midnight) < dt.timedelta(seconds=1)
    # Another report of the same day at another hour gets the very same 54 answers.
    Report.objects.filter(pk=afternoon.pk).update(created_at=dt.datetime(2026, 3, 10, 2, 5, tzinfo=KARACHI))
    assert bisect(client, afternoon, "start_date", lo, hi)["answers"] == latest_start["answers"]
    assert bisect(client, afternoon, "end_date", lo, hi)["answers"] == earliest_end["answers"]


def test_a_day_is_selected_whole_whatever_the_time_in_the_filter(world: World, client: Client) -> None:
    morning = made_at(dt.datetime(2026, 3, 10, 0, 10, tzinfo=KARACHI))
    evening = made_at(dt.datetime(2026, 3, 10, 23, 50, tzinfo=KARACHI))
    for start in ("2026-03-10T23:59:00+05:00", "2026-03-10T00:00:00+05:00", "2026-03-10T12:00:00Z"):
        for end in ("2026-03-10T00:00:01+05:00", "2026-03-10T18:00:00+05:00"):
            ids = set(listed(client, start_date=start, end_date=end))
            assert ids == {morning.public_id, evening.public_id}, (start, end)
    assert listed(client, start_date="2026-03-11T00:00:00+05:00") == []
    assert listed(client, start_date="2026-03-01", end_date="2026-03-09T23:59:59+05:00") == []
    # What the feed shows is that day, at local midnight.
    item = parse(client.get(f"/open311/v2/requests/{evening.public_id}.json"), "json")[0]
    assert item["requested_datetime"] == "2026-03-10T00:00:00+05:00"


def test_order_within_a_day_says_nothing_of_the_hour(world: World, client: Client) -> None:
    hours = [3, 9, 13, 20]
    reports = [made_at(dt.datetime(2026, 3, 10, h, tzinfo=KARACHI)) for h in hours]
    earlier_day = made_at(dt.datetime(2026, 3, 9, 22, tzinfo=KARACHI))
    query = {"start_date": "2026-03-01T00:00:00+05:00"}
    first = listed(client, **query)
    assert first[-1] == earlier_day.public_id  # newest day first
    assert first[:4] == sorted(r.public_id for r in reports)
    # Give the same reports other hours of the same day: the order does not move.
    for report, hour in zip(reports, reversed(hours), strict=True):
        Report.objects.filter(pk=report.pk).update(created_at=dt.datetime(2026, 3, 10, hour, tzinfo=KARACHI))
    assert listed(client, **query) == first


@pytest.fixture
def drugs(world: World) -> Report:
    return factories.report(
        "drugs",
        lat=34.805123,
        lon=71.805456,
        description="Nasreen says they sell near her house",
        place_description="behind Nasreen's house",
        phone="03001234567",
    ).report


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unpublished_category_never_listed_and_answers_status_and_day_only(
    world: World, client: Client, drugs: Report, fmt: str
) -> None:
    assert not drugs.category.publish_open311
    lighting = factories.report("street_lighting", lat=34.805, lon=71.805).report
    for query in ("", "?service_code=drugs", f"?service_request_id={drugs.public_id}", "?status=open"):
        body = client.get(f"/open311/v2/requests.{fmt}{query}").content
        assert drugs.public_id.encode() not in body, query
    assert lighting.public_id in listed(client)
    one = client.get(f"/open311/v2/requests/{drugs.public_id}.{fmt}")
    assert one.status_code == 200
    item = parse(one, fmt)[0]
    shown = {key for key, value in item.items() if value not in (None, "")}
    assert shown == {"service_request_id", "status", "status_notes", "requested_datetime", "updated_datetime"}
    assert item["status"] == "open" and item["requested_datetime"].endswith("T00:00:00+05:00")
    assert_private(one.content)
    for word in ("Gulabad", "GUL", "Timergara", "34.80", "71.80", "drugs", "Drugs"):
        assert word not in one.content.decode(), word


def test_sensitive_categories_still_answer_404(world: World, client: Client) -> None:
    womens = factories.report("violence_against_women", lat=34.806, lon=71.806).report
    conduct = factories.report("police_conduct", beat_obj=world.beat_a).report
    for report in (womens, conduct):
        assert not report.category.publish_open311
        assert client.get(f"/open311/v2/requests/{report.public_id}.json").status_code == 404


def test_services_still_offer_unpublished_categories_for_submission(
    world: World,
    client: Client,
    api_key: str,  # noqa: F811
) -> None:
    services = {s["service_code"] for s in parse(client.get("/open311/v2/services.json"), "json")}
    assert {"drugs", "streetlight"} <= services
    data = {"api_key": api_key, "service_code": "drugs", **INSIDE_A, "description": "Selling by the school"}
    response = client.post("/open311/v2/requests.json", data)
    assert response.status_code == 201
    new_id = parse(response, "json")[0]["service_request_id"]
    assert Report.objects.get(public_id=new_id).category.code == "drugs"
    assert new_id not in listed(client)


def test_the_flag_is_in_the_category_admin_and_decides_the_feed(
    world: World, client: Client, drugs: Report
) -> None:
    admin = verified_client(world.admin_user)
    category = Category.objects.get(code="drugs")
    page = admin.get(url_for("admin:reports_category_change", category.pk)).content.decode()
    assert 'name="publish_open311"' in page
    unpublished = url_for("admin:reports_category_changelist", query="publish_open311__exact=0")
    assert "publish_open311" in admin.get(unpublished).content.decode()
    assert drugs.public_id not in listed(client)
    category.publish_open311 = True
    category.save(update_fields=["publish_open311"])
    assert drugs.public_id in listed(client)
    item = parse(client.get(f"/open311/v2/requests/{drugs.public_id}.json"), "json")[0]
    assert item["address_id"] == "GUL" and item["lat"] is not None
    # Nobody but an administrator changes it.
    head = verified_client(world.station_head)
    assert head.get(url_for("admin:reports_category_change", category.pk)).status_code in (302, 403, 404)
