"""Officer triage pages under /<lang>/staff/reports/: a queue, a report, and POST actions.

Phone-first and JavaScript-free: every action is a small form that posts and comes back to the
report (post/redirect/get). Contact details and the precise location appear only in the response to
an explicit POST, never in a URL or the session, and every reveal is written to the access log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from rabta.core.errors import not_visible_is_404
from rabta.people.auth import StaffRequest, staff_required
from rabta.reports import selectors, services, triage
from rabta.reports.lifecycle import Status, allowed
from rabta.reports.models import Category, Report
from rabta.reports.triage_forms import AssignForm, NoteForm, QueueFilterForm, StatusForm


@never_cache
@staff_required
@require_GET
def queue(request: StaffRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET or None, categories=Category.objects.order_by("position", "name"))
    filters = form.filters() if form.is_bound and form.is_valid() else selectors.QueueFilters()
    now = timezone.now()
    try:
        after = selectors.QueueCursor.decode(request.GET["after"]) if request.GET.get("after") else None
    except ValueError:
        return render(request, "400.html", status=400)
    page = selectors.queue_page(
        selectors.queue(request.user, filters, now=now), after=after, size=selectors.QUEUE_PAGE, count=True
    )
    query = request.GET.copy()
    query.pop("after", None)
    return render(
        request,
        "reports/staff/queue.html",
        {
            "form": form,
            "page": page,
            "now": now,
            "query": query.urlencode(),
            "filters": filters,
            "Status": Status,
        },
    )


def _detail_context(request: StaffRequest, report: Report, **extra: Any) -> dict[str, Any]:
    readable = report.content_visible_to(request.user, in_scope=True)
    updates = list(report.updates.select_related("author", "assigned_to").order_by("created_at", "pk"))
    suggestions = selectors.duplicate_candidates(request.user, report) if readable and report.is_open else []
    targets = triage.allowed_targets(report) if readable else []
    return {
        "report": report,
        "readable": readable,
        "updates": updates,
        "photos": list(report.photos.all()) if readable else [],
        "now": timezone.now(),
        "overdue": report.is_overdue(),
        "targets": targets,
        "status_form": StatusForm(targets=targets),
        "note_form": NoteForm(),
        "assign_form": AssignForm(
            officers=selectors.assignable_officers(report), initial_user=report.assignee
        ),
        "suggestions": suggestions,
        "can_duplicate": readable and allowed(report.status, Status.DUPLICATE),
        "Status": Status,
        **extra,
    }


@never_cache
@staff_required
@not_visible_is_404
@require_GET
def detail(request: StaffRequest, public_id: str) -> HttpResponse:
    report = selectors.get_visible_report(request.user, public_id)
    return render(request, "reports/staff/detail.html", _detail_context(request, report))


def _refused(request: StaffRequest, report: Report, refused: services.Refused) -> HttpResponse:
    # The refusal is already in the access log; the officer gets the page back with the reason.
    context = _detail_context(request, report, refused=str(refused))
    response = render(request, "reports/staff/detail.html", context, status=403)
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@staff_required
@not_visible_is_404
@require_POST
def reveal_contact(request: StaffRequest, public_id: str) -> HttpResponse:
    report = selectors.get_visible_report(request.user, public_id)
    try:
        contact = services.reveal_contact(report=report, viewer=request.user)  # audited
    except services.ContactRefused as refused:
        return _refused(request, report, refused)
    response = render(request, "reports/staff/detail.html", _detail_context(request, report, contact=contact))
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@staff_required
@not_visible_is_404
@require_POST
def reveal_location(request: StaffRequest, public_id: str) -> HttpResponse:
    report = selectors.get_visible_report(request.user, public_id)
    try:
        location = services.reveal_location(report=report, viewer=request.user)  # audited
    except services.LocationRefused as refused:
        return _refused(request, report, refused)
    response = render(
        request,
        "reports/staff/detail.html",
        _detail_context(request, report, location=location, location_revealed=True),
    )
    response["Cache-Control"] = "no-store"
    return response


def _act(request: StaffRequest, public_id: str, do: Callable[[Report], str]) -> HttpResponse:
    report = selectors.get_visible_report(request.user, public_id)
    try:
        done = do(report)
    except triage.ActionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("reports:staff_detail", public_id=report.public_id)


@staff_required
@not_visible_is_404
@require_POST
def acknowledge(request: StaffRequest, public_id: str) -> HttpResponse:
    def do(report: Report) -> str:
        form = NoteForm(request.POST)
        form.is_valid()
        note = form.cleaned_data.get("note", "")
        triage.acknowledge(
            report=report, by=request.user, note=note, public=form.cleaned_data.get("public", True)
        )
        return _("Acknowledged. The resident can see it on their tracking page.")

    return _act(request, public_id, do)


@staff_required
@not_visible_is_404
@require_POST
def change_status(request: StaffRequest, public_id: str) -> HttpResponse:
    def do(report: Report) -> str:
        form = StatusForm(request.POST, targets=triage.allowed_targets(report))
        if not form.is_valid():
            raise triage.ActionError(" ".join(" ".join(str(m) for m in e) for e in form.errors.values()))
        data = form.cleaned_data
        triage.change_status(
            report=report,
            by=request.user,
            to=data["to"],
            note=data["note"],
            public=True,
            referred_to=data["referred_to"],
            reason=data["reason"],
            note_ur=data["note_ur"],
            note_ps=data["note_ps"],
        )
        return _("Status changed to %(status)s.") % {"status": report.get_status_display()}

    return _act(request, public_id, do)


@staff_required
@not_visible_is_404
@require_POST
def add_note(request: StaffRequest, public_id: str) -> HttpResponse:
    def do(report: Report) -> str:
        form = NoteForm(request.POST)
        if not form.is_valid() or not form.cleaned_data["note"].strip():
            raise triage.ActionError(_("Write the note first."))
        public = form.cleaned_data["public"]
        triage.add_note(
            report=report,
            by=request.user,
            note=form.cleaned_data["note"],
            public=public,
            note_ur=form.cleaned_data["note_ur"],
            note_ps=form.cleaned_data["note_ps"],
        )
        return _("Public note added: the resident will see it.") if public else _("Internal note added.")

    return _act(request, public_id, do)


@staff_required
@not_visible_is_404
@require_POST
def assign(request: StaffRequest, public_id: str) -> HttpResponse:
    def do(report: Report) -> str:
        username = request.POST.get("assignee", "").strip()
        triage.assign(report=report, by=request.user, to_username=username)
        if report.assignee is None:
            return _("Nobody is assigned now.")
        name = report.assignee.get_full_name() or report.assignee.username
        return _("Assigned to %(name)s.") % {"name": name}

    return _act(request, public_id, do)


@staff_required
@not_visible_is_404
@require_POST
def mark_duplicate(request: StaffRequest, public_id: str) -> HttpResponse:
    def do(report: Report) -> str:
        triage.mark_duplicate(
            report=report,
            by=request.user,
            of_public_id=request.POST.get("of", "").strip(),
            note=request.POST.get("note", "").strip()[:2000],
        )
        return _("Marked as a duplicate of report %(id)s.") % {
            "id": report.duplicate_of.public_id if report.duplicate_of else ""
        }

    return _act(request, public_id, do)


@staff_required
@not_visible_is_404
@require_POST
def neutral_wording(request: StaffRequest, public_id: str) -> HttpResponse:
    def do(report: Report) -> str:
        triage.use_neutral_wording(report=report, by=request.user)
        return _("Messages about this report now say only that there is news.")

    return _act(request, public_id, do)
