"""Pages for SMS: subscribing from a beat page, broadcasts for staff, and the console simulator."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rabta.core import ratelimit
from rabta.messaging import broadcasts, services
from rabta.messaging.forms import BroadcastForm, SimulateForm, SubscribeForm
from rabta.messaging.models import Broadcast, Channel, Phone, Provider
from rabta.people.auth import staff_required
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
    services.subscribe_number(
        raw_number=form.cleaned_data["phone"], beat=beat, language=get_language() or "ur"
    )
    return render(request, "messaging/subscribe_result.html", {"beat": beat, "subscribed": True})


@staff_required
@require_http_methods(["GET", "POST"])
def simulate(request: HttpRequest) -> HttpResponse:
    """Development: pretend a phone sent an SMS to the console channel, and read the replies."""
    channel = Channel.objects.filter(provider=Provider.CONSOLE, active=True).first()
    if channel is None:
        raise Http404
    form = SimulateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.receive_inbound(
            channel=channel,
            provider_message_id=f"sim-{uuid.uuid4().hex}",
            sender=form.cleaned_data["phone"],
            body=form.cleaned_data["text"],
        )
        request.session["sms_sim_phone"] = form.cleaned_data["phone"]
        return redirect("messaging:simulate")
    thread: list[tuple[str, Any, str, str]] = []
    number = request.session.get("sms_sim_phone")
    phone = Phone.objects.for_number(number).first() if number else None
    if phone is not None:
        inbound = list(phone.inbound.order_by("-received_at")[:10])
        outbound = list(phone.outbound.order_by("-created_at")[:10])
        thread = sorted(
            [("in", m.received_at, m.body, "") for m in inbound]
            + [("out", m.created_at, m.body, str(m.get_status_display())) for m in outbound],
            key=lambda item: item[1],
        )
    return render(request, "messaging/simulate.html", {"form": form, "thread": thread, "phone": phone})


@staff_required
def broadcast_list(request: HttpRequest) -> HttpResponse:
    recent = Broadcast.objects.visible_to(request.user).select_related("author", "station", "district")[:50]
    pending = [
        b for b in recent if b.status == "pending" and broadcasts.can_approve(user=request.user, broadcast=b)
    ]
    return render(request, "messaging/broadcast_list.html", {"broadcasts": recent, "pending": pending})


@staff_required
@require_http_methods(["GET", "POST"])
def broadcast_new(request: HttpRequest) -> HttpResponse:
    form = BroadcastForm(request.POST or None, user=request.user)
    estimate = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        broadcast = Broadcast(
            author=request.user,  # type: ignore[misc]  # staff_required: a real user
            station=data["station"] if data["audience"] == form.AUDIENCE_STATION else None,
            district=data["district"] if data["audience"] == form.AUDIENCE_DISTRICT else None,
            body_en=data["body_en"],
            body_ur=data["body_ur"],
            body_ps=data["body_ps"],
            scheduled_for=data["scheduled_for"],
        )
        if "send" in request.POST:
            broadcast.save()
            if data["audience"] == form.AUDIENCE_BEATS:
                broadcast.beats.set(data["beats"])
            broadcasts.submit_broadcast(broadcast=broadcast, by=request.user)
            if broadcast.status == "pending":
                messages.info(request, _("Saved. It will be sent when it is approved."))
            else:
                messages.success(request, _("Scheduled for sending."))
            return redirect("messaging:broadcast_list")
        # "Check cost": an estimate without saving anything, then the same form with a Send button.
        estimate = broadcasts.estimate(
            beat_ids=[b.pk for b in data["beats"]] if data["audience"] == form.AUDIENCE_BEATS else [],
            station_id=broadcast.station_id,
            district_id=broadcast.district_id,
            bodies={"en": data["body_en"], "ur": data["body_ur"], "ps": data["body_ps"]},
        )
    return render(request, "messaging/broadcast_form.html", {"form": form, "estimate": estimate})


@staff_required
@require_POST
def broadcast_approve(request: HttpRequest, pk: int) -> HttpResponse:
    broadcast = get_object_or_404(Broadcast.objects.visible_to(request.user), pk=pk)
    try:
        broadcasts.approve_broadcast(broadcast=broadcast, by=request.user)
    except broadcasts.BroadcastError:
        raise PermissionDenied from None
    messages.success(request, _("Approved and scheduled."))
    return redirect("messaging:broadcast_list")
