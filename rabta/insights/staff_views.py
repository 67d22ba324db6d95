"""Staff dashboards: province -> district -> station -> beat (docs/insights.md, "Dashboards")."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from rabta.audit.models import AccessLog, record_access
from rabta.insights import dashboard, maps, selectors
from rabta.insights.indicators import Indicator
from rabta.insights.models import PeriodKind, Scope
from rabta.people.auth import StaffRequest, staff_required
from rabta.presence.export import can_export

BODY_CACHE_SECONDS = 15 * 60  # the rollups' refresh interval; a refresh changes the key before that


class DashboardForm(forms.Form):
    period = forms.ChoiceField(choices=PeriodKind.choices, required=False)
    start = forms.DateField(required=False)
    map = forms.ChoiceField(choices=[(i.value, i.value) for i in dashboard.MAP_INDICATORS], required=False)


@staff_required
@never_cache
@require_GET
def home(request: StaffRequest) -> HttpResponse:
    place = selectors.home_place(request.user)
    if place is None:
        raise Http404("no place in scope")
    return HttpResponseRedirect(dashboard.url_of(place))


@staff_required
@never_cache
@require_GET
def place_dashboard(request: StaffRequest, scope: str, pk: int) -> HttpResponse:
    if scope not in Scope.values or (scope == Scope.PROVINCE) != (pk == 0):
        raise Http404("no such place")
    place = selectors.place(scope, pk)
    if place is None or not selectors.visible(request.user, place):
        raise Http404("no such place")
    form = DashboardForm(request.GET)
    # A choice the form cannot read shows the default page with the form's errors, as a 400.
    chosen = form.cleaned_data if form.is_valid() else {}
    period = chosen.get("period") or PeriodKind.MONTH
    requested: dt.date | None = chosen.get("start")
    map_indicator = Indicator(chosen.get("map") or dashboard.MAP_INDICATORS[0])
    today = timezone.localdate()
    refreshed = selectors.refreshed_at()
    start = dashboard.focus(period, today, requested)
    hexes = maps.density_map(place, dashboard.hex_months(start), refreshed)
    if hexes is not None:
        # The hexagons come from reports' precise points: who looked at them is logged as for a report.
        record_access(
            actor=request.user,
            action=AccessLog.Action.VIEW_LOCATION,
            obj=place.obj,
            detail=(
                f"insights dashboard: report density, {hexes.cells} cells at H3 resolution {hexes.resolution}"
            ),
        )
    # The figures are the same for everyone who may see the place and change only when the rollups do:
    # the page's body is kept until the next refresh (its key holds the refresh time), and built only
    # when it is missing.
    stamp = refreshed.isoformat() if refreshed else "-"
    key = f"{place.scope}:{place.pk}:{period}:{start}:{map_indicator}:{today}:{stamp}:{int(form.is_valid())}"
    board = SimpleLazyObject(
        lambda: dashboard.build(
            place, period=period, today=today, requested=requested, map_indicator=map_indicator
        )
    )
    return render(
        request,
        "insights/dashboard.html",
        {
            "place": place,
            "period": period,
            "board": board,
            "cache_key": key,
            "cache_seconds": BODY_CACHE_SECONDS,
            "form": form,
            "targets": dashboard.targets(),
            "Scope": Scope,
            "may_export": can_export(request.user),
        },
        status=200 if form.is_valid() else 400,
    )
