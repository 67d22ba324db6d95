"""Pages for SMS: subscribing from a beat page, broadcasts for staff, and the console simulator."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rabta.audit.models import AccessLog, record_access
from rabta.core import ratelimit
from rabta.messaging import broadcasts, inbound, selectors, simulator, subscriptions
from rabta.messaging.broadcasts import Estimate
from rabta.messaging.forms import BroadcastForm, SimulateForm, SubscribeForm
from rabta.messaging.models import BroadcastStatus
from rabta.people.auth import StaffRequest, staff_required
from rabta.places.models import Beat


@require_POST
def subscribe(request: HttpRequest, code: str) -> HttpResponse:
    """Sign up for a beat's SMS news from its public page. Stores no IP, only the encrypted number."""
    beat = get_object_or_404(Beat, code=code)
    form = SubscribeForm(request.POST)
    if not ratelimit.hit("subscribe", "client:" + ratelimit.client_fingerprint(request)):
        return render(request, "messaging/try_later.html", status=429)
    if not form.is_valid():
        return render(request, "messaging/subscribe_result.html", {"beat": beat, "form": form}, status=400)
    subscriptions.request_subscription(
        raw_number=form.cleaned_data["phone"], beat=beat, language=get_language() or "ur"
    )
    # One answer whatever the number's state, so the page tells nobody whether it opted out.
    return render(request, "messaging/subscribe_result.html", {"beat": beat, "asked": True})


@require_http_methods(["GET", "POST"])
def simulate(request: HttpRequest) -> HttpResponse:
    """Development: pretend a test phone sent an SMS to the console channel, and read the replies.

    404 unless switched on (DEBUG or RABTA_SMS_SIMULATOR) and the user is an administrator, so it
    tells nobody else it exists; every view of a thread is logged."""
    user = request.user
    if not simulator.switched_on() or (user.is_authenticated and not simulator.allowed(user)):
        raise Http404
    return _simulate(request)


@staff_required
def _simulate(request: StaffRequest) -> HttpResponse:
    channel = selectors.console_channel()
    if channel is None or not simulator.allowed(request.user):
        raise Http404
    form = SimulateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        inbound.receive_inbound(
            channel=channel,
            provider_message_id=f"sim-{uuid.uuid4().hex}",
            sender=form.cleaned_data["phone"],
            body=form.cleaned_data["text"],
        )
        request.session["sms_sim_phone"] = form.cleaned_data["phone"]
        return redirect("messaging:simulate")
    if form.has_error("phone", code="real_number"):
        # The refusal says the number belongs to a real resident: probing for that leaves a trace.
        record_access(
            actor=request.user,
            action=AccessLog.Action.REFUSED,
            obj=channel,
            detail="SMS simulator: real number",
        )
    thread: list[tuple[str, dt.datetime, str, str]] = []
    phone = simulator.thread_phone(request.session.get("sms_sim_phone"))
    if phone is not None:
        thread = selectors.console_thread(phone)
        record_access(actor=request.user, action=AccessLog.Action.VIEW_SMS, obj=phone, detail="SMS simulator")
    return render(request, "messaging/simulate.html", {"form": form, "thread": thread, "phone": phone})


@staff_required
def broadcast_list(request: StaffRequest) -> HttpResponse:
    recent = selectors.recent_broadcasts(request.user)
    pending = broadcasts.awaiting_approval_by(user=request.user, among=recent)
    return render(request, "messaging/broadcast_list.html", {"broadcasts": recent, "pending": pending})


@staff_required
@require_http_methods(["GET", "POST"])
def broadcast_new(request: StaffRequest) -> HttpResponse:
    form = BroadcastForm(request.POST or None, user=request.user)
    estimate: Estimate | None = None
    if request.method == "POST" and form.is_valid():
        audience = form.chosen_audience()
        bodies = {code: form.cleaned_data[f"body_{code}"] for code in ("en", "ur", "ps")}
        if "send" in request.POST:
            broadcast = broadcasts.create_broadcast(
                author=request.user,
                **audience,
                body_en=bodies["en"],
                body_ur=bodies["ur"],
                body_ps=bodies["ps"],
                scheduled_for=form.cleaned_data["scheduled_for"],
            )
            if broadcast.status == BroadcastStatus.PENDING_APPROVAL:
                messages.info(request, _("Saved. It will be sent when it is approved."))
            else:
                messages.success(request, _("Scheduled for sending."))
            return redirect("messaging:broadcast_list")
        # "Check cost": an estimate without saving anything, then the same form with a Send button.
        estimate = broadcasts.estimate(
            beat_ids=[b.pk for b in audience["beats"]],
            station_id=audience["station"].pk if audience["station"] else None,
            district_id=audience["district"].pk if audience["district"] else None,
            bodies=bodies,
            user=request.user,
        )
    return render(request, "messaging/broadcast_form.html", {"form": form, "estimate": estimate})


@staff_required
@require_POST
def broadcast_approve(request: StaffRequest, pk: int) -> HttpResponse:
    broadcast = selectors.find_broadcast(request.user, pk)
    if broadcast is None:
        raise Http404("no such broadcast")
    try:
        broadcasts.approve_broadcast(broadcast=broadcast, by=request.user)
    except broadcasts.BroadcastError:
        raise PermissionDenied from None
    messages.success(request, _("Approved and scheduled."))
    return redirect("messaging:broadcast_list")
