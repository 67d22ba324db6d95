"""Open311 GeoReport v2 conformance: every endpoint in JSON and XML, errors, api_key, and privacy."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.db import IntegrityError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rabta.reports.models import Report, ReportUpdate
from rabta.reports.open311.models import ApiClient, Open311Submission
from tests import factories
from tests.conftest import World
from tests.queries import OPEN311_REQUESTS

FORMATS = ["json", "xml"]
# Open311 paths are written out, not reversed: partner apps hard-code them (GeoReport v2).
INSIDE_A = {"lat": "34.805123", "long": "71.805456"}  # beat_a (Gulabad)
SECRET_WORDS = ["Nasreen", "03001234567", "+923001234567", "nasreen@example.org", "34.805123", "71.805456"]


def parse(response: Any, fmt: str) -> Any:
    """JSON as it is; XML turned into the same list-of-dicts shape the spec maps it to."""
    assert response["Content-Type"].startswith("application/json" if fmt == "json" else "text/xml")
    assert "charset=utf-8" in response["Content-Type"]
    body = response.content
    if fmt == "json":
        return json.loads(body)
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = ET.fromstring(body)  # noqa: S314 - our own server's output in a test

    def element(e: ET.Element) -> Any:
        children = list(e)
        if not children:
            return e.text or ""
        if e.tag in ("attributes", "values", "formats", "endpoints"):
            return [element(c) for c in children]
        return {c.tag: element(c) for c in children}

    if root.tag in ("services", "service_requests", "errors"):
        return [element(child) for child in root]
    return element(root)


@pytest.fixture
def api_key(db: Any) -> str:
    client = ApiClient(name="Partner app")
    key = client.set_new_key()
    client.save()
    return key


@pytest.fixture
def published(world: World) -> dict[str, Report]:
    ordinary = factories.report(
        "street_lighting",
        lat=34.805123,
        lon=71.805456,
        description="Nasreen says the light near her house is out",
        phone="03001234567",
        email="nasreen@example.org",
        place_description="behind Nasreen's house",
    ).report
    ordinary.acknowledge(by=world.beat_officer, note="We told WAPDA", public=True)
    ordinary.add_note(by=world.beat_officer, note="INTERNAL suspect cousin", public=False)
    womens = factories.report("violence_against_women", lat=34.806, lon=71.806).report
    woman_only = factories.report("street_harassment", lat=34.806, lon=71.806, woman_officer_only=True).report
    conduct = factories.report("police_conduct", beat_obj=world.beat_a).report
    return {"ordinary": ordinary, "womens": womens, "woman_only": woman_only, "conduct": conduct}


def assert_private(body: bytes) -> None:
    text = body.decode()
    for word in [*SECRET_WORDS, "INTERNAL", "We told WAPDA"]:
        assert word not in text, word


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_list_and_definition(db: Any, client: Client, fmt: str) -> None:
    services = parse(client.get(f"/open311/v2/services.{fmt}"), fmt)
    codes = {s["service_code"] for s in services}
    assert {"streetlight", "harassment", "dispute", "police-conduct"} <= codes
    light = next(s for s in services if s["service_code"] == "streetlight")
    assert set(light) == {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }
    assert str(light["metadata"]).lower() == "true" and light["type"] == "realtime"
    definition = parse(client.get(f"/open311/v2/services/streetlight.{fmt}"), fmt)
    assert definition["service_code"] == "streetlight"
    attrs = {a["code"]: a for a in definition["attributes"]}
    assert set(attrs) == {"occurred", "woman_officer_only", "no_sms", "safe_call_hours", "neutral_wording"}
    assert attrs["woman_officer_only"]["datatype"] == "singlevaluelist"
    keys = [v["key"] for v in attrs["woman_officer_only"]["values"]]
    assert keys == ["yes", "no"]
    missing = client.get(f"/open311/v2/services/nope.{fmt}")
    assert missing.status_code == 404
    assert parse(missing, fmt)[0]["code"] in (404, "404")


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery(db: Any, client: Client, fmt: str) -> None:
    found = parse(client.get(f"/open311/v2/discovery.{fmt}"), fmt)
    assert found["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert found["endpoints"][0]["url"].endswith("/open311/v2/")


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_requests_lists_only_ordinary_reports_and_nothing_private(
    published: dict[str, Report], client: Client, fmt: str, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(OPEN311_REQUESTS):
        response = client.get(f"/open311/v2/requests.{fmt}?jurisdiction_id=rabta.example")
    assert response.status_code == 200
    items = parse(response, fmt)
    assert [i["service_request_id"] for i in items] == [published["ordinary"].public_id]
    item = items[0]
    assert item["status"] == "open"
    assert item["service_code"] == "streetlight"
    assert item["address_id"] == "GUL"
    assert float(item["lat"]) == published["ordinary"].public_lat
    assert float(item["long"]) == published["ordinary"].public_lon
    assert item["requested_datetime"].endswith("T00:00:00+05:00")  # a day, never a time
    assert not item["description"]
    assert_private(response.content)
    # Sensitive reports are not there by id either: 404 exactly like an unknown id.
    for kind in ("womens", "woman_only", "conduct"):
        one = client.get(f"/open311/v2/requests/{published[kind].public_id}.{fmt}")
        assert one.status_code == 404
        assert parse(one, fmt)[0]["description"].startswith("service_request_id")
        by_ids = client.get(f"/open311/v2/requests.{fmt}?service_request_id={published[kind].public_id}")
        assert parse(by_ids, fmt) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_one_request_and_filters(
    published: dict[str, Report], world: World, client: Client, fmt: str
) -> None:
    ordinary = published["ordinary"]
    one = client.get(f"/open311/v2/requests/{ordinary.public_id}.{fmt}")
    assert one.status_code == 200
    assert parse(one, fmt)[0]["service_request_id"] == ordinary.public_id
    assert_private(one.content)
    assert parse(client.get(f"/open311/v2/requests.{fmt}?status=closed"), fmt) == []
    assert len(parse(client.get(f"/open311/v2/requests.{fmt}?status=open,closed"), fmt)) == 1
    assert parse(client.get(f"/open311/v2/requests.{fmt}?service_code=theft"), fmt) == []
    assert len(parse(client.get(f"/open311/v2/requests.{fmt}?service_code=theft,streetlight"), fmt)) == 1
    assert parse(client.get(f"/open311/v2/requests.{fmt}?end_date=2020-01-01T00:00:00Z"), fmt) == []
    ordinary.refer(by=world.beat_officer, to="Dispute Resolution Council Timergara")
    item = parse(client.get(f"/open311/v2/requests.{fmt}?status=closed"), fmt)[0]
    assert item["status"] == "closed"
    assert item["agency_responsible"] == "Dispute Resolution Council Timergara"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "query",
    [
        "start_date=yesterday",
        "start_date=2025-01-01T00:00:00Z&end_date=2025-06-01T00:00:00Z",
        "start_date=2025-06-01T00:00:00Z&end_date=2025-01-01T00:00:00Z",
        "status=pending",
    ],
)
def test_get_requests_bad_arguments_are_400_errors(db: Any, client: Client, fmt: str, query: str) -> None:
    response = client.get(f"/open311/v2/requests.{fmt}?{query}")
    assert response.status_code == 400
    errors = parse(response, fmt)
    assert len(errors) == 1 and str(errors[0]["code"]) == "400" and errors[0]["description"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_creates_a_report_through_the_intake_service(
    world: World, client: Client, api_key: str, fmt: str
) -> None:
    data = {
        "api_key": api_key,
        "jurisdiction_id": "rabta.example",
        "service_code": "streetlight",
        **INSIDE_A,
        "description": "Three lights dark on the bazaar road",
        "phone": "0300 1234567",
        "first_name": "Nasreen",
        "device_id": "abc123",
        "attribute[no_sms]": "yes",
        "attribute[safe_call_hours]": "after 5 pm",
        "attribute[occurred]": "2025-05-01T20:30:00+05:00",
    }
    response = client.post(f"/open311/v2/requests.{fmt}", data)
    assert response.status_code == 201
    item = parse(response, fmt)[0]
    report = Report.objects.get(public_id=item["service_request_id"])
    assert (report.channel, report.beat, report.category.code) == ("api", world.beat_a, "street_lighting")
    assert (report.no_sms, report.safe_call_hours, report.occurred_period) == (True, "after 5 pm", "evening")
    assert str(report.occurred_on) == "2025-05-01"
    assert report.has_contact and not report.anonymous
    assert "Nasreen" not in str(Report.objects.filter(pk=report.pk).values().get())  # names are not kept
    assert "tracking code" in item["service_notice"]
    assert_private(response.content)
    submission = Open311Submission.objects.get(report=report)
    assert response["X-Open311-Token"] == submission.token
    # tokens/{token} resolves to the request id.
    resolved = parse(client.get(f"/open311/v2/tokens/{submission.token}.{fmt}"), fmt)
    assert resolved == [{"service_request_id": report.public_id, "token": submission.token}]
    assert client.get(f"/open311/v2/tokens/unknown.{fmt}").status_code == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_needs_a_valid_active_api_key(world: World, client: Client, api_key: str, fmt: str) -> None:
    data = {"service_code": "streetlight", **INSIDE_A, "description": "dark"}
    for key in (None, "", "r311_wrong"):
        response = client.post(
            f"/open311/v2/requests.{fmt}", {**data, **({"api_key": key} if key is not None else {})}
        )
        assert response.status_code == 403
        assert "api_key" in parse(response, fmt)[0]["description"]
    ApiClient.objects.update(active=False)
    assert client.post(f"/open311/v2/requests.{fmt}", {**data, "api_key": api_key}).status_code == 403
    assert not Report.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"service_code": ""}, 400, "service_code"),
        ({"service_code": "potholes"}, 404, "service_code"),
        ({"description": ""}, 400, "description"),
        ({"lat": "", "long": ""}, 400, "location"),
        ({"lat": "10.0", "long": "10.0"}, 400, "outside"),
        ({"lat": "abc"}, 400, "lat and long"),
        ({"lat": "", "long": "", "address_id": "NOPE"}, 404, "address_id"),
        ({"phone": "12"}, 400, "phone"),
        ({"attribute[occurred]": "soon"}, 400, "occurred"),
    ],
)
def test_post_errors(
    world: World, client: Client, api_key: str, fmt: str, change: dict[str, str], status: int, words: str
) -> None:
    data = {"api_key": api_key, "service_code": "streetlight", **INSIDE_A, "description": "dark", **change}
    response = client.post(f"/open311/v2/requests.{fmt}", data)
    assert response.status_code == status
    errors = parse(response, fmt)
    assert str(errors[0]["code"]) == str(status)
    assert words in errors[0]["description"]
    assert not Report.objects.exists()


def test_post_by_beat_code_or_unique_area_name(world: World, client: Client, api_key: str) -> None:
    base = {"api_key": api_key, "service_code": "dispute", "description": "Boundary wall quarrel"}
    by_id = parse(client.post("/open311/v2/requests.json", {**base, "address_id": "SHG"}), "json")[0]
    assert Report.objects.get(public_id=by_id["service_request_id"]).beat == world.beat_b
    by_name = client.post("/open311/v2/requests.json", {**base, "address_string": "Khungai"})
    report = Report.objects.get(public_id=parse(by_name, "json")[0]["service_request_id"])
    assert report.beat == world.beat_a and report.lat is None


def test_post_is_idempotent_per_client_with_an_idempotency_key(
    world: World, client: Client, api_key: str
) -> None:
    data = {"api_key": api_key, "service_code": "streetlight", **INSIDE_A, "description": "dark again"}
    first = client.post("/open311/v2/requests.json", data, headers={"Idempotency-Key": "k-1"})
    again = client.post("/open311/v2/requests.json", data, headers={"Idempotency-Key": "k-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert parse(first, "json") == parse(again, "json")
    assert Report.objects.count() == 1
    other = ApiClient(name="Other app")
    other_key = other.set_new_key()
    other.save()
    third = client.post(
        "/open311/v2/requests.json", {**data, "api_key": other_key}, headers={"Idempotency-Key": "k-1"}
    )
    assert third.status_code == 201
    assert Report.objects.count() == 2


def test_woman_only_post_is_routed_to_the_desk_and_never_published(
    world: World, client: Client, api_key: str
) -> None:
    data = {
        "api_key": api_key,
        "service_code": "harassment",
        **INSIDE_A,
        "description": "A man follows my daughter from school",
        "attribute[woman_officer_only]": "yes",
    }
    item = parse(client.post("/open311/v2/requests.xml", data), "xml")[0]
    report = Report.objects.get(public_id=item["service_request_id"])
    assert report.woman_officer_only
    assert client.get(f"/open311/v2/requests/{report.public_id}.json").status_code == 404
    assert parse(client.get("/open311/v2/requests.json"), "json") == []
    assert Report.objects.visible_to(world.womens_desk_officer).filter(pk=report.pk).exists()
    assert not Report.objects.visible_to(world.beat_officer).filter(pk=report.pk).exists()


def test_rate_limit_per_client(world: World, client: Client) -> None:
    app = ApiClient(name="Small app", hourly_limit=2)
    key = app.set_new_key()
    app.save()
    data = {"api_key": key, "service_code": "streetlight", **INSIDE_A, "description": "dark"}
    codes = [client.post("/open311/v2/requests.json", data).status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    assert Report.objects.count() == 2


def test_unknown_resources_and_formats_are_spec_errors(db: Any, client: Client) -> None:
    for path in ("/open311/v2/services.html", "/open311/v2/whatever.json", "/open311/v2/requests/x.csv"):
        response = client.get(path)
        assert response.status_code == 404
        fmt = "json" if path.endswith(".json") else "xml"
        assert str(parse(response, fmt)[0]["code"]) == "404"
    assert client.put("/open311/v2/requests.json").status_code == 405


def test_post_keeps_the_report_only_with_its_client_row(
    world: World, client: Client, api_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The report and the row saying which client made it are written together or not at all: a
    report no client can look up by token would be lost to the partner that sent it."""
    data = {"api_key": api_key, "service_code": "streetlight", **INSIDE_A, "description": "dark"}

    def broken(**kwargs: Any) -> Open311Submission:
        raise IntegrityError("the client row cannot be written")

    monkeypatch.setattr(Open311Submission.objects, "create", broken)
    with pytest.raises(IntegrityError):
        client.post("/open311/v2/requests.json", data, headers={"Idempotency-Key": "k-9"})
    assert not Report.objects.exists()
    assert not ReportUpdate.objects.exists()
    monkeypatch.undo()
    # The retry with the same key makes the report once, with its client row.
    response = client.post("/open311/v2/requests.json", data, headers={"Idempotency-Key": "k-9"})
    assert response.status_code == 201
    report = Report.objects.get()
    assert Open311Submission.objects.get(report=report).token == response["X-Open311-Token"]


def test_post_is_one_transaction_without_a_savepoint_of_its_own(
    world: World, client: Client, api_key: str
) -> None:
    """The intake's cost is its statements (bench/README.md): the client's key and quota, the report,
    its first update and the client row, in the intake's one transaction. In tests that transaction
    is a savepoint inside the test's own; a second savepoint would mean the view wrapped the intake
    in a transaction of its own."""
    data = {"api_key": api_key, "service_code": "streetlight", **INSIDE_A, "description": "dark"}
    with CaptureQueriesContext(connection) as queries:
        assert client.post("/open311/v2/requests.json", data).status_code == 201
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    written = statements[statements.index("SAVEPOINT") :]
    assert written == ["SAVEPOINT", "INSERT", "INSERT", "INSERT", "RELEASE"]
