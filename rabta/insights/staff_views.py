"""Staff dashboards: province -> district -> station -> beat (docs/insights.md, "Dashboards")."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from rabta.audit.models import AccessLog, record_access
from rabta.insights import dashboard, selectors
from rabta.insights.indicators import Indicator
from rabta.insights.models import PeriodKind, Scope
from rabta.people.auth import StaffRequest, staff_required
from rabta.presence.export import can_export


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
    board = dashboard.build(
        place, period=period, today=timezone.localdate(), requested=requested, map_indicator=map_indicator
    )
    if board.hexes is not None:
        # The hexagons come from reports' precise points: who looked at them is logged as for a report.
        record_access(
            actor=request.user,
            action=AccessLog.Action.VIEW_LOCATION,
            obj=place.obj,
            detail=f"insights dashboard: report density, {len(board.hexes.hexagons)} cells",
        )
    return render(
        request,
        "insights/dashboard.html",
        {
            "board": board,
            "form": form,
            "targets": dashboard.targets(),
            "Scope": Scope,
            "may_export": can_export(request.user),
        },
        status=200 if form.is_valid() else 400,
    )
