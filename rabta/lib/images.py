"""Re-encoding uploaded images: a plain JPEG, no metadata, bounded size.

Photos from phones carry EXIF (GPS position, device serial, time): re-encoding from pixels
drops all of it, and also defuses files that only pretend to be images. Django-free so the
report-photo helper and management commands can share it.
"""

from __future__ import annotations

import contextlib
from io import BytesIO
from typing import IO

from PIL import Image, ImageOps, UnidentifiedImageError

# Refuse absurd dimensions before decoding: a small file can claim a huge canvas (a "bomb").
MAX_PIXELS = 40_000_000


def reencode_image(fileobj: IO[bytes], *, max_side: int, quality: int = 85) -> bytes:
    """Return JPEG bytes of the image in `fileobj`, upright, at most `max_side` pixels on its longer side.

    Raises ValueError with a message fit to show the uploader when the file is not a usable image.
    """
    if max_side < 1 or not 1 <= quality <= 95:
        raise ValueError("max_side must be positive and quality between 1 and 95")
    with contextlib.suppress(AttributeError, OSError):
        fileobj.seek(0)
    try:
        with Image.open(fileobj) as image:
            width, height = image.size
            if width < 1 or height < 1 or width * height > MAX_PIXELS:
                raise ValueError("This image is too large. Use a photo under 40 megapixels.")
            image.load()
            # Honour the phone's orientation flag before the flag is thrown away with the rest of EXIF.
            upright = ImageOps.exif_transpose(image)
            pixels = _flatten(upright)
    except (UnidentifiedImageError, Image.DecompressionBombError, SyntaxError, OSError, EOFError):
        raise ValueError("This file is not an image we can read. Upload a JPEG or PNG photo.") from None
    pixels.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    out = BytesIO()
    # A fresh image from pixels carries no EXIF, ICC or XMP; optimize costs little at these sizes.
    pixels.save(out, format="JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def _flatten(image: Image.Image) -> Image.Image:
    """RGB pixels only: transparency onto white (JPEG has none), palettes and greyscale expanded."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    rgb = image.convert("RGB")
    # convert() may return the same object for RGB input; copy so no metadata rides along.
    clean = Image.new("RGB", rgb.size)
    clean.paste(rgb)
    return clean
