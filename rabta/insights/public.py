"""What the public may see of the indicators. One function decides (`shown_figures`, from the hidden cells
`decisions` works out); the transparency pages and the open-data files read only what it returns.

The rules (the instruments' "Rules for every indicator"; docs/insights.md, "Public transparency"):
* complete periods only (a month or week that ended before today), dates to the day;
* a count of people, or of what they did (reports, attendees, survey answers, problems raised, meetings,
  actions), under 5 is hidden, and so is every cell from which a hidden one could be worked out by
  addition or subtraction: within a place (a total and its groups) and across places (a station is the
  sum of its beats, a district of its stations), for every group. A rate, mean or median on fewer than 5
  is never shown. Proactive visits are police actions, not people: shown as counted, as the beat page's
  presence section does (rabta.presence.public);
* n beside every figure, a Wilson 95% interval for proportions when n < 100;
* no person, no officer, no point: figures are per beat at the finest.

Secondary suppression follows rabta.lib.stats.suppress exactly (the same cells, in the same order: tested)
but scales to a district's whole table (every place x group of a metric, a few thousand cells): the plain
rule runs from a queue of lines instead of rescanning them, and the exact check solves each connected set of
hidden cells on its own, with sparse rows. Districts are independent (no province total is published), so
each district's cells are decided alone, per metric and period; rabta.insights.suppression decides them
after each refresh and keeps the answer per place.
"""

from __future__ import annotations

import datetime as dt
import enum
import heapq
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, cast

from django.utils.translation import gettext_lazy as _

from rabta.insights import indicators, labels
from rabta.insights.indicators import Cells, Figure, Indicator
from rabta.insights.metrics import ALL, MEN, WOMEN, Metric
from rabta.insights.models import Measure, PeriodKind, Scope
from rabta.insights.periods import end_of, last_n
from rabta.insights.selectors import Place
from rabta.lib import stats
from rabta.places.models import AGE_BANDS, Beat, District, PoliceStation

PUBLIC_SCOPES = (Scope.DISTRICT, Scope.STATION, Scope.BEAT)
PERIODS: dict[str, int] = {PeriodKind.MONTH: 12, PeriodKind.WEEK: 8}  # the complete periods published
PRESENCE_WEEKS = 8
# Groups of people whose share is never published alone but is known by subtraction (another gender or
# none stated; age not stated): kept in the tables so that what they give away is protected too.
GENDER_REST = "gender_rest"
AGE_REST = "age_rest"
SHOWN_GROUPS = (WOMEN, MEN, *AGE_BANDS)


class Shape(enum.StrEnum):
    COUNT = "count"
    PROPORTION = "proportion"  # 0-1, with a Wilson interval when n < 100
    MEAN = "mean"
    MEDIAN = "median"
    SHARE = "share"  # of hours (the women's desk): no people behind it, so no interval


@dataclass(frozen=True)
class Item:
    """One public figure: its name in the files, where it comes from, and how it is shown."""

    name: str
    indicator: Indicator
    metric: Metric
    shape: Shape
    group: str = ALL
    protected: bool = True  # counts under 5 hidden, with secondary suppression

    @property
    def label(self) -> str:
        base = str(PROACTIVE_LABEL if self.name == PROACTIVE_VISITS else labels.NAMES[self.indicator])
        return base if self.group == ALL else f"{base}: {labels.GROUPS[self.group]}"

    @property
    def unit(self) -> indicators.Unit:
        return indicators.SPECS[self.indicator].unit

    @property
    def columns(self) -> tuple[str, ...]:
        """Its columns in the open-data files."""
        if self.shape is Shape.COUNT:
            return (self.name, f"{self.name}_suppressed")
        if self.shape is Shape.PROPORTION:
            n = self.name
            return (n, f"{n}_n", f"{n}_low", f"{n}_high", f"{n}_suppressed")
        return (self.name, f"{self.name}_n", f"{self.name}_suppressed")


def _grouped(name: str, indicator: Indicator, metric: Metric, shape: Shape) -> list[Item]:
    return [Item(name, indicator, metric, shape)] + [
        Item(f"{name}_{g}", indicator, metric, shape, group=g) for g in SHOWN_GROUPS
    ]


