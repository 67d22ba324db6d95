"""The post-contact survey behind a one-use link (/s/<token>/) sent by SMS after a resolved report
or a consented contact. The link is spent only when a valid answer arrives (validate, redeem, save:
services.py); a used, expired or unknown link gets the same page, which says only that the link no
longer works. The pages are private (no-store) like the community survey's."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from rabta.core import ratelimit
from rabta.feedback import services
from rabta.feedback.contact_survey_forms import ContactSurveyForm
from rabta.feedback.models import PJ_ITEMS, Mode, SmsSurveySession
from rabta.feedback.survey_views import private

MAX_TOKEN = 64


def _page(request: HttpRequest, form: ContactSurveyForm, *, status: int = 200) -> HttpResponse:
    context = {"form": form, "list_fields": PJ_ITEMS}
    return render(request, "feedback/contact_survey.html", context, status=status)


@require_http_methods(["GET", "POST"])
@private
def contact_survey(request: HttpRequest, token: str) -> HttpResponse:
    if not ratelimit.hit("survey_code", ratelimit.client_fingerprint(request)):
        return render(request, "feedback/survey_try_later.html", status=429)
    try:
        invite = services.live_contact_invite(token=token[:MAX_TOKEN])
    except services.InvitationNotValid:
        return render(request, "feedback/survey_closed.html", status=404)
    if request.method == "GET":
        return _page(request, ContactSurveyForm())
    form = ContactSurveyForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        redeemed = services.redeem_contact_invite(invite=invite)
    except services.InvitationNotValid:
        return render(request, "feedback/survey_closed.html", status=404)
    # Answered on the web: the SMS questions waiting for the same invitation are withdrawn.
    SmsSurveySession.objects.filter(invite=invite).delete()
    data = form.cleaned_data
    services.save_contact_answer(
        redeemed=redeemed,
        mode=Mode.WEB,
        items=form.items(),
        gender=data.get("gender") or "",
        age_band=data.get("age_band") or "",
        started_by=data.get("started_by") or "",
        free_text=data.get("free_text") or "",
        language=translation.get_language() or "",
    )
    return redirect("feedback:survey_thanks")
