"""The resident's pages: report form, success page, tracking by link and by code, rate limits."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tasks_db.models import DBTaskResult

from rabta.reports.models import Category, Photo, Report, Status
from tests.conftest import World
from tests.paths import url_for
from tests.test_reports_core_photos import gps_jpeg

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def form_data(world: World, **extra: Any) -> dict[str, Any]:
    data = {
        "idempotency_key": "k" * 32,
        "category": Category.objects.get(code="street_lighting").pk,
        "beat": world.beat_a.code,
        "place_description": "Behind the girls' school",
        "description": "The street light has been broken for two weeks; the lane is dark.",
        "occurred_on": "",
        "occurred_period": "evening",
    }
    data.update(extra)
    return data


def test_form_renders_without_javascript_in_three_languages(world: World, client: Client) -> None:
    for lang in ("en", "ur", "ps"):
        response = client.get(url_for("reports:new", lang=lang), {"beat": "GUL"})
        body = response.content.decode()
        assert response.status_code == 200
        assert 'enctype="multipart/form-data"' in body and 'name="idempotency_key"' in body
        assert '<option value="GUL" selected>' in body
        assert "oversight body" in body or lang != "en"
    assert "private, no-store" in response["Cache-Control"]


def test_submit_shows_tracking_link_and_code_once(world: World, client: Client) -> None:
    response = client.post(url_for("reports:new"), form_data(world))
    body = response.content.decode()
    assert response.status_code == 200
    link = re.search(r"http://testserver/en/track/([A-Za-z0-9_-]{32,})/", body)
    code = re.search(r"(\d{3})-(\d{3})-(\d{4})", body)
    assert link and code
    report = Report.objects.get()
    assert report.anonymous and report.beat == world.beat_a and report.channel == "web"
    assert report.language == "en" and report.status == Status.NEW
    # Credentials stored only as hashes.
    assert link.group(1) not in str(Report.objects.values().get())
    assert "".join(code.groups()) not in str(Report.objects.values().get())
    # Tracking by link and by code (with spaces instead of dashes).
    tracked = client.get(url_for("reports:track", link.group(1)))
    assert tracked.status_code == 200 and "New" in tracked.content.decode()
    by_code = client.post(url_for("reports:track_lookup"), {"code": " ".join(code.groups())})
    assert by_code.status_code == 200 and "Poor street lighting" in by_code.content.decode()


def test_double_submit_makes_one_report_and_same_credentials(world: World, client: Client) -> None:
    first = client.post(url_for("reports:new"), form_data(world)).content.decode()
    second = client.post(url_for("reports:new"), form_data(world)).content.decode()
    assert Report.objects.count() == 1
    pattern = re.escape(url_for("reports:track_lookup")) + r"([A-Za-z0-9_-]+)/"
    assert re.search(pattern, first).group(1) == re.search(pattern, second).group(1)  # type: ignore[union-attr]
    client.post(url_for("reports:new"), form_data(world, idempotency_key="z" * 32))
    assert Report.objects.count() == 2


def test_fake_jpeg_is_refused_and_the_rest_is_kept(world: World, client: Client) -> None:
    fake = SimpleUploadedFile("street.jpg", b"not an image at all\n" * 50, content_type="image/jpeg")
    response = client.post(url_for("reports:new"), form_data(world, photo1=fake))
    body = response.content.decode()
    assert response.status_code == 200 and not Report.objects.exists()
    assert "This file is not a photo we can accept" in body
    assert "The street light has been broken for two weeks" in body
    assert "Behind the girls&#x27; school" in body
    assert '<option value="GUL" selected>' in body
    assert 'value="evening" selected' in body


def test_photo_error_is_translated(world: World, client: Client) -> None:
    from django.utils import translation

    from rabta.reports.photos import PhotoError, process_upload

    fake = SimpleUploadedFile("a.jpg", b"text" * 100, content_type="image/jpeg")
    body = client.post(url_for("reports:new", lang="ur"), form_data(world, photo1=fake)).content.decode()
    with translation.override("ur"), pytest.raises(PhotoError) as refused:
        process_upload(fake)
    # The error goes through gettext in the page's language (whatever the .po says today).
    from django.utils.html import escape

    assert escape(str(refused.value)) in body and 'dir="rtl"' in body


def test_photos_are_stored_reencoded_and_served_to_staff_only(
    world: World, client: Client, staff_client: Any
) -> None:
    upload = SimpleUploadedFile("IMG_0001.jpg", gps_jpeg(), content_type="image/jpeg")
    client.post(url_for("reports:new"), form_data(world, photo1=upload))
    photo = Photo.objects.get()
    assert photo.image.name.startswith("reports/photos/") and "IMG_0001" not in photo.image.name
    stored = photo.image.read()
    assert b"ResidentPhone" not in stored and stored != gps_jpeg()
    url = url_for("reports:photo", photo.public_id)
    assert client.get(url).status_code == 302  # not logged in: to the login page
    assert staff_client(world.other_station_head).get(url).status_code == 404  # out of scope
    ok = staff_client(world.beat_officer).get(url, {"thumb": "1"})
    assert ok.status_code == 200 and ok["Content-Type"] == "image/jpeg"
    assert b"".join(ok.streaming_content) == photo.thumbnail.open("rb").read()


def test_neighbourhood_or_location_is_required(world: World, client: Client) -> None:
    body = client.post(url_for("reports:new"), form_data(world, beat="")).content.decode()
    assert "Choose your neighbourhood from the list." in body and not Report.objects.exists()
    client.post(url_for("reports:new"), form_data(world, beat="", lat="34.8055", lon="71.8052"))
    assert Report.objects.get().beat == world.beat_a


def test_invalid_phone_gives_a_clear_error(world: World, client: Client) -> None:
    body = client.post(url_for("reports:new"), form_data(world, phone="12")).content.decode()
    assert "phone number" in body and not Report.objects.exists()


def test_conduct_complaint_explains_oversight(world: World, client: Client) -> None:
    data = form_data(world, category=Category.objects.get(code="police_conduct").pk)
    body = client.post(url_for("reports:new"), data).content.decode()
    assert "independent oversight body, not to the police station" in body


def test_submission_rate_limit_gives_translated_429(world: World, client: Client, settings: Any) -> None:
    settings.RABTA_RATE_LIMITS = {**settings.RABTA_RATE_LIMITS, "report": (2, 3600)}
    for i in range(2):
        assert (
            client.post(url_for("reports:new"), form_data(world, idempotency_key=f"{i}" * 32)).status_code
            == 200
        )
    refused = client.post(url_for("reports:new", lang="ps"), form_data(world, idempotency_key="x" * 32))
    assert refused.status_code == 429
    assert Report.objects.count() == 2
    assert 'lang="ps"' in refused.content.decode()


def test_per_contact_rate_limit(world: World, settings: Any) -> None:
    settings.RABTA_RATE_LIMITS = {**settings.RABTA_RATE_LIMITS, "report_contact": (1, 3600)}
    # Two different clients, the same phone number written two ways.
    assert (
        Client(REMOTE_ADDR="10.0.0.1")
        .post(url_for("reports:new"), form_data(world, phone="0300 1234567"))
        .status_code
        == 200
    )
    refused = Client(REMOTE_ADDR="10.0.0.2").post(
        url_for("reports:new"), form_data(world, phone="+92 300 1234567", idempotency_key="q" * 32)
    )
    assert refused.status_code == 429 and "Please try again later" in refused.content.decode()
    assert Report.objects.count() == 1


def test_code_lookup_is_rate_limited(world: World, client: Client, settings: Any) -> None:
    settings.RABTA_RATE_LIMITS = {**settings.RABTA_RATE_LIMITS, "track": (3, 3600)}
    for _ in range(3):
        assert client.post(url_for("reports:track_lookup"), {"code": "123-456-7890"}).status_code == 404
    limited = client.post(url_for("reports:track_lookup"), {"code": "123-456-7890"})
    assert limited.status_code == 429 and "Too many tracking codes" in limited.content.decode()


def test_unknown_token_is_404_without_detail(world: World, client: Client) -> None:
    response = client.get(url_for("reports:track_lookup") + "A" * 32 + "/")
    assert response.status_code == 404 and "could not find" in response.content.decode()


def test_submission_sets_deadlines_and_leaves_checking_to_the_sweep(
    world: World, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url_for("reports:new"), form_data(world))
    report = Report.objects.get()
    assert report.first_contact_due == report.created_at + dt.timedelta(
        hours=report.category.first_contact_hours
    )
    assert report.resolution_due is not None and report.resolution_due > report.first_contact_due
    # No task per report: rabta.reports.tasks.sweep_overdue flags every late report.
    assert not DBTaskResult.objects.filter(task_path__startswith="rabta.reports").exists()


def test_links_from_home_and_beat_page(world: World, client: Client) -> None:
    form = url_for("reports:new")
    assert f'href="{form}"' in client.get(url_for("places:home")).content.decode()
    assert f'href="{form}?beat=GUL"' in client.get(url_for("site:beat", "GUL")).content.decode()
