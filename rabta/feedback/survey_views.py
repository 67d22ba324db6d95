"""The community trust and safety survey on the web, for residents: no JavaScript, no account.

A code (typed from a slip, or in the slip's QR link) opens the survey; the code rides along in a hidden
field and is spent only when the whole form is valid (validate, then redeem, then save: services.py).
Open-link campaigns take answers without a code, flagged as such. Every page here is no-store, and the
thank-you page comes after a redirect and says nothing of the answers, so neither the back button nor
the next person on a shared phone sees them. Nothing stores the client's address: the rate limiter
keys on a keyed hash of it (rabta.core.ratelimit).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rabta.core import ratelimit
from rabta.feedback import services
from rabta.feedback.models import COMMUNITY_SCALES, Campaign, InviteCode, Mode
from rabta.feedback.survey_forms import CodeForm, SurveyForm
from rabta.places.models import Beat

_P = ParamSpec("_P")


def private(
    view: Callable[Concatenate[HttpRequest, _P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, _P], HttpResponse]:
    """Survey pages: never stored by the browser or a proxy, never indexed."""

    @wraps(view)
    @never_cache
    def wrapper(request: HttpRequest, /, *args: _P.args, **kwargs: _P.kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-store, no-cache, must-revalidate, max-age=0"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


def _try_later(request: HttpRequest) -> HttpResponse:
    return render(request, "feedback/survey_try_later.html", status=429)


def _code_page(
    request: HttpRequest, form: CodeForm, *, status: int = 200, refused: bool = False
) -> HttpResponse:
    return render(request, "feedback/survey_code.html", {"form": form, "refused": refused}, status=status)


def _survey_page(
    request: HttpRequest,
    form: SurveyForm,
    *,
    beat: Beat | None,
    action: str,
    open_link: bool = False,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "form": form,
        "beat": beat,
        "action": action,
        "open_link": open_link,
        "scale_fields": COMMUNITY_SCALES,
        "list_fields": ("walk_day", "walk_dark"),
    }
    return render(request, "feedback/survey_form.html", context, status=status)


def _lookup(request: HttpRequest, code: str) -> InviteCode | HttpResponse | None:
    if not ratelimit.hit("survey_code", ratelimit.client_fingerprint(request)):
        return _try_later(request)
    try:
        return services.live_code(code=code)
    except services.InvitationNotValid:
        return None


@require_http_methods(["GET", "POST"])
@private
def survey_start(request: HttpRequest) -> HttpResponse:
    """Enter a code; a slip's QR link carries it as ?code=, which goes straight to the questions."""
    data = request.POST if request.method == "POST" else (request.GET if "code" in request.GET else None)
    form = CodeForm(data)
    if data is None:
        return _code_page(request, form)
    if not form.is_valid():
        return _code_page(request, form, status=400)
    found = _lookup(request, form.cleaned_data["code"])
    if isinstance(found, HttpResponse):
        return found
    if found is None:
        return _code_page(request, form, status=404, refused=True)
    survey = SurveyForm(initial={"code": found.code})
    return _survey_page(request, survey, beat=found.beat, action="feedback:survey_answer")


@require_POST
@private
def survey_answer(request: HttpRequest) -> HttpResponse:
    form = SurveyForm(request.POST)
    code = (request.POST.get("code") or "")[:20]
    found = _lookup(request, code)
    if isinstance(found, HttpResponse):
        return found
    if found is None:
        return _code_page(request, CodeForm(), status=404, refused=True)
    if not form.is_valid():
        return _survey_page(request, form, beat=found.beat, action="feedback:survey_answer", status=400)
    try:
        redeemed = services.redeem_code(code=found.code)
    except services.InvitationNotValid:
        return _code_page(request, CodeForm(), status=404, refused=True)
    _save(
        form, beat_id=redeemed.beat_id, campaign_id=redeemed.campaign_id or found.campaign_id, mode=Mode.WEB
    )
    return redirect("feedback:survey_thanks")


def _save(form: SurveyForm, *, beat_id: int, campaign_id: int, mode: Mode) -> None:
    data = form.cleaned_data
    services.save_community_answer(
        beat_id=beat_id,
        campaign_id=campaign_id,
        mode=mode,
        answers=form.answers(),
        gender=data.get("gender") or "",
        age_band=data.get("age_band") or "",
        top_issue=data.get("top_issue") or "",
        language=translation.get_language() or "",
    )


def _open_campaign(token: str) -> Campaign | None:
    try:
        return services.open_link_campaign(token=token[:64])
    except services.InvitationNotValid:
        return None


@require_http_methods(["GET", "POST"])
@private
def survey_open(request: HttpRequest, token: str) -> HttpResponse:
    """A campaign's open link: anyone may answer, so answers are flagged (Mode.OPEN_LINK) and every
    submission counts against a per-client limit. A campaign in several beats asks which one."""
    campaign = _open_campaign(token)
    if campaign is None:
        return render(request, "feedback/survey_closed.html", status=404)
    beats = list(campaign.beats.select_related("station").order_by("name"))
    only = beats[0] if len(beats) == 1 else None
    if request.method == "GET":
        form = SurveyForm(beats=beats)
        return _survey_page(request, form, beat=only, action="", open_link=True)
    if not ratelimit.hit("survey_open", ratelimit.client_fingerprint(request)):
        return _try_later(request)
    form = SurveyForm(request.POST, beats=beats)
    if not form.is_valid():
        return _survey_page(request, form, beat=only, action="", open_link=True, status=400)
    beat_id = form.cleaned_data.get("beat") or beats[0].pk
    _save(form, beat_id=int(beat_id), campaign_id=campaign.pk, mode=Mode.OPEN_LINK)
    return redirect("feedback:survey_thanks")


@require_GET
@private
def survey_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "feedback/survey_thanks.html")
