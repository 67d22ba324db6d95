"""Small SVG charts drawn by the server: a trend over months or weeks, and a list of horizontal bars.

Django-free. Each returns an `Svg`, whose markup a Django template writes as it is (`{{ chart }}`: it
has `__html__`). Every word in it comes from the caller, already translated; the only other text is
numbers. No script, no external reference, no font, no style attribute (the site's CSP forbids them):
colours are presentation attributes, which a stylesheet may override. The viewBox lets the chart
shrink to a phone's width.

A value of None means no data: a gap, never a zero. A suppressed point (fewer than 5 behind it) is
drawn as a grey band with `suppressed_text`, and its value, if the caller had one, is never written.
With `rtl` the x-axis runs from the right (newest point on the left) and text is laid out right to
left, for Urdu and Pashto pages.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape
from typing import Literal

INK = "#0b5d4b"  # the site's --brand
MUTED = "#5a6270"
LINE = "#d9dde3"
TARGET = "#8a3b12"  # the site's --accent
HIDDEN = "#e4e6ea"  # fill of a suppressed point
HIDDEN_EDGE = "#9aa1ab"
PAD = 4  # units between the chart and the box's sides
DASH = "–"

Point = tuple[str, float | None, bool]  # label, value (None: no data), suppressed


class Svg(str):
    """The markup of one <svg> element, a str that also knows its size. Templates write it as it is:
    `__html__` marks it as safe markup (Django's escaping honours that, as Jinja and markupsafe do)."""

    width: int
    height: int

    def __new__(cls, markup: str, width: int, height: int) -> Svg:
        made = super().__new__(cls, markup)
        made.width, made.height = width, height
        return made

    def __getnewargs__(self) -> tuple[str, int, int]:  # type: ignore[override]
        return (self.markup, self.width, self.height)

    @property
    def markup(self) -> str:
        return str.__str__(self)

    def __html__(self) -> str:
        return self.markup


def format_number(value: float) -> str:
    """Whole numbers without decimals, others to one decimal place."""
    if abs(value - round(value)) < 1e-9:
        return str(round(value))
    return f"{value:.1f}"


def nice_ceiling(value: float) -> float:
    """The smallest round number (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten) at least
    `value`; 1 for nothing above zero."""
    if value <= 0:
        return 1.0
    base = 10.0 ** math.floor(math.log10(value))
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        found = round(step * base, 12)
        if found >= value:
            return found
    return round(10 * base, 12)


def _n(value: float) -> str:
    """A coordinate, to a tenth of a unit."""
    text = f"{round(value, 1):.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return "0" if text == "-0" else text


def _text(value: str) -> str:
    return escape(value, quote=True)


def _open(width: int, height: int, rtl: bool, title: str, kind: str) -> list[str]:
    direction = "rtl" if rtl else "ltr"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" class="{kind}" direction="{direction}" font-size="9">'
    ]
    if title:
        parts.append(f"<title>{_text(title)}</title>")
    return parts


def _say(label: str, said: str) -> str:
    return _text(f"{label}: {said}" if label else said)


