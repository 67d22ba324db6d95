"""Staff pages for meetings: plan, record on a phone, register, priorities. Scoped: wrong beat -> 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from rabta.engagement import services
from rabta.engagement.forms import (
    CancelForm,
    MeetingForm,
    PriorityForm,
    RecordForm,
    RegisterEntryForm,
)
from rabta.engagement.models import (
    COUNT_FIELDS,
    ActionItem,
    Attendance,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Priority,
)
from rabta.engagement.representation import representation
from rabta.people.auth import staff_required
from rabta.places.models import Beat


def _apply_errors(form: object, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None  # type: ignore[attr-defined]
            for error in errors:
                form.add_error(target, error)  # type: ignore[attr-defined]
    else:
        for error in exc.messages:
            form.add_error(None, error)  # type: ignore[attr-defined]


def _meeting_or_404(request: HttpRequest, pk: int) -> Meeting:
    return get_object_or_404(Meeting.objects.visible_to(request.user), pk=pk)  # type: ignore[arg-type]


@staff_required
@require_http_methods(["GET"])
def meeting_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    visible = (
        Meeting.objects.visible_to(user).select_related("attendance").prefetch_related("beats")  # type: ignore[arg-type]
    )
    upcoming = list(visible.upcoming()[:30])
    recent = list(
        visible.filter(starts_at__lt=timezone.now())
        .exclude(status=MeetingStatus.SCHEDULED, ends_at__gte=timezone.now())
        .order_by("-starts_at")[:30]
    )
    missing_follow_up = list(visible.follow_up_missing(today).order_by("follow_up_due")[:30])
    actions = ActionItem.objects.visible_to(user)  # type: ignore[arg-type]
    action_counts = actions.aggregate(
        open=Count("pk", filter=Q(status__in=["open", "in_progress"])),
        overdue=Count("pk", filter=Q(status__in=["open", "in_progress"], due_on__lt=today)),
    )
    return render(
        request,
        "engagement/staff/meeting_list.html",
        {
            "upcoming": upcoming,
            "recent": recent,
            "missing_follow_up": missing_follow_up,
            "action_counts": action_counts,
            "today": today,
        },
    )


@staff_required
@never_cache
@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    follow_up_of = None
    if request.GET.get("follow_up_of"):
        follow_up_of = _meeting_or_404(request, int(request.GET["follow_up_of"]))
    initial: dict[str, object] = {}
    if request.GET.get("kind") in MeetingKind.values:
        initial["kind"] = request.GET["kind"]
    beat_ids = [int(b) for b in request.GET.getlist("beat") if b.isdigit()]
    if beat_ids:
        initial["beats"] = list(Beat.objects.visible_to(user).filter(pk__in=beat_ids))  # type: ignore[arg-type]
    if follow_up_of is not None:
        initial = {
            "kind": follow_up_of.kind,
            "title": follow_up_of.title,
            "beats": list(follow_up_of.beats.all()),
            "venue": follow_up_of.venue,
        }
    form = MeetingForm(request.POST or None, user=user, initial=initial)  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.create_meeting(
                by=user,  # type: ignore[arg-type]
                kind=data["kind"],
                title=data["title"],
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
            _apply_errors(form, exc)
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
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    if meeting.status == MeetingStatus.CANCELLED:
        messages.error(request, _("A cancelled meeting cannot be edited."))
        return redirect("engagement:meeting", pk=meeting.pk)
    form = MeetingForm(request.POST or None, instance=meeting, user=request.user)  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = [
            "kind",
            "title",
            "committee",
            "starts_at",
            "ends_at",
            "venue",
            "requires_follow_up",
            "follow_up_due",
        ]
        # The ModelForm already copied the values onto the instance: reload so the service sees the change.
        fresh = Meeting.objects.get(pk=meeting.pk)
        try:
            services.update_meeting(
                meeting=fresh,
                by=request.user,  # type: ignore[arg-type]
                changes={name: data.get(name) for name in fields},
                beats=data["beats"],
                facilitators=data["facilitators"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Meeting updated."))
            return redirect("engagement:meeting", pk=meeting.pk)
    return render(request, "engagement/staff/meeting_form.html", {"form": form, "meeting": meeting})


@staff_required
@never_cache
@require_http_methods(["GET"])
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(
        Meeting.objects.visible_to(request.user)  # type: ignore[arg-type]
        .select_related("committee", "follow_up", "created_by")
        .prefetch_related(
            "beats",
            "facilitators",
            Prefetch(
                "priorities",
                queryset=Priority.objects.select_related("beat").prefetch_related(
                    Prefetch(
                        "actions",
                        queryset=ActionItem.objects.select_related(
                            "owner_officer", "owner_member", "owner_agency"
                        ),
                    )
                ),
            ),
        ),
        pk=pk,
    )
    attendance = Attendance.objects.filter(meeting=meeting).prefetch_related("officers_present").first()
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
            "can_announce": meeting.status == MeetingStatus.SCHEDULED and meeting.ends_at >= timezone.now(),
            "today": today,
            "kinds": MeetingKind,
        },
    )


@staff_required
@never_cache
@require_http_methods(["GET", "POST"])
def meeting_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a meeting as held: the form an officer fills on a phone at the end of the meeting."""
    meeting = _meeting_or_404(request, pk)
    attendance = Attendance.objects.filter(meeting=meeting).first()
    initial: dict[str, object] = {"minutes": meeting.minutes, "decisions": meeting.decisions}
    if attendance is not None:
        initial.update({name: getattr(attendance, name) for name in COUNT_FIELDS})
        initial["officers_present"] = list(attendance.officers_present.all())
    else:
        initial["officers_present"] = [request.user]
    form = RecordForm(request.POST or None, user=request.user, initial=initial)  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        try:
            services.record_meeting(
                meeting=meeting,
                by=request.user,  # type: ignore[arg-type]
                counts=form.counts(),
                officers_present=form.cleaned_data["officers_present"],
                minutes=form.cleaned_data["minutes"],
                decisions=form.cleaned_data["decisions"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Meeting recorded."))
            return redirect("engagement:meeting", pk=meeting.pk)
    return render(request, "engagement/staff/meeting_record.html", {"form": form, "meeting": meeting})


@staff_required
@never_cache
@require_http_methods(["GET", "POST"])
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_meeting(meeting=meeting, by=request.user, reason=form.cleaned_data["reason"])  # type: ignore[arg-type]
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Meeting cancelled. Calendar feeds show it as cancelled."))
            return redirect("engagement:meeting", pk=meeting.pk)
    return render(request, "engagement/staff/meeting_cancel.html", {"form": form, "meeting": meeting})


@staff_required
@require_POST
def meeting_announce(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    try:
        announcement = services.announce_meeting(meeting=meeting, by=request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        if announcement.status == "sent":
            messages.success(request, _("Announced to the beat's SMS subscribers."))
        else:
            messages.info(request, _("Announcement saved. It will go out when the SMS service is set up."))
    return redirect("engagement:meeting", pk=meeting.pk)


@staff_required
@never_cache
@require_http_methods(["GET", "POST"])
def meeting_register(request: HttpRequest, pk: int) -> HttpResponse:
    """The named register: only with consent, only for staff who can see the meeting, every view logged."""
    meeting = _meeting_or_404(request, pk)
    form = RegisterEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.add_register_entry(
            meeting=meeting,
            by=request.user,  # type: ignore[arg-type]
            name=form.cleaned_data["name"],
            phone=form.cleaned_data["phone"],
            consent_given=form.cleaned_data["consent_given"],
            consent_method=form.cleaned_data["consent_method"],
        )
        messages.success(request, _("Name added to the register."))
        return redirect("engagement:meeting_register", pk=meeting.pk)
    entries = services.read_register(meeting=meeting, viewer=request.user)  # type: ignore[arg-type]
    return render(
        request,
        "engagement/staff/meeting_register.html",
        {"form": form, "meeting": meeting, "entries": entries},
    )


@staff_required
@never_cache
@require_http_methods(["GET", "POST"])
def priority_new(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    beats = Beat.objects.visible_to(request.user).filter(meetings=meeting)  # type: ignore[arg-type]
    form = PriorityForm(request.POST or None, beats=beats)
    if request.method == "POST" and form.is_valid():
        services.add_priority(
            by=request.user,  # type: ignore[arg-type]
            beat=form.cleaned_data["beat"],
            meeting=meeting,
            issue=form.cleaned_data["issue"],
            raised_by=form.cleaned_data["raised_by"],
            raised_on=timezone.localtime(meeting.starts_at).date(),
        )
        messages.success(request, _("Priority recorded. Add the action that answers it."))
        return redirect("engagement:meeting", pk=meeting.pk)
    return render(request, "engagement/staff/priority_form.html", {"form": form, "meeting": meeting})
