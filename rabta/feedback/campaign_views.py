"""Staff pages for survey campaigns: the list, making and editing one, printing code slips, the open
link, and typing in paper forms. Campaigns and beats come through visible_to (wrong scope: 404)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rabta.feedback import campaigns, services, sms_invites
from rabta.feedback import slips as slip_lib
from rabta.feedback.campaign_forms import CampaignForm, CodeBatchForm, PaperForm, SmsInviteForm
from rabta.feedback.models import COMMUNITY_SCALES, Campaign, InviteCode, Mode
from rabta.people.auth import StaffRequest, staff_required
from rabta.people.models import Role
from rabta.places.models import Beat

# Who types in paper forms: the police staff of the beat. Volunteers collect paper forms at meetings
# and door to door and hand them in: they have no second factor and their home beat is their own
# choice, so an account of theirs could not be trusted to file answers under a beat.
PAPER_ROLES = frozenset(
    {Role.OFFICER, Role.WOMENS_DESK, Role.STATION_HEAD, Role.DISTRICT_COORDINATOR, Role.ADMIN}
)
SLIPS_SHOWN = 500


def _managed(request: StaffRequest, pk: int) -> Campaign:
    if not campaigns.may_manage(request.user):
        raise PermissionDenied
    return get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk)


def _beats(request: StaffRequest) -> QuerySet[Beat]:
    return Beat.objects.visible_to(request.user).select_related("station")


@staff_required
@require_GET
def campaign_list(request: StaffRequest) -> HttpResponse:
    found = Campaign.objects.visible_to(request.user).prefetch_related("beats")[:200]
    return render(
        request,
        "feedback/campaign_list.html",
        {"campaigns": found, "may_manage": campaigns.may_manage(request.user), "today": timezone.localdate()},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def campaign_create(request: StaffRequest) -> HttpResponse:
    if not campaigns.may_manage(request.user):
        raise PermissionDenied
    form = CampaignForm(request.POST or None, beats=_beats(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        campaign = campaigns.create_campaign(
            by=request.user,
            name=data["name"],
            beats=data["beats"],
            opens_on=data["opens_on"],
            closes_on=data["closes_on"],
        )
        return redirect("feedback:campaign", pk=campaign.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "feedback/campaign_form.html", {"form": form}, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request: StaffRequest, pk: int) -> HttpResponse:
    campaign = _managed(request, pk)
    mine = _beats(request)
    initial = {
        "name": campaign.name,
        "beats": list(campaign.beats.filter(pk__in=mine.values("pk"))),
        "opens_on": campaign.opens_on,
        "closes_on": campaign.closes_on,
    }
    form = CampaignForm(request.POST or None, initial=initial, beats=mine)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        campaigns.update_campaign(
            by=request.user,
            campaign=campaign,
            name=data["name"],
            beats=data["beats"],
            opens_on=data["opens_on"],
            closes_on=data["closes_on"],
        )
        return redirect("feedback:campaign", pk=campaign.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "feedback/campaign_form.html", {"form": form, "campaign": campaign}, status=status)


def _detail(
    request: StaffRequest,
    campaign: Campaign,
    form: CodeBatchForm,
    status: int = 200,
    sms_form: SmsInviteForm | None = None,
) -> HttpResponse:
    beats = (
        campaign.beats.filter(pk__in=_beats(request).values("pk")).select_related("station").order_by("name")
    )
    open_link = ""
    if campaign.open_link_token:
        open_link = request.build_absolute_uri(
            reverse("feedback:survey_open", kwargs={"token": campaign.open_link_token})
        )
    return render(
        request,
        "feedback/campaign_detail.html",
        {
            "campaign": campaign,
            "counts": campaigns.code_counts(campaign, beats),
            "form": form,
            "sms_form": sms_form or SmsInviteForm(beats=beats),
            "open_link": open_link,
            "survey_address": slip_lib.survey_address(request),
            "today": timezone.localdate(),
        },
        status=status,
    )


@staff_required
@require_GET
def campaign_detail(request: StaffRequest, pk: int) -> HttpResponse:
    campaign = _managed(request, pk)
    beats = campaign.beats.filter(pk__in=_beats(request).values("pk"))
    return _detail(request, campaign, CodeBatchForm(beats=beats))


@staff_required
@require_POST
def campaign_codes(request: StaffRequest, pk: int) -> HttpResponse:
    campaign = _managed(request, pk)
    beats = campaign.beats.filter(pk__in=_beats(request).values("pk"))
    form = CodeBatchForm(request.POST, beats=beats)
    if not form.is_valid():
        return _detail(request, campaign, form, status=400)
    batch = campaigns.make_codes(
        by=request.user, campaign=campaign, beat=form.cleaned_data["beat"], count=form.cleaned_data["count"]
    )
    return redirect("feedback:slips", pk=campaign.pk, batch=batch)


@staff_required
@require_POST
def campaign_sms_invite(request: StaffRequest, pk: int) -> HttpResponse:
    campaign = _managed(request, pk)
    beats = campaign.beats.filter(pk__in=_beats(request).values("pk"))
    form = SmsInviteForm(request.POST, beats=beats)
    if not form.is_valid():
        return _detail(request, campaign, CodeBatchForm(beats=beats), status=400, sms_form=form)
    if not campaign.is_running():
        form.add_error(None, gettext("Invitations can be sent only while the campaign is running."))
        return _detail(request, campaign, CodeBatchForm(beats=beats), status=400, sms_form=form)
    result = sms_invites.invite_numbers(
        campaign=campaign,
        beat=form.cleaned_data["beat"],
        numbers=sms_invites.split_numbers(form.cleaned_data["numbers"]),
    )
    messages.success(
        request,
        gettext("Invitations sent: %(sent)s. Held back (invited lately or opted out): %(held)s.")
        % {"sent": result.sent, "held": result.held_back},
    )
    if result.unreadable:
        messages.warning(
            request,
            gettext("Not phone numbers, not sent: %(numbers)s") % {"numbers": ", ".join(result.unreadable)},
        )
    return redirect("feedback:campaign", pk=campaign.pk)


@staff_required
@require_POST
def campaign_open_link(request: StaffRequest, pk: int) -> HttpResponse:
    campaign = _managed(request, pk)
    if request.POST.get("open") == "off":
        if campaign.open_link_token:
            campaign.open_link_token = None
            campaign.save(update_fields=["open_link_token"])
    else:
        campaign.enable_open_link()
    return redirect("feedback:campaign", pk=campaign.pk)


@staff_required
@never_cache
@require_GET
def slips(request: StaffRequest, pk: int, batch: int) -> HttpResponse:
    """A batch's unused codes, as slips to print on A4 and cut. The QR link opens the survey in the
    language the slips were printed in."""
    campaign = _managed(request, pk)
    codes = list(
        InviteCode.objects.visible_to(request.user)
        .filter(campaign=campaign, batch=batch, used_on__isnull=True)
        .select_related("beat")
        .order_by("pk")[:SLIPS_SHOWN]
    )
    if (
        not codes
        and not InviteCode.objects.visible_to(request.user).filter(campaign=campaign, batch=batch).exists()
    ):
        raise Http404("no such batch")
    return render(
        request,
        "feedback/slips.html",
        {
            "campaign": campaign,
            "batch": batch,
            "beat": codes[0].beat if codes else None,
            "slips": slip_lib.slips_for(request, codes),
            "survey_address": slip_lib.survey_address(request),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def paper_entry(request: StaffRequest) -> HttpResponse:
    """Type in one paper form: the mode (paper) and who typed it are recorded, the respondent never."""
    user = request.user
    if user.role not in PAPER_ROLES:
        raise PermissionDenied
    running = Campaign.objects.visible_to(user).running().order_by("name")
    beats = _beats(request).filter(survey_campaigns__in=running).distinct()
    form = PaperForm(request.POST or None, campaigns=running, beats=beats)
    saved = request.GET.get("saved") == "1"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        campaign, beat = data["campaign"], data["beat"]
        if data["slip_code"]:
            try:
                found = services.live_code(code=data["slip_code"])
                if found.campaign_id != campaign.pk or found.beat_id != beat.pk:
                    raise services.InvitationNotValid
                services.redeem_code(code=found.code)
            except services.InvitationNotValid:
                form.add_error("slip_code", _code_refused())
                return render(
                    request,
                    "feedback/survey_paper.html",
                    {
                        "form": form,
                        "scale_fields": COMMUNITY_SCALES,
                        "list_fields": ("walk_day", "walk_dark"),
                    },
                    status=409,
                )
        services.save_community_answer(
            beat_id=beat.pk,
            campaign_id=campaign.pk,
            mode=Mode.PAPER,
            answers=form.answers(),
            gender=data.get("gender") or "",
            age_band=data.get("age_band") or "",
            top_issue=data.get("top_issue") or "",
            entered_by=user,
            language=translation.get_language() or "",
        )
        # A fresh, empty form for the next paper, with the same campaign and beat chosen.
        return redirect(reverse("feedback:paper_entry") + f"?saved=1&campaign={campaign.pk}&beat={beat.pk}")
    if request.method == "GET":
        form = PaperForm(
            initial={"campaign": request.GET.get("campaign"), "beat": request.GET.get("beat")},
            campaigns=running,
            beats=beats,
        )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "feedback/survey_paper.html",
        {
            "form": form,
            "saved": saved,
            "scale_fields": COMMUNITY_SCALES,
            "list_fields": ("walk_day", "walk_dark"),
        },
        status=status,
    )


def _code_refused() -> str:
    return gettext("That code is unknown, already used, or for another campaign or beat.")
