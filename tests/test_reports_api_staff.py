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
from tests.test_reports_triage_access import ALL, READS, SEES


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


@pytest.mark.parametrize("persona", ALL)
def test_api_list_and_detail_per_persona(
    world: World, reports: dict[str, Report], persona: str, django_assert_max_num_queries: Any
) -> None:
    client = verified_client(getattr(world, persona))
    with django_assert_max_num_queries(10):
        response = client.get("/api/v1/reports/?status=all")
    if persona == "resident":
        assert response.status_code == 403
        assert b"public_id" not in response.content
    else:
        assert response.status_code == 200
        listed = {r["public_id"] for r in response.json()["results"]}
        assert listed == {r.public_id for kind, r in reports.items() if persona in SEES[kind]}
    for kind, report in reports.items():
        detail = client.get(f"/api/v1/reports/{report.public_id}/")
        if persona in SEES[kind]:
            assert detail.status_code == 200
            readable = persona in READS[kind]
            assert detail.json()["description"] == (report.description if readable else None)
            assert detail.json()["content_withheld"] is not readable
        else:
            assert detail.status_code in (403, 404)
            assert report.description.encode() not in detail.content


@pytest.mark.parametrize("persona", ALL)
def test_core_photo_view_per_persona(world: World, reports: dict[str, Report], persona: str) -> None:
    photo = reports["ordinary"].photos.get()
    response = verified_client(getattr(world, persona)).get(f"/en/reports/photo/{photo.public_id}/")
    if persona in SEES["ordinary"]:
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
    else:
        assert response.status_code in (403, 404)
        assert not response.get("Content-Type", "").startswith("image/")


@pytest.mark.parametrize("persona", ALL)
def test_api_actions_out_of_scope_are_404_and_change_nothing(
    world: World, reports: dict[str, Report], persona: str
) -> None:
    client = verified_client(getattr(world, persona))
    posts = {
        "acknowledge": {},
        "status": {"to": "in_progress"},
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
                f"/api/v1/reports/{report.public_id}/{name}/", data, content_type="application/json"
            )
            assert response.status_code in (403, 404), (persona, kind, name)
        for name in ("assignees", "duplicate-suggestions"):
            assert client.get(f"/api/v1/reports/{report.public_id}/{name}/").status_code in (403, 404)
        report.refresh_from_db()
        assert report.status == "new"
        assert ReportUpdate.objects.filter(report=report).count() == 1
    assert not AccessLog.objects.exists()


def test_api_never_shows_contact_or_precise_location_in_report_data(
    world: World, reports: dict[str, Report]
) -> None:
    client = verified_client(world.station_head)
    for url in ("/api/v1/reports/?status=all", f"/api/v1/reports/{reports['ordinary'].public_id}/"):
        body = client.get(url).content.decode()
        for secret in ("03001234567", "+923001234567", "34.805123", "71.805456", "encrypted", "_index"):
            assert secret not in body, (url, secret)
    detail = client.get(f"/api/v1/reports/{reports['ordinary'].public_id}/").json()
    assert detail["has_contact"] is True and detail["has_precise_location"] is True
    assert detail["photos"][0]["url"].startswith("/en/reports/photo/")


def test_api_reveals_are_audited(world: World, reports: dict[str, Report]) -> None:
    client = verified_client(world.beat_officer)
    report = reports["ordinary"]
    contact = client.post(f"/api/v1/reports/{report.public_id}/reveal-contact/")
    assert contact.json()["phone"] == "+923001234567"
    assert contact["Cache-Control"] == "no-store"
    location = client.post(f"/api/v1/reports/{report.public_id}/reveal-location/").json()
    assert location == {"lat": 34.805123, "lon": 71.805456}
    actions = sorted(AccessLog.objects.filter(actor=world.beat_officer).values_list("action", flat=True))
    assert actions == ["view_contact", "view_location"]
    assert client.get(f"/api/v1/reports/{report.public_id}/reveal-contact/").status_code == 405