PROACTIVE_VISITS = "proactive_visits"
PROACTIVE_LABEL = _("Proactive visits")
ITEMS: tuple[Item, ...] = (
    Item("reports", Indicator.REPORTS, Metric.REPORTS, Shape.COUNT),
    Item("median_ack_hours", Indicator.MEDIAN_ACK_HOURS, Metric.ACK_HOURS, Shape.MEDIAN),
    Item("on_time", Indicator.ON_TIME, Metric.ON_TIME, Shape.PROPORTION),
    Item("priorities", Indicator.PRIORITIES, Metric.PRIORITIES, Shape.COUNT),
    Item("actions_done", Indicator.ACTIONS_DONE, Metric.ACTIONS_DONE, Shape.COUNT),
    Item("actions_on_time", Indicator.ACTIONS_ON_TIME, Metric.ACTIONS_ON_TIME, Shape.PROPORTION),
    Item("meetings_held", Indicator.MEETINGS_HELD, Metric.MEETINGS_HELD, Shape.COUNT),
    *_grouped("attendees", Indicator.ATTENDEES, Metric.ATTENDEES, Shape.COUNT),
    Item("desk_staffed", Indicator.DESK_STAFFED, Metric.DESK_SCHEDULED, Shape.SHARE, protected=False),
    Item(PROACTIVE_VISITS, Indicator.CONTACTS, Metric.PROACTIVE, Shape.COUNT, protected=False),
    *_grouped("trust", Indicator.TRUST, Metric.TRUST, Shape.MEAN),
    *_grouped("unsafe_dark", Indicator.UNSAFE_DARK, Metric.UNSAFE_DARK, Shape.PROPORTION),
    *_grouped("avoid_dark", Indicator.AVOID_DARK, Metric.AVOID_DARK, Shape.PROPORTION),
)
BY_NAME = {item.name: item for item in ITEMS}
PROTECTED: tuple[Metric, ...] = tuple(dict.fromkeys(i.metric for i in ITEMS if i.protected))
GROUPED: frozenset[Metric] = frozenset(i.metric for i in ITEMS if i.group != ALL)
READ_METRICS = tuple(dict.fromkeys([*(i.metric for i in ITEMS), Metric.DESK_STAFFED]))
READ_GROUPS = (ALL, *SHOWN_GROUPS)


# Suppression ---------------------------------------------------------------------------------------

Key = Hashable
Line = stats.Line


def protect(cells: Mapping[Key, int], lines: Sequence[Line], *, threshold: int = stats.MIN_CELL) -> set[Key]:
    """The cells to hide: stats.suppress's rule and answer, at the cost of a district's table.

    Primary: 0 < n < threshold. Then, while a hidden cell can be worked out: first the plain rule (the
    first line, in order, with exactly one hidden member gives up its smallest visible part, an empty one
    last, or its total), then the exact check; a leaked cell makes the first line that mixes shown and
    hidden members and holds it (else the first such line) give up a part."""
    order = {key: i for i, key in enumerate(cells)}
    hidden = {key for key, n in cells.items() if 0 < n < threshold}
    members = [(total, *parts) for total, parts in lines]
    lines_of: dict[Key, list[int]] = defaultdict(list)
    for i, found in enumerate(members):
        for key in found:
            lines_of[key].append(i)
    count = [sum(1 for key in found if key in hidden) for found in members]
    lone = [i for i, c in enumerate(count) if c == 1]
    heapq.heapify(lone)

    def hide(key: Key) -> None:
        hidden.add(key)
        for i in lines_of[key]:
            count[i] += 1
            if count[i] == 1:
                heapq.heappush(lone, i)

    def hide_in(i: int) -> None:
        total, parts = lines[i]
        visible = [p for p in parts if p not in hidden]
        if visible:
            hide(min(visible, key=lambda p: (cells[p] == 0, cells[p], order[p])))
        elif total not in hidden:
            hide(total)

    while True:
        while lone:
            i = heapq.heappop(lone)
            if count[i] == 1:
                hide_in(i)
        leaked = determined(sorted(hidden, key=order.__getitem__), lines)
        if not leaked:
            return hidden
        key = min(leaked, key=order.__getitem__)
        mixed = [i for i, found in enumerate(members) if 0 < count[i] < len(found)]
        if not mixed:
            return hidden
        hide_in(next((i for i in mixed if key in members[i]), mixed[0]))


