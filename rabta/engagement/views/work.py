"""Staff pages for action items, committees and partner agencies."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from rabta.engagement import services
from rabta.engagement.cadence import held_against_due
from rabta.engagement.forms import ActionItemForm, ActionUpdateForm
from rabta.engagement.models import (
    ActionItem,
    Committee,
    CommitteeMember,
    Meeting,
    MeetingStatus,
    PartnerAgency,
    Priority,
)
from rabta.engagement.views.staff import _apply_errors
from rabta.people.auth import staff_required

# The committee page looks back this far when comparing meetings held with meetings due.
COMMITTEE_WINDOW_DAYS = 182


@staff_required
@never_cache
@require_http_methods(["GET", "POST"])
def action_new(request: HttpRequest, pk: int) -> HttpResponse:
    priority = get_object_or_404(Priority.objects.visible_to(request.user).select_related("beat"), pk=pk)  # type: ignore[arg-type]
    form = ActionItemForm(request.POST or None, user=request.user)  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_action_item(
                by=request.user,  # type: ignore[arg-type]
                priority=priority,
                action=data["action"],
                due_on=data["due_on"],
                owner_officer=data.get("owner_officer"),
                owner_member=data.get("owner_member"),
                owner_agency=data.get("owner_agency"),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Action added. Its owner will be reminded before it is due."))
            if priority.meeting_id:
                return redirect("engagement:meeting", pk=priority.meeting_id)
            return redirect("engagement:actions")
    return render(request, "engagement/staff/action_form.html", {"form": form, "priority": priority})


@staff_required
@require_GET
def action_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    items = (
        ActionItem.objects.visible_to(request.user)  # type: ignore[arg-type]
        .select_related("priority__beat", "owner_officer", "owner_member", "owner_agency")
        .order_by("due_on", "pk")
    )
    show = request.GET.get("show", "open")
    if show == "overdue":
        items = items.overdue(today)
    elif show == "open":
        items = items.still_open()
    return render(
        request,
        "engagement/staff/action_list.html",
        {"items": list(items[:200]), "today": today, "show": show},
    )


@staff_required
@never_cache
@require_http_methods(["GET", "POST"])
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        ActionItem.objects.visible_to(request.user)  # type: ignore[arg-type]
        .select_related(
            "priority__beat", "priority__meeting", "owner_officer", "owner_member", "owner_agency"
        )
        .prefetch_related("notes__author", "reminders"),
        pk=pk,
    )
    form = ActionUpdateForm(
        request.POST or None,
        initial={
            "status": item.status,
            "outcome": item.outcome,
            "drop_reason": item.drop_reason,
            "due_on": item.due_on,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_action_item(
                item=item,
                by=request.user,  # type: ignore[arg-type]
                status=data["status"],
                note=data["note"],
                outcome=data["outcome"],
                drop_reason=data["drop_reason"],
                due_on=data["due_on"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Action updated."))
            return redirect("engagement:action", pk=item.pk)
    return render(
        request,
        "engagement/staff/action_detail.html",
        {"item": item, "form": form, "today": timezone.localdate()},
    )


def committee_record(committee: Committee, held_days: list[dt.date], today: dt.date) -> dict[str, object]:
    start = max(committee.started_on, today - dt.timedelta(days=COMMITTEE_WINDOW_DAYS))
    report = held_against_due(committee.cadence, committee.started_on, start, today, held_days)
    return {"committee": committee, "report": report, "since": start}


@staff_required
@require_GET
def committee_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    committees = list(
        Committee.objects.visible_to(request.user)  # type: ignore[arg-type]
        .select_related("liaison_officer")
        .prefetch_related(
            "beats",
            Prefetch(
                "meetings",
                queryset=Meeting.objects.filter(status=MeetingStatus.HELD).only(
                    "pk", "starts_at", "committee_id"
                ),
                to_attr="held_meetings",
            ),
        )
    )
    rows = [
        committee_record(
            c, [timezone.localtime(m.starts_at).date() for m in getattr(c, "held_meetings", [])], today
        )
        for c in committees
    ]
    return render(request, "engagement/staff/committee_list.html", {"rows": rows, "today": today})


@staff_required
@require_GET
def committee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    today = timezone.localdate()
    committee = get_object_or_404(
        Committee.objects.visible_to(request.user)  # type: ignore[arg-type]
        .select_related("liaison_officer")
        .prefetch_related("beats"),
        pk=pk,
    )
    meetings = list(committee.meetings.order_by("-starts_at")[:50])
    held = [timezone.localtime(m.starts_at).date() for m in meetings if m.status == MeetingStatus.HELD]
    members = list(CommitteeMember.objects.filter(committee=committee, is_active=True).select_related("user"))
    return render(
        request,
        "engagement/staff/committee_detail.html",
        {**committee_record(committee, held, today), "meetings": meetings, "members": members},
    )


@staff_required
@require_GET
def agency_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    agencies = list(
        PartnerAgency.objects.visible_to(request.user).prefetch_related(  # type: ignore[arg-type]
            Prefetch(
                "action_items",
                queryset=ActionItem.objects.visible_to(request.user).select_related("priority__beat"),  # type: ignore[arg-type]
                to_attr="visible_items",
            )
        )
    )
    return render(request, "engagement/staff/agency_list.html", {"agencies": agencies, "today": today})