def test_api_actions_have_side_effects(world: World, reports: dict[str, Report]) -> None:
    client = verified_client(world.station_head)
    report = reports["ordinary"]
    url = f"/api/v1/reports/{report.public_id}"
    data = client.post(f"{url}/acknowledge/", {"note": "Seen"}, content_type="application/json").json()
    assert data["status"] == "acknowledged" and data["acknowledged_at"]
    assert data["updates"][-1]["note"] == "Seen" and data["updates"][-1]["public"] is True
    bad = client.post(f"{url}/status/", {"to": "referred"}, content_type="application/json")
    assert bad.status_code == 400 and "agency" in bad.json()["detail"]
    data = client.post(
        f"{url}/status/", {"to": "referred", "referred_to": "Municipality"}, content_type="application/json"
    ).json()
    assert (data["status"], data["referred_to"]) == ("referred", "Municipality")
    client.post(f"{url}/notes/", {"note": "Called TMA", "public": False}, content_type="application/json")
    assert ReportUpdate.objects.filter(report=report, note="Called TMA", public=False).exists()
    assignees = {o["username"] for o in client.get(f"{url}/assignees/").json()}
    assert assignees >= {"officer_a", "wdo"} and "officer_b" not in assignees
    data = client.post(f"{url}/assign/", {"assignee": "officer_a"}, content_type="application/json").json()
    assert data["assignee"] == "officer_a"
    refused = client.post(f"{url}/assign/", {"assignee": "officer_b"}, content_type="application/json")
    assert refused.status_code == 400
    report.refresh_from_db()
    assert report.assignee == world.beat_officer


def test_api_duplicate_suggestions_and_marking(world: World) -> None:
    client = verified_client(world.beat_officer)
    first = factories.report("street_lighting", lat=34.805, lon=71.805).report
    second = factories.report("street_lighting", lat=34.806, lon=71.805).report  # 111 m north
    suggestions = client.get(f"/api/v1/reports/{second.public_id}/duplicate-suggestions/").json()
    assert [(s["public_id"], s["nearness"], s["nearness_label"]) for s in suggestions] == [
        (first.public_id, "100_300m", "100-300 m")
    ]
    assert "distance_m" not in suggestions[0]
    data = client.post(
        f"/api/v1/reports/{second.public_id}/duplicate/",
        {"of": first.public_id},
        content_type="application/json",
    ).json()
    assert (data["status"], data["duplicate_of"]) == ("duplicate", first.public_id)


def test_api_needs_a_verified_session_and_csrf(world: World, reports: dict[str, Report]) -> None:
    unverified = Client()
    unverified.force_login(world.beat_officer)
    assert unverified.get("/api/v1/reports/").status_code == 403
    assert Client().get("/api/v1/reports/").status_code == 403
    strict = verified_client(world.beat_officer)
    strict.handler.enforce_csrf_checks = True
    response = strict.post(f"/api/v1/reports/{reports['ordinary'].public_id}/acknowledge/")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    # Basic authentication is not accepted (it would skip the second factor).
    basic = Client(headers={"Authorization": "Basic b2ZmaWNlcl9hOmNvcnJlY3QgaG9yc2UgYmF0dGVyeQ=="})
    assert basic.get("/api/v1/reports/").status_code == 403


def test_schema_and_docs_page(db: Any, client: Client) -> None:
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/v1/reports/",
        "/api/v1/reports/{public_id}/",
        "/api/v1/reports/{public_id}/acknowledge/",
        "/api/v1/reports/{public_id}/status/",
        "/api/v1/reports/{public_id}/reveal-contact/",
    ):
        assert path in paths
    docs = client.get("/api/docs/")
    body = docs.content.decode()
    assert docs.status_code == 200
    assert "POST /api/v1/reports/{public_id}/reveal-contact/" in body
    assert "<script" not in body and "cdn" not in body.lower()
