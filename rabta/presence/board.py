"""Reads for the presence board and the weekly plan: per beat, how proactive presence stands against
its target, and where and when reports cluster.

The board runs four queries at most whatever the number of beats: the beats in scope (with their
station and target), one sum of the day rows (BeatDay, one per beat and local day) of the last four
weeks, one aggregate of the contacts of the three partial days at the window's edges, and one
`MAX(last_proactive_at)` of the day rows for the beats with no visit in those four weeks. The
aggregates are SQL (`GROUP BY beat_id`), never a loop over beats.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import h3
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from rabta.core.errors import NotVisible
from rabta.core.scoping import ScopeUser
from rabta.places.models import Beat
from rabta.presence.models import NIGHT_ENDS, NIGHT_STARTS, BeatDay, BeatTarget, Contact
from rabta.reports.models import Report

# "This week" on the board is the last seven days, so a Monday morning does not flag every beat.
WEEK = dt.timedelta(days=7)
# Night share is read over four weeks: one week holds too few contacts for a share to mean much.
NIGHT_WINDOW = dt.timedelta(days=28)
# The plan looks at this much history of reports and contacts.
PLAN_WINDOW = dt.timedelta(days=56)
PLAN_REPORT_POINTS = 5000
# H3 resolution 8: hexagons of about 0.7 km2, a few streets across: a place to walk, not an address.
PLAN_H3_RESOLUTION = 8
# A hexagon is shown only where reports cluster; one report alone would point at one household.
PLAN_MIN_CLUSTER = 2
PLAN_PLACES = 8
PLAN_HOURS = 6
PLAN_BEATS = 10
# Hours of the week are grouped in blocks of three (00-03, 03-06, ...): a shift can cover a block.
HOUR_BLOCK = 3

DEFAULT_TARGET = BeatTarget(
    proactive_per_week=BeatTarget._meta.get_field("proactive_per_week").get_default(),
    night_share_percent=BeatTarget._meta.get_field("night_share_percent").get_default(),
    max_days_between=BeatTarget._meta.get_field("max_days_between").get_default(),
)


class Flag:
    NEGLECTED = "neglected"
    BELOW_TARGET = "below_target"
    NIGHT = "night"


FLAG_LABELS = {
    Flag.NEGLECTED: _("No visit for too long"),
    Flag.BELOW_TARGET: _("Below the weekly target"),
    Flag.NIGHT: _("Too little after dark"),
}


def night_q(prefix: str = "") -> Q:
    """Contacts that started between 19:00 and 06:00 local time (the lookup converts to TIME_ZONE)."""
    return Q(**{f"{prefix}started_at__hour__gte": NIGHT_STARTS.hour}) | Q(
        **{f"{prefix}started_at__hour__lt": NIGHT_ENDS.hour}
    )


@dataclass
class BeatPresence:
    beat_id: int
    target: BeatTarget
    has_target: bool
    last_visit: dt.datetime | None
    days_since: int | None
    week_count: int
    window_count: int
    night_count: int
    flags: list[str] = field(default_factory=list)
    # Filled in for the rows a page shows (`presence_board`): a district's other 1,900 beats are
    # ranked on their names alone, never loaded as models.
    beat: Beat | None = None
    names: tuple[str, str] = ("", "")

    @property
    def night_percent(self) -> int | None:
        if not self.window_count:
            return None
        return round(100 * self.night_count / self.window_count)

    @property
    def flag_labels(self) -> list[str]:
        return [str(FLAG_LABELS[f]) for f in self.flags]

    @property
    def falls_short(self) -> bool:
        return bool(self.flags)


def _flags(row: BeatPresence) -> list[str]:
    flags = []
    if row.days_since is None or row.days_since > row.target.max_days_between:
        flags.append(Flag.NEGLECTED)
    if row.week_count < row.target.proactive_per_week:
        flags.append(Flag.BELOW_TARGET)
    night = row.night_percent
    if row.target.night_share_percent and (night is None or night < row.target.night_share_percent):
        flags.append(Flag.NIGHT)
    return flags


def _sort_key(row: BeatPresence) -> tuple[int, int, str, str]:
    never = 10_000
    return (
        -len(row.flags),
        -(row.days_since if row.days_since is not None else never),
        *row.names,
    )


def board_beats(user: ScopeUser) -> QuerySet[Beat]:
    # A district's 2,000 polygons, parsed from JSON for a list that never draws them, took a fifth
    # of the board's time (bench/presence.py).
    return (
        Beat.objects.visible_to(user)
        .select_related("station", "presence_target")
        .defer("boundary", "search_key")
    )


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()), timezone.get_default_timezone())


def _figures(
    scope: list[int], stations: set[int], now: dt.datetime
) -> tuple[dict[int, dict[str, Any]], dict[int, dt.datetime]]:
    """Per beat of `scope`: the last proactive visit and the week, window and night counts of the
    proactive contacts in the four weeks up to `now`; and the last visit before those four weeks of
    the beats with none in them.

    Whole days between the window's first day and today come from the day rows (BeatDay); the three
    partial days (the window's first, the week's first, today) from the contacts, so the figures are
    those of the contacts themselves to the second. Three queries at most, whatever the beats.
    """
    tz = timezone.get_default_timezone()
    since, week_start = now - NIGHT_WINDOW, now - WEEK
    since_day, week_day, today = (timezone.localdate(t, tz) for t in (since, week_start, now))
    since_day_end, week_day_end = (
        _day_start(since_day + dt.timedelta(days=1)),
        _day_start(week_day + dt.timedelta(days=1)),
    )
    today_start = _day_start(today)
    figures: dict[int, dict[str, Any]] = {}

    def add(beat_id: int, last: dt.datetime | None, window: int, week: int, night: int) -> None:
        got = figures.setdefault(beat_id, {"last": None, "window": 0, "week": 0, "night": 0})
        if last is not None and (got["last"] is None or last > got["last"]):
            got["last"] = last
        got["window"] += window
        got["week"] += week
        got["night"] += night

    # The ids as a list, not a subquery: the planner then reads a station's beats by the beat index.
    days = (
        BeatDay.objects.filter(beat_id__in=scope, day__gt=since_day, day__lt=today, proactive__gt=0)
        .values("beat_id")
        .annotate(
            last=Max("last_proactive_at"),
            window=Sum("proactive"),
            week=Sum("proactive", filter=Q(day__gt=week_day)),
            night=Sum("proactive_night"),
        )
        .order_by()
    )
    for row in days:
        add(row["beat_id"], row["last"], row["window"], row["week"] or 0, row["night"])
    # A contact's station is its beats' station: the station filter lets PostgreSQL read the
    # contacts of those days by their (station, proactive, started_at) index.
    partial = Q(contact__started_at__gte=since, contact__started_at__lt=since_day_end) | Q(
        contact__started_at__gte=week_start, contact__started_at__lt=week_day_end
    )
    partial |= Q(contact__started_at__gte=today_start, contact__started_at__lte=now)
    in_window = Q(contact__started_at__lt=since_day_end) | Q(contact__started_at__gte=today_start)
    # No filter on the beat ids here: with a district's 2,000 of them PostgreSQL read every row of
    # the link table (a second in all under load); the few thousand contacts of these days, found
    # by the station index, are joined to their beats by contact id instead, and beats outside the
    # scope (a contact that also covered one) are dropped below.
    edges = (
        Contact.beats.through.objects.filter(
            partial,
            contact__station_id__in=sorted(stations),
            contact__proactive=True,
        )
        .values("beat_id")
        .annotate(
            last=Max("contact__started_at"),
            window=Count("contact_id", filter=in_window),
            week=Count("contact_id", filter=Q(contact__started_at__gte=week_start)),
            night=Count("contact_id", filter=in_window & night_q("contact__")),
        )
        .order_by()
    )
    in_scope = set(scope)
    for row in edges:
        if row["beat_id"] in in_scope:
            add(row["beat_id"], row["last"], row["window"], row["week"], row["night"])
    stale = [pk for pk in scope if pk not in figures]
    older: dict[int, dt.datetime] = {}
    if stale:
        # The window's first day holds no visit of a stale beat after `since`: its row is all older.
        older = dict(
            BeatDay.objects.filter(beat_id__in=stale, day__lte=since_day, proactive__gt=0)
            .values("beat_id")
            .annotate(last=Max("last_proactive_at"))
            .order_by()
            .values_list("beat_id", "last")  # type: ignore[misc]  # django-stubs misses the annotation
        )
    return figures, older


@dataclass(frozen=True)
class Board:
    rows: list[BeatPresence]  # the first `limit` of them, those that fall short most first
    total: int
    short: int

    @property
    def hidden(self) -> int:
        return self.total - len(self.rows)


# What ranking a beat takes: ids, names and targets, as tuples (no model instances).
_SCOPE_FIELDS = (
    "pk",
    "station_id",
    "station__name",
    "name",
    "presence_target__proactive_per_week",
    "presence_target__night_share_percent",
    "presence_target__max_days_between",
)


def board(*, user: ScopeUser, now: dt.datetime | None = None, limit: int | None = None) -> Board:
    """The beats in the user's scope with their presence figures, those that fall short first; the
    first `limit` of them (all without one) with their Beat, station and target loaded."""
    now = now or timezone.now()
    scope = list(Beat.objects.visible_to(user).values_list(*_SCOPE_FIELDS))
    if not scope:
        return Board(rows=[], total=0, short=0)
    figures, older = _figures([r[0] for r in scope], {r[1] for r in scope}, now)
    tz = timezone.get_default_timezone()
    today = timezone.localdate(now, tz)
    targets: dict[tuple[int, int, int], BeatTarget] = {}
    rows = []
    for pk, _station_id, station_name, name, per_week, night, max_days in scope:
        has_target = per_week is not None
        target = DEFAULT_TARGET
        if has_target:
            key = (per_week, night, max_days)
            if key not in targets:
                targets[key] = BeatTarget(
                    proactive_per_week=per_week, night_share_percent=night, max_days_between=max_days
                )
            target = targets[key]
        got = figures.get(pk, {})
        last = got.get("last") or older.get(pk)
        row = BeatPresence(
            beat_id=pk,
            target=target,
            has_target=has_target,
            last_visit=last,
            days_since=(today - timezone.localdate(last, tz)).days if last else None,
            week_count=got.get("week", 0),
            window_count=got.get("window", 0),
            night_count=got.get("night", 0),
            names=(station_name, name),
        )
        row.flags = _flags(row)
        rows.append(row)
    rows.sort(key=_sort_key)
    shown = rows if limit is None else rows[:limit]
    beats = board_beats(user).in_bulk([r.beat_id for r in shown])
    for row in shown:
        row.beat = beats[row.beat_id]
        row.target = getattr(row.beat, "presence_target", None) or DEFAULT_TARGET
    return Board(rows=shown, total=len(rows), short=sum(1 for r in rows if r.falls_short))


def presence_board(*, user: ScopeUser, now: dt.datetime | None = None) -> list[BeatPresence]:
    """Every beat in the user's scope with its presence figures, those that fall short first."""
    return board(user=user, now=now).rows


