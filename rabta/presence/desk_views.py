"""The women's desk page: a desk officer starts and ends her shift with one tap; the station head sees
staffed hours against scheduled hours and records shifts for officers. Other stations' desks are 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from rabta.core.errors import NotVisible, not_visible_is_404
from rabta.people.auth import StaffRequest, staff_required
from rabta.people.models import User
from rabta.places.models import PoliceStation
from rabta.presence import desk as services
from rabta.presence.board_forms import ShiftRecordForm


def _station(request: StaffRequest) -> PoliceStation:
    stations = services.stations_for(request.user)
    wanted = request.POST.get("station") or request.GET.get("station")
    if wanted:
        for station in stations:
            if str(station.pk) == wanted:
                return station
        raise NotVisible("desk")
    if not stations:
        raise NotVisible("desk")
    return stations[0]


def _officer(request: StaffRequest, station: PoliceStation) -> User:
    wanted = request.POST.get("officer")
    if not wanted or wanted == str(request.user.pk):
        return request.user
    for officer in services.desk_officers(by=request.user, station=station):
        if str(officer.pk) == wanted:
            return officer
    raise NotVisible("officer")


@staff_required
@never_cache
@require_GET
@not_visible_is_404
def desk(request: StaffRequest) -> HttpResponse:
    if not request.GET.get("station") and not services.stations_for(request.user):
        return render(request, "presence/desk_none.html")
    station = _station(request)
    user = request.user
    summary = services.desk_summary(station)
    others = services.may_record_for_others(user)
    officers = services.desk_officers(by=user, station=station) if others else []
    return render(
        request,
        "presence/desk.html",
        {
            "station": station,
            "stations": services.stations_for(user),
            "summary": summary,
            "days": list(reversed(summary.days)),
            "serves_here": services.desk_station_of(user) == station,
            "my_shift": next((s for s in summary.on_duty if s.officer_id == user.pk), None),
            "officers": officers,
            "record_form": ShiftRecordForm(officers=officers) if others else None,
        },
    )


def _back(station: PoliceStation) -> HttpResponse:
    response = redirect("presence:desk")
    response["Location"] += f"?station={station.pk}"
    return response


@staff_required
@require_POST
@not_visible_is_404
def shift_start(request: StaffRequest) -> HttpResponse:
    station = _station(request)
    try:
        services.start_shift(by=request.user, officer=_officer(request, station), station=station)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Shift started. The women's desk shows as open."))
    return _back(station)


@staff_required
@require_POST
@not_visible_is_404
def shift_end(request: StaffRequest) -> HttpResponse:
    station = _station(request)
    try:
        ended = services.end_shift(by=request.user, officer=_officer(request, station), station=station)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Shift ended.") if ended else _("No shift was open."))
    return _back(station)


@staff_required
@never_cache
@require_POST
@not_visible_is_404
def shift_record(request: StaffRequest) -> HttpResponse:
    station = _station(request)
    if not services.may_record_for_others(request.user):
        raise PermissionDenied
    officers = services.desk_officers(by=request.user, station=station)
    form = ShiftRecordForm(request.POST, officers=officers)
    if form.is_valid():
        data = form.cleaned_data
        officer = form.officers.get(data["officer"])
        if officer is None:
            raise NotVisible("officer")
        try:
            services.record_shift(
                by=request.user,
                officer=officer,
                station=station,
                started_at=data["started_at"],
                ended_at=data["ended_at"],
            )
        except ValidationError as exc:
            for error in exc.messages:
                form.add_error(None, error)
        else:
            messages.success(request, _("Shift recorded."))
            return _back(station)
    summary = services.desk_summary(station)
    return render(
        request,
        "presence/desk.html",
        {
            "station": station,
            "stations": services.stations_for(request.user),
            "summary": summary,
            "days": list(reversed(summary.days)),
            "serves_here": services.desk_station_of(request.user) == station,
            "my_shift": None,
            "officers": officers,
            "record_form": form,
        },
        status=400,
    )
