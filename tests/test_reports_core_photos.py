"""Photos: real JPEG/PNG/WebP only, re-encoded with no metadata, thumbnails under 30 KB."""

from __future__ import annotations

import io

import pytest
from PIL import ExifTags, Image, ImageCms

from rabta.reports.photos import THUMB_MAX_BYTES, PhotoError, process_upload

SECRET_MAKE = "ResidentPhone-SN-998877"


def gps_jpeg(size: tuple[int, int] = (800, 600), orientation: int = 6) -> bytes:
    """A JPEG like a phone makes: EXIF with GPS and camera serial, XMP, ICC profile, a comment."""
    img = Image.new("RGB", size, "red")
    img.paste((0, 0, 255), (0, 0, size[0] // 2, size[1] // 4))  # a blue corner to check orientation
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = SECRET_MAKE
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (34.0, 48.0, 10.5), 3: "E", 4: (71.0, 48.0, 5.0)}
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description>secret-xmp</rdf:Description></x:xmpmeta>'
    img.save(out, "JPEG", exif=exif, comment=b"secret-comment", icc_profile=icc, xmp=xmp)
    data = out.getvalue()
    # The test photo really carries what we expect to strip.
    with Image.open(io.BytesIO(data)) as check:
        assert check.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert SECRET_MAKE.encode() in data
    return data


def test_gps_tagged_jpeg_comes_back_without_any_metadata() -> None:
    result = process_upload(io.BytesIO(gps_jpeg()))
    for blob in (result.image, result.thumbnail):
        with Image.open(io.BytesIO(blob)) as clean:
            assert clean.format == "JPEG"
            assert len(clean.getexif()) == 0
            assert not clean.getexif().get_ifd(ExifTags.IFD.GPSInfo)
            assert not {"exif", "icc_profile", "comment", "xmp", "XML:com.adobe.xmp"} & set(clean.info)
        for secret in (SECRET_MAKE.encode(), b"secret-xmp", b"secret-comment", b"GPS"):
            assert secret not in blob
    # Orientation 6 (rotate 90) was applied before the EXIF was dropped: 800x600 became 600x800.
    assert (result.width, result.height) == (600, 800)
    assert len(result.thumbnail) <= THUMB_MAX_BYTES


def test_large_noisy_photo_is_capped_and_thumbnail_fits() -> None:
    noise = Image.effect_noise((2400, 1800), 120).convert("RGB")
    buf = io.BytesIO()
    noise.save(buf, "JPEG", quality=90)
    assert len(buf.getvalue()) < 5 * 1024 * 1024
    result = process_upload(io.BytesIO(buf.getvalue()))
    assert max(result.width, result.height) == 1600
    assert len(result.thumbnail) <= THUMB_MAX_BYTES


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted(fmt: str) -> None:
    buf = io.BytesIO()
    Image.new("RGBA", (50, 40), (0, 128, 0, 128)).save(buf, fmt)
    assert process_upload(io.BytesIO(buf.getvalue())).width == 50


@pytest.mark.parametrize(
    "payload",
    [
        b"this is a text file with a .jpg name\n" * 20,
        b"GIF89a" + b"\x00" * 100,
        gps_jpeg()[:400],  # truncated JPEG
    ],
)
def test_not_a_real_photo_is_refused(payload: bytes) -> None:
    with pytest.raises(PhotoError, match="not a photo we can accept"):
        process_upload(io.BytesIO(payload))


def test_gif_by_content_is_refused() -> None:
    buf = io.BytesIO()
    Image.new("P", (10, 10)).save(buf, "GIF")
    with pytest.raises(PhotoError, match="JPEG, PNG or WebP"):
        process_upload(io.BytesIO(buf.getvalue()))


def test_over_5_mb_is_refused() -> None:
    with pytest.raises(PhotoError, match="5 MB"):
        process_upload(io.BytesIO(b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024)))
