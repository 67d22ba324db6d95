"""Issue 10 point 7: media served safely with DEBUG off.

Officer photos of public profiles are served by rabta.people.media (the beat page's <img> URLs
answer 200 with DEBUG off); nothing else under /media/ is. Report photos live in private storage
outside MEDIA_ROOT, have no URL of their own, and reach a browser only through reports:photo, which
applies visible_to / content_visible_to and writes the access log.
"""

from __future__ import annotations

import importlib
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.test import Client, override_settings
from django.urls import clear_url_caches
from PIL import Image

from rabta.audit.models import AccessLog
from rabta.people.models import OfficerProfile, User
from rabta.reports.models import Photo, Report
from rabta.reports.storage import move_from_public_media
from tests.conftest import World, verified_client
from tests.paths import url_for
from tests.personas import PERSONAS

pytestmark = pytest.mark.django_db


def jpeg(color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buffer, "JPEG")
    return buffer.getvalue()


def png() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 200, 30)).save(buffer, "PNG")
    buffer.seek(0)
    return buffer


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEBUG = False


def with_photo(user: User) -> OfficerProfile:
    profile = user.officer_profile
    profile.photo.save("upload.jpg", ContentFile(jpeg()), save=False)
    profile.save(update_fields=["photo"])
    return profile


def img_sources(body: str) -> list[str]:
    return re.findall(r'<img[^>]*\ssrc="([^"]+)"', body)


@pytest.fixture
def report(world: World) -> Report:
    from tests import factories

    return factories.report("street_lighting", beat_obj=world.beat_a, photos=[png()]).report


# --- officer photos -------------------------------------------------------------------------


@override_settings(DEBUG=False)
def test_beat_page_officer_photos_are_served_with_debug_off(world: World) -> None:
    with_photo(world.beat_officer)
    page = Client().get(url_for("site:beat", world.beat_a.code))
    assert page.status_code == 200
    sources = [s for s in img_sources(page.content.decode()) if s.startswith("/media/")]
    assert sources == [f"/media/officers/{world.beat_officer.officer_profile.service_number}.jpg"]
    for src in sources:
        response = Client().get(src)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "public" in response["Cache-Control"] and "max-age=86400" in response["Cache-Control"]
        assert b"".join(response.streaming_content) == world.beat_officer.officer_profile.photo.read()  # type: ignore[attr-defined]


@pytest.mark.parametrize("change", ["hidden", "inactive"])
def test_hidden_or_inactive_officer_photo_is_404(world: World, change: str) -> None:
    profile = with_photo(world.beat_officer)
    url = profile.photo.url
    assert Client().get(url).status_code == 200
    if change == "hidden":
        profile.is_public = False
        profile.save(update_fields=["is_public"])
    else:
        world.beat_officer.is_active = False
        world.beat_officer.save(update_fields=["is_active"])
    response = Client().get(url)
    assert response.status_code == 404
    assert not response.get("Content-Type", "").startswith("image/")
    page = Client().get(url_for("site:beat", world.beat_a.code)).content.decode()
    assert url not in page