# --- the weekly plan ------------------------------------------------------------------------------


@dataclass(frozen=True)
class HourBlock:
    weekday: int  # ISO: 1 = Monday
    start_hour: int
    reports: int
    proactive: int

    @property
    def end_hour(self) -> int:
        return self.start_hour + HOUR_BLOCK

    @property
    def weekday_name(self) -> str:
        return str(WEEKDAYS[self.weekday - 1])


@dataclass(frozen=True)
class Place:
    cell: str
    lat: float
    lon: float
    reports: int
    beat: Beat | None


@dataclass(frozen=True)
class WeeklyPlan:
    beats: list[BeatPresence]
    hours: list[HourBlock]
    places: list[Place]
    report_points: int


def _hour_histogram(rows: QuerySet[Any, dict[str, int]]) -> Counter[tuple[int, int]]:
    counts: Counter[tuple[int, int]] = Counter()
    for row in rows:
        counts[(row["weekday"], row["hour"] // HOUR_BLOCK * HOUR_BLOCK)] += row["n"]
    return counts


def weekly_plan(*, user: ScopeUser, now: dt.datetime | None = None) -> WeeklyPlan:
    """Beats to cover first, the hours of the week when reports come in but patrols do not, and the
    hexagons where reports cluster. Reads reports' precise points: staff only, and the view logs it."""
    now = now or timezone.now()
    ranked = presence_board(user=user, now=now)
    since = now - PLAN_WINDOW
    beats = Beat.objects.visible_to(user).values("pk")
    # The report rules (women's desk, conduct complaints) apply to the clusters as to the lists.
    reports = Report.objects.visible_to(user).filter(  # type: ignore[arg-type]
        beat_id__in=beats, created_at__gte=since, created_at__lte=now
    )
    report_hours = _hour_histogram(
        reports.annotate(weekday=ExtractIsoWeekDay("created_at"), hour=ExtractHour("created_at"))
        .values("weekday", "hour")
        .annotate(n=Count("pk"))
        .order_by()
    )
    contacts = Contact.objects.filter(
        Q(proactive=True, started_at__gte=since, started_at__lte=now),
        pk__in=Contact.beats.through.objects.filter(beat_id__in=beats).values("contact_id"),
    )
    contact_hours = _hour_histogram(
        contacts.annotate(weekday=ExtractIsoWeekDay("started_at"), hour=ExtractHour("started_at"))
        .values("weekday", "hour")
        .annotate(n=Count("pk"))
        .order_by()
    )
    # Blocks where reports come in most, and among equals those with the fewest patrols.
    hours = sorted(
        (
            HourBlock(weekday=w, start_hour=h, reports=n, proactive=contact_hours.get((w, h), 0))
            for (w, h), n in report_hours.items()
        ),
        key=lambda b: (-b.reports, b.proactive, b.weekday, b.start_hour),
    )[:PLAN_HOURS]
    points = list(
        reports.filter(lat__isnull=False, lon__isnull=False)
        .order_by("-created_at")
        .values_list("lat", "lon", "beat_id")[:PLAN_REPORT_POINTS]
    )
    cells: Counter[str] = Counter()
    cell_beats: dict[str, Counter[int]] = {}
    for lat, lon, beat_id in points:
        cell = h3.latlng_to_cell(lat, lon, PLAN_H3_RESOLUTION)
        cells[cell] += 1
        cell_beats.setdefault(cell, Counter())[beat_id] += 1
    by_pk = {row.beat_id: row.beat for row in ranked if row.beat is not None}
    places = []
    for cell, n in cells.most_common(PLAN_PLACES):
        if n < PLAN_MIN_CLUSTER:
            break
        lat, lon = h3.cell_to_latlng(cell)
        beat_id = cell_beats[cell].most_common(1)[0][0]
        places.append(
            Place(cell=cell, lat=round(lat, 4), lon=round(lon, 4), reports=n, beat=by_pk.get(beat_id))
        )
    return WeeklyPlan(
        beats=[row for row in ranked if row.falls_short][:PLAN_BEATS],
        hours=hours,
        places=places,
        report_points=len(points),
    )


# --- targets --------------------------------------------------------------------------------------


def find_beat(*, user: ScopeUser, code: str) -> Beat:
    try:
        return Beat.objects.visible_to(user).select_related("station", "presence_target").get(code=code)
    except Beat.DoesNotExist as exc:
        raise NotVisible("beat") from exc
