"""Issue 9 point 11: "a woman officer only" means women only.

A women-only report (web or SMS) in beat_a of station_a. The woman officer of the desk reads all of
it. The station head (a man) sees it through visible_to, but learns only that it exists, its
category, status, beat, assignee and deadlines: not in the queue, the page, the photo view, the
reveals (refused and logged), the staff API, the admin. It can be assigned only to women of the desk.
Officers outside (beat officer, coordinator, admin) still get 404. The rule lives in one place:
Report.objects.content_visible_to / report.content_visible_to.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.test import Client
from PIL import Image

from rabta.audit.models import AccessLog
from rabta.people.models import Gender, Role
from rabta.reports.models import Channel, Photo, Report, ReportUpdate
from rabta.reports.selectors import assignable_officers, duplicate_candidates
from rabta.reports.services import ContactRefused, LocationRefused, assign, reveal_contact, reveal_location
from tests import factories
from tests.conftest import World, verified_client
from tests.paths import url_for
from tests.test_reports_public_form import form_data

pytestmark = pytest.mark.django_db

DESCRIPTION = "The cousin of my husband follows me from the bus stand every evening"
PLACE = "the green gate behind the school for girls"
INTERNAL = "INTERNAL the cousin works at the petrol pump"
PUBLIC = "PUBLIC we will call you after four"
HOURS = "after 4 pm only"
SECRETS = (DESCRIPTION, PLACE, INTERNAL, PUBLIC, HOURS, "+923001234567", "1234567", "34.805123", "71.805456")
NOT_IN_SCOPE = ["beat_officer", "other_beat_officer", "district_coordinator", "admin_user", "oversight"]


def png() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 200, 30)).save(buffer, "PNG")
    buffer.seek(0)
    return buffer


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(params=[Channel.WEB, Channel.SMS])
def report(request: Any, world: World) -> Report:
    report = factories.report(
        "street_harassment",
        lat=34.805123,
        lon=71.805456,
        woman_officer_only=True,
        description=DESCRIPTION,
        place_description=PLACE,
        phone="03001234567",
        safe_call_hours=HOURS,
        channel=request.param,
        contact_consent=True,
        photos=[png()],
    ).report
    report.add_note(by=world.womens_desk_officer, note=INTERNAL, public=False)
    report.add_note(by=world.womens_desk_officer, note=PUBLIC, public=True)
    return report


def assert_nothing_of(body: str) -> None:
    for secret in SECRETS:
        assert secret not in body, secret


def test_the_rule_in_one_place(world: World, report: Report) -> None:
    readers = {
        name
        for name, user in world.personas().items()
        if Report.objects.content_visible_to(user).filter(pk=report.pk).exists()
    }
    assert readers == {"womens_desk_officer"}
    assert {n for n, u in world.personas().items() if report.content_visible_to(u)} == readers
    assert Report.objects.visible_to(world.station_head).filter(pk=report.pk).exists()
    # Ordinary and women's-desk reports without the tick are read by the station head as before.
    plain = factories.report("violence_against_women", beat_obj=world.beat_a).report
    assert plain.content_visible_to(world.station_head) and plain.content_visible_to(
        world.womens_desk_officer
    )


def test_station_head_queue_shows_that_it_exists_only(world: World, report: Report) -> None:
    body = verified_client(world.station_head).get(url_for("reports:staff_queue")).content.decode()
    assert report.public_id in body and "Street harassment" in body
    assert_nothing_of(body)


def test_station_head_detail_page_holds_no_content(world: World, report: Report) -> None:
    factories.report("street_harassment", lat=34.8051, lon=71.8054)  # a near duplicate candidate
    report.assignee = world.womens_desk_officer
    report.save(update_fields=["assignee"])
    page = (
        verified_client(world.station_head)
        .get(url_for("reports:staff_detail", report.public_id))
        .content.decode()
    )
    assert "only women officers of the women's desk can read this report" in page
    assert "Street harassment" in page and "Gulabad" in page and "Resolution due" in page
    assert world.womens_desk_officer.get_full_name() in page  # the assignee
    assert_nothing_of(page)
    assert f"{report.public_lat:.4f}" not in page  # not even the approximate point
    for action in ("contact/", "location/", "status/", "note/", "acknowledge/", "duplicate/", "neutral/"):
        assert f"/staff/reports/{report.public_id}/{action}" not in page, action
    assert f"/staff/reports/{report.public_id}/assign/" in page
    assert "/reports/photo/" not in page
    assert not AccessLog.objects.exists()


def test_woman_officer_of_the_desk_reads_everything(world: World, report: Report) -> None:
    client = verified_client(world.womens_desk_officer)
    page = client.get(url_for("reports:staff_detail", report.public_id)).content.decode()
    for secret in (DESCRIPTION, PLACE, INTERNAL, PUBLIC, HOURS):
        assert secret in page
    photo = report.photos.get()
    shown = client.get(url_for("reports:photo", photo.public_id))
    assert shown.status_code == 200
    assert shown["Content-Type"].startswith("image/")
    assert (
        "+923001234567"
        in client.post(url_for("reports:staff_reveal_contact", report.public_id)).content.decode()
    )
    assert (
        "34.805123"
        in client.post(url_for("reports:staff_reveal_location", report.public_id)).content.decode()
    )
    api = client.get(url_for("api:report-detail", report.public_id)).json()
    assert api["description"] == DESCRIPTION and api["content_withheld"] is False
    actions = sorted(
        AccessLog.objects.filter(actor=world.womens_desk_officer).values_list("action", flat=True)
    )
    assert actions == ["view_contact", "view_location", "view_photo"]


def test_station_head_photo_view_is_404(world: World, report: Report) -> None:
    photo: Photo = report.photos.get()
    client = verified_client(world.station_head)
    for query in ("", "thumb=1"):
        response = client.get(url_for("reports:photo", photo.public_id, query=query))
        assert response.status_code == 404
        assert not response.get("Content-Type", "").startswith("image/")


def test_station_head_reveals_are_refused_and_logged(world: World, report: Report) -> None:
    head = world.station_head
    with pytest.raises(ContactRefused):
        reveal_contact(report=report, viewer=head)
    with pytest.raises(LocationRefused):
        reveal_location(report=report, viewer=head)
    client = verified_client(head)
    for url in (
        url_for("reports:staff_reveal_contact", report.public_id),
        url_for("reports:staff_reveal_location", report.public_id),
        url_for("api:report-reveal-contact", report.public_id),
        url_for("api:report-reveal-location", report.public_id),
    ):
        response = client.post(url)
        assert response.status_code == 403, url
        body = response.content.decode()
        assert "Only women officers of the women" in body
        assert_nothing_of(body)
    logs = AccessLog.objects.filter(actor=head)
    assert logs.count() == 6
    assert set(logs.values_list("action", flat=True)) == {AccessLog.Action.REFUSED}
    assert {log.detail for log in logs} == {"contact: women's desk only", "location: women's desk only"}


def test_station_head_api_withholds_the_content(world: World, report: Report) -> None:
    client = verified_client(world.station_head)
    listing = client.get(url_for("api:report-list", query="status=all"))
    row = next(r for r in listing.json()["results"] if r["public_id"] == report.public_id)
    assert row["content_withheld"] is True and row["public_location"] is None and row["anonymous"] is None
    assert (row["category"], row["status"], row["beat"]) == ("street_harassment", "new", "GUL")
    assert row["first_contact_due"] and row["resolution_due"]
    response = client.get(url_for("api:report-detail", report.public_id))
    detail = response.json()
    assert detail["content_withheld"] is True
    for name in (
        "description",
        "place_description",
        "safe_call_hours",
        "has_contact",
        "has_precise_location",
    ):
        assert detail[name] is None, name
    assert detail["photos"] == [] and detail["allowed_statuses"] == []
    assert all(u["note"] == "" for u in detail["updates"]) and len(detail["updates"]) == 3
    assert_nothing_of(listing.content.decode() + response.content.decode())
    assert client.get(url_for("api:report-duplicate-suggestions", report.public_id)).json() == []


def test_station_head_cannot_act_on_it_but_can_hand_it_to_a_woman(world: World, report: Report) -> None:
    client = verified_client(world.station_head)
    updates = ReportUpdate.objects.filter(report=report).count()
    for name, data in [
        ("reports:staff_acknowledge", {"note": "seen", "public": "1"}),
        ("reports:staff_status", {"to": "in_progress"}),
        ("reports:staff_note", {"note": "my note", "public": "0"}),
        ("reports:staff_neutral", {}),
    ]:
        page = client.post(url_for(name, report.public_id), data, follow=True)
        assert "Only women officers of the women" in page.content.decode(), name
    api = client.post(
        url_for("api:report-change-status", report.public_id),
        {"to": "in_progress"},
        content_type="application/json",
    )
    assert api.status_code == 400
    report.refresh_from_db()
    assert report.status == "new" and ReportUpdate.objects.filter(report=report).count() == updates
    # The assignee list holds only the woman officer of the desk, not the head himself.
    assert assignable_officers(report) == [world.womens_desk_officer]
    names = [o["username"] for o in client.get(url_for("api:report-assignees", report.public_id)).json()]
    assert names == ["wdo"]
    with pytest.raises(PermissionDenied):
        assign(report=report, to=world.station_head, by=world.station_head)
    refused = client.post(
        url_for("reports:staff_assign", report.public_id), {"assignee": "sho_a"}, follow=True
    )
    assert "cannot take this report" in refused.content.decode()
    client.post(url_for("reports:staff_assign", report.public_id), {"assignee": "wdo"})
    report.refresh_from_db()
    assert report.assignee == world.womens_desk_officer


@pytest.mark.parametrize("persona", NOT_IN_SCOPE)
def test_others_still_do_not_see_it_at_all(world: World, report: Report, persona: str) -> None:
    client = verified_client(getattr(world, persona))
    assert client.get(url_for("reports:staff_detail", report.public_id)).status_code == 404
    assert client.get(url_for("api:report-detail", report.public_id)).status_code == 404
    assert client.post(url_for("reports:staff_reveal_contact", report.public_id)).status_code == 404
    assert client.get(url_for("reports:photo", report.photos.get().public_id)).status_code == 404
    assert not AccessLog.objects.exists()


def test_a_woman_station_head_on_the_desk_reads_it(world: World, report: Report) -> None:
    head = factories.officer(
        station_obj=world.station_a,
        role=Role.STATION_HEAD,
        gender=Gender.WOMAN,
        on_womens_desk=True,
        username="sho_woman",
    )
    assert report.content_visible_to(head)
    page = verified_client(head).get(url_for("reports:staff_detail", report.public_id)).content.decode()
    assert DESCRIPTION in page
    assert head in assignable_officers(report)


def test_duplicate_suggestions_leave_women_only_reports_to_the_desk(world: World, report: Report) -> None:
    nearby = factories.report("street_harassment", lat=34.8052, lon=71.8055).report
    assert report not in {r for r, _ in duplicate_candidates(world.station_head, nearby)}
    assert report in {r for r, _ in duplicate_candidates(world.womens_desk_officer, nearby)}


def test_reports_are_not_in_the_django_admin(world: World, report: Report) -> None:
    for model in (Report, ReportUpdate, Photo):
        assert not admin.site.is_registered(model)
    for persona in ("admin_user", "station_head"):
        client = verified_client(getattr(world, persona))
        # Written out: these admin pages must not exist, so there is no name to reverse.
        for url in ("/admin/reports/report/", f"/admin/reports/report/{report.pk}/change/"):
            response = client.get(url)
            assert response.status_code in (302, 403, 404), url
            assert_nothing_of(response.content.decode())


@pytest.mark.parametrize(
    ("extra", "line"),
    [
        ({"woman_officer_only": "on"}, "Only women officers of the women's desk will read it."),
        ({"category_code": "police_conduct"}, "It goes to the oversight body, never to the station."),
        ({}, "The police of your neighbourhood and their station head will read it."),
    ],
)
def test_the_resident_is_told_who_will_read_it(
    world: World, client: Client, extra: dict[str, str], line: str
) -> None:
    from rabta.reports.models import Category

    form = client.get(url_for("reports:new")).content.decode()
    assert "only women officers of the women&#x27;s desk will read it" in form
    code = extra.pop("category_code", "street_harassment")
    data = form_data(world, category=Category.objects.get(code=code).pk, **extra)
    done = client.post(url_for("reports:new"), data).content.decode()
    assert line.replace("'", "&#x27;") in done
