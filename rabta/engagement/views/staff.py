"""Staff pages for meetings: plan, record on a phone, register, priorities. Scoped: wrong beat -> 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from rabta.core.errors import not_visible_is_404
from rabta.engagement import selectors, services
from rabta.engagement.forms import (
    CancelForm,
    MeetingForm,
    PriorityForm,
    RecordForm,
    RegisterEntryForm,
)
from rabta.engagement.models import COUNT_FIELDS, MeetingKind
from rabta.engagement.representation import absent_groups, representation
from rabta.people.auth import StaffRequest, staff_required


def apply_errors(form: BaseForm, exc: ValidationError) -> None:
    """Show a service's validation errors on the form: on their field when it has one, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


@staff_required
@require_http_methods(["GET"])
def meeting_list(request: StaffRequest) -> HttpResponse:
    today = timezone.localdate()
    lists = selectors.meeting_lists(user=request.user, today=today)
    return render(
        request,
        "engagement/staff/meeting_list.html",
        {
            "upcoming": lists.upcoming,
            "recent": lists.recent,
            "missing_follow_up": lists.missing_follow_up,
            "action_counts": selectors.action_counts(user=request.user, today=today),
            "today": today,
        },
    )


@staff_required
@never_cache
@require_http_methods(["GET", "POST"])
@not_visible_is_404
def meeting_new(request: StaffRequest) -> HttpResponse:
    user = request.user
    follow_up_of = None
    if request.GET.get("follow_up_of"):
        follow_up_of = selectors.find_meeting(user=user, pk=int(request.GET["follow_up_of"]))
    initial: dict[str, object] = {}
    if request.GET.get("kind") in MeetingKind.values:
        initial["kind"] = request.GET["kind"]
    beat_ids = [int(b) for b in request.GET.getlist("beat") if b.isdigit()]
    if beat_ids:
        initial["beats"] = selectors.beats_among(user=user, ids=beat_ids)
    if follow_up_of is not None:
        initial = {
            "kind": follow_up_of.kind,
            "title": follow_up_of.title,
            "title_ur": follow_up_of.title_ur,
            "title_ps": follow_up_of.title_ps,
            "beats": list(follow_up_of.beats.all()),
            "venue": follow_up_of.venue,
        }
    form = MeetingForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.create_meeting(
                by=user,
                kind=data["kind"],
                title=data["title"],
                title_ur=data["title_ur"],
                title_ps=data["title_ps"],
                beats=data["beats"],
                committee=data.get("committee"),
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                venue=data["venue"],
                facilitators=data["facilitators"],
                requires_follow_up=data["requires_follow_up"],
                follow_up_due=data.get("follow_up_due"),
                follow_up_of=follow_up_of,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Meeting saved."))
            return redirect("engagement:meeting", pk=meeting.pk)
    return render(
        request,
        "engagement/staff/meeting_form.html",
        {"form": form, "meeting": None, "follow_up_of": follow_up_of},
    )


@staff_required
@never_cache
@require_http_methods(["GET", "POST"])
@not_visible_is_404
def meeting_edit(request: StaffRequest, pk: int) -> HttpResponse:
    meeting = selectors.find_meeting(user=request.user, pk=pk)
    if meeting.is_cancelled:
        messages.error(request, _("A cancelled meeting cannot be edited."))
        return redirect("engagement:meeting", pk=meeting.pk)
    form = MeetingForm(request.POST or None, instance=meeting, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = [
            "kind",
            "title",
            "title_ur",
            "title_ps",
            "committee",
            "starts_at",
            "ends_at",
            "venue",
            "requires_follow_up",
            "follow_up_due",
        ]
        # The ModelForm already copied the values onto the instance: reload so the service sees the change.
        fresh = selectors.find_meeting(user=request.user, pk=meeting.pk)
        try:
            services.update_meeting(
                meeting=fresh,
                by=request.user,
                changes={name: data.get(name) for name in fields},
                beats=data["beats"],
                facilitators=data["facilitators"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Meeting updated."))
            return redirect("engagement:meeting", pk=meeting.pk)
    return render(request, "engagement/staff/meeting_form.html", {"form": form, "meeting": meeting})


@staff_required
@never_cache
@require_http_methods(["GET"])
@not_visible_is_404
def meeting_detail(request: StaffRequest, pk: int) -> HttpResponse:
    meeting = selectors.find_meeting_for_page(user=request.user, pk=pk)
    attendance = selectors.attendance_of(meeting, with_officers=True)
    beats = list(meeting.beats.all())
    groups = representation(attendance, beats) if attendance is not None and meeting.is_held else []
    today = timezone.localdate()
    return render(
        request,
        "engagement/staff/meeting_detail.html",
        {
            "meeting": meeting,
            "beats": beats,
            "attendance": attendance,
            "groups": groups,
            "register_count": meeting.register.count(),
            "follow_up_missing": meeting.follow_up_missing(today),
            "announcement": meeting.announcements.first(),
            "can_announce": meeting.is_upcoming(),
            "today": today,
            "kinds": MeetingKind,
        },
    )


@staff_required
@never_cache
@require_http_methods(["GET", "POST"])
@not_visible_is_404
def meeting_record(request: StaffRequest, pk: int) -> HttpResponse:
    """Record a meeting as held: the form an officer fills on a phone at the end of the meeting."""
    meeting = selectors.find_meeting(user=request.user, pk=pk)
    attendance = selectors.attendance_of(meeting)
    initial: dict[str, object] = {"minutes": meeting.minutes, "decisions": meeting.decisions}
    if attendance is not None:
        initial.update({name: getattr(attendance, name) for name in COUNT_FIELDS})
        initial["officers_present"] = list(attendance.officers_present.all())
    else:
        initial["officers_present"] = [request.user]
    form = RecordForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_meeting(
                meeting=meeting,
                by=request.user,
                counts=form.counts(),
                officers_present=form.cleaned_data["officers_present"],
                minutes=form.cleaned_data["minutes"],
                decisions=form.cleaned_data["decisions"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Meeting recorded."))
            return redirect("engagement:meeting", pk=meeting.pk)
    return render(request, "engagement/staff/meeting_record.html", {"form": form, "meeting": meeting})


@staff_required
@never_cache
@require_http_methods(["GET", "POST"])
@not_visible_is_404
def meeting_cancel(request: StaffRequest, pk: int) -> HttpResponse:
    meeting = selectors.find_meeting(user=request.user, pk=pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_meeting(meeting=meeting, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Meeting cancelled. Calendar feeds show it as cancelled."))
            return redirect("engagement:meeting", pk=meeting.pk)
    return render(request, "engagement/staff/meeting_cancel.html", {"form": form, "meeting": meeting})


@staff_required
@require_POST
@not_visible_is_404
def meeting_announce(request: StaffRequest, pk: int) -> HttpResponse:
    meeting = selectors.find_meeting(user=request.user, pk=pk)
    try:
        services.announce_meeting(meeting=meeting, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Announced to the beat's SMS subscribers."))
    return redirect("engagement:meeting", pk=meeting.pk)


@staff_required
@never_cache
@require_http_methods(["GET", "POST"])
@not_visible_is_404
def meeting_register(request: StaffRequest, pk: int) -> HttpResponse:
    """The named register: only with consent, only for staff who can see the meeting, every view logged."""
    meeting = selectors.find_meeting(user=request.user, pk=pk)
    form = RegisterEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.add_register_entry(
            meeting=meeting,
            by=request.user,
            name=form.cleaned_data["name"],
            phone=form.cleaned_data["phone"],
            consent_given=form.cleaned_data["consent_given"],
            consent_method=form.cleaned_data["consent_method"],
        )
        messages.success(request, _("Name added to the register."))
        return redirect("engagement:meeting_register", pk=meeting.pk)
    entries = selectors.read_register(meeting=meeting, viewer=request.user)
    return render(
        request,
        "engagement/staff/meeting_register.html",
        {"form": form, "meeting": meeting, "entries": entries},
    )


@staff_required
@never_cache
@require_http_methods(["GET", "POST"])
@not_visible_is_404
def priority_new(request: StaffRequest, pk: int) -> HttpResponse:
    meeting = selectors.find_meeting(user=request.user, pk=pk)
    beats = selectors.beats_for_priorities(user=request.user, meeting=meeting)
    absent = absent_groups(selectors.attendance_of(meeting))
    form = PriorityForm(request.POST or None, beats=beats, absent=absent)
    if request.method == "POST" and form.is_valid():
        services.add_priority(
            by=request.user,
            beat=form.cleaned_data["beat"],
            meeting=meeting,
            issue=form.cleaned_data["issue"],
            issue_ur=form.cleaned_data["issue_ur"],
            issue_ps=form.cleaned_data["issue_ps"],
            raised_by=form.cleaned_data["raised_by"],
            raised_on=timezone.localtime(meeting.starts_at).date(),
        )
        messages.success(request, _("Priority recorded. Add the action that answers it."))
        return redirect("engagement:meeting", pk=meeting.pk)
    return render(
        request,
        "engagement/staff/priority_form.html",
        {"form": form, "fields": form.shown_fields, "meeting": meeting},
    )
