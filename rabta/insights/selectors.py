"""Reads for the dashboards, public pages and open data: a fixed number of queries per page, whatever
the number of beats (every figure comes from the Measure rows, never from raw records).

Reads go to the database the router names for reading the rollups (a PostgreSQL replica when
DATABASE_REPLICA_URL is set; rabta.core.db_router).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Max, Q

from rabta.core.scoping import ScopeUser
from rabta.insights import indicators
from rabta.insights.health import Health, health
from rabta.insights.indicators import Cells, Figure, Indicator
from rabta.insights.metrics import Metric
from rabta.insights.models import HexCount, Measure, PeriodKind, Population, RefreshState, Scope
from rabta.insights.periods import last_n, start_of
from rabta.places.models import Beat, District, PoliceStation
from rabta.presence.models import BeatDay

CHILD: dict[str, str] = {
    Scope.PROVINCE: Scope.DISTRICT,
    Scope.DISTRICT: Scope.STATION,
    Scope.STATION: Scope.BEAT,
}
TREND_PERIODS: dict[str, int] = {PeriodKind.MONTH: 12, PeriodKind.WEEK: 8}


@dataclass(frozen=True)
class Place:
    scope: str
    pk: int  # 0 for the province
    name: str
    code: str
    obj: Any  # the District, PoliceStation or Beat (None for the province)

    @property
    def key(self) -> tuple[str, int]:
        return (self.scope, self.pk)


@dataclass(frozen=True)
class Snapshot:
    """One place in one period: its indicators and health."""

    place: Place
    start: dt.date
    figures: dict[Indicator, Figure]
    health: Health


def place(scope: str, pk: int) -> Place | None:
    if scope == Scope.PROVINCE:
        return Place(Scope.PROVINCE, 0, "", "", None)
    models: dict[str, Any] = {Scope.DISTRICT: District, Scope.STATION: PoliceStation, Scope.BEAT: Beat}
    model = models.get(scope)
    if model is None:
        return None
    joins: dict[str, tuple[str, ...]] = {Scope.STATION: ("district",), Scope.BEAT: ("station__district",)}
    related = joins.get(scope, ())
    obj = model.objects.select_related(*related).filter(pk=pk).first()
    return None if obj is None else Place(scope, obj.pk, obj.local_name, obj.code, obj)


def visible(user: ScopeUser, target: Place) -> bool:
    """Whether a staff user may see a place's dashboard: the places of their own scope and those
    below it (a station head sees their station and its beats, not their district)."""
    if not user.is_authenticated:
        return False
    if user.sees_everything:
        return True
    if target.scope == Scope.PROVINCE:
        return False
    if target.scope == Scope.DISTRICT:
        return bool(user.scope_district_id == target.pk)
    if target.scope == Scope.STATION:
        return PoliceStation.objects.visible_to(user).filter(pk=target.pk).exists() and not user.scope_beat_id
    return Beat.objects.visible_to(user).filter(pk=target.pk).exists()


def home_place(user: ScopeUser) -> Place | None:
    """Where a user's dashboard starts: the widest place they see."""
    if user.sees_everything:
        return place(Scope.PROVINCE, 0)
    if user.scope_district_id:
        return place(Scope.DISTRICT, user.scope_district_id)
    if user.scope_station_id:
        return place(Scope.STATION, user.scope_station_id)
    beat = Beat.objects.visible_to(user).order_by("pk").first()
    return place(Scope.BEAT, beat.pk) if beat else None


def children(parent: Place) -> list[Place]:
    scope = CHILD.get(parent.scope)
    if scope is None:
        return []
    if scope == Scope.DISTRICT:
        rows: Iterable[Any] = District.objects.order_by("name")
    elif scope == Scope.STATION:
        rows = PoliceStation.objects.filter(district_id=parent.pk).order_by("name")
    else:
        rows = Beat.objects.filter(station_id=parent.pk).order_by("name")
    return [Place(scope, r.pk, r.local_name, r.code, r) for r in rows]


def _cells(rows: Iterable[tuple[Any, ...]]) -> dict[Any, dict[tuple[str, str], tuple[int, float]]]:
    out: dict[Any, dict[tuple[str, str], tuple[int, float]]] = defaultdict(dict)
    for key, metric, group, n, value in rows:
        out[key][(metric, group)] = (n, value)
    return out


def series(target: Place, period: str, starts: Sequence[dt.date]) -> dict[dt.date, Cells]:
    """One place's rows for these periods, in one query."""
    rows = Measure.objects.filter(
        scope=target.scope, scope_id=target.pk, period=period, start__in=list(starts)
    ).values_list("start", "metric", "group", "n", "value")
    return dict(_cells(rows))


def child_cells(parent: Place, period: str, start: dt.date) -> dict[int, Cells]:
    """The rows of every place one level below `parent` for one period, in one query."""
    scope = CHILD.get(parent.scope)
    if scope is None:
        return {}
    rows = Measure.objects.filter(scope=scope, period=period, start=start)
    if parent.scope == Scope.DISTRICT:
        rows = rows.filter(district_id=parent.pk)
    elif parent.scope == Scope.STATION:
        rows = rows.filter(station_id=parent.pk)
    return dict(_cells(rows.values_list("scope_id", "metric", "group", "n", "value")))


def populations(scope: str, ids: Iterable[int]) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = defaultdict(dict)
    rows = Population.objects.filter(scope=scope, scope_id__in=list(ids)).values_list(
        "scope_id", "group", "n"
    )
    for scope_id, group, n in rows:
        out[scope_id][group] = n
    return out


