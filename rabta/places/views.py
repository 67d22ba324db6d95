"""Public pages: find your neighbourhood, and meet its officers. No login, no JavaScript needed."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from rabta.engagement.views.public import upcoming_meetings
from rabta.people.models import OfficerProfile
from rabta.places.forms import LocationForm
from rabta.places.lookup import beat_index
from rabta.places.models import Beat, PoliceStation
from rabta.places.presenters import desk_hours

MAX_RESULTS = 20


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    results = None
    if query:
        results = list(Beat.objects.search(query).select_related("station")[: MAX_RESULTS + 1])
    beats = Prefetch("beats", queryset=Beat.objects.only("code", "name", "name_ur", "name_ps", "station_id"))
    stations = PoliceStation.objects.prefetch_related(beats).only(  # type: ignore[arg-type]
        "name", "name_ur", "name_ps", "code"
    )
    return render(
        request,
        "places/home.html",
        {
            "query": query,
            "results": results[:MAX_RESULTS] if results is not None else None,
            "more_results": results is not None and len(results) > MAX_RESULTS,
            "stations": stations,
            "location_error": request.GET.get("located") == "none",
        },
    )


@require_GET
def find_by_location(request: HttpRequest) -> HttpResponse:
    """Point to beat: used by "use my location" and by anyone who knows coordinates."""
    form = LocationForm(request.GET)
    if not form.is_valid():
        return render(request, "places/not_found.html", {"reason": "invalid", "form": form}, status=400)
    beat_id = beat_index.beat_id_at(form.cleaned_data["lat"], form.cleaned_data["lon"])
    if beat_id is None:
        return render(request, "places/not_found.html", {"reason": "outside"}, status=404)
    code = Beat.objects.filter(pk=beat_id).values_list("code", flat=True).get()
    return redirect("places:beat", code=code)


@require_GET
def beat_detail(request: HttpRequest, code: str) -> HttpResponse:
    beat = get_object_or_404(Beat.objects.select_related("station__district"), code=code)
    officers = list(
        OfficerProfile.objects.public()
        .filter(beats=beat)
        .select_related("user")
        .order_by("-on_womens_desk", "user__last_name")
    )
    station = beat.station
    # Where this station has no women's desk, point to one elsewhere in the district.
    desk_station: PoliceStation | None = station
    if not station.has_womens_desk:
        desk_station = (
            PoliceStation.objects.filter(district_id=station.district_id, has_womens_desk=True)
            .order_by("name")
            .first()
        )
    womens_desk_officers = []
    if desk_station is not None:
        womens_desk_officers = list(
            OfficerProfile.objects.public()
            .filter(station=desk_station, on_womens_desk=True)
            .select_related("user")
        )
    return render(
        request,
        "places/beat_detail.html",
        {
            "beat": beat,
            "station": station,
            "officers": officers,
            "desk_station": desk_station,
            "womens_desk_officers": womens_desk_officers,
            "desk_hours": desk_hours(desk_station) if desk_station else "",
            "page_title": _("%(beat)s neighbourhood") % {"beat": beat.local_name},
            "upcoming_meetings": upcoming_meetings(beat),
        },
    )
