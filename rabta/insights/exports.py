"""Exports for analysts and researchers (docs/research-export.md).

* measures.csv: the rollup rows (rabta.insights.models.Measure) of the places the viewer sees, with place
  codes and names and a derived indicator; codebook.csv says what every column and metric means.
* research.csv: one row per report, k-anonymous on (beat, period, category) (rabta.lib.kanon), with
  coarse outcomes only; research-summary.json: what the anonymiser merged, coarsened and dropped.

Only the export roles (analysts and administrators, as for the presence export) may export; each export
is written to the access log with its scope, period and row count before a byte is sent. The files are
streamed, so a province's rows never sit in memory as text.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from rabta.audit.models import AccessLog
from rabta.core.scoping import ScopeUser, is_staff_member
from rabta.insights import codebook
from rabta.insights.codebook import BY_METRIC, OnTime, StatusGroup
from rabta.insights.models import Measure, PeriodKind, Scope
from rabta.insights.periods import end_of
from rabta.insights.sources import local_midnight, period_start
from rabta.insights.sources.reports import counted, late_q, on_time_q
from rabta.lib import kanon
from rabta.lib.stats import MIN_CELL
from rabta.people.auth import StaffRequest, staff_required
from rabta.places.models import Beat, District, PoliceStation
from rabta.presence.export import PeriodForm, can_export
from rabta.reports.lifecycle import OPEN_STATUSES, Status
from rabta.reports.models import Report

DEFAULT_DAYS = 365
MAX_K = 50
# Nothing is older than Rabta; earlier dates would only overflow when made aware.
EARLIEST = dt.date(2000, 1, 1)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv(rows: Iterable[Sequence[object]], filename: str) -> HttpResponse:
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse((writer.writerow(row) for row in rows), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    # staff_required passes a streamed response through untouched.
    return response  # type: ignore[return-value]


def _bad_request(text: str) -> HttpResponse:
    return HttpResponse(text + "\n", status=400, content_type="text/plain; charset=utf-8")


def _days_before(day: dt.date, days: int) -> dt.date:
    return day - dt.timedelta(days=days) if day > dt.date.min + dt.timedelta(days=days) else dt.date.min


def scope_label(user: ScopeUser) -> str:
    """The access log's object id for an export: the viewer's scope."""
    if user.sees_everything:
        return "all"
    for kind in ("district", "station", "beat"):
        pk = getattr(user, f"scope_{kind}_id")
        if pk:
            return f"{kind}:{pk}"
    return "none"


def _log(user: ScopeUser, object_type: str, detail: str) -> None:
    AccessLog.objects.create(
        actor_id=user.pk,
        action=AccessLog.Action.EXPORT,
        object_type=object_type,
        object_id=scope_label(user),
        detail=detail[:200],
    )


# ---- analysts: the rollup rows ---------------------------------------------------------------


def measures_visible_to(user: ScopeUser) -> QuerySet[Measure]:
    """The rollup rows of the places `user` sees: a district's beats, stations and itself; a station's
    beats and itself; one beat; everything (the province too) for the roles that see everything."""
    rows = Measure.objects.all()
    if not is_staff_member(user):
        return rows.none()
    if user.sees_everything:
        return rows
    if user.scope_district_id:
        return rows.filter(district_id=user.scope_district_id)
    if user.scope_station_id:
        return rows.filter(station_id=user.scope_station_id)
    if user.scope_beat_id:
        return rows.filter(scope=Scope.BEAT, scope_id=user.scope_beat_id)
    return rows.none()


@dataclass(frozen=True)
class Names:
    """Codes and names of the places in a viewer's scope: (code, name, district code, station code)."""

    places: dict[tuple[str, int], tuple[str, str, str, str]]

    @classmethod
    def visible_to(cls, user: ScopeUser) -> Names:
        beats = Beat.objects.visible_to(user)
        places: dict[tuple[str, int], tuple[str, str, str, str]] = {}
        for pk, code, name, station, district in beats.values_list(
            "pk", "code", "name", "station__code", "station__district__code"
        ):
            places[(Scope.BEAT, pk)] = (code, name, district, station)
        stations = PoliceStation.objects.visible_to(user)
        for pk, code, name, district in stations.values_list("pk", "code", "name", "district__code"):
            places[(Scope.STATION, pk)] = (code, name, district, code)
        districts = District.objects.all()
        if not user.sees_everything:
            districts = districts.filter(pk__in=stations.values("district_id"))
        for pk, code, name in districts.values_list("pk", "code", "name"):
            places[(Scope.DISTRICT, pk)] = (code, name, code, "")
        return cls(places)

    def of(self, scope: str, pk: int) -> tuple[str, str, str, str]:
        return self.places.get((scope, pk), ("", "", "", ""))


