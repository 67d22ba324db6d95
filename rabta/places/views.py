"""Public pages: find your neighbourhood by name or by location. No login, no JavaScript needed."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from rabta.places import selectors
from rabta.places.forms import LocationForm

MAX_RESULTS = 20


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    results, more_results = selectors.search_beats(query, limit=MAX_RESULTS) if query else (None, False)
    return render(
        request,
        "places/home.html",
        {
            "query": query,
            "results": results,
            "more_results": more_results,
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
