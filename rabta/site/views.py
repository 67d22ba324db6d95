"""Pages composed from several apps: a beat's public page, and the staff home."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from rabta.core.errors import not_visible_is_404
from rabta.engagement.selectors import upcoming_meetings
from rabta.messaging import simulator
from rabta.people import selectors as people
from rabta.people.auth import StaffRequest, staff_required
from rabta.places import selectors as places
from rabta.places.canonical import canonical_beat_code
from rabta.places.presenters import desk_hours
from rabta.presence.public import public_desk, public_presence
from rabta.site import selectors, transfers
from rabta.site.forms import QUEUE, TransferForm

STAFF_HOME_BEATS = 200


@require_GET
@canonical_beat_code
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
            "presence": public_presence(beat),
            "desk_now": public_desk(desk_station) if desk_station else None,
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
            "transfers": user.role in transfers.MANAGERS,
            "health": selectors.may_see_health(user),
        },
    )


@staff_required
@not_visible_is_404
@never_cache
@require_GET
def transfer_list(request: StaffRequest) -> HttpResponse:
    """Officers the station head, coordinator or administrator may post elsewhere."""
    return render(request, "site/transfer_list.html", {"profiles": transfers.officers_for(by=request.user)})


@staff_required
@not_visible_is_404
@never_cache
@require_http_methods(["GET", "POST"])
def transfer_officer(request: StaffRequest, user_id: int) -> HttpResponse:
    """Choose the posting and the colleague, see what moves, then confirm."""
    by = request.user
    profile = transfers.profile_for(officer_id=user_id, by=by)
    colleagues = transfers.colleagues(by=by, officer=profile.user)
    initial = {"station": profile.station_id, "beats": list(profile.beats.all()), "target": QUEUE}
    form = TransferForm(request.POST or None, initial=initial, by=by, colleagues=colleagues)
    preview = None
    if request.method == "POST" and form.is_valid():
        to = form.target_user
        if request.POST.get("confirm"):
            try:
                transfers.transfer_officer(
                    profile=profile,
                    station=form.cleaned_data["station"],
                    beats=list(form.cleaned_data["beats"]),
                    to=to,
                    by=by,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Transferred. Their open work has been handed over."))
                return redirect("site:transfer_list")
        preview = transfers.preview(profile=profile, to=to, by=by).counts
    return render(
        request, "site/transfer_officer.html", {"profile": profile, "form": form, "preview": preview}
    )


@staff_required
@not_visible_is_404
@never_cache
@require_GET
def staff_health(request: StaffRequest) -> HttpResponse:
    """Stuck tasks, failed SMS and e-mails, as counts: the page twin of `manage.py health`."""
    return render(request, "site/health.html", {"health": selectors.health_for(user=request.user)})
