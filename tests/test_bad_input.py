"""Bad input gets a 4xx, never a 500: Open311, the staff API's pages and the SMS webhooks.

First the inputs found by trying Rabta from outside (each a 500 before), then property-based fuzzing
of the Open311 and SMS endpoints with arbitrary text (NUL, any unicode but lone surrogates, huge
strings, odd dates and numbers). The staff API's schema is fuzzed in tests/test_api_schemathesis.py.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest
from django.test import Client, RequestFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.request import Request

from rabta.messaging.models import Channel, InboundMessage, Provider
from rabta.reports.api.pagination import MAX_LIMIT, QueuePagination, StaffPagination
from rabta.reports.models import Report
from rabta.reports.open311.models import ApiClient
from tests import factories
from tests.conftest import World, verified_client
from tests.sms_fixtures import twilio_channel, twilio_post

INSIDE_A = {"lat": "34.805123", "long": "71.805456"}
FUZZ = settings(
    max_examples=40, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)


@pytest.fixture
def api_key(db: Any) -> str:
    # A high hourly limit: the fuzz tests below post hundreds of requests with this key.
    client = ApiClient(name="Partner app", hourly_limit=100_000)
    key = client.set_new_key()
    client.save()
    return key


def _generic_channel() -> Channel:
    channel = Channel(name="Gateway", provider=Provider.GENERIC, number="8011")
    channel.set_credentials({"secret": "gateway-secret", "send_url": "http://127.0.0.1:9/send"})
    channel.save()
    return channel


def _generic_post(client: Client, channel: Channel, body: bytes, path: str = "inbound") -> Any:
    signature = "sha256=" + hmac.new(b"gateway-secret", body, hashlib.sha256).hexdigest()
    return client.post(
        f"/sms/generic/{channel.inbound_slug}/{path}", body, content_type="application/json",
        HTTP_X_RABTA_SIGNATURE=signature,
    )  # fmt: skip


# ---- found by hand -----------------------------------------------------------------------------


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "1066-10-14"])
@pytest.mark.parametrize("name", ["start_date", "end_date"])
def test_open311_out_of_range_dates_are_400_errors(db: Any, client: Client, name: str, moment: str) -> None:
    response = client.get("/open311/v2/requests.json", {name: moment})
    assert response.status_code == 400
    assert response.json()[0]["code"] == 400 and "w3 datetime" in response.json()[0]["description"]


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"])
def test_open311_out_of_range_occurred_is_refused_and_stores_nothing(
    world: World, client: Client, api_key: str, moment: str
) -> None:
    data = {"api_key": api_key, "service_code": "streetlight", **INSIDE_A, "description": "dark"}
    response = client.post("/open311/v2/requests.json", {**data, "attribute[occurred]": moment})
    assert response.status_code == 400 and "occurred" in response.json()[0]["description"]
    assert not Report.objects.exists()


@pytest.mark.parametrize("field", ["description", "service_code", "address_string", "email", "attribute[x]"])
def test_open311_nul_in_a_field_is_a_400_naming_it(
    world: World, client: Client, api_key: str, field: str
) -> None:
    data = {"api_key": api_key, "service_code": "streetlight", **INSIDE_A, "description": "dark"}
    response = client.post("/open311/v2/requests.xml", {**data, field: "dark\x00street"})
    assert response.status_code == 400
    assert field in response.content.decode() and "cannot be stored" in response.content.decode()
    assert not Report.objects.exists()
    assert client.get("/open311/v2/requests.json", {"service_request_id": "ab\x00"}).status_code == 400


@pytest.mark.parametrize(
    "query",
    ["limit=1.6e29", "limit=160000000000000000000000000000", "cursor=1" + "0" * 30, "cursor=-1",
     "limit=0", "limit=abc", "cursor=%00", "limit=" + "9" * 5000, "cursor=" + "9" * 5000],
)  # fmt: skip
def test_api_bad_limit_or_cursor_is_400(world: World, query: str) -> None:
    response = verified_client(world.station_head).get(f"/api/v1/reports/?{query}")
    assert response.status_code == 400
    assert set(response.json()) <= {"limit", "cursor"}


def test_api_limit_is_clamped_to_the_maximum(world: World) -> None:
    for _ in range(3):
        factories.report(beat_obj=world.beat_a)
    response = verified_client(world.station_head).get("/api/v1/reports/?limit=2")
    assert response.status_code == 200 and len(response.json()["results"]) == 2
    assert "limit=2" in response.json()["next"]
    response = verified_client(world.station_head).get("/api/v1/reports/?limit=100000")
    assert len(response.json()["results"]) == 3 and response.json()["next"] is None
    page = QueuePagination()
    assert page._limit(Request(RequestFactory().get("/?limit=100000"))) == MAX_LIMIT
    # The smaller lists' limit/offset pages clamp the same way.
    staff = StaffPagination()
    staff.paginate_queryset(Report.objects.all(), Request(RequestFactory().get("/?limit=100000")))
    assert staff.limit == MAX_LIMIT


def test_api_nul_in_a_note_is_400_and_writes_nothing(world: World) -> None:
    report = factories.report(beat_obj=world.beat_a).report
    client = verified_client(world.station_head)
    before = report.updates.count()
    for body in ({"note": "a\x00b"}, '{"note": "a\\ud800b"}'):
        payload = body if isinstance(body, str) else json.dumps(body)
        response = client.post(
            f"/api/v1/reports/{report.public_id}/notes/", payload, content_type="application/json"
        )
        assert response.status_code == 400 and "note" in response.json()
    assert report.updates.count() == before


def test_api_body_that_is_not_json_is_415_and_changes_nothing(world: World) -> None:
    # Found by schemathesis: a multipart body DRF could not read was an empty one, so it unassigned.
    report = factories.report(beat_obj=world.beat_a).report
    report.assignee = world.beat_officer
    report.save(update_fields=["assignee"])
    client = verified_client(world.station_head)
    updates = report.updates.count()
    url = f"/api/v1/reports/{report.public_id}/assign/"
    garbage = "--b\r\n1.7976931348623157e+308--b--\r\n"
    response = client.post(url, garbage, content_type="multipart/form-data; boundary=b")
    assert response.status_code == 415
    assert client.post(url, {"assignee": ""}).status_code == 415  # form encoding too
    report.refresh_from_db()
    assert report.assignee == world.beat_officer and report.updates.count() == updates


def test_web_form_refuses_nul(world: World, client: Client) -> None:
    # Django's CharField has refused NUL since 2.0 (ProhibitNullCharactersValidator).
    from rabta.reports.forms import ReportForm

    form = ReportForm(data={"description": "dark\x00street"})
    assert not form.is_valid() and "description" in form.errors


@pytest.mark.parametrize("provider", ["twilio", "generic"])
def test_sms_nul_in_body_is_stored_replaced_and_answered(db: Any, client: Client, provider: str) -> None:
    # A gateway retries any 4xx or 5xx forever: the message is kept, the NUL replaced.
    if provider == "twilio":
        channel = twilio_channel()
        params = {"MessageSid": "SM1", "From": "+923001234567", "To": "+15005550006", "Body": "HE\x00LP"}
        response = twilio_post(client, channel, params)
    else:
        channel = _generic_channel()
        body = json.dumps({"id": "gw\x00-1", "from": "03001234567", "text": "HE\x00LP \ud800"}).encode()
        response = _generic_post(client, channel, body)
    assert response.status_code in (200, 202)
    stored = InboundMessage.objects.get()
    assert "\x00" not in stored.body and stored.body.startswith("HE\ufffdLP")


def test_sms_status_callback_with_nul_id_is_answered(db: Any, client: Client) -> None:
    channel = _generic_channel()
    body = json.dumps({"id": "x\x00y", "status": "delivered"}).encode()
    response = _generic_post(client, channel, body, path="status")
    assert response.status_code == 200 and response.json() == {"updated": False}


# ---- property-based fuzzing ----------------------------------------------------------------------

ANY_TEXT = st.one_of(
    st.text(st.characters(exclude_categories=["Cs"]), max_size=50),
    st.text(st.sampled_from("\x00\t\n +-:.TZ0123456789eE"), max_size=40),
    st.sampled_from(["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "2026-02-30", "1e309",
                     "nan", "-inf", "99999999999999999999", "x" * 20_000, "2026-12-01T25:61:00+99:00"]),
)  # fmt: skip
FIELDS = [
    *("service_code", "description", "lat", "long", "address_string", "address_id", "email", "phone"),
    *("attribute[occurred]", "attribute[no_sms]", "attribute[safe_call_hours]", "idempotency_key"),
]
QUERY = ["start_date", "end_date", "status", "service_code", "service_request_id"]


@FUZZ
@given(
    fields=st.dictionaries(st.sampled_from(FIELDS), ANY_TEXT, max_size=6),
    fmt=st.sampled_from(["json", "xml"]),
)
def test_fuzz_open311_post_never_5xx(world: World, api_key: str, fields: dict[str, str], fmt: str) -> None:
    data = {"service_code": "streetlight", **INSIDE_A, "description": "dark", **fields, "api_key": api_key}
    response = Client().post(f"/open311/v2/requests.{fmt}", data)
    assert response.status_code < 500, (data, response.content[:300])


@FUZZ
@given(
    query=st.dictionaries(st.sampled_from(QUERY), ANY_TEXT, max_size=4), fmt=st.sampled_from(["json", "xml"])
)
def test_fuzz_open311_get_never_5xx(db: Any, query: dict[str, str], fmt: str) -> None:
    response = Client().get(f"/open311/v2/requests.{fmt}", query)
    assert response.status_code < 500, (query, response.content[:300])


@FUZZ
@given(sid=ANY_TEXT, sender=ANY_TEXT, body=ANY_TEXT, status=ANY_TEXT)
def test_fuzz_twilio_webhooks_never_5xx(db: Any, sid: str, sender: str, body: str, status: str) -> None:
    channel = Channel.objects.filter(provider=Provider.TWILIO).first() or twilio_channel()
    client = Client()
    inbound = twilio_post(client, channel, {"MessageSid": sid, "From": sender, "Body": body})
    assert inbound.status_code < 500, inbound.content[:300]
    callback = twilio_post(client, channel, {"MessageSid": sid, "MessageStatus": status}, path="status")
    assert callback.status_code < 500, callback.content[:300]


JSON_VALUE = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), ANY_TEXT,
                       st.lists(st.integers(), max_size=3))  # fmt: skip


@FUZZ
@given(
    payload=st.dictionaries(st.sampled_from(["id", "from", "text", "status", "x"]), JSON_VALUE, max_size=5)
)
def test_fuzz_generic_webhooks_never_5xx(db: Any, payload: dict[str, Any]) -> None:
    channel = Channel.objects.filter(provider=Provider.GENERIC).first() or _generic_channel()
    client = Client()
    body = json.dumps(payload).encode()
    for path in ("inbound", "status"):
        response = _generic_post(client, channel, body, path=path)
        assert response.status_code < 500, (payload, response.content[:300])
