"""Hostile uploads: pixel bombs refused from the header, request bodies capped, clear answers, never a 500."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from django.utils.html import escape
from PIL import Image, ImageFile, JpegImagePlugin

from rabta.lib import images
from rabta.reports.models import Photo, Report
from rabta.reports.photos import PhotoError, process_upload, too_many_pixels_message
from tests.conftest import World
from tests.paths import url_for
from tests.test_reports_public_form import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RABTA_PRIVATE_MEDIA_ROOT = tmp_path / "private"


def bomb_png(width: int = 8000, height: int = 6000) -> bytes:
    """A one-colour PNG whose header claims width x height: a few KB on disk, 144 MB once decoded to RGB."""
    out = io.BytesIO()
    Image.new("1", (width, height), 1).save(out, format="PNG", optimize=True)
    return out.getvalue()


def photo_jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.linear_gradient("L").resize((width, height)).convert("RGB").save(out, format="JPEG", quality=80)
    return out.getvalue()


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[int, int]]]:
    """Records the size of every full decode (ImageFile.load) while the test runs."""
    seen: list[tuple[int, int]] = []
    original = ImageFile.ImageFile.load

    def load(self: ImageFile.ImageFile) -> Any:
        seen.append(self.size)
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    yield seen


def peak_rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def reset_peak_rss() -> bool:
    """Linux lets a process reset its own high-water mark (proc(5), clear_refs value 5)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def test_the_pixel_limit_is_process_wide_and_low() -> None:
    assert Image.MAX_IMAGE_PIXELS == django_settings.RABTA_MAX_IMAGE_PIXELS == 13_000_000


def test_the_limits_come_from_the_environment_in_a_production_process() -> None:
    from tests.test_settings import manage, production

    shown = "from PIL import Image; from django.conf import settings as s; "
    shown += "print(Image.MAX_IMAGE_PIXELS, s.RABTA_MAX_REQUEST_BYTES)"
    done = manage(
        "shell",
        "-c",
        shown,
        **production(RABTA_MAX_IMAGE_PIXELS="4000000", RABTA_MAX_REQUEST_BYTES="1048576"),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-2:] == ["4000000", "1048576"]
    refused = manage("check", **production(RABTA_MAX_IMAGE_PIXELS="0"))
    assert refused.returncode != 0 and "RABTA_MAX_IMAGE_PIXELS" in refused.stderr


def test_tiny_file_with_a_huge_canvas_is_refused_on_the_form_without_decoding(
    world: World, client: Client, decodes: list[tuple[int, int]]
) -> None:
    data = bomb_png()
    assert len(data) < 20_000  # the attack: a few KB that would decode to 144 MB
    upload = SimpleUploadedFile("street.png", data, content_type="image/png")
    measured = reset_peak_rss()
    before = peak_rss_kb()
    response = client.post(url_for("reports:new"), form_data(world, photo1=upload))
    grown_mb = (peak_rss_kb() - before) / 1024
    body = response.content.decode()
    assert response.status_code == 200
    assert escape(too_many_pixels_message()) in body and "13 megapixels" in body
    # The rest of the form is kept for a second try; nothing was stored.
    assert "The street light has been broken for two weeks" in body
    assert not Report.objects.exists() and not Photo.objects.exists()
    assert decodes == []  # refused from the header
    if measured:
        assert grown_mb < 40, f"peak RSS grew {grown_mb:.0f} MB while refusing"


def test_a_canvas_between_the_limit_and_twice_the_limit_is_refused_too(
    decodes: list[tuple[int, int]],
) -> None:
    # Pillow itself only warns up to twice MAX_IMAGE_PIXELS; the warning is an error here.
    with pytest.raises(PhotoError, match="too many pixels"):
        process_upload(io.BytesIO(bomb_png(5000, 4000)))
    assert decodes == []


def test_the_refusal_is_translated(world: World, client: Client) -> None:
    upload = SimpleUploadedFile("a.png", bomb_png(), content_type="image/png")
    body = client.post(url_for("reports:new", lang="ur"), form_data(world, photo1=upload)).content.decode()
    with translation.override("ur"):
        expected = too_many_pixels_message()
    assert escape(expected) in body and 'dir="rtl"' in body