def measure_rows(measures: QuerySet[Measure], names: Names) -> Iterator[list[object]]:
    yield [name for name, _text in codebook.MEASURE_COLUMNS]
    fields = ("scope", "scope_id", "period", "start", "metric", "group", "n", "value")
    for scope, scope_id, period, start, metric, group, n, value in measures.values_list(*fields).iterator(
        chunk_size=5000
    ):
        code, name, district, station = names.of(scope, scope_id)
        entry = BY_METRIC.get(metric)  # type: ignore[call-overload]
        yield [
            scope,
            code,
            name,
            district,
            station,
            period,
            start.isoformat(),
            end_of(period, start).isoformat(),
            metric,
            entry.kind.value if entry else "",
            group,
            n,
            codebook.number(value),
            codebook.indicator(entry.derive, n, value) if entry else "",
            int(0 < n < MIN_CELL),
        ]


class MeasuresForm(PeriodForm):
    period = forms.ChoiceField(choices=PeriodKind.choices, required=False)
    scope = forms.ChoiceField(choices=Scope.choices, required=False)


@staff_required
@require_GET
def measures_csv(request: StaffRequest) -> HttpResponse:
    user = request.user
    if not can_export(user):
        raise PermissionDenied
    form = MeasuresForm(request.GET)
    if not form.is_valid():
        return _bad_request(
            _(
                "start and end are dates (YYYY-MM-DD), end not before start; period is week or month; "
                "scope is beat, station, district or province."
            )
        )
    data = form.cleaned_data
    period: str = data.get("period") or PeriodKind.MONTH
    scope: str = data.get("scope") or ""
    end: dt.date = data.get("end") or timezone.localdate()
    start: dt.date = data.get("start") or _days_before(end, DEFAULT_DAYS)
    measures = measures_visible_to(user).filter(period=period, start__gte=start, start__lte=end)
    if scope:
        measures = measures.filter(scope=scope)
    measures = measures.order_by("start", "scope", "scope_id", "metric", "group")
    count = measures.count()
    _log(
        user,
        Measure._meta.label_lower,
        f"measures CSV {period} {start.isoformat()}..{end.isoformat()} scope={scope or 'all'}, {count} rows",
    )
    filename = f"measures-{period}-{start.isoformat()}-{end.isoformat()}.csv"
    return _csv(measure_rows(measures, Names.visible_to(user)), filename)


@staff_required
@require_GET
def codebook_csv(request: StaffRequest) -> HttpResponse:
    # No data, only what the columns mean: any staff member may read it, in their language.
    return _csv(codebook.rows(), "codebook.csv")


# ---- researchers: k-anonymous report rows ----------------------------------------------------


def _status_group() -> Case:
    return Case(
        When(status__in=OPEN_STATUSES, then=Value(StatusGroup.OPEN.value)),
        When(status=Status.RESOLVED, then=Value(StatusGroup.RESOLVED.value)),
        When(status=Status.REFERRED, then=Value(StatusGroup.REFERRED.value)),
        default=Value(StatusGroup.CLOSED.value),
        output_field=CharField(),
    )


def _first_contact_band() -> Case:
    bands = [
        When(acknowledged_at__lt=F("created_at") + dt.timedelta(hours=upper), then=Value(band))
        for upper, band in kanon.HOUR_BANDS
    ]
    return Case(
        When(acknowledged_at__isnull=True, then=Value(kanon.NO_CONTACT)),
        *bands,
        default=Value(kanon.LONGEST_BAND),
        output_field=CharField(),
    )


def _on_time(now: dt.datetime) -> Case:
    # The rollup's own rules (rabta.insights.sources.reports), so the file agrees with the on-time rate.
    return Case(
        When(
            Q(first_contact_due__isnull=True) | Q(resolution_due__isnull=True),
            then=Value(OnTime.UNDECIDED.value),
        ),
        When(on_time_q(), then=Value(OnTime.YES.value)),
        When(late_q(now), then=Value(OnTime.NO.value)),
        default=Value(OnTime.UNDECIDED.value),
        output_field=CharField(),
    )


def research_reports(user: ScopeUser, first: dt.date, last: dt.date) -> QuerySet[Report]:
    """The reports a research file holds: received on the viewer's beats in [first, last] (local
    days), not duplicates, and only ordinary ones. Women's-desk, "a woman officer only" and conduct
    reports are left out: their existence is kept from most staff, so a research file must not tell it.
    The analyst reads no report through Report.visible_to; this file is the exception, anonymised."""
    return (
        counted()
        .filter(
            beat__in=Beat.objects.visible_to(user).values("pk"),
            created_at__gte=local_midnight(first),
            created_at__lt=local_midnight(last + dt.timedelta(days=1)),
        )
        .order_by()
    )


def research_table(reports: QuerySet[Report], now: dt.datetime) -> Counter[kanon.Record]:
    """The reports as a table of identical coarse records and how many of each, in one GROUP BY."""
    grouped = (
        reports.annotate(
            week=period_start(PeriodKind.WEEK, "created_at"),
            done_at=Coalesce("resolved_at", "referred_at", "closed_at"),
            status_group=_status_group(),
            first_contact=_first_contact_band(),
            on_time=_on_time(now),
        )
        .values("beat__code", "week", "category__code", "status_group", "first_contact", "on_time")
        .annotate(n=Count("id"))
        .order_by()
    )
    table: Counter[kanon.Record] = Counter()
    for r in grouped:
        outcomes = (r["status_group"], r["first_contact"], r["on_time"])
        table[kanon.Record(r["beat__code"], r["week"], r["category__code"], outcomes)] += r["n"]
    return table


