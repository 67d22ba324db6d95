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
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rabta.core import ratelimit
from rabta.core.context_processors import languages
from rabta.core.errors import NotVisible
from rabta.people.auth import StaffRequest, staff_required
from rabta.places.maps import beat_map
from rabta.places.models import Beat
from rabta.reports import contact as contact_crypto
from rabta.reports import form_binding, selectors, services, tracking
from rabta.reports.forms import (
    PHOTO_FIELDS,
    AddInformationForm,
    NotFixedForm,
    ReportForm,
    TrackCodeForm,
    new_idempotency_key,
)
from rabta.reports.lifecycle import RESIDENT_REOPEN_DAYS, IllegalTransition
from rabta.reports.models import Channel, Report, Sensitivity, Status
from rabta.reports.presenters import handling_officer, tracking_url, who_reads

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
        if not ratelimit.hit_form(
            request,
            purpose="report",
            token=request.POST.get("form_token", ""),
            per_form="report_form",
            per_client="report_address",
            untokened="report",
        ):
            return _limited(request, categories)
        form = ReportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            key = data["idempotency_key"]
            earlier = services.replay(idempotency_key=key)
            if earlier is not None and not _same_words(earlier.report, data["description"]):
                # A sent form's key with other words: a second concern typed over the old page.
                return _second_report(request, form, categories)
            for index in filter(
                None,
                [
                    contact_crypto.phone_index(data["phone"]) if data["phone"] else "",
                    contact_crypto.email_index(data["email"]) if data["email"] else "",
                ],
            ):
                if not ratelimit.hit("report_contact", index):
                    return _limited(request, categories)
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
                    survey_wanted=data["survey_wanted"] or None,
                    reporter_gender=data["reporter_gender"],
                    reporter_age_band=data["reporter_age_band"],
                    photos=form.photos,
                    idempotency_key=data["idempotency_key"],
                )
            # Rendered straight from the POST (no redirect): the token never appears in a URL
            # the server logs, and a repeated POST shows the same page thanks to the idempotency key.
            return _done(request, submission, key=key)
    else:
        key, already_sent = _form_key(request)
        initial: dict[str, Any] = {"idempotency_key": key, "form_token": ratelimit.new_form_token("report")}
        beat_code = request.GET.get("beat", "")[:32]
        if beat_code and Beat.objects.filter(code=beat_code).exists():
            initial["beat"] = beat_code
        category_code = request.GET.get("category", "")[:40]
        chosen = next((c for c in categories if c.code == category_code), None)
        # "Write to the women's desk" on a beat page: its category, read by women officers only.
        womens_desk = request.GET.get("desk") == "women"
        if womens_desk and chosen is None:
            chosen = next((c for c in categories if c.sensitivity == Sensitivity.WOMENS_DESK), None)
        if chosen is not None:
            initial["category"] = chosen.pk
            initial["woman_officer_only"] = chosen.suggest_woman_officer
        if womens_desk:
            initial["woman_officer_only"] = True
        form = ReportForm(initial=initial)
        response = _form_page(request, form, categories, already_sent=already_sent)
        if not already_sent:
            form_binding.remember(response, key=key, sent=False, secure=request.is_secure())
        return response
    return _form_page(request, form, categories)


def _form_page(
    request: HttpRequest, form: ReportForm, categories: list[Any], *, status: int = 200, **extra: Any
) -> HttpResponse:
    return render(
        request,
        "reports/form.html",
        {
            "form": form,
            "categories": categories,
            "conduct_codes": [c.code for c in categories if c.is_conduct],
            "beat_map": beat_map(str(form["beat"].value() or "") or None),
            "map_link": _map_link(request, form, categories),
            **extra,
        },
        status=status,
    )


def _map_link(request: HttpRequest, form: ReportForm, categories: list[Any]) -> str:
    """The start of a map beat's link: the form again, keeping the category already chosen (the
    links are plain GETs, so that a phone without JavaScript can follow them)."""
    chosen = str(form["category"].value() or "")
    keep: dict[str, str] = {}
    code = next((c.code for c in categories if str(c.pk) == chosen), "")
    if code:
        keep["category"] = code
    if request.GET.get("desk") == "women" or (form.is_bound and form["woman_officer_only"].value()):
        keep["desk"] = "women"
    return reverse("reports:new") + "?" + (urlencode(keep) + "&" if keep else "") + "beat="


def _limited(request: HttpRequest, categories: list[Any]) -> HttpResponse:
    """Over a limit: the form comes back as it was typed (files aside: a browser cannot be given
    them back), unchecked, with its idempotency key, so sending it later files it once."""
    initial = {name: request.POST.get(name) for name in ReportForm.base_fields if name not in PHOTO_FIELDS}
    return _form_page(request, ReportForm(initial=initial), categories, status=429, limited=True)


def _form_key(request: HttpRequest) -> tuple[str, bool]:
    """The key the form page carries, and whether it is one this browser already sent.

    Back after sending (within form_binding.SENT_WINDOW) gets the sent key again, with a word
    that sending again makes no second report; a form reloaded before sending keeps its key.
    "Report something else" (?another=1) always starts afresh."""
    binding = form_binding.read(request)
    if binding is not None and request.GET.get("another") != "1":
        used = selectors.idempotency_key_used(binding.key)
        if binding.sent and used:
            return binding.key, True
        if not binding.sent and not used:
            return binding.key, False
    return new_idempotency_key(), False


def _same_words(report: Report, description: str) -> bool:
    return " ".join(report.description.split()) == " ".join(description.split())


