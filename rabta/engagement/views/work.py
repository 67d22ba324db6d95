"""Staff pages for action items, committees and partner agencies."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from rabta.core.errors import not_visible_is_404
from rabta.engagement import selectors, services
from rabta.engagement.forms import ActionItemForm, ActionUpdateForm
from rabta.engagement.views.staff import apply_errors
from rabta.people.auth import StaffRequest, staff_required


@staff_required
@never_cache
@require_http_methods(["GET", "POST"])
@not_visible_is_404
def action_new(request: StaffRequest, pk: int) -> HttpResponse:
    priority = selectors.find_priority(user=request.user, pk=pk)
    form = ActionItemForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_action_item(
                by=request.user,
                priority=priority,
                action=data["action"],
                action_ur=data["action_ur"],
                action_ps=data["action_ps"],
                due_on=data["due_on"],
                owner_officer=data.get("owner_officer"),
                owner_member=data.get("owner_member"),
                owner_agency=data.get("owner_agency"),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Action added. Its owner will be reminded before it is due."))
            if priority.meeting_id:
                return redirect("engagement:meeting", pk=priority.meeting_id)
            return redirect("engagement:actions")
    return render(request, "engagement/staff/action_form.html", {"form": form, "priority": priority})


@staff_required
@require_GET
def action_list(request: StaffRequest) -> HttpResponse:
    today = timezone.localdate()
    show = request.GET.get("show", "open")
    items = selectors.action_queue(user=request.user, show=show, today=today)
    return render(
        request,
        "engagement/staff/action_list.html",
        {"items": items, "today": today, "show": show},
    )


@staff_required
@never_cache
@require_http_methods(["GET", "POST"])
@not_visible_is_404
def action_detail(request: StaffRequest, pk: int) -> HttpResponse:
    item = selectors.find_action(user=request.user, pk=pk)
    form = ActionUpdateForm(
        request.POST or None,
        initial={
            "status": item.status,
            "outcome": item.outcome,
            "outcome_ur": item.outcome_ur,
            "outcome_ps": item.outcome_ps,
            "drop_reason": item.drop_reason,
            "due_on": item.due_on,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_action_item(
                item=item,
                by=request.user,
                status=data["status"],
                note=data["note"],
                outcome=data["outcome"],
                outcome_ur=data["outcome_ur"],
                outcome_ps=data["outcome_ps"],
                drop_reason=data["drop_reason"],
                due_on=data["due_on"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Action updated."))
            return redirect("engagement:action", pk=item.pk)
    return render(
        request,
        "engagement/staff/action_detail.html",
        {"item": item, "form": form, "today": timezone.localdate()},
    )


@staff_required
@require_GET
def committee_list(request: StaffRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = selectors.committee_records(user=request.user, today=today)
    return render(request, "engagement/staff/committee_list.html", {"rows": rows, "today": today})


@staff_required
@require_GET
@not_visible_is_404
def committee_detail(request: StaffRequest, pk: int) -> HttpResponse:
    page = selectors.committee_page(user=request.user, pk=pk, today=timezone.localdate())
    return render(
        request,
        "engagement/staff/committee_detail.html",
        {
            "committee": page.record.committee,
            "report": page.record.report,
            "since": page.record.since,
            "meetings": page.meetings,
            "members": page.members,
        },
    )


@staff_required
@require_GET
def agency_list(request: StaffRequest) -> HttpResponse:
    agencies = selectors.agencies_with_items(user=request.user)
    return render(
        request, "engagement/staff/agency_list.html", {"agencies": agencies, "today": timezone.localdate()}
    )
