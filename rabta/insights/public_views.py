"""Public transparency pages and open-data files (issue 15, point 5; rules in rabta.insights.public).

For a resident on a 2G phone: no JavaScript, a small page, figures of complete periods only, each with its
n, small numbers hidden. Pages and files change at most once per rollup refresh, so they may be cached for
an hour by any cache on the way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from rabta.feedback.results import isolate_numbers
from rabta.insights import labels, maps, opendata, public, selectors, suppression
from rabta.insights.metrics import ALL
from rabta.insights.models import PeriodKind, Scope
from rabta.insights.periods import last_n
from rabta.insights.public import PlacePeriod, Shown
from rabta.insights.selectors import Place
from rabta.lib import svgchart
from rabta.places.models import AGE_BANDS, GENDERS, Beat, District

PUBLIC_CACHE = cache_control(public=True, max_age=3600)

EVERYONE = _("Everyone")
NOT_SHOWN = _("not shown, to protect small numbers")
SCOPE_NAMES: dict[str, Promise] = {
    Scope.DISTRICT: _("District"),
    Scope.STATION: _("Police station"),
    Scope.BEAT: _("Neighbourhood (beat)"),
}
# The figures of each section, in the order shown.
RESPONSIVENESS = ("median_ack_hours", "on_time", "reports")
YOU_SAID_WE_DID = ("priorities", "actions_done", "actions_on_time")
MEETINGS = ("meetings_held",)
SURVEY = ("trust", "unsafe_dark", "avoid_dark")
TRENDS = ("on_time", "trust")
MAP_MONTHS = 3  # the report density map: the last three complete months


class PeriodForm(forms.Form):
    period = forms.ChoiceField(choices=PeriodKind.choices, required=False)
    start = forms.DateField(required=False, input_formats=["%Y-%m-%d"])


class OpenDataForm(forms.Form):
    period = forms.ChoiceField(choices=PeriodKind.choices, required=False)
    scope = forms.ChoiceField(choices=[(s.value, s.value) for s in public.PUBLIC_SCOPES], required=False)


@dataclass(frozen=True)
class Row:
    label: Any  # a group's or a figure's name (safe markup: numbers isolated left to right)
    shown: Shown


@dataclass(frozen=True)
class Link:
    place: Place
    url: str
    children: list[Link]


@dataclass(frozen=True)
class Page:
    place: Place
    kind: Promise
    crumbs: list[tuple[str, str]]
    beat_page: str
    period: str
    starts: list[dt.date]
    current: PlacePeriod
    responsiveness: list[Row]
    you_said: list[Row]
    meetings: list[Row]
    attendance: list[Row]
    desk: Shown
    desk_station: str
    weeks: list[tuple[dt.date, int]]
    most_visits: int
    days_since_visit: int | None
    survey: list[tuple[str, list[Row]]]
    charts: list[tuple[str, svgchart.Svg]]  # (the figure's name, its trend)
    children: list[Link]
    refreshed: dt.date | None
    density: maps.HexView | None  # reports per H3 cell, coarse and without cells under 5
    density_months: tuple[dt.date, dt.date]


def url_of(place: Place) -> str:
    return reverse("insights:public", kwargs={"scope": place.scope, "code": place.code})


def _named(figures: PlacePeriod, names: tuple[str, ...]) -> list[Row]:
    rows = []
    for name in names:
        shown = figures[name]
        rows.append(Row(isolate_numbers(str(labels.NAMES[shown.item.indicator])), shown))
    return rows


def _by_group(figures: PlacePeriod, name: str) -> list[Row]:
    groups = [(ALL, EVERYONE), *((g, labels.GROUPS[g]) for g in (*GENDERS, *AGE_BANDS))]
    return [
        Row(isolate_numbers(str(label)), figures[name if g == ALL else f"{name}_{g}"]) for g, label in groups
    ]


def _chart(name: str, trend: list[PlacePeriod], period: str) -> svgchart.Svg:
    item = public.BY_NAME[name]
    share = item.shape is public.Shape.PROPORTION
    points: list[svgchart.Point] = []
    for figures in trend:
        shown = figures[name]
        label = figures.start.strftime("%m/%y" if period == PeriodKind.MONTH else "%d/%m")
        value = None if shown.value is None else shown.value * (100 if share else 1)
        points.append((label, value, shown.hidden))
    return svgchart.trend(
        points,
        rtl=get_language_bidi(),
        title=str(labels.NAMES[item.indicator]),
        y_max=100 if share or name == "trust" else None,
        unit_suffix="%" if share else "",
        suppressed_text=str(NOT_SHOWN),
        no_data_text=str(labels.NO_DATA),
    )


def _crumbs(place: Place) -> list[tuple[str, str]]:
    out = [(str(_("All districts")), reverse("insights:public_home"))]
    obj = place.obj
    if place.scope == Scope.BEAT:
        station = obj.station
        district = station.district
        out.append(
            (district.local_name, url_of(Place(Scope.DISTRICT, district.pk, "", district.code, district)))
        )
        out.append((station.local_name, url_of(Place(Scope.STATION, station.pk, "", station.code, station))))
    elif place.scope == Scope.STATION:
        district = obj.district
        out.append(
            (district.local_name, url_of(Place(Scope.DISTRICT, district.pk, "", district.code, district)))
        )
    return out


def _children(place: Place) -> list[Link]:
    """A district's stations, each with its beats; a station's beats (two queries at most)."""
    kids = selectors.children(place)
    if place.scope != Scope.DISTRICT:
        return [Link(k, url_of(k), []) for k in kids]
    beats: dict[int, list[Link]] = {}
    for beat in Beat.objects.filter(station__district_id=place.pk).order_by("name"):
        found = Place(Scope.BEAT, beat.pk, beat.local_name, beat.code, beat)
        beats.setdefault(beat.station_id, []).append(Link(found, url_of(found), []))
    return [Link(k, url_of(k), beats.get(k.pk, [])) for k in kids]


def build(place: Place, *, period: str, start: dt.date | None, today: dt.date) -> Page | None:
    """The page of one place; None when `start` is not a published period."""
    starts = public.complete_starts(period, today)
    start = start or starts[-1]
    if start not in starts:
        return None
    hidden = suppression.place_hidden(place, period, starts)
    series = selectors.series(place, period, starts)
    desk_key = public.desk_place(place)
    if desk_key == place.key:
        desk_series = {start: series.get(start, {})}
    else:
        station = place.obj.station
        desk_series = selectors.series(
            Place(*desk_key, station.local_name, station.code, station), period, [start]
        )
    trend = public.place_periods(place, period, starts, series=series, desk_series=desk_series, hidden=hidden)
    current = trend[starts.index(start)]
    weeks_starts = last_n(PeriodKind.WEEK, today, public.PRESENCE_WEEKS, include_current=False)
    weekly = series if period == PeriodKind.WEEK else selectors.series(place, PeriodKind.WEEK, weeks_starts)
    weeks = [(w, int(weekly.get(w, {}).get(("proactive", ALL), (0, 0.0))[1])) for w in weeks_starts]
    last = selectors.last_proactive(place.scope, [place.pk], before=today).get(place.pk)
    refreshed = selectors.refreshed_at()
    months = last_n(PeriodKind.MONTH, today, MAP_MONTHS, include_current=False)
    return Page(
        place=place,
        kind=SCOPE_NAMES[place.scope],
        crumbs=_crumbs(place),
        beat_page=reverse("site:beat", args=[place.code]) if place.scope == Scope.BEAT else "",
        period=period,
        starts=starts,
        current=current,
        responsiveness=_named(current, RESPONSIVENESS),
        you_said=_named(current, YOU_SAID_WE_DID),
        meetings=_named(current, MEETINGS),
        attendance=_by_group(current, "attendees"),
        desk=current["desk_staffed"],
        desk_station=place.obj.station.local_name if place.scope == Scope.BEAT else "",
        weeks=weeks,
        most_visits=max((v for _, v in weeks), default=0),
        days_since_visit=None if last is None else (today - last).days,
        survey=[(str(labels.NAMES[public.BY_NAME[n].indicator]), _by_group(current, n)) for n in SURVEY],
        charts=[(str(labels.NAMES[public.BY_NAME[n].indicator]), _chart(n, trend, period)) for n in TRENDS],
        children=_children(place),
        refreshed=timezone.localdate(refreshed) if refreshed else None,
        density=maps.density_map(place, months[::-1], refreshed, public=True),
        density_months=(months[0], months[-1]),
    )


@require_GET
@PUBLIC_CACHE
def home(request: HttpRequest) -> HttpResponse:
    """The province: its districts, each a link to its transparency page."""
    districts = [
        Place(Scope.DISTRICT, d.pk, d.local_name, d.code, d) for d in District.objects.order_by("name")
    ]
    links = [Link(d, url_of(d), []) for d in districts]
    return render(request, "insights/public_home.html", {"districts": links})


@require_GET
@PUBLIC_CACHE
def place_page(request: HttpRequest, scope: str, code: str) -> HttpResponse:
    if scope not in public.PUBLIC_SCOPES:
        raise Http404("no such kind of place")
    place = public.place_by_code(scope, code)
    if place is None:
        raise Http404("no such place")
    form = PeriodForm(request.GET)
    chosen = form.cleaned_data if form.is_valid() else {}
    period = chosen.get("period") or PeriodKind.MONTH
    page = build(place, period=period, start=chosen.get("start"), today=timezone.localdate())
    if page is None:
        raise Http404("no published figures for that period")
    return render(
        request,
        "insights/public_place.html",
        {"page": page, "form": form, "Scope": Scope},
        status=200 if form.is_valid() else 400,
    )


@require_GET
@PUBLIC_CACHE
def open_data(request: HttpRequest) -> HttpResponse:
    """What the files hold, and their addresses."""
    return render(
        request,
        "insights/public_open_data.html",
        {
            "items": public.ITEMS,
            "base_columns": opendata.BASE_COLUMNS,
            "licence": opendata.LICENCE,
            "scopes": public.PUBLIC_SCOPES,
            "periods": list(PeriodKind),
        },
    )


def _file_choices(request: HttpRequest) -> tuple[str, str] | None:
    form = OpenDataForm(request.GET)
    if not form.is_valid():
        return None
    return form.cleaned_data.get("period") or PeriodKind.MONTH, form.cleaned_data.get("scope") or Scope.BEAT


def _bad_choice() -> HttpResponse:
    return HttpResponse(
        "period must be month or week; scope must be beat, station or district\n",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


def _as_of() -> dt.date | None:
    refreshed = selectors.refreshed_at()
    return timezone.localdate(refreshed) if refreshed else None


@require_GET
@PUBLIC_CACHE
def open_data_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    choices = _file_choices(request)
    if choices is None:
        return _bad_choice()
    period, scope = choices
    rows = opendata.records(scope, period, timezone.localdate())
    response = StreamingHttpResponse(opendata.csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rabta-{scope}-{period}.csv"'
    return response


@require_GET
@PUBLIC_CACHE
def open_data_json(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    choices = _file_choices(request)
    if choices is None:
        return _bad_choice()
    period, scope = choices
    rows = opendata.records(scope, period, timezone.localdate())
    chunks = opendata.json_chunks(rows, scope=scope, period=period, as_of=_as_of())
    return StreamingHttpResponse(chunks, content_type="application/json")


@require_GET
@PUBLIC_CACHE
def open_data_geojson(request: HttpRequest) -> StreamingHttpResponse:
    today = timezone.localdate()
    chunks = opendata.geojson_chunks(
        opendata.features(today), as_of=_as_of(), month=opendata.last_complete_month(today)
    )
    return StreamingHttpResponse(chunks, content_type="application/geo+json")
