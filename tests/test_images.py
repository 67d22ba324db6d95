"""rabta.lib.images.reencode_image: JPEG out, metadata gone, size bounded, non-images refused."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from rabta.lib import images
from rabta.lib.images import reencode_image


def encoded(image: Image.Image, fmt: str, **kw: object) -> io.BytesIO:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **kw)
    buffer.seek(0)
    return buffer


def test_large_jpeg_is_shrunk_and_stripped() -> None:
    exif = Image.Exif()
    exif[0x010F] = "SecretPhoneMaker"
    source = encoded(Image.new("RGB", (2000, 1000), (10, 120, 30)), "JPEG", exif=exif)
    out = reencode_image(source, max_side=512, quality=80)
    assert b"SecretPhoneMaker" not in out
    with Image.open(io.BytesIO(out)) as image:
        assert (image.format, image.size) == ("JPEG", (512, 256))
        assert not image.getexif()


def test_orientation_is_applied_before_metadata_is_dropped() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    source = encoded(Image.new("RGB", (400, 200)), "JPEG", exif=exif)
    with Image.open(io.BytesIO(reencode_image(source, max_side=512, quality=80))) as image:
        assert image.size == (200, 400)


def test_transparent_png_is_flattened_and_small_images_not_enlarged() -> None:
    source = encoded(Image.new("RGBA", (100, 50), (0, 0, 0, 0)), "PNG")
    with Image.open(io.BytesIO(reencode_image(source, max_side=512, quality=80))) as image:
        assert image.size == (100, 50)
        assert image.mode == "RGB"
        assert image.getpixel((10, 10)) == (255, 255, 255)


@pytest.mark.parametrize(
    "payload", [b"", b"not an image at all", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, b"GIF89a<script>"]
)
def test_non_images_raise_value_error(payload: bytes) -> None:
    with pytest.raises(ValueError, match="not an image we can read"):
        reencode_image(io.BytesIO(payload), max_side=512, quality=80)


def test_truncated_jpeg_is_refused() -> None:
    whole = encoded(Image.new("RGB", (300, 300), (1, 2, 3)), "JPEG").getvalue()
    with pytest.raises(ValueError):
        reencode_image(io.BytesIO(whole[: len(whole) // 3]), max_side=512, quality=80)


def test_huge_canvas_is_refused_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100 * 100)
    source = encoded(Image.new("L", (101, 100)), "PNG")
    with pytest.raises(images.ImageTooLarge):
        reencode_image(source, max_side=512, quality=80)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        reencode_image(io.BytesIO(b""), max_side=0, quality=80)