@dataclass(frozen=True)
class Release:
    first: dt.date | None  # the Monday the file's first month starts; None when no month is complete
    last: dt.date | None  # the Sunday its last month ends
    counted: kanon.Counted
    places: dict[str, tuple[str, str]]  # beat code -> (district code, station code)


def research_release(user: ScopeUser, *, start: dt.date, end: dt.date, k: int, now: dt.datetime) -> Release:
    """The anonymised file for [start, end], cut to whole months (of whole weeks) that were over by
    yesterday: a month still running would release its rows again, one report more each time."""
    today = timezone.localdate(now)
    end = min(end, kanon.last_complete_month_end(today))
    start = max(start, EARLIEST)
    places = {
        code: (district, station)
        for code, district, station in Beat.objects.visible_to(user).values_list(
            "code", "station__district__code", "station__code"
        )
    }
    if start > end:
        return Release(None, None, kanon.anonymise_counts({}, k=k), places)
    first, last = kanon.month_span(start, end)
    table = research_table(research_reports(user, first, last), now)
    return Release(first, last, kanon.anonymise_counts(table, k=k), places)


def period_label(row: kanon.Released) -> str:
    if row.period_kind == kanon.WEEK:
        year, week, _day = row.period_start.isocalendar()
        return f"{year}-W{week:02d}"
    return kanon.month_of_week(row.period_start).strftime("%Y-%m")


def research_rows(release: Release) -> Iterator[list[object]]:
    yield [name for name, _text in codebook.RESEARCH_COLUMNS]
    for row, n in release.counted.rows:
        district, station = release.places.get(row.beat, ("", ""))
        line: list[object] = [
            district,
            station,
            row.beat,
            row.period_kind,
            row.period_start.isoformat(),
            row.period_end.isoformat(),
            period_label(row),
            row.category,
            *row.outcomes,
        ]
        for _i in range(n):
            yield line


def summary(release: Release) -> dict[str, Any]:
    """What the anonymiser did, in counts only: a list of the (beat, month, category) it merged would
    say which rare categories were reported where, exactly what merging hides."""
    s = release.counted.summary
    return {
        "k": s.k,
        "first": release.first.isoformat() if release.first else None,
        "last": release.last.isoformat() if release.last else None,
        "quasi_identifiers": ["beat", "period", "category"],
        "reports_in": s.input_rows,
        "rows_released": s.released_rows,
        "rows_suppressed": s.suppressed_rows,
        "categories_merged": len(s.merged),
        "beat_months_by_month": len(s.coarsened),
        "cells_withheld": {name: s.withheld.get(i, 0) for i, name in enumerate(codebook.OUTCOME_COLUMNS)},
        "left_out": ["duplicates", "womens_desk", "woman_officer_only", "conduct"],
    }


class ResearchForm(PeriodForm):
    k = forms.IntegerField(required=False, min_value=kanon.DEFAULT_K, max_value=MAX_K)


def _research(request: StaffRequest) -> Release | HttpResponse:
    if not can_export(request.user):
        raise PermissionDenied
    form = ResearchForm(request.GET)
    if not form.is_valid():
        return _bad_request(
            _(
                "start and end are dates (YYYY-MM-DD), end not before start; "
                "k is a whole number from %(low)d to %(high)d."
            )
            % {"low": kanon.DEFAULT_K, "high": MAX_K}
        )
    data = form.cleaned_data
    now = timezone.now()
    end: dt.date = data.get("end") or timezone.localdate(now)
    start: dt.date = data.get("start") or _days_before(end, DEFAULT_DAYS)
    k: int = data.get("k") or kanon.DEFAULT_K
    return research_release(request.user, start=start, end=end, k=k, now=now)


def _span(release: Release) -> str:
    if release.first is None or release.last is None:
        return "no complete month"
    return f"{release.first.isoformat()}..{release.last.isoformat()}"


@staff_required
@require_GET
def research_csv(request: StaffRequest) -> HttpResponse:
    release = _research(request)
    if isinstance(release, HttpResponse):
        return release
    s = release.counted.summary
    _log(
        request.user,
        Report._meta.label_lower,
        f"research CSV k={s.k} {_span(release)}, {s.released_rows} rows of {s.input_rows} reports",
    )
    span = (
        f"{release.first.isoformat()}-{release.last.isoformat()}"
        if release.first and release.last
        else "empty"
    )
    return _csv(research_rows(release), f"research-{span}-k{s.k}.csv")


@staff_required
@require_GET
def research_summary(request: StaffRequest) -> HttpResponse:
    release = _research(request)
    if isinstance(release, HttpResponse):
        return release
    s = release.counted.summary
    _log(request.user, Report._meta.label_lower, f"research summary k={s.k} {_span(release)}")
    response = JsonResponse(summary(release))
    response["Cache-Control"] = "no-store"
    return response
