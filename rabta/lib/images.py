"""Re-encoding uploaded images: a plain JPEG, no metadata, bounded size.

Photos from phones carry EXIF (GPS position, device serial, time): re-encoding from pixels
drops all of it, and also defuses files that only pretend to be images. Django-free so the
report-photo helper and management commands can share it.

Memory: a small file can claim a huge canvas (a PNG of one colour, 8000x6000, is a few KB and
decodes to 144 MB). The canvas size is read from the header, which Image.open parses without
decoding, and anything over the process-wide pixel limit is refused there. JPEGs are decoded
at a reduced scale (draft) when the target is smaller, so a 12-megapixel phone photo bound for
1600 pixels never needs its full-size pixels in memory.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import threading
import warnings
from io import BytesIO
from typing import IO

from PIL import Image, ImageOps, UnidentifiedImageError

# The default until set_pixel_limit() is called (the Django app does so from RABTA_MAX_IMAGE_PIXELS).
DEFAULT_MAX_PIXELS = 13_000_000

# One decode at a time per process: a 13-megapixel PNG needs about 52 MB decoded, and gunicorn's threads
# would otherwise hold one each at once. Photos queue behind each other for a second; other requests
# do not wait.
_decoding = threading.Lock()


class ImageTooLarge(ValueError):
    """The header claims more pixels than the limit; nothing was decoded."""

    def __init__(self, pixels: int, limit: int):
        super().__init__(f"image of {pixels} pixels over the limit of {limit}")
        self.pixels = pixels
        self.limit = limit


def set_pixel_limit(max_pixels: int) -> None:
    """Set Pillow's decompression-bomb limit for the whole process (every Image.open honours it)."""
    if max_pixels < 1:
        raise ValueError("max_pixels must be positive")
    Image.MAX_IMAGE_PIXELS = max_pixels


def return_freed_image_memory() -> bool:
    """Make glibc hand freed image buffers back to the system at once; False where that is not glibc.

    glibc raises its mmap threshold each time a large block is freed, so the next decoded canvas
    lands in the heap and stays part of the process for good: measured, a 16-megapixel PNG then
    grows a worker by about 190 MB instead of 90. A fixed threshold (1 MB) keeps every large
    buffer in its own mapping, released on free; smaller objects are unaffected.
    """
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    m_mmap_threshold = -3  # from glibc's malloc.h
    return bool(mallopt(m_mmap_threshold, 1024 * 1024))


def pixel_limit() -> int:
    return int(Image.MAX_IMAGE_PIXELS or DEFAULT_MAX_PIXELS)


def open_checked(fileobj: IO[bytes]) -> Image.Image:
    """Image.open (lazy: header only) that raises ImageTooLarge over the pixel limit.

    Pillow only warns between the limit and twice the limit; that warning is an error here.
    Other failures (not an image) raise what Image.open raises.
    """
    limit = pixel_limit()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(fileobj)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ImageTooLarge(limit + 1, limit) from None
    width, height = image.size
    if width * height > limit:
        image.close()
        raise ImageTooLarge(width * height, limit)
    return image


def reencode_image(fileobj: IO[bytes], *, max_side: int, quality: int = 85) -> bytes:
    """Return JPEG bytes of the image in `fileobj`, upright, at most `max_side` pixels on its longer side.

    Raises ImageTooLarge (a ValueError) over the pixel limit, before any pixel is decoded, and
    ValueError when the file is not a usable image.
    """
    if max_side < 1 or not 1 <= quality <= 95:
        raise ValueError("max_side must be positive and quality between 1 and 95")
    with contextlib.suppress(AttributeError, OSError):
        fileobj.seek(0)
    try:
        with _decoding:
            image = open_checked(fileobj)
            try:
                width, height = image.size
                if width < 1 or height < 1:
                    raise ValueError("This file is not an image we can read. Upload a JPEG or PNG photo.")
                if image.format == "JPEG":
                    # Decode at 1/2, 1/4 or 1/8 scale when that still covers the target (the longer
                    # side is the longer side before and after EXIF rotation).
                    image.draft("RGB", _fit(image.size, max_side))
                image.load()
                # Honour the phone's orientation flag before the flag is thrown away with the rest of
                # EXIF; in place, so no second full-size copy exists.
                ImageOps.exif_transpose(image, in_place=True)
                small = _reduce(image, max_side)
            finally:
                # close(), unlike leaving a `with` block, frees the decoded canvas: before the
                # resampling and flattening copies are made, not after.
                image.close()
            pixels = _flatten(_resize(small, max_side))
    except (UnidentifiedImageError, Image.DecompressionBombError, SyntaxError, OSError, EOFError):
        raise ValueError("This file is not an image we can read. Upload a JPEG or PNG photo.") from None
    out = BytesIO()
    # A fresh image from pixels carries no EXIF, ICC or XMP; optimize costs little at these sizes.
    pixels.save(out, format="JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def _reduce(image: Image.Image, max_side: int) -> Image.Image:
    """A new image at most twice the target, by an integer box reduction (cheap, no large intermediate).

    Resampling the full canvas straight to the target would need a second buffer of a third of its
    size (LANCZOS works in two passes); reducing first keeps the canvas plus a quarter of it.
    """
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        # Palette and other modes resize badly (nearest neighbour) and cannot be saved as JPEG.
        has_alpha = image.mode in ("PA", "RGBa", "La") or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
    factor = max(image.size) // max_side
    if factor >= 2:
        return image.reduce(factor)
    return _resize(image, max_side) if max(image.size) > max_side else image.copy()


def _resize(image: Image.Image, max_side: int) -> Image.Image:
    if max(image.size) > max_side:
        return image.resize(_fit(image.size, max_side), Image.Resampling.LANCZOS)
    return image


def _fit(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    width, height = size
    scale = max_side / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _flatten(image: Image.Image) -> Image.Image:
    """RGB pixels only: transparency onto white (JPEG has none), greyscale expanded."""
    if image.mode in ("RGBA", "LA"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    # A fresh image, so no metadata (info: EXIF, ICC, XMP) rides along.
    clean = Image.new("RGB", rgb.size)
    clean.paste(rgb)
    return clean
