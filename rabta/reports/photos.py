"""Residents' photos: accept only real JPEG/PNG/WebP, re-encode without any metadata.

The uploaded bytes are never stored. We check the content here (format by sniffing, size, a
structural verify), then rabta.lib.images.reencode_image decodes the pixels (after applying the
EXIF orientation) and writes a fresh JPEG from pixels alone: EXIF (with GPS), XMP, IPTC, ICC
profiles and comments are all left behind because nothing copies them across.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from rabta.lib.images import ImageTooLarge, open_checked, pixel_limit, reencode_image

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_SIDE = 1600
QUALITY = 82
THUMB_SIDE = 320
THUMB_MAX_BYTES = 30 * 1024
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})


class PhotoError(ValueError):
    """A photo we cannot accept; str() is a translated message for the resident."""


@dataclass(frozen=True)
class ProcessedPhoto:
    image: bytes
    thumbnail: bytes
    width: int
    height: int


def _read_limited(fileobj: IO[bytes]) -> bytes:
    if hasattr(fileobj, "seek"):
        fileobj.seek(0)
    data = fileobj.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise PhotoError(_("This photo is larger than 5 MB. Send a smaller photo."))
    if not data:
        raise PhotoError(_("This photo file is empty."))
    return data


def _not_a_photo_message() -> str:
    return _("This file is not a photo we can accept. Send a JPEG, PNG or WebP photo.")


def too_many_pixels_message() -> str:
    megapixels = max(1, pixel_limit() // 1_000_000)
    return _(
        "This photo has too many pixels. Send a photo of at most %(megapixels)d megapixels, "
        "for example one taken with your phone's camera."
    ) % {"megapixels": megapixels}


def _check_content(data: bytes) -> None:
    """Decide by content (never by file name or declared type), and verify the file's structure."""
    not_a_photo = PhotoError(_not_a_photo_message())
    try:
        # Header only: the pixel count (RABTA_MAX_IMAGE_PIXELS) is checked before anything is decoded.
        with open_checked(io.BytesIO(data)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise not_a_photo
            probe.verify()
    except PhotoError:
        raise
    except ImageTooLarge:
        raise PhotoError(too_many_pixels_message()) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise not_a_photo from None


def _thumbnail(clean_jpeg: bytes) -> bytes:
    """Smallest effort that fits THUMB_MAX_BYTES: lower quality first, then a smaller side."""
    side = THUMB_SIDE
    while True:
        for quality in (70, 60, 50, 40, 30):
            data = reencode_image(io.BytesIO(clean_jpeg), max_side=side, quality=quality)
            if len(data) <= THUMB_MAX_BYTES:
                return data
        side = max(16, int(side * 0.75))


def process_upload(fileobj: IO[bytes]) -> ProcessedPhoto:
    """Check and re-encode one uploaded photo. Raises PhotoError with a message for the resident."""
    raw = _read_limited(fileobj)
    _check_content(raw)
    try:
        # rabta.lib.images applies the EXIF orientation, then writes pixels only (no EXIF/GPS/XMP/ICC).
        data = reencode_image(io.BytesIO(raw), max_side=MAX_SIDE, quality=QUALITY)
    except ImageTooLarge:
        raise PhotoError(too_many_pixels_message()) from None
    except ValueError:
        raise PhotoError(_not_a_photo_message()) from None
    with Image.open(io.BytesIO(data)) as clean:
        width, height = clean.size
    return ProcessedPhoto(image=data, thumbnail=_thumbnail(data), width=width, height=height)
