"""Shapes filled by class of value: a choropleth of beats (or any lon/lat polygons) for the insights
dashboards, drawn by the server with rabta.lib.svgmap's outlines.

Django-free. Classes are quantiles of the values present: class k starts at the value found at rank
floor(k * n / bins) of the sorted values, and breaks that fall on the same value are merged, so equal
values always share a class and there may be fewer classes than `bins`. The palette is sequential,
light to dark, with the darkest colour for the best class: when lower is better it is read backwards.
A shape without a value gets a neutral fill and a legend entry of its own, never a class.
"""

from __future__ import annotations

import bisect
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from shapely.geometry import MultiPolygon, Polygon

from rabta.lib.svgmap import outline_map

K = TypeVar("K", bound=Hashable)

# ColorBrewer YlGnBu, 5 classes: sequential and safe for the common forms of colour blindness.
PALETTE: tuple[str, ...] = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
# Grey, unlike any colour of the palette in hue, for "no data".
NO_DATA_FILL = "#d0d0d0"


@dataclass(frozen=True)
class LegendEntry:
    colour: str
    lower: float | None  # the smallest value in the class; None for the "no data" entry
    upper: float | None  # the largest value in the class; equal to lower when the class holds one value
    count: int  # how many shapes (or cells) are in the class

    @property
    def no_data(self) -> bool:
        return self.lower is None


@dataclass(frozen=True)
class FilledShape(Generic[K]):
    key: K
    path: str  # SVG path data, whole units (as rabta.lib.svgmap.Shape.path)
    label_x: int
    label_y: int
    value: float | None
    class_index: int | None  # 0 for the lowest values; None without a value
    fill: str  # colour, "#rrggbb"


@dataclass(frozen=True)
class Choropleth(Generic[K]):
    width: int
    height: int
    shapes: tuple[FilledShape[K], ...]
    legend: tuple[
        LegendEntry, ...
    ]  # classes from the lowest values up, then "no data" if any shape lacks one

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


def quantile_breaks(values: Iterable[float], bins: int = 5) -> tuple[float, ...]:
    """The lower bound of each class, strictly increasing; empty for no values."""
    if bins < 1:
        raise ValueError("bins must be at least 1")
    ordered = sorted(values)
    n = len(ordered)
    if not n:
        return ()
    found: list[float] = []
    for k in range(bins):
        value = ordered[k * n // bins]
        if not found or value > found[-1]:
            found.append(value)
    return tuple(found)


def classify(value: float, breaks: Sequence[float]) -> int:
    """The class of `value`: the last class whose lower bound is at most `value` (the first class
    also takes anything below its bound)."""
    return max(bisect.bisect_right(breaks, value) - 1, 0)


def class_colours(
    classes: int, palette: Sequence[str] = PALETTE, *, higher_is_better: bool = True
) -> list[str]:
    """A colour for each of `classes` classes (lowest values first), spread over the palette so that
    two classes are its two ends, not its two lightest colours."""
    if not palette:
        raise ValueError("the palette needs at least one colour")
    if classes > len(palette):
        raise ValueError("more classes than colours in the palette")
    ordered = list(palette) if higher_is_better else list(reversed(palette))
    last = len(ordered) - 1
    if classes == 1:
        return [ordered[last // 2]]  # one value everywhere: neither good nor bad
    return [ordered[round(i * last / (classes - 1))] for i in range(classes)]


def legend_for(
    values: Sequence[float], breaks: Sequence[float], colours: Sequence[str]
) -> tuple[LegendEntry, ...]:
    """One entry per class (entry i for class i): the smallest and largest value that fell in it, and
    how many did. Every class holds at least its own lower bound when `breaks` came from `values`."""
    members: list[list[float]] = [[] for _ in breaks]
    for value in values:
        members[classify(value, breaks)].append(value)
    return tuple(
        LegendEntry(colour, min(found), max(found), len(found))
        for colour, found in zip(colours, members, strict=True)
    )


def choropleth(
    items: Sequence[tuple[K, Polygon | MultiPolygon, float | None]],
    *,
    bins: int = 5,
    palette: Sequence[str] = PALETTE,
    higher_is_better: bool = True,
    no_data_fill: str = NO_DATA_FILL,
    width: int = 320,
    max_height: int = 420,
) -> Choropleth[K]:
    """The outlines of `items` (key, lon/lat polygon, value or None), each filled by its value's class.
    Classes are counted over every item with a value, drawn or not (an outline can vanish at this
    scale), so the legend does not depend on the map's size. Keys must be unique."""
    values = {key: value for key, _, value in items}
    if len(values) != len(items):
        raise ValueError("keys must be unique")
    present = [v for v in values.values() if v is not None]
    breaks = quantile_breaks(present, bins)
    colours = class_colours(len(breaks), palette, higher_is_better=higher_is_better) if breaks else []
    outlines = outline_map([(key, geom) for key, geom, _ in items], width=width, max_height=max_height)
    shapes = []
    for shape in outlines.shapes:
        value = values[shape.key]
        index = None if value is None else classify(value, breaks)
        fill = no_data_fill if index is None else colours[index]
        shapes.append(FilledShape(shape.key, shape.path, shape.label_x, shape.label_y, value, index, fill))
    legend = legend_for(present, breaks, colours)
    missing = len(values) - len(present)
    if missing:
        legend += (LegendEntry(no_data_fill, None, None, missing),)
    return Choropleth(outlines.width, outlines.height, tuple(shapes), legend)