def _second_report(request: HttpRequest, form: ReportForm, categories: list[Any]) -> HttpResponse:
    """The resident's words kept under a fresh key: sending again makes the second report."""
    key = new_idempotency_key()
    data = request.POST.copy()
    data["idempotency_key"] = key
    response = _form_page(request, ReportForm(data), categories, second_report=True)
    form_binding.remember(response, key=key, sent=False, secure=request.is_secure())
    return response


def _done(request: HttpRequest, submission: services.Submission, *, key: str) -> HttpResponse:
    """The confirmation. A replay shows the code again only to the browser the form was served to
    (form_binding); anyone else holding the key learns only that it was sent."""
    binding = form_binding.read(request)
    mine = submission.created or (binding is not None and binding.key == key)
    response = render(request, "reports/done.html", _done_context(request, submission, show=mine))
    if mine and (submission.created or not binding or not binding.sent):
        form_binding.remember(response, key=key, sent=True, secure=request.is_secure())
    return response


def _done_context(request: HttpRequest, submission: services.Submission, *, show: bool) -> dict[str, Any]:
    report = submission.report
    context: dict[str, Any] = {
        "report": report,
        "is_conduct": report.category.is_conduct,
        "who_reads": who_reads(report),
        "tracking_url": tracking_url(request, submission.token, report.language) if show else "",
        "code": submission.display_code if show else "",
    }
    if show:
        # The language links lead to this confirmation in that language (by the cookie, not the
        # URL), not to an empty form: the code the page shows must not be lost by a language switch.
        context["language_choices"] = [
            {**choice, "url": _in_language("reports:sent", choice["code"])}
            for choice in languages(request)["language_choices"]  # type: ignore[attr-defined]
        ]
    return context


def _in_language(name: str, code: str) -> str:
    with translation.override(code):
        return reverse(name)


@require_GET
@never_cache
@_private
def sent(request: HttpRequest) -> HttpResponse:
    """The confirmation again, for the browser that sent the report within SENT_WINDOW (the
    language links of the confirmation lead here); otherwise a page saying it cannot be shown."""
    key = form_binding.sent_key(request)
    submission = services.replay(idempotency_key=key) if key else None
    if submission is None:
        return render(request, "reports/done.html", {"gone": True}, status=404)
    return render(request, "reports/done.html", _done_context(request, submission, show=True))


def _tracking_page(
    request: HttpRequest,
    report: Report,
    *,
    add_form: AddInformationForm | None = None,
    not_fixed_form: NotFixedForm | None = None,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    updates = [u for u in report.updates.all() if u.public or u.is_status_change or u.from_resident]
    handle = tracking.track_handle(report.public_id)
    return render(
        request,
        "reports/track.html",
        {
            "report": report,
            "updates": updates,
            "is_conduct": report.category.is_conduct,
            "Status": Status,
            "officer": handling_officer(report),
            "add_form": add_form or AddInformationForm(initial={"handle": handle}),
            "may_add": report.status != Status.CLOSED,
            "not_fixed_form": not_fixed_form or NotFixedForm(initial={"handle": handle}),
            "may_say_not_fixed": report.may_say_not_fixed(),
            **extra,
        },
        status=status,
    )


def _handled_report(request: HttpRequest) -> Report | None:
    public_id = tracking.read_track_handle(request.POST.get("handle", ""))
    if public_id is None:
        return None
    return Report.objects.select_related("category", "assignee").filter(public_id=public_id).first()


def _expired(request: HttpRequest) -> HttpResponse:
    context = {"form": TrackCodeForm(), "expired": True}
    return render(request, "reports/track_lookup.html", context, status=400)


@require_POST
@never_cache
@_private
def track_add(request: HttpRequest) -> HttpResponse:
    """More words or a photo on the tracking page; the report comes from the page's signed handle."""
    if not ratelimit.hit("track", ratelimit.client_fingerprint(request)):
        return try_later(request, "track")
    report = _handled_report(request)
    if report is None:
        return _expired(request)
    form = AddInformationForm(request.POST, request.FILES)
    if not form.is_valid():
        return _tracking_page(request, report, add_form=form, status=400)
    try:
        services.add_information(
            report=report, text=form.cleaned_data["text"], photo=form.cleaned_data["photo"]
        )
    except services.AdditionRefused as exc:
        form.add_error(None, str(exc))
        return _tracking_page(request, report, add_form=form, status=400)
    return _tracking_page(request, report, added=True)


@require_POST
@never_cache
@_private
def track_not_fixed(request: HttpRequest) -> HttpResponse:
    """The resident says a resolved report is not fixed (within RESIDENT_REOPEN_DAYS, with a reason)."""
    if not ratelimit.hit("track", ratelimit.client_fingerprint(request)):
        return try_later(request, "track")
    report = _handled_report(request)
    if report is None:
        return _expired(request)
    form = NotFixedForm(request.POST)
    if not form.is_valid():
        return _tracking_page(request, report, not_fixed_form=form, status=400)
    try:
        services.say_not_fixed(report=report, reason=form.cleaned_data["reason"])
    except IllegalTransition:
        form.add_error(None, _not_fixed_refusal(report))
        return _tracking_page(request, report, not_fixed_form=form, status=409)
    report.refresh_from_db()
    return _tracking_page(request, report, reopened=True)


def _not_fixed_refusal(report: Report) -> str:
    if report.status == Status.RESOLVED:
        return gettext(
            "It was resolved more than %(days)s days ago. If the problem is back, please send a new report."
        ) % {"days": RESIDENT_REOPEN_DAYS}
    return gettext("Only a resolved report can be reopened. You can still add information.")


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
