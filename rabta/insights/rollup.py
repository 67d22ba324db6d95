"""Keeping the Measure rows up to date (the periodic task runs `refresh`; docs/insights.md).

`refresh` finds the local days whose figures may have changed since the last run (each source says
which: records written, deadlines passed), always adds today and yesterday (time alone changes the
running periods: deadlines pass, desk hours accrue), and rewrites only the weeks and months those days
fall in. Each window of periods is rewritten in one transaction: a reader sees the old rows or the new,
never half. `refresh(full=True)` rewrites every period from the first record on; the daily rebuild does
it, so records deleted by retention drop out of the figures too.

Beat rows come from the sources; a station's, district's and the province's are the sums of the rows
below them (the latest day for LATEST), except medians, which the source computes at every level.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import h3
from django.db import connections, router, transaction
from django.utils import timezone

from rabta.insights.metrics import KINDS, Kind, population_groups
from rabta.insights.models import HexCount, Measure, PeriodKind, Population, RefreshState, Scope
from rabta.insights.periods import next_start, start_of, starts_between
from rabta.insights.sources import engagement, feedback, local_day, local_midnight, presence, reports
from rabta.places.models import AGE_BANDS, GENDERS, Beat, PoliceStation

SOURCES = (reports, presence, engagement, feedback)
# Records written while the last run was reading are caught by starting a little before it.
OVERLAP = dt.timedelta(minutes=5)
# Periods rewritten per transaction: bounds the rows held in memory during a full rebuild.
WINDOW: dict[str, int] = {PeriodKind.WEEK: 8, PeriodKind.MONTH: 2}
# H3 resolutions kept for the density maps, finest first: about 0.1 km2 and 0.7 km2 cells for staff
# (a map draws the finest that keeps cells visible at a phone's width), about 5 km2 for the public.
STAFF_RESOLUTIONS = (9, 8, 7)
PUBLIC_RESOLUTION = 7

Key = tuple[str, int, dt.date, str, str]  # scope, scope_id, start, metric, group


@dataclass(frozen=True)
class RefreshResult:
    full: bool
    periods: int
    rows: int
    seconds: float


def refresh(*, now: dt.datetime | None = None, full: bool = False) -> RefreshResult:
    began = time.monotonic()
    now = now or timezone.now()
    today = local_day(now)
    state, _ = RefreshState.objects.get_or_create(pk=1)
    full = full or state.refreshed_at is None
    if full:
        firsts = [d for d in (s.first_day() for s in SOURCES) if d is not None]
        days = {today} if not firsts else {min(firsts), today}
        targets = {kind: set(starts_between(kind, min(days), today)) for kind in PeriodKind}
    else:
        assert state.refreshed_at is not None
        since = state.refreshed_at - OVERLAP
        days = {today, today - dt.timedelta(days=1)}
        for source in SOURCES:
            days |= source.changed_days(since, now)
        targets = {kind: {start_of(kind, d) for d in days if d <= today} for kind in PeriodKind}
    written = 0
    for kind in PeriodKind:
        for window in _windows(kind, sorted(targets[kind])):
            written += rewrite(kind, window, now)
    refresh_population()
    months = sorted(targets[PeriodKind.MONTH])
    for window in _windows(PeriodKind.MONTH, months):
        rewrite_hexes(window)
    if full:
        _vacuum()
    seconds = time.monotonic() - began
    state.refreshed_at = now
    state.periods_refreshed = sum(len(t) for t in targets.values())
    state.seconds = seconds
    fields = ["refreshed_at", "periods_refreshed", "seconds"]
    if full:
        state.full_rebuild_at = now
        fields.append("full_rebuild_at")
    state.save(update_fields=fields)
    return RefreshResult(full=full, periods=state.periods_refreshed, rows=written, seconds=seconds)


def _vacuum() -> None:
    """After a full rebuild every row is new: on PostgreSQL mark the pages visible and the statistics
    fresh now, so pages read a place's rows from the covering index alone (migration 0003) instead of
    waiting for autovacuum. Not inside a transaction (VACUUM cannot be), nor on SQLite."""
    for model in (Measure, HexCount):
        connection = connections[router.db_for_write(model)]
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")


def _windows(kind: str, starts: Sequence[dt.date]) -> Iterator[list[dt.date]]:
    """Runs of consecutive period starts, at most WINDOW[kind] long."""
    run: list[dt.date] = []
    for start in starts:
        if run and (next_start(kind, run[-1]) != start or len(run) >= WINDOW[kind]):
            yield run
            run = []
        run.append(start)
    if run:
        yield run


def _places() -> tuple[dict[int, tuple[int, int]], dict[int, int]]:
    beats = {
        pk: (station, district)
        for pk, station, district in Beat.objects.values_list("pk", "station_id", "station__district_id")
    }
    stations = dict(PoliceStation.objects.values_list("pk", "district_id"))
    return beats, stations


def collect(kind: str, starts: Sequence[dt.date], now: dt.datetime) -> dict[Key, list[float]]:
    """Every level's rows for these periods, as key -> [n, value]."""
    first, end = starts[0], next_start(kind, starts[-1])
    beats, stations = _places()
    out: dict[Key, list[float]] = {}

    def add(key: Key, n: float, value: float, latest: bool) -> None:
        cell = out.get(key)
        if cell is None:
            out[key] = [n, value]
        else:
            cell[0] += n
            cell[1] = max(cell[1], value) if latest else cell[1] + value

    for source in SOURCES:
        for row in source.rows(kind, first, end, now):
            kind_of = KINDS[row.metric]
            latest = kind_of is Kind.LATEST
            key = (row.scope, row.scope_id, row.start, row.metric.value, row.group)
            add(key, row.n, row.value, latest)
            if kind_of is Kind.MEDIAN:
                continue
            district: int | None = None
            if row.scope == Scope.BEAT:
                station, district = beats.get(row.scope_id, (None, None))
                if station is not None:
                    add((Scope.STATION, station, row.start, key[3], row.group), row.n, row.value, latest)
            elif row.scope == Scope.STATION:
                district = stations.get(row.scope_id)
            if district is None:
                continue
            add((Scope.DISTRICT, district, row.start, key[3], row.group), row.n, row.value, latest)
            add((Scope.PROVINCE, 0, row.start, key[3], row.group), row.n, row.value, latest)
    return out


