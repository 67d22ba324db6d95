"""The staff dashboard of one place: what a district coordinator, station head or officer sees.

Everything comes from the rollups through rabta.insights.selectors, in a fixed number of queries
whatever the number of beats below the place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import get_language_bidi

from rabta.insights import labels, maps, selectors
from rabta.insights.health import COMPONENTS, Health
from rabta.insights.indicators import SPECS, Area, Figure, Indicator
from rabta.insights.models import PeriodKind, Scope
from rabta.insights.periods import end_of, last_n, previous_start, start_of
from rabta.insights.selectors import Place, Snapshot
from rabta.lib import choropleth, svgchart
from rabta.lib.geo import GeometryError, polygon_from_geojson
from rabta.places.models import Beat

# The figures drawn as a 12-month trend on the dashboard, one per area.
TRENDS = (
    Indicator.PROACTIVE_VS_TARGET,
    Indicator.ON_TIME,
    Indicator.WOMEN_ATTENDEES,
    Indicator.PJ,
    Indicator.TRUST,
    Indicator.UNSAFE_DARK,
    Indicator.ACTIONS_ON_TIME,
)
MAP_INDICATORS = (
    Indicator.ON_TIME,
    Indicator.PROACTIVE_VS_TARGET,
    Indicator.WOMEN_ATTENDEES,
    Indicator.TRUST,
    Indicator.UNSAFE_DARK,
    Indicator.DESK_STAFFED,
)
HEX_MONTHS = 3
AREA_ORDER = tuple(Area)


@dataclass(frozen=True)
class Row:
    indicator: Indicator
    name: str
    value: str
    n: int
    interval: str
    breakdown: list[tuple[str, str, int]]
    chart: svgchart.Svg | None
    link: str


@dataclass(frozen=True)
class Child:
    place: Place
    url: str
    health: Health
    reasons: list[tuple[str, str, int]]  # name, value, n


@dataclass(frozen=True)
class Dashboard:
    place: Place
    parent: Place | None
    period: str
    start: dt.date
    end: dt.date
    complete: bool
    starts: list[dt.date]
    health: Health
    components: list[tuple[str, str, str, str, int]]  # name, value, target, score, n
    missing: list[str]
    areas: list[tuple[str, list[Row]]]
    attention: list[Child]
    children: list[Child]
    map: BeatMap | None
    map_indicator: Indicator
    map_choices: list[tuple[str, str]]
    hexes: maps.HexView | None
    refreshed_at: dt.datetime | None


def focus_start(period: str, today: dt.date, requested: dt.date | None, starts: Sequence[dt.date]) -> dt.date:
    """The period shown: the one asked for if it is in the trend, else the last complete one."""
    if requested is not None and requested in starts:
        return requested
    return previous_start(period, start_of(period, today))


def focus(period: str, today: dt.date, requested: dt.date | None) -> dt.date:
    """The period a dashboard shows, without reading anything: its trend's starts are known dates."""
    starts = last_n(period, today, selectors.TREND_PERIODS[period], include_current=True)
    return focus_start(period, today, requested, starts)


def hex_months(start: dt.date) -> list[dt.date]:
    """The density map's months, newest first: the shown period's month and the two before."""
    months = [start_of(PeriodKind.MONTH, start)]
    while len(months) < HEX_MONTHS:
        months.append(previous_start(PeriodKind.MONTH, months[-1]))
    return months


def url_of(place: Place, **query: str) -> str:
    url = reverse("insights:dashboard", kwargs={"scope": place.scope, "pk": place.pk})
    pairs = "&".join(f"{k}={v}" for k, v in query.items() if v)
    return f"{url}?{pairs}" if pairs else url


def parent_of(place: Place) -> Place | None:
    obj = place.obj
    if place.scope == Scope.BEAT:
        return Place(Scope.STATION, obj.station.pk, obj.station.local_name, obj.station.code, obj.station)
    if place.scope == Scope.STATION:
        return Place(
            Scope.DISTRICT, obj.district.pk, obj.district.local_name, obj.district.code, obj.district
        )
    if place.scope == Scope.DISTRICT:
        return Place(Scope.PROVINCE, 0, "", "", None)
    return None


def record_links(place: Place) -> dict[Area, str]:
    """Where the records behind each area are listed (each list is scoped to its viewer)."""
    queue = reverse("reports:staff_queue") + "?status=all"
    if place.scope == Scope.BEAT:
        queue += f"&beat={place.code}"
    results_of: dict[str, str] = {
        Scope.BEAT: "feedback:beat_results",
        Scope.STATION: "feedback:station_results",
        Scope.DISTRICT: "feedback:district_results",
    }
    results = (
        reverse(results_of[place.scope], args=[place.code])
        if place.scope in results_of
        else reverse("feedback:results")
    )
    return {
        Area.PRESENCE: reverse("presence:board"),
        Area.RESPONSIVENESS: queue,
        Area.INCLUSION: reverse("engagement:meetings"),
        Area.FAIRNESS: results,
        Area.TRUST: results,
        Area.SAFETY: results,
        Area.FOLLOW_THROUGH: reverse("engagement:actions"),
        Area.ACTIVITY: reverse("engagement:meetings"),
    }


def _chart(indicator: Indicator, trend: Sequence[Snapshot], rtl: bool) -> svgchart.Svg:
    spec = SPECS[indicator]
    points = []
    for snap in trend:
        figure = snap.figures.get(indicator)
        label = snap.start.strftime("%m/%y") if len(trend) > 8 else snap.start.strftime("%d/%m")
        points.append((label, None if figure is None else _plot(figure), False))
    return svgchart.trend(
        points,
        rtl=rtl,
        title=str(labels.NAMES[indicator]),
        no_data_text=str(labels.NO_DATA),
        unit_suffix="%" if spec.unit == "share" else "",
        y_max=100.0 if spec.unit == "share" else None,
    )


