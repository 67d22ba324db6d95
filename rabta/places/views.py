"""Public pages: find your neighbourhood by name or by location. No login, no JavaScript needed."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from rabta.places import selectors
from rabta.places.forms import LocationForm

MAX_RESULTS = 20


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    matches = selectors.search_beats(query, limit=MAX_RESULTS) if query else None
    return render(
        request,
        "places/home.html",
        {
            "query": query,
            "results": matches.beats if matches else None,
            "more_results": matches.more if matches else False,
            "similar_results": matches.similar if matches else False,
            "stations": selectors.stations_with_beats(),
            "location_error": request.GET.get("located") == "none",
        },
    )


@require_GET
def find_by_location(request: HttpRequest) -> HttpResponse:
    """Point to beat: used by "use my location" and by anyone who knows coordinates."""
    form = LocationForm(request.GET)
    if not form.is_valid():
        return render(request, "places/not_found.html", {"reason": "invalid", "form": form}, status=400)
    code = selectors.find_beat_code_at(form.cleaned_data["lat"], form.cleaned_data["lon"])
    if code is None:
        return render(request, "places/not_found.html", {"reason": "outside"}, status=404)
    return redirect("site:beat", code=code)


@require_GET
def beat_at(request: HttpRequest) -> HttpResponse:
    """Point to beat code as JSON, for the report form's "use my location" to say where it went.
    The point is not kept or logged; a bad point is 400, a point outside every beat {"code": null}."""
    form = LocationForm(request.GET)
    if not form.is_valid():
        response = JsonResponse({"error": "lat and lon must be numbers in range"}, status=400)
    else:
        code = selectors.find_beat_code_at(form.cleaned_data["lat"], form.cleaned_data["lon"])
        response = JsonResponse({"code": code})
    response["Cache-Control"] = "private, no-store"
    return response
