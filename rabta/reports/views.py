"""Resident pages (report, track) and the staff-only photo view. No JavaScript needed.

Nothing here logs or stores request metadata: the rate limiter sees the client address only
through a keyed hash, and no view writes an IP address or user agent anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec

from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from rabta.core import ratelimit
from rabta.core.errors import NotVisible
from rabta.people.auth import StaffRequest, staff_required
from rabta.places.models import Beat
from rabta.reports import contact as contact_crypto
from rabta.reports import selectors, services
from rabta.reports.forms import ReportForm, TrackCodeForm, new_idempotency_key
from rabta.reports.models import Channel, Report, Status
from rabta.reports.presenters import tracking_url, who_reads

_P = ParamSpec("_P")


def _private(
    view: Callable[Concatenate[HttpRequest, _P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, _P], HttpResponse]:
    """Pages carrying a tracking credential: never cached, never indexed."""

    @wraps(view)
    def wrapper(request: HttpRequest, /, *args: _P.args, **kwargs: _P.kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


def try_later(request: HttpRequest, what: str) -> HttpResponse:
    return render(request, "reports/try_later.html", {"what": what}, status=429)


@require_http_methods(["GET", "POST"])
@never_cache
@_private
def report_form(request: HttpRequest) -> HttpResponse:
    categories = list(selectors.active_categories())
    if request.method == "POST":
        if not ratelimit.hit("report", ratelimit.client_fingerprint(request)):
            return try_later(request, "report")
        form = ReportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            for index in filter(
                None,
                [
                    contact_crypto.phone_index(data["phone"]) if data["phone"] else "",
                    contact_crypto.email_index(data["email"]) if data["email"] else "",
                ],
            ):
                if not ratelimit.hit("report_contact", index):
                    return try_later(request, "report")
            with transaction.atomic():
                submission = services.submit_report(
                    category=data["category"],
                    description=data["description"],
                    beat=data["beat"],
                    lat=data["lat"],
                    lon=data["lon"],
                    place_description=data["place_description"],
                    occurred_on=data["occurred_on"],
                    occurred_period=data["occurred_period"],
                    channel=Channel.WEB,
                    language=translation.get_language() or "en",
                    phone=data["phone"],
                    email=data["email"],
                    no_sms=data["no_sms"],
                    safe_call_hours=data["safe_call_hours"],
                    woman_officer_only=data["woman_officer_only"],
                    neutral_wording=data["neutral_wording"],
                    photos=form.photos,
                    idempotency_key=data["idempotency_key"],
                )
            report = submission.report
            # Rendered straight from the POST (no redirect): the token never appears in a URL
            # the server logs, and a repeated POST shows the same page thanks to the idempotency key.
            return render(
                request,
                "reports/done.html",
                {
                    "report": report,
                    "tracking_url": tracking_url(request, submission.token, report.language),
                    "code": submission.display_code,
                    "is_conduct": report.category.is_conduct,
                    "who_reads": who_reads(report),
                },
            )
    else:
        initial: dict[str, Any] = {"idempotency_key": new_idempotency_key()}
        beat_code = request.GET.get("beat", "")[:32]
        if beat_code and Beat.objects.filter(code=beat_code).exists():
            initial["beat"] = beat_code
        category_code = request.GET.get("category", "")[:40]
        chosen = next((c for c in categories if c.code == category_code), None)
        if chosen is not None:
            initial["category"] = chosen.pk
            initial["woman_officer_only"] = chosen.suggest_woman_officer
        form = ReportForm(initial=initial)
    return render(
        request,
        "reports/form.html",
        {
            "form": form,
            "categories": categories,
            "conduct_codes": [c.code for c in categories if c.is_conduct],
        },
    )


def _tracking_page(request: HttpRequest, report: Report) -> HttpResponse:
    updates = [u for u in report.updates.all() if u.public or u.is_status_change]
    return render(
        request,
        "reports/track.html",
        {
            "report": report,
            "updates": updates,
            "is_conduct": report.category.is_conduct,
            "Status": Status,
        },
    )


@require_GET
@_private
def track(request: HttpRequest, token: str) -> HttpResponse:
    report = selectors.find_by_token(token)
    if report is None:
        return render(
            request, "reports/track_lookup.html", {"form": TrackCodeForm(), "unknown": True}, status=404
        )
    return _tracking_page(request, report)


@require_http_methods(["GET", "POST"])
@_private
def track_lookup(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if not ratelimit.hit("track", ratelimit.client_fingerprint(request)):
            return try_later(request, "track")
        form = TrackCodeForm(request.POST)
        if form.is_valid():
            report = selectors.find_by_code(form.cleaned_data["code"])
            if report is not None:
                return _tracking_page(request, report)
            return render(request, "reports/track_lookup.html", {"form": form, "unknown": True}, status=404)
    else:
        form = TrackCodeForm()
    return render(request, "reports/track_lookup.html", {"form": form})


@require_GET
@staff_required
def photo(request: StaffRequest, public_id: str) -> HttpResponse:
    """A report's photo for staff who may read the report (content_visible_to), logged; everyone
    else, a male supervisor of a women-only report included, gets 404. The files live in private
    storage (reports.storage): this view is the only way to them."""
    thumbnail = bool(request.GET.get("thumb"))
    try:
        item = services.open_photo(public_id=public_id, viewer=request.user, thumbnail=thumbnail)
    except NotVisible:
        raise Http404("no such photo") from None
    field = item.thumbnail if thumbnail else item.image
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404("photo file missing") from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response  # type: ignore[return-value]  # a streaming response, as staff_required allows