def test_a_phone_photo_near_the_limit_is_accepted_and_decoded_reduced(
    world: World, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    drafts: list[tuple[int, int]] = []
    original = JpegImagePlugin.JpegImageFile.draft

    def draft(self: Any, mode: Any, size: Any) -> Any:
        result = original(self, mode, size)
        drafts.append(self.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", draft)
    upload = SimpleUploadedFile("IMG_0002.jpg", photo_jpeg(4000, 3000), content_type="image/jpeg")
    response = client.post(url_for("reports:new"), form_data(world, photo1=upload))
    assert response.status_code == 200 and Report.objects.count() == 1
    photo = Photo.objects.get()
    with Image.open(photo.image.open("rb")) as stored:
        assert max(stored.size) == 1600
    # 12 megapixels bound for 1600 pixels: decoded at half scale (2000x1500), never at full size.
    assert drafts and drafts[0] == (2000, 1500)


def test_request_over_the_body_cap_gets_a_clear_413_page(world: World, client: Client, settings: Any) -> None:
    settings.RABTA_MAX_REQUEST_BYTES = 200 * 1024
    upload = SimpleUploadedFile("big.jpg", b"\xff" * (300 * 1024), content_type="image/jpeg")
    response = client.post(url_for("reports:new", lang="ur"), form_data(world, photo1=upload))
    body = response.content.decode()
    assert response.status_code == 413
    with translation.override("ur"):
        from django.utils.translation import gettext

        expected = gettext("The request is too large: at most %(megabytes)d MB, photos included.") % {
            "megabytes": 1
        }
    assert escape(expected) in body and 'dir="rtl"' in body
    assert not Report.objects.exists()


def test_open311_and_api_answer_413_in_their_own_format(client: Client, settings: Any) -> None:
    settings.RABTA_MAX_REQUEST_BYTES = 1024
    big = {"description": "x" * 4096}
    # Literal Open311 path: partner apps hard-code it.
    response = client.post("/open311/v2/requests.json", big)
    assert response.status_code == 413
    assert json.loads(response.content)[0]["code"] == 413
    xml = client.post("/open311/v2/requests.xml", big)
    assert xml.status_code == 413 and b"<code>413</code>" in xml.content
    api = client.post("/api/v1/reports/", json.dumps(big), content_type="application/json")
    assert api.status_code == 413 and "too large" in api.json()["detail"]


def test_too_many_files_gets_400_with_a_page_not_a_500(world: World, client: Client) -> None:
    files = {
        f"photo{i}": SimpleUploadedFile(f"{i}.jpg", photo_jpeg(40, 30), content_type="image/jpeg")
        for i in range(1, 7)
    }
    response = client.post(url_for("reports:new"), form_data(world, **files))
    assert response.status_code == 400
    assert "We could not read what you sent" in response.content.decode()
    assert not Report.objects.exists()


def test_form_fields_over_the_memory_cap_get_400_with_a_page(world: World, client: Client) -> None:
    response = client.post(url_for("reports:new"), form_data(world, description="x" * (300 * 1024)))
    assert response.status_code == 400
    assert "We could not read what you sent" in response.content.decode()
    assert not Report.objects.exists()


def test_officer_photo_with_a_huge_canvas_is_refused_in_the_admin_with_the_limit(
    world: World, decodes: list[tuple[int, int]]
) -> None:
    from tests.test_admin_scope import profile_data, verified_client

    profile = world.beat_officer.officer_profile
    bomb = io.BytesIO(bomb_png())
    bomb.name = "me.png"
    response = verified_client(world.station_head).post(
        url_for("admin:people_officerprofile_change", profile.pk), profile_data(profile, photo=bomb)
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["photo"]
    assert errors == ["This image has too many pixels. Use one of at most 13 megapixels."]
    assert decodes == []
    profile.refresh_from_db()
    assert not profile.photo


def test_reencode_refuses_over_the_limit_from_the_header(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(images.ImageTooLarge) as refused:
        images.reencode_image(io.BytesIO(bomb_png(40, 30)), max_side=100)
    assert refused.value.limit == 1000