def test_nothing_else_under_media_is_served(world: World, report: Report) -> None:
    profile = with_photo(world.beat_officer)
    media = Path(django_settings.MEDIA_ROOT)
    # Files an attacker might hope for: a stray officer file no profile names, something outside
    # officers/, a settings-like file next to MEDIA_ROOT, and the report photo's own name.
    (media / "officers" / "stray.jpg").write_bytes(jpeg())
    (media / "other").mkdir()
    (media / "other" / "x.jpg").write_bytes(jpeg())
    (media.parent / "secret.txt").write_text("secret")
    photo: Photo = report.photos.get()
    client = Client()
    for path in (
        "/media/officers/stray.jpg",
        "/media/officers/nobody.jpg",
        "/media/other/x.jpg",
        "/media/officers/../other/x.jpg",
        "/media/officers/%2e%2e/other/x.jpg",
        "/media/officers/..%2f..%2fsecret.txt",
        "/media/officers/../../secret.txt",
        f"/media/officers/{profile.service_number}.jpg/../../other/x.jpg",
        "/media/officers/",
        "/media/" + photo.image.name,
        "/media/" + photo.thumbnail.name,
        "/media/officers/../" + photo.image.name,
        "/media/officers/%00.jpg",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert not response.get("Content-Type", "").startswith("image/"), path
    assert client.post(profile.photo.url).status_code == 405


# --- report photos ---------------------------------------------------------------------------


def test_report_photos_live_outside_media_root_with_no_url(report: Report) -> None:
    photo: Photo = report.photos.get()
    private = Path(django_settings.RABTA_PRIVATE_MEDIA_ROOT).resolve()
    media = Path(django_settings.MEDIA_ROOT).resolve()
    for field in (photo.image, photo.thumbnail):
        path = Path(field.path).resolve()
        assert path.is_file() and private in path.parents and media not in path.parents
        with pytest.raises(ValueError, match="no public URL"):
            field.url  # noqa: B018
    assert not media.exists() or not any(media.rglob("*.jpg"))


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_the_photo_or_a_404_as_visible_to_says(
    world: World, report: Report, persona: str
) -> None:
    user: User = getattr(world, persona)
    photo: Photo = report.photos.get()
    readable = Report.objects.content_visible_to(user).filter(pk=report.pk).exists()
    client = verified_client(user)
    for query, what in (("", "photo"), ("thumb=1", "photo thumbnail")):
        before = AccessLog.objects.count()
        response = client.get(url_for("reports:photo", photo.public_id, query=query))
        if not user.is_staff_role:
            assert response.status_code == 403
        elif readable:
            assert response.status_code == 200
            assert response["Content-Type"] == "image/jpeg"
            assert response["Cache-Control"] == "private, no-store"
            field = photo.thumbnail if query else photo.image
            assert b"".join(response.streaming_content) == field.read()  # type: ignore[attr-defined]
            entry = AccessLog.objects.latest("pk")
            assert (entry.actor_id, entry.action) == (user.pk, AccessLog.Action.VIEW_PHOTO)
            assert (entry.object_type, entry.object_id) == ("reports.report", str(report.pk))
            assert entry.detail == f"{what} {photo.public_id}"
        else:
            assert response.status_code == 404
        if not readable or not user.is_staff_role:
            assert not response.get("Content-Type", "").startswith("image/")
        assert AccessLog.objects.count() == before + (1 if readable and user.is_staff_role else 0)


def test_the_persona_test_sees_both_answers(world: World, report: Report) -> None:
    readers = {n for n, u in world.personas().items() if report.content_visible_to(u)}
    assert readers == {
        "beat_officer",
        "womens_desk_officer",
        "station_head",
        "district_coordinator",
        "admin_user",
    }


def test_an_unknown_photo_id_is_404_and_logs_nothing(world: World) -> None:
    response = verified_client(world.admin_user).get(url_for("reports:photo", "nosuchphoto"))
    assert response.status_code == 404
    assert not AccessLog.objects.exists()


def test_debug_on_media_urls_do_not_serve_report_photos(world: World, report: Report) -> None:
    import rabta.urls

    photo: Photo = report.photos.get()
    # The same file, copied where a DEBUG static serve of MEDIA_ROOT would find it.
    media = Path(django_settings.MEDIA_ROOT)
    (media / "reports" / "photos").mkdir(parents=True)
    (media / photo.image.name).write_bytes(photo.image.read())
    try:
        with override_settings(DEBUG=True):
            importlib.reload(rabta.urls)
            clear_url_caches()
            for path in ("/media/" + photo.image.name, "/media/" + photo.thumbnail.name):
                assert Client().get(path).status_code == 404, path
    finally:
        importlib.reload(rabta.urls)
        clear_url_caches()


def test_no_report_photo_path_appears_on_public_pages(world: World, report: Report) -> None:
    from tests import factories

    submission = factories.report("street_lighting", beat_obj=world.beat_a, photos=[png()])
    photo = submission.report.photos.get()
    pages = [
        url_for("places:home"),
        url_for("site:beat", world.beat_a.code),
        url_for("engagement:you_said_we_did", world.beat_a.code),
        url_for("reports:track", submission.token),
        "/open311/v2/requests.json",  # a literal: partner apps hard-code Open311 paths
        f"/open311/v2/requests/{submission.report.public_id}.json",
        f"/feeds/beats/{world.beat_a.code}/meetings.ics",
    ]
    secrets = [photo.public_id, photo.image.name, photo.thumbnail.name, "reports/photos", "reports/thumbs"]
    secrets += [p.public_id for p in report.photos.all()]
    for page in pages:
        response = Client().get(page)
        assert response.status_code == 200, page
        body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
        for secret in secrets:
            assert secret.encode() not in body, (page, secret)
        assert b"/reports/photo/" not in body, page


# --- moving photos stored before private storage --------------------------------------------


def test_existing_photos_are_moved_out_of_media_root() -> None:
    media = Path(django_settings.MEDIA_ROOT)
    private = Path(django_settings.RABTA_PRIVATE_MEDIA_ROOT)
    (media / "reports" / "photos").mkdir(parents=True)
    (media / "reports" / "photos" / "old.jpg").write_bytes(b"old photo")
    (media.parent / "outside.jpg").write_bytes(b"not ours")
    names = ["reports/photos/old.jpg", "reports/thumbs/missing.jpg", "../outside.jpg", ""]
    assert move_from_public_media(names) == 1
    assert not (media / "reports" / "photos" / "old.jpg").exists()
    assert (private / "reports" / "photos" / "old.jpg").read_bytes() == b"old photo"
    assert (media.parent / "outside.jpg").exists()
    assert move_from_public_media(names) == 0  # idempotent


def test_check_refuses_a_private_root_inside_media_root(settings: Any) -> None:
    from rabta.reports.storage import check_private_root

    assert check_private_root() == []
    settings.RABTA_PRIVATE_MEDIA_ROOT = Path(settings.MEDIA_ROOT) / "private"
    assert [e.id for e in check_private_root()] == ["rabta.reports.E001"]
    settings.RABTA_PRIVATE_MEDIA_ROOT = settings.MEDIA_ROOT
    assert [e.id for e in check_private_root()] == ["rabta.reports.E001"]