def last_proactive(scope: str, ids: Iterable[int], *, before: dt.date) -> dict[int, dt.date]:
    """The latest proactive visit day of each place, counting only days before `before` (public pages
    pass today: nothing newer than yesterday). Weeks that ended before `before`'s week come from the weekly
    rows (their latest day is a max); the days of `before`'s own week from the presence day rows, because a
    week's latest day may be `before` itself and says nothing of the days ahead of it."""
    ids = list(ids)
    week = start_of(PeriodKind.WEEK, before)
    rows = (
        Measure.objects.filter(
            scope=scope, scope_id__in=ids, period=PeriodKind.WEEK, metric=Metric.LAST_PROACTIVE
        )
        .filter(start__lt=week)
        .values("scope_id")
        .annotate(latest=Max("value"))
        .order_by()
    )
    out = {r["scope_id"]: dt.date.fromordinal(int(r["latest"])) for r in rows}
    if week < before:
        days = BeatDay.objects.filter(proactive__gt=0, day__gte=week, day__lt=before)
        if scope == Scope.PROVINCE:
            latest = days.aggregate(latest=Max("day"))["latest"]
            out.update({0: latest} if latest else {})
        else:
            field = _BEAT_DAY_PLACE[scope]
            by_place = days.filter(**{f"{field}__in": ids}).values(place=F(field)).annotate(latest=Max("day"))
            out.update({r["place"]: r["latest"] for r in by_place.order_by()})
    return out


_BEAT_DAY_PLACE: dict[str, str] = {
    Scope.BEAT: "beat_id",
    Scope.STATION: "beat__station_id",
    Scope.DISTRICT: "beat__station__district_id",
}


def snapshot(target: Place, cells: Cells, population: dict[str, int], start: dt.date, **kw: Any) -> Snapshot:
    found = indicators.figures(cells, population, **kw)
    return Snapshot(target, start, found, health(found))


def trend(target: Place, period: str, today: dt.date, *, complete_only: bool = False) -> list[Snapshot]:
    """The place's last 12 months (or 8 weeks), oldest first; the running one unless complete_only."""
    starts = last_n(period, today, TREND_PERIODS[period], include_current=not complete_only)
    by_start = series(target, period, starts)
    population = populations(target.scope, [target.pk]).get(target.pk, {})
    return [snapshot(target, by_start.get(s, {}), population, s) for s in starts]


def children_snapshots(parent: Place, period: str, start: dt.date, today: dt.date) -> list[Snapshot]:
    kids = children(parent)
    cells = child_cells(parent, period, start)
    ids = [k.pk for k in kids]
    pops = populations(kids[0].scope, ids) if kids else {}
    latest = last_proactive(kids[0].scope, ids, before=today + dt.timedelta(days=1)) if kids else {}
    return [
        snapshot(
            k, cells.get(k.pk, {}), pops.get(k.pk, {}), start, today=today, last_proactive=latest.get(k.pk)
        )
        for k in kids
    ]


def needing_attention(snapshots: Sequence[Snapshot], count: int = 10) -> list[Snapshot]:
    """Places whose health is lowest, with data: the weakest components say why. Places, not people."""
    scored = [s for s in snapshots if s.health.index is not None and s.health.weakest()]
    return sorted(scored, key=lambda s: (s.health.index, s.place.name))[:count]


def beat_values(target: Place, period: str, start: dt.date, indicator: Indicator) -> dict[int, float]:
    """One indicator for every beat inside a place (for its map), in two queries."""
    rows = Measure.objects.filter(scope=Scope.BEAT, period=period, start=start)
    if target.scope == Scope.DISTRICT:
        rows = rows.filter(district_id=target.pk)
    elif target.scope == Scope.STATION:
        rows = rows.filter(station_id=target.pk)
    elif target.scope == Scope.BEAT:
        rows = rows.filter(scope_id=target.pk)
    cells = _cells(rows.values_list("scope_id", "metric", "group", "n", "value"))
    pops = populations(Scope.BEAT, cells)
    out = {}
    for pk, beat_cells in cells.items():
        figure = indicators.figures(beat_cells, pops.get(pk, {})).get(indicator)
        if figure is not None:
            out[pk] = figure.value
    return out


def hex_counts(
    *,
    resolution: int,
    months: Sequence[dt.date],
    district_id: int | None = None,
    station_id: int | None = None,
) -> dict[str, int]:
    """Reports per H3 cell over these months, in a district or a police station (or everywhere)."""
    rows = HexCount.objects.filter(resolution=resolution, month__in=list(months))
    if district_id is not None:
        rows = rows.filter(district_id=district_id)
    if station_id is not None:
        rows = rows.filter(station_id=station_id)
    out: dict[str, int] = defaultdict(int)
    for cell, n in rows.values_list("cell", "n"):
        out[cell] += n
    return dict(out)


def refreshed_at() -> dt.datetime | None:
    state = RefreshState.objects.filter(pk=1).values_list("refreshed_at", flat=True).first()
    return state


def beat_filter(target: Place) -> Q:
    """Beats inside a place, as a filter on Beat."""
    if target.scope == Scope.BEAT:
        return Q(pk=target.pk)
    if target.scope == Scope.STATION:
        return Q(station_id=target.pk)
    if target.scope == Scope.DISTRICT:
        return Q(station__district_id=target.pk)
    return Q()