def determined(hidden: Sequence[Key], lines: Sequence[Line]) -> set[Key]:
    """The hidden cells a reader can work out from the shown ones (stats._determined's answer).

    Each line is an equation over its hidden members. A cell is determined when its unit vector lies in
    the span of the equations: in the fully reduced echelon form, its pivot row holds nothing else. Each
    connected set of hidden cells is solved apart, exactly (fractions), with sparse rows."""
    index = {key: i for i, key in enumerate(hidden)}
    parent = list(range(len(hidden)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    rows: list[dict[int, int]] = []
    for total, parts in lines:
        row: dict[int, int] = defaultdict(int)
        if total in index:
            row[index[total]] += 1
        for part in parts:
            if part in index:
                row[index[part]] -= 1
        row = {c: v for c, v in row.items() if v}
        if not row:
            continue
        rows.append(row)
        first, *rest = row
        for c in rest:
            parent[root(c)] = root(first)
    by_component: dict[int, list[dict[int, int]]] = defaultdict(list)
    for row in rows:
        by_component[root(next(iter(row)))].append(row)
    found: set[Key] = set()
    for component in by_component.values():
        for pivot, reduced in _echelon(component).items():
            if len(reduced) == 1:
                found.add(hidden[pivot])
    return found


def _echelon(rows: Iterable[dict[int, int]]) -> dict[int, dict[int, Fraction]]:
    """The fully reduced echelon form of sparse rows: pivot column -> its row (1 at the pivot)."""
    basis: dict[int, dict[int, Fraction]] = {}
    for given in rows:
        row = {c: Fraction(v) for c, v in given.items()}
        for pivot in [c for c in row if c in basis]:
            factor = row.get(pivot)
            if factor:
                _subtract(row, basis[pivot], factor)
        row = {c: v for c, v in row.items() if v}
        if not row:
            continue
        pivot = min(row)
        scale = row[pivot]
        row = {c: v / scale for c, v in row.items()}
        for other in basis.values():
            factor = other.get(pivot)
            if factor:
                _subtract(other, row, factor)
        basis[pivot] = row
    return basis


def _subtract(row: dict[int, Fraction], other: dict[int, Fraction], factor: Fraction) -> None:
    for c, v in other.items():
        left = row.get(c, Fraction(0)) - factor * v
        if left:
            row[c] = left
        else:
            row.pop(c, None)


# A district's table --------------------------------------------------------------------------------

PlaceKey = tuple[str, int]  # (scope, pk)
Hidden = frozenset[tuple[str, str, int, str]]  # (metric, scope, pk, group)


@dataclass(frozen=True)
class Tree:
    """A district's stations and beats: the places whose figures add up."""

    district: int
    stations: tuple[int, ...]
    beats: dict[int, tuple[int, ...]]  # station -> its beats

    def places(self) -> list[PlaceKey]:
        out: list[PlaceKey] = [(Scope.DISTRICT, self.district)]
        out += [(Scope.STATION, s) for s in self.stations]
        out += [(Scope.BEAT, b) for s in self.stations for b in self.beats.get(s, ())]
        return out


def tree(district_id: int) -> Tree:
    stations = tuple(
        PoliceStation.objects.filter(district_id=district_id).order_by("pk").values_list("pk", flat=True)
    )
    beats: dict[int, list[int]] = defaultdict(list)
    for pk, station in (
        Beat.objects.filter(station__district_id=district_id).order_by("pk").values_list("pk", "station_id")
    ):
        beats[station].append(pk)
    return Tree(district_id, stations, {s: tuple(b) for s, b in beats.items()})


def _groups(metric: Metric) -> tuple[str, ...]:
    if metric in GROUPED:
        return (ALL, WOMEN, MEN, GENDER_REST, *AGE_BANDS, AGE_REST)
    return (ALL,)


def table(metric: Metric, shape: Tree, cells: Mapping[PlaceKey, Cells]) -> tuple[dict[Any, int], list[Line]]:
    """One metric's cells over a district's places and groups, and the lines that add up: each place's
    groups to its whole, each station's beats to the station, the stations to the district."""
    groups = _groups(metric)
    out: dict[Any, int] = {}
    for place in shape.places():
        found = cells.get(place, {})

        def n(group: str, found: Cells = found) -> int:
            return found.get((metric.value, group), (0, 0.0))[0]

        for group in groups:
            if group == GENDER_REST:
                value = n(ALL) - n(WOMEN) - n(MEN)
            elif group == AGE_REST:
                value = n(ALL) - sum(n(b) for b in AGE_BANDS)
            else:
                value = n(group)
            out[(*place, group)] = max(value, 0)
    lines: list[Line] = []
    if metric in GROUPED:
        for place in shape.places():
            lines.append(((*place, ALL), tuple((*place, g) for g in (WOMEN, MEN, GENDER_REST))))
            lines.append(((*place, ALL), tuple((*place, g) for g in (*AGE_BANDS, AGE_REST))))
    for group in groups:
        district = (Scope.DISTRICT, shape.district, group)
        lines.append((district, tuple((Scope.STATION, s, group) for s in shape.stations)))
        for station in shape.stations:
            kids = shape.beats.get(station, ())
            if kids:
                lines.append(((Scope.STATION, station, group), tuple((Scope.BEAT, b, group) for b in kids)))
    return out, lines


def decide(shape: Tree, cells: Mapping[PlaceKey, Cells]) -> Hidden:
    """Every hidden cell of a district in one period, as (metric, scope, pk, group)."""
    out: set[tuple[str, str, int, str]] = set()
    for metric in PROTECTED:
        found, lines = table(metric, shape, cells)
        for key in protect(found, lines):
            scope, pk, group = cast(tuple[str, int, str], key)
            out.add((metric.value, scope, pk, group))
    return frozenset(out)


# Reads ---------------------------------------------------------------------------------------------


def district_cells(
    district_id: int, period: str, starts: Sequence[dt.date]
) -> dict[dt.date, dict[PlaceKey, Cells]]:
    """The published metrics of every place in a district, for these periods, in one query."""
    rows = Measure.objects.filter(
        district_id=district_id,
        period=period,
        start__in=list(starts),
        scope__in=PUBLIC_SCOPES,
        metric__in=READ_METRICS,
        group__in=READ_GROUPS,
    ).values_list("start", "scope", "scope_id", "metric", "group", "n", "value")
    out: dict[dt.date, dict[PlaceKey, dict[tuple[str, str], tuple[int, float]]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for start, scope, scope_id, metric, group, n, value in rows:
        out[start][(scope, scope_id)][(metric, group)] = (n, value)
    return {s: dict(places) for s, places in out.items()}


def complete_starts(period: str, today: dt.date) -> list[dt.date]:
    """The periods published, oldest first: the last 12 complete months or 8 complete weeks."""
    return last_n(period, today, PERIODS[period], include_current=False)


def place_by_code(scope: str, code: str) -> Place | None:
    """A district, station or beat by its code (the public addresses use codes, not ids)."""
    if scope == Scope.DISTRICT:
        district = District.objects.filter(code=code).first()
        return None if district is None else Place(scope, district.pk, district.local_name, code, district)
    if scope == Scope.STATION:
        station = PoliceStation.objects.select_related("district").filter(code=code).first()
        return None if station is None else Place(scope, station.pk, station.local_name, code, station)
    if scope == Scope.BEAT:
        beat = Beat.objects.select_related("station__district").filter(code=code).first()
        return None if beat is None else Place(scope, beat.pk, beat.local_name, code, beat)
    return None


def district_of(place: Place) -> int:
    if place.scope == Scope.BEAT:
        return int(place.obj.station.district_id)
    if place.scope == Scope.STATION:
        return int(place.obj.district_id)
    return place.pk


def desk_place(place: Place) -> PlaceKey:
    """Whose women's desk a place's page shows: a beat shows its station's."""
    if place.scope == Scope.BEAT:
        return (Scope.STATION, int(place.obj.station_id))
    return place.key


# What is shown -------------------------------------------------------------------------------------


class Why(enum.StrEnum):
    SHOWN = ""
    FEWER_THAN_5 = "fewer_than_5"
    PROTECTED = "protected"  # hidden so that a smaller figure cannot be worked out
    NO_DATA = "no_data"


@dataclass(frozen=True)
class Shown:
    item: Item
    value: float | None  # None unless shown
    n: int | None  # None unless shown
    interval: tuple[float, float] | None = None
    why: Why = Why.SHOWN

    @property
    def hidden(self) -> bool:
        return self.why in (Why.FEWER_THAN_5, Why.PROTECTED)

    @property
    def text(self) -> str:
        if self.why is Why.FEWER_THAN_5:
            return str(labels.FEWER_THAN_5)
        if self.why is Why.PROTECTED:
            return HIDDEN_TEXT
        if self.value is None:
            return str(labels.NO_DATA)
        return labels.value_text(self.item.unit, self.value)

    @property
    def interval_text(self) -> str:
        if self.interval is None or self.why is not Why.SHOWN:
            return ""
        low, high = self.interval
        unit = self.item.unit
        return f"{labels.value_text(unit, low)}\u2060–\u2060{labels.value_text(unit, high)}"

    def record(self) -> dict[str, Any]:
        """Its columns in the open-data files: numbers rounded as the page rounds them, or a little
        finer; None for a hidden or missing value."""
        name = self.item.name
        shape = self.item.shape
        value: float | int | None = None
        if self.value is not None:
            value = (
                round(self.value)
                if shape is Shape.COUNT
                else round(self.value, 4 if shape is Shape.PROPORTION else 2)
            )
        out: dict[str, Any] = {name: value}
        if self.item.shape is not Shape.COUNT:
            out[f"{name}_n"] = self.n
        if self.item.shape is Shape.PROPORTION:
            low, high = self.interval if self.interval and self.why is Why.SHOWN else (None, None)
            out[f"{name}_low"] = None if low is None else round(low, 4)
            out[f"{name}_high"] = None if high is None else round(high, 4)
        out[f"{name}_suppressed"] = self.hidden
        return out


HIDDEN_TEXT = "–"


def _figure(item: Item, found: dict[Indicator, Figure]) -> Figure | None:
    whole = found.get(item.indicator)
    if whole is None or item.group == ALL:
        return whole
    return whole.breakdown.get(item.group)


def shown_figures(
    place: PlaceKey, cells: Cells, hidden: Hidden, *, desk_cells: Cells | None = None
) -> dict[str, Shown]:
    """Every public figure of one place in one period: the one function pages and files both read."""
    found = indicators.figures(cells, {})
    desk = indicators.figures(desk_cells if desk_cells is not None else cells, {})
    scope, pk = place
    out: dict[str, Shown] = {}
    for item in ITEMS:
        n = cells.get((item.metric.value, item.group), (0, 0.0))[0]
        if item.protected and (item.metric.value, scope, pk, item.group) in hidden:
            why = Why.FEWER_THAN_5 if 0 < n < stats.MIN_CELL else Why.PROTECTED
            out[item.name] = Shown(item, None, None, None, why)
            continue
        if item.name == PROACTIVE_VISITS:
            visits = int(cells.get((Metric.PROACTIVE.value, ALL), (0, 0.0))[1])
            out[item.name] = Shown(item, float(visits), visits)
            continue
        figure = _figure(item, desk if item.shape is Shape.SHARE else found)
        if item.shape is Shape.COUNT:
            count = 0.0 if figure is None else figure.value
            out[item.name] = Shown(item, count, int(count))
            continue
        if figure is None or figure.n == 0:
            out[item.name] = Shown(item, None, 0, None, Why.NO_DATA)
        elif figure.n < stats.MIN_CELL:
            # A rate or mean on fewer than 5 says too much about each of them.
            out[item.name] = Shown(item, None, None, None, Why.FEWER_THAN_5)
        else:
            interval = figure.interval if item.shape is Shape.PROPORTION else None
            out[item.name] = Shown(item, figure.value, figure.n, interval)
    return out


@dataclass(frozen=True)
class PlacePeriod:
    """One place's public figures in one complete period."""

    start: dt.date
    end: dt.date
    figures: dict[str, Shown] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Shown:
        return self.figures[name]


def place_periods(
    place: Place,
    period: str,
    starts: Sequence[dt.date],
    *,
    series: Mapping[dt.date, Cells],
    desk_series: Mapping[dt.date, Cells],
    hidden: Mapping[dt.date, Hidden],
) -> list[PlacePeriod]:
    return [
        PlacePeriod(
            s,
            end_of(period, s),
            shown_figures(
                place.key, series.get(s, {}), hidden.get(s, frozenset()), desk_cells=desk_series.get(s, {})
            ),
        )
        for s in starts
    ]