def rewrite(kind: str, starts: Sequence[dt.date], now: dt.datetime) -> int:
    """Replace the rows of these periods with freshly computed ones; the number written."""
    cells = collect(kind, starts, now)
    beats, stations = _places()
    first, end = starts[0], next_start(kind, starts[-1])

    def record(key: Key, n: float, value: float) -> tuple[Any, ...]:
        scope, scope_id, start, metric, group = key
        station: int | None = None
        district: int | None = None
        if scope == Scope.BEAT:
            station, district = beats.get(scope_id, (None, None))
        elif scope == Scope.STATION:
            station, district = scope_id, stations.get(scope_id)
        elif scope == Scope.DISTRICT:
            district = scope_id
        return (scope, scope_id, station, district, kind, start, metric, group, int(n), float(value))

    records = (record(key, n, value) for key, (n, value) in cells.items() if first <= key[2] < end)
    with transaction.atomic(using=router.db_for_write(Measure)):
        Measure.objects.filter(period=kind, start__gte=first, start__lt=end).delete()
        return _write(Measure, _MEASURE_COLUMNS, records)


_MEASURE_COLUMNS = (
    "scope",
    "scope_id",
    "station_id",
    "district_id",
    "period",
    "start",
    "metric",
    "group",
    "n",
    "value",
)


def _write(model: Any, columns: Sequence[str], records: Iterable[tuple[Any, ...]]) -> int:
    """Insert rows fast: COPY on PostgreSQL, batched INSERTs elsewhere."""
    connection = connections[router.db_for_write(model)]
    count = 0
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        names = ", ".join(quote(model._meta.get_field(c).column) for c in columns)
        sql = f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in records:
                copy.write_row(row)
                count += 1
        return count
    batch: list[Any] = []
    for row in records:
        batch.append(model(**dict(zip(columns, row, strict=True))))
        if len(batch) >= 2000:
            model.objects.bulk_create(batch)
            count += len(batch)
            batch = []
    model.objects.bulk_create(batch)
    return count + len(batch)


def refresh_population() -> None:
    """Every place's residents by group, summed from its beats' census figures."""
    fields = [f"population_{g}_{b}" for g in GENDERS for b in AGE_BANDS]
    totals: dict[tuple[str, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in Beat.objects.values("pk", "station_id", "station__district_id", *fields).iterator():
        counts = {(g, b): row[f"population_{g}_{b}"] for g in GENDERS for b in AGE_BANDS}
        places = (
            (Scope.BEAT, row["pk"]),
            (Scope.STATION, row["station_id"]),
            (Scope.DISTRICT, row["station__district_id"]),
            (Scope.PROVINCE, 0),
        )
        for group, n in population_groups(counts).items():
            for place in places:
                totals[place][group] += n
    records = (
        (scope, scope_id, group, n)
        for (scope, scope_id), groups in totals.items()
        for group, n in groups.items()
    )
    with transaction.atomic(using=router.db_for_write(Population)):
        Population.objects.all().delete()
        _write(Population, ("scope", "scope_id", "group", "n"), records)


def rewrite_hexes(months: Sequence[dt.date]) -> int:
    """Reports per H3 cell for these months, at both resolutions, from their precise points."""
    first, end = months[0], next_start(PeriodKind.MONTH, months[-1])
    points = (
        reports.counted()
        .filter(created_at__gte=local_midnight(first), created_at__lt=local_midnight(end))
        .filter(lat__isnull=False, lon__isnull=False)
        .values_list("created_at", "lat", "lon", "beat__station__district_id", "beat__station_id")
        .order_by()
    )
    finest, *coarser = sorted({*STAFF_RESOLUTIONS, PUBLIC_RESOLUTION}, reverse=True)
    counts: dict[tuple[int, str, dt.date, int, int], int] = defaultdict(int)
    for created, lat, lon, district, station in points.iterator(chunk_size=10000):
        month = start_of(PeriodKind.MONTH, local_day(created))
        cell = h3.latlng_to_cell(lat, lon, finest)
        counts[(finest, cell, month, district, station)] += 1
        for resolution in coarser:
            counts[(resolution, h3.cell_to_parent(cell, resolution), month, district, station)] += 1
    records = ((*key, n) for key, n in counts.items())
    fields = ("resolution", "cell", "month", "district_id", "station_id", "n")
    with transaction.atomic(using=router.db_for_write(HexCount)):
        HexCount.objects.filter(month__gte=first, month__lt=end).delete()
        return _write(HexCount, fields, records)


def last_refreshed() -> dt.datetime | None:
    state = RefreshState.objects.filter(pk=1).first()
    return state.refreshed_at if state else None