def trend(
    points: Sequence[Point],
    *,
    width: int = 320,
    height: int = 120,
    y_max: float | None = None,
    unit_suffix: str = "",
    rtl: bool = False,
    target: float | None = None,
    style: Literal["line", "bar"] = "line",
    title: str = "",
    target_label: str = "",
    suppressed_text: str = DASH,
    no_data_text: str = DASH,
    number_format: Callable[[float], str] = format_number,
) -> Svg:
    """A trend of `points`, oldest first (12 months or 8 weeks, say), as a line or as bars, with the
    top of the scale and the first and last labels written on it and each point's value in its
    <title>. The scale starts at zero (or at the lowest value, rounded, when one is below zero) and
    ends at `y_max` (by default the highest value or target, rounded up); values beyond it are drawn
    at its edge. A present zero bar is a sliver one unit tall, so it reads apart from no data."""
    present = [v for _, v, hidden in points if v is not None and not hidden]
    known = present + ([target] if target is not None else [])
    top_value = y_max if y_max is not None else nice_ceiling(max(known, default=0.0))
    low_value = min(known, default=0.0)
    bottom_value = -nice_ceiling(-low_value) if low_value < 0 else 0.0
    if top_value <= bottom_value:
        top_value = bottom_value + 1.0
    top, bottom = 12.0, float(height - 14)
    n = max(len(points), 1)
    step = (width - 2 * PAD) / n

    def x_at(i: int) -> float:
        offset = PAD + (i + 0.5) * step
        return width - offset if rtl else offset

    def y_at(v: float) -> float:
        share = (v - bottom_value) / (top_value - bottom_value)
        return bottom - min(max(share, 0.0), 1.0) * (bottom - top)

    start, end = (width - PAD, PAD) if rtl else (PAD, width - PAD)
    zero = y_at(0.0)
    parts = _open(width, height, rtl, title, "trend")
    parts.append(
        f'<path d="M{PAD} {_n(top)}H{width - PAD}M{PAD} {_n(zero)}H{width - PAD}" '
        f'stroke="{LINE}" fill="none"/>'
    )
    parts.append(
        f'<text x="{start}" y="9" fill="{MUTED}">{_text(number_format(top_value) + unit_suffix)}</text>'
    )
    if target is not None:
        said = _text(f"{target_label}: " if target_label else "") + _text(number_format(target) + unit_suffix)
        parts.append(
            f'<path d="M{PAD} {_n(y_at(target))}H{width - PAD}" stroke="{TARGET}" stroke-dasharray="4 3" '
            f'fill="none" role="img"><title>{said}</title></path>'
        )
    band = step * 0.7
    marks: list[str] = []
    line: list[str] = []
    pen_down = False
    for i, (label, value, hidden) in enumerate(points):
        shown = number_format(value) + unit_suffix if value is not None else no_data_text
        said = _say(label, suppressed_text if hidden else shown)
        x = x_at(i)
        box = f'x="{_n(x - band / 2)}" y="{_n(top)}" width="{_n(band)}" height="{_n(bottom - top)}"'
        if hidden:
            marks.append(
                f'<rect {box} fill="{HIDDEN}" stroke="{HIDDEN_EDGE}" stroke-dasharray="2 2" role="img">'
                f"<title>{said}</title></rect>"
            )
            pen_down = False
        elif value is None:
            marks.append(f'<rect {box} fill="none" role="img"><title>{said}</title></rect>')
            pen_down = False
        elif style == "bar":
            y = y_at(value)
            y0, y1 = min(y, zero), max(y, zero)
            if y1 - y0 < 1:
                y0 = y1 - 1
            marks.append(
                f'<rect x="{_n(x - band / 2)}" y="{_n(y0)}" width="{_n(band)}" height="{_n(y1 - y0)}" '
                f'fill="{INK}" role="img"><title>{said}</title></rect>'
            )
        else:
            y = y_at(value)
            line.append(("L" if pen_down else "M") + f"{_n(x)} {_n(y)}")
            pen_down = True
            marks.append(
                f'<circle cx="{_n(x)}" cy="{_n(y)}" r="2.5" fill="{INK}" role="img">'
                f"<title>{said}</title></circle>"
            )
    if line:
        parts.append(f'<path d="{"".join(line)}" stroke="{INK}" stroke-width="2" fill="none"/>')
    parts.extend(marks)
    if points:
        parts.append(f'<g fill="{MUTED}"><text x="{start}" y="{height - 3}">{_text(points[0][0])}</text>')
        if len(points) > 1:
            parts.append(f'<text x="{end}" y="{height - 3}" text-anchor="end">{_text(points[-1][0])}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return Svg("".join(parts), width, height)


def bars(
    items: Sequence[Point],
    *,
    width: int = 320,
    x_max: float | None = None,
    unit_suffix: str = "",
    rtl: bool = False,
    title: str = "",
    suppressed_text: str = DASH,
    no_data_text: str = DASH,
    number_format: Callable[[float], str] = format_number,
) -> Svg:
    """One row per item (label, value or None, suppressed): the label, and under it a bar with its
    value at the end. Bars run from the start side (the right with `rtl`) up to `x_max` (by default
    the highest value, rounded up). A suppressed row shows a grey square and `suppressed_text`, a row
    without data only `no_data_text`. Values must not be negative."""
    if any(v is not None and v < 0 for _, v, _ in items):
        raise ValueError("bars cannot show negative values")
    row, bar_h, value_w = 26, 8, 48
    height = PAD + len(items) * row
    present = [v for _, v, hidden in items if v is not None and not hidden]
    scale_max = x_max if x_max is not None and x_max > 0 else nice_ceiling(max(present, default=0.0))
    track = width - 2 * PAD - value_w

    def at(x: float) -> float:
        return width - x if rtl else x

    start = at(PAD)
    parts = _open(width, height, rtl, title, "bars")
    for i, (label, value, hidden) in enumerate(items):
        y = PAD + i * row
        parts.append(f'<g><text x="{_n(start)}" y="{y + 10}" fill="{MUTED}">{_text(label)}</text>')
        if hidden:
            length, said = float(bar_h), suppressed_text
            left = at(PAD + bar_h) if rtl else PAD
            parts.append(
                f'<rect x="{_n(left)}" y="{y + 13}" width="{bar_h}" height="{bar_h}" fill="{HIDDEN}" '
                f'stroke="{HIDDEN_EDGE}" stroke-dasharray="2 2"/>'
            )
        elif value is None:
            length, said = 0.0, no_data_text
        else:
            length = max(min(value / scale_max, 1.0) * track, 1.0)
            said = number_format(value) + unit_suffix
            left = at(PAD + length) if rtl else PAD
            parts.append(
                f'<rect x="{_n(left)}" y="{y + 13}" width="{_n(length)}" height="{bar_h}" fill="{INK}"/>'
            )
        parts.append(f'<text x="{_n(at(PAD + length + 4))}" y="{y + 20}">{_text(said)}</text></g>')
    parts.append("</svg>")
    return Svg("".join(parts), width, height)
