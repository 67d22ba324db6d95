"""Pages composed from several apps: a beat's public page, and the staff home."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from rabta.core.errors import not_visible_is_404
from rabta.engagement.selectors import upcoming_meetings
from rabta.messaging import simulator
from rabta.people import selectors as people
from rabta.people.auth import StaffRequest, staff_required
from rabta.places import selectors as places
from rabta.places.presenters import desk_hours

STAFF_HOME_BEATS = 200


@require_GET
@not_visible_is_404
def beat_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A neighbourhood's officers, its women's desk, its meetings and how to reach the police."""
    beat = places.find_beat_by_code(code)
    officers = people.beat_officers(beat)
    station = beat.station
    # Where this station has no women's desk, point to one elsewhere in the district.
    desk_station = places.womens_desk_for(station)
    return render(
        request,
        "site/beat_detail.html",
        {
            "beat": beat,
            "station": station,
            "officers": officers,
            "desk_station": desk_station,
            "womens_desk_officers": people.womens_desk_officers(desk_station) if desk_station else [],
            "desk_hours": desk_hours(desk_station) if desk_station else "",
            "page_title": _("%(beat)s neighbourhood") % {"beat": beat.local_name},
            "upcoming_meetings": upcoming_meetings(beat),
        },
    )


@staff_required
def staff_home(request: StaffRequest) -> HttpResponse:
    """Where staff land: their work in every app, and the beats in their scope."""
    user = request.user
    beats = user.beats_in_scope().select_related("station")
    return render(
        request,
        "site/staff_home.html",
        {
            "beats": beats[:STAFF_HOME_BEATS],
            "beat_count": beats.count(),
            "profile": people.officer_profile_of(user),
            "sms_simulator": simulator.allowed(user),
            "role_requests": people.holds_a_scope(user) or people.requests_by(user).exists(),
            "role_requests_waiting": people.requests_waiting_for(user).count(),
        },
    )