def _plot(figure: Figure) -> float:
    return figure.value * 100 if figure.spec.unit == "share" else figure.value


def _rows(
    snap: Snapshot, trend: Sequence[Snapshot], links: dict[Area, str], rtl: bool
) -> list[tuple[str, list[Row]]]:
    by_area: dict[Area, list[Row]] = {area: [] for area in AREA_ORDER}
    for indicator, figure in snap.figures.items():
        breakdown = [
            (str(labels.GROUPS[g]), labels.figure_text(f), f.n)
            for g, f in figure.breakdown.items()
            if g in labels.GROUPS
        ]
        by_area[figure.spec.area].append(
            Row(
                indicator=indicator,
                name=str(labels.NAMES[indicator]),
                value=labels.figure_text(figure),
                n=figure.n,
                interval=labels.interval_text(figure),
                breakdown=breakdown,
                chart=_chart(indicator, trend, rtl) if indicator in TRENDS else None,
                link=links[figure.spec.area],
            )
        )
    order = {i: k for k, i in enumerate(Indicator)}
    return [
        (str(labels.AREAS[area]), sorted(rows, key=lambda r: order[r.indicator]))
        for area, rows in by_area.items()
        if rows
    ]


def _child(snap: Snapshot) -> Child:
    reasons = [
        (str(labels.NAMES[s.component.indicator]), labels.figure_text(s.figure), s.figure.n)
        for s in snap.health.weakest()
    ]
    return Child(snap.place, url_of(snap.place), snap.health, reasons)


@dataclass(frozen=True)
class MapShape:
    path: str
    fill: str
    title: str  # the beat's name and its value, read by a screen reader and on hover


@dataclass(frozen=True)
class BeatMap:
    view_box: str
    shapes: list[MapShape]
    legend: list[tuple[str, str]]  # colour, range


def _beat_map(place: Place, period: str, start: dt.date, indicator: Indicator) -> BeatMap | None:
    if place.scope not in (Scope.STATION, Scope.DISTRICT):
        return None
    beats = {b.pk: b for b in Beat.objects.filter(selectors.beat_filter(place)).only(*BEAT_FIELDS)}
    values = selectors.beat_values(place, period, start, indicator)
    items = []
    for pk, beat in beats.items():
        try:
            items.append((pk, polygon_from_geojson(beat.boundary), values.get(pk)))
        except GeometryError:
            continue
    if not items:
        return None
    unit = SPECS[indicator].unit
    drawn = choropleth.choropleth(items, higher_is_better=SPECS[indicator].higher_is_better is not False)
    shapes = [
        MapShape(
            s.path,
            s.fill,
            f"{beats[s.key].local_name}: "
            + (str(labels.NO_DATA) if s.value is None else labels.value_text(unit, s.value)),
        )
        for s in drawn.shapes
    ]
    legend = [
        (
            e.colour,
            str(labels.NO_DATA)
            if e.no_data or e.lower is None or e.upper is None
            else labels.value_text(unit, e.lower)
            if e.lower == e.upper
            else f"{labels.value_text(unit, e.lower)}–{labels.value_text(unit, e.upper)}",
        )
        for e in drawn.legend
    ]
    return BeatMap(drawn.view_box, shapes, legend)


BEAT_FIELDS = ("pk", "name", "name_ur", "name_ps", "boundary")


def build(
    place: Place, *, period: str, today: dt.date, requested: dt.date | None, map_indicator: Indicator
) -> Dashboard:
    rtl = get_language_bidi()
    trend = selectors.trend(place, period, today)
    starts = [s.start for s in trend]
    start = focus_start(period, today, requested, starts)
    latest = selectors.last_proactive(place.scope, [place.pk], before=today + dt.timedelta(days=1))
    population = selectors.populations(place.scope, [place.pk]).get(place.pk, {})
    cells = selectors.series(place, period, [start]).get(start, {})
    snap = selectors.snapshot(
        place, cells, population, start, today=today, last_proactive=latest.get(place.pk)
    )
    kids = [_child(s) for s in selectors.children_snapshots(place, period, start, today)]
    attention = [c for c in kids if c.reasons and c.health.index is not None]
    attention.sort(key=lambda c: (c.health.index or 0, c.place.name))
    components = [
        (
            str(labels.NAMES[s.component.indicator]),
            labels.figure_text(s.figure),
            labels.value_text(SPECS[s.component.indicator].unit, s.component.target),
            str(round(s.score)),
            s.figure.n,
        )
        for s in snap.health.scored
    ]
    refreshed = selectors.refreshed_at()
    return Dashboard(
        place=place,
        parent=parent_of(place),
        period=period,
        start=start,
        end=end_of(period, start),
        complete=end_of(period, start) < today,
        starts=starts,
        health=snap.health,
        components=components,
        missing=[str(labels.NAMES[c.indicator]) for c in snap.health.missing],
        areas=_rows(snap, trend, record_links(place), rtl),
        attention=attention[:10],
        children=kids,
        map=_beat_map(place, period, start, map_indicator),
        map_indicator=map_indicator,
        map_choices=[(i.value, str(labels.NAMES[i])) for i in MAP_INDICATORS],
        hexes=maps.density_map(place, hex_months(start), refreshed),
        refreshed_at=refreshed,
    )


def targets() -> list[tuple[str, str, str]]:
    """The health index's components with their floors and targets, for the page's explanation."""
    return [
        (
            str(labels.NAMES[c.indicator]),
            labels.value_text(SPECS[c.indicator].unit, c.floor),
            labels.value_text(SPECS[c.indicator].unit, c.target),
        )
        for c in COMPONENTS
    ]
