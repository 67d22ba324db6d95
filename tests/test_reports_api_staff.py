"""The staff JSON API (/api/v1/reports/): persona matrix, actions with side effects, schema and docs."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from PIL import Image

from rabta.audit.models import AccessLog
from rabta.reports.models import Report, ReportUpdate
from tests import factories
from tests.conftest import World, verified_client
from tests.paths import url_for
from tests.personas import PERSONAS
from tests.test_reports_triage_access import READS, SEES


def png() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "p.png"
    return buffer


@pytest.fixture
def reports(world: World) -> dict[str, Report]:
    return {
        "ordinary": factories.report(
            "street_lighting", lat=34.805123, lon=71.805456, phone="03001234567", photos=[png()]
        ).report,
        "sensitive": factories.report(
            "street_harassment", lat=34.806, lon=71.806, woman_officer_only=True
        ).report,
        "conduct": factories.report(
            "police_conduct", beat_obj=world.beat_a, subject_officer=world.beat_officer
        ).report,
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_list_and_detail_per_persona(
    world: World, reports: dict[str, Report], persona: str, django_assert_max_num_queries: Any
) -> None:
    client = verified_client(getattr(world, persona))
    with django_assert_max_num_queries(10):
        response = client.get(url_for("api:report-list", query="status=all"))
    if persona == "resident":
        assert response.status_code == 403
        assert b"public_id" not in response.content
    else:
        assert response.status_code == 200
        listed = {r["public_id"] for r in response.json()["results"]}
        assert listed == {r.public_id for kind, r in reports.items() if persona in SEES[kind]}
    for kind, report in reports.items():
        detail = client.get(url_for("api:report-detail", report.public_id))
        if persona in SEES[kind]:
            assert detail.status_code == 200
            readable = persona in READS[kind]
            assert detail.json()["description"] == (report.description if readable else None)
            assert detail.json()["content_withheld"] is not readable
        else:
            assert detail.status_code in (403, 404)
            assert report.description.encode() not in detail.content


@pytest.mark.parametrize("persona", PERSONAS)
def test_core_photo_view_per_persona(world: World, reports: dict[str, Report], persona: str) -> None:
    photo = reports["ordinary"].photos.get()
    response = verified_client(getattr(world, persona)).get(url_for("reports:photo", photo.public_id))
    if persona in SEES["ordinary"]:
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
    else:
        assert response.status_code in (403, 404)
        assert not response.get("Content-Type", "").startswith("image/")


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_actions_out_of_scope_are_404_and_change_nothing(
    world: World, reports: dict[str, Report], persona: str
) -> None:
    client = verified_client(getattr(world, persona))
    posts = {  # by URL name, api:report-<name>
        "acknowledge": {},
        "change-status": {"to": "in_progress"},
        "notes": {"note": "x", "public": False},
        "assign": {"assignee": ""},
        "duplicate": {"of": "0" * 16},
        "reveal-contact": {},
        "reveal-location": {},
    }
    for kind, report in reports.items():
        if persona in SEES[kind]:
            continue
        for name, data in posts.items():
            response = client.post(
                url_for(f"api:report-{name}", report.public_id), data, content_type="application/json"
            )
            assert response.status_code in (403, 404), (persona, kind, name)
        for name in ("assignees", "duplicate-suggestions"):
            assert client.get(url_for(f"api:report-{name}", report.public_id)).status_code in (403, 404)
        report.refresh_from_db()
        assert report.status == "new"
        assert ReportUpdate.objects.filter(report=report).count() == 1
    assert not AccessLog.objects.exists()


def test_api_never_shows_contact_or_precise_location_in_report_data(
    world: World, reports: dict[str, Report]
) -> None:
    client = verified_client(world.station_head)
    for url in (
        url_for("api:report-list", query="status=all"),
        url_for("api:report-detail", reports["ordinary"].public_id),
    ):
        body = client.get(url).content.decode()
        for secret in ("03001234567", "+923001234567", "34.805123", "71.805456", "encrypted", "_index"):
            assert secret not in body, (url, secret)
    detail = client.get(url_for("api:report-detail", reports["ordinary"].public_id)).json()
    assert detail["has_contact"] is True and detail["has_precise_location"] is True
    assert detail["photos"][0]["url"] == url_for("reports:photo", reports["ordinary"].photos.get().public_id)


def test_api_reveals_are_audited(world: World, reports: dict[str, Report]) -> None:
    client = verified_client(world.beat_officer)
    report = reports["ordinary"]
    contact = client.post(url_for("api:report-reveal-contact", report.public_id))
    assert contact.json()["phone"] == "+923001234567"
    assert contact["Cache-Control"] == "no-store"
    location = client.post(url_for("api:report-reveal-location", report.public_id)).json()
    assert location == {"lat": 34.805123, "lon": 71.805456}
    actions = sorted(AccessLog.objects.filter(actor=world.beat_officer).values_list("action", flat=True))
    assert actions == ["view_contact", "view_location"]
    assert client.get(url_for("api:report-reveal-contact", report.public_id)).status_code == 405


def test_api_actions_have_side_effects(world: World, reports: dict[str, Report]) -> None:
    client = verified_client(world.station_head)
    report = reports["ordinary"]

    def url(action: str) -> str:
        return url_for(f"api:report-{action}", report.public_id)

    data = client.post(url("acknowledge"), {"note": "Seen"}, content_type="application/json").json()
    assert data["status"] == "acknowledged" and data["acknowledged_at"]
    assert data["updates"][-1]["note"] == "Seen" and data["updates"][-1]["public"] is True
    bad = client.post(url("change-status"), {"to": "referred"}, content_type="application/json")
    assert bad.status_code == 400 and "agency" in bad.json()["detail"]
    data = client.post(
        url("change-status"),
        {"to": "referred", "referred_to": "Municipality"},
        content_type="application/json",
    ).json()
    assert (data["status"], data["referred_to"]) == ("referred", "Municipality")
    client.post(url("notes"), {"note": "Called TMA", "public": False}, content_type="application/json")
    assert ReportUpdate.objects.filter(report=report, note="Called TMA", public=False).exists()
    assignees = {o["username"] for o in client.get(url("assignees")).json()}
    assert assignees >= {"officer_a", "wdo"} and "officer_b" not in assignees
    data = client.post(url("assign"), {"assignee": "officer_a"}, content_type="application/json").json()
    assert data["assignee"] == "officer_a"
    refused = client.post(url("assign"), {"assignee": "officer_b"}, content_type="application/json")
    assert refused.status_code == 400
    report.refresh_from_db()
    assert report.assignee == world.beat_officer


def test_api_duplicate_suggestions_and_marking(world: World) -> None:
    client = verified_client(world.beat_officer)
    first = factories.report("street_lighting", lat=34.805, lon=71.805).report
    second = factories.report("street_lighting", lat=34.806, lon=71.805).report  # 111 m north
    suggestions = client.get(url_for("api:report-duplicate-suggestions", second.public_id)).json()
    assert [(s["public_id"], s["nearness"], s["nearness_label"]) for s in suggestions] == [
        (first.public_id, "100_300m", "100-300 m")
    ]
    assert "distance_m" not in suggestions[0]
    data = client.post(
        url_for("api:report-duplicate", second.public_id),
        {"of": first.public_id},
        content_type="application/json",
    ).json()
    assert (data["status"], data["duplicate_of"]) == ("duplicate", first.public_id)


def test_api_needs_a_verified_session_and_csrf(world: World, reports: dict[str, Report]) -> None:
    unverified = Client()
    unverified.force_login(world.beat_officer)
    assert unverified.get(url_for("api:report-list")).status_code == 403
    assert Client().get(url_for("api:report-list")).status_code == 403
    strict = verified_client(world.beat_officer)
    strict.handler.enforce_csrf_checks = True
    response = strict.post(url_for("api:report-acknowledge", reports["ordinary"].public_id))
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    # Basic authentication is not accepted (it would skip the second factor).
    basic = Client(headers={"Authorization": "Basic b2ZmaWNlcl9hOmNvcnJlY3QgaG9yc2UgYmF0dGVyeQ=="})
    assert basic.get(url_for("api:report-list")).status_code == 403


def test_schema_and_docs_page(db: Any, client: Client) -> None:
    schema = client.get(url_for("api:schema", query="format=json"))
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    # The documented paths are written out: they are what an API client is built against.
    for path in (
        "/api/v1/reports/",
        "/api/v1/reports/{public_id}/",
        "/api/v1/reports/{public_id}/acknowledge/",
        "/api/v1/reports/{public_id}/status/",
        "/api/v1/reports/{public_id}/reveal-contact/",
    ):
        assert path in paths
    docs = client.get(url_for("api:docs"))
    body = docs.content.decode()
    assert docs.status_code == 200
    assert "POST /api/v1/reports/{public_id}/reveal-contact/" in body
    assert "<script" not in body and "cdn" not in body.lower()


def test_api_out_of_scope_answers_as_for_an_unknown_id(world: World, reports: dict[str, Report]) -> None:
    """A report outside the caller's scope is a 404 whose body is the one an id that never existed
    gets, on every endpoint: never a 403 or a 500 that would tell a probe the report is there."""
    client = verified_client(world.other_beat_officer)
    hidden = reports["ordinary"].public_id
    assert "other_beat_officer" not in SEES["ordinary"]
    unknown = client.get(url_for("api:report-detail", "0" * 16))
    assert unknown.status_code == 404
    assert unknown.json() == {"detail": "no such report"}
    for public_id in (hidden, "0" * 16):
        answers = [client.get(url_for("api:report-detail", public_id))]
        answers += [
            client.get(f"/api/v1/reports/{public_id}/{name}/")
            for name in ("assignees", "duplicate-suggestions")
        ]
        answers += [
            client.post(f"/api/v1/reports/{public_id}/{name}/", {}, content_type="application/json")
            for name in ("acknowledge", "reveal-contact", "reveal-location")
        ]
        for response in answers:
            assert (response.status_code, response.json()) == (404, unknown.json()), response.request[
                "PATH_INFO"
            ]
    assert not AccessLog.objects.exists()
