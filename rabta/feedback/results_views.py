"""Results pages: staff per beat, station and district (scoped: a beat outside the viewer's scope is a
404), and the public page of a beat (closed campaigns and finished months only, small cells hidden).

The period is chosen with GET parameters (campaign=<id>, month=YYYY-MM) from links and a plain form."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from rabta.feedback import results
from rabta.feedback.models import Campaign, CommunityResponse, ContactResponse
from rabta.people.auth import StaffRequest, staff_required
from rabta.places.canonical import canonical_beat_code
from rabta.places.models import Beat, District, PoliceStation


class BadPeriod(Exception):
    pass


def _campaign(request: HttpRequest, campaigns: Sequence[Campaign]) -> Campaign | None:
    raw = request.GET.get("campaign", "")
    if not raw:
        return campaigns[0] if campaigns else None
    if not raw.isdigit():
        raise BadPeriod
    found = next((c for c in campaigns if c.pk == int(raw)), None)
    if found is None:
        raise Http404("no such campaign here")
    return found


def _month(request: HttpRequest, months: Sequence[dt.date]) -> dt.date | None:
    raw = request.GET.get("month", "")
    if not raw:
        return months[0] if months else None
    month = results.parse_month(raw)
    if month is None or len(raw) != 7:
        raise BadPeriod
    return month


def _page(
    request: HttpRequest,
    template: str,
    *,
    beats: list[Beat],
    community: Any,
    contact: Any,
    public: bool,
    context: dict[str, Any],
) -> HttpResponse:
    today = timezone.localdate()
    campaigns = results.campaigns_for(beats, public=public, today=today)
    months = results.contact_months(contact, beats, public=public, today=today)
    try:
        campaign = _campaign(request, campaigns)
        month = _month(request, months)
    except BadPeriod:
        return HttpResponseBadRequest(_("Choose a survey round and a month from the lists."))
    survey = (
        results.community_results(
            responses=community, beats=beats, campaign=campaign, public=public, today=today
        )
        if campaign
        else None
    )
    feedback = (
        results.contact_results(responses=contact, beats=beats, month=month, public=public, today=today)
        if month
        else None
    )
    return render(
        request,
        template,
        {
            **context,
            "beats": beats,
            "campaigns": campaigns,
            "campaign": campaign,
            "months": months,
            "month": month,
            "survey": survey,
            "feedback": feedback,
            "labels": results.COLUMN_LABELS,
        },
    )


def _staff_page(request: StaffRequest, beats: list[Beat], **context: Any) -> HttpResponse:
    if not beats:
        raise Http404("nothing in scope")
    return _page(
        request,
        "feedback/results.html",
        beats=beats,
        community=CommunityResponse.objects.visible_to(request.user),
        contact=ContactResponse.objects.visible_to(request.user),
        public=False,
        context={"columns": results.STAFF_COLUMNS, **context},
    )


@staff_required
@never_cache
@require_GET
def results_index(request: StaffRequest) -> HttpResponse:
    """The areas whose results this viewer may read."""
    user = request.user
    beats = results.area_beats(Beat.objects.visible_to(user))
    stations: list[PoliceStation] = (
        [] if user.scope_kind == "beat" else list(PoliceStation.objects.visible_to(user).distinct())
    )
    districts: list[District] = []
    if user.sees_everything:
        districts = list(District.objects.all())
    elif user.scope_district_id is not None:
        districts = list(District.objects.filter(pk=user.scope_district_id))
    return render(
        request,
        "feedback/results_index.html",
        {"beats": beats, "stations": stations, "districts": districts},
    )


@staff_required
@never_cache
@require_GET
def beat_results(request: StaffRequest, code: str) -> HttpResponse:
    beat = get_object_or_404(
        Beat.objects.visible_to(request.user).select_related("station__district"), code=code
    )
    return _staff_page(request, [beat], area=beat.local_name, beat=beat)


@staff_required
@never_cache
@require_GET
def station_results(request: StaffRequest, code: str) -> HttpResponse:
    # A beat-scoped officer reads their beat, not the station's sum over beats they do not work.
    if request.user.scope_kind == "beat":
        raise Http404("not in scope")
    station = get_object_or_404(PoliceStation.objects.visible_to(request.user).distinct(), code=code)
    beats = results.area_beats(Beat.objects.visible_to(request.user).filter(station=station))
    return _staff_page(request, beats, area=station.local_name, station=station)


@staff_required
@never_cache
@require_GET
def district_results(request: StaffRequest, code: str) -> HttpResponse:
    user = request.user
    district = get_object_or_404(District, code=code)
    if not (user.sees_everything or user.scope_district_id == district.pk):
        raise Http404("not in scope")
    beats = results.area_beats(Beat.objects.visible_to(user).filter(station__district=district))
    return _staff_page(request, beats, area=district.local_name, district=district)


@require_GET
@canonical_beat_code
def public_results(request: HttpRequest, code: str) -> HttpResponse:
    """What residents said in a beat: closed campaigns and finished months only, small cells hidden."""
    beat = get_object_or_404(Beat.objects.select_related("station__district"), code=code)
    return _page(
        request,
        "feedback/public_results.html",
        beats=[beat],
        community=CommunityResponse.objects.all(),
        contact=ContactResponse.objects.all(),
        public=True,
        context={"beat": beat, "columns": results.GENDER_COLUMNS},
    )
