"""SMS segment arithmetic (GSM 03.38 / 3GPP TS 23.038). Django-free.

A message that fits the GSM-7 alphabet costs 160 characters per single segment, 153 per part when
concatenated (extension-table characters such as { } [ ] ~ \\ | ^ and the euro sign count twice). Anything
else (Urdu and Pashto included) is sent as UCS-2: 70 characters, or 67 per part; characters outside the
Basic Multilingual Plane take two UTF-16 units.
"""

from __future__ import annotations

from dataclasses import dataclass

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = "^{}\\[~]|€\f"
_BASIC = frozenset(GSM7_BASIC)
_EXTENDED = frozenset(GSM7_EXTENDED)


@dataclass(frozen=True)
class SegmentInfo:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    per_segment: int  # capacity of one part for this message


def is_gsm7(text: str) -> bool:
    return all(ch in _BASIC or ch in _EXTENDED for ch in text)


def segment_info(text: str) -> SegmentInfo:
    if is_gsm7(text):
        units = sum(2 if ch in _EXTENDED else 1 for ch in text)
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = 70, 67, "UCS-2"
    if units <= single:
        return SegmentInfo(encoding, units, 1 if units else 0, single)
    return SegmentInfo(encoding, units, -(-units // multi), multi)


def segments(text: str) -> int:
    return segment_info(text).segments
