"""Twilio-compatible webhooks: inbound SMS and delivery-status callbacks, signed as Twilio signs them."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from rabta.lib.phones import InvalidPhoneNumber
from rabta.messaging import inbound as inbound_sms
from rabta.messaging import outbound, selectors
from rabta.messaging.models import Channel, OutboundStatus, Provider
from rabta.messaging.providers.twilio.signature import is_valid

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'

STATUS_MAP = {
    "queued": OutboundStatus.QUEUED,
    "accepted": OutboundStatus.QUEUED,
    "sending": OutboundStatus.SENT,
    "sent": OutboundStatus.SENT,
    "delivered": OutboundStatus.DELIVERED,
    "undelivered": OutboundStatus.UNDELIVERED,
    "failed": OutboundStatus.FAILED,
}


def _verified_channel(request: HttpRequest, slug: str) -> tuple[Channel | None, HttpResponse | None]:
    channel = selectors.find_webhook_channel(slug, Provider.TWILIO)
    if channel is None:
        raise Http404("no such channel")
    params = {key: request.POST.getlist(key) for key in request.POST}
    signature = request.headers.get("X-Twilio-Signature", "")
    if not is_valid(
        channel.credentials.get("auth_token", ""), request.build_absolute_uri(), params, signature
    ):
        return None, HttpResponse("invalid signature", status=403, content_type="text/plain")
    return channel, None


def _bad_request(reason: str) -> HttpResponse:
    return HttpResponse(reason, status=400, content_type="text/plain; charset=utf-8")


@csrf_exempt
@require_POST
def inbound(request: HttpRequest, slug: str) -> HttpResponse:
    channel, refusal = _verified_channel(request, slug)
    if refusal:
        return refusal
    assert channel is not None
    missing = [name for name in ("MessageSid", "From", "Body") if name not in request.POST]
    if missing:
        return _bad_request("missing parameter(s): " + ", ".join(missing))
    body = request.POST["Body"]
    if len(body) > 1600:
        return _bad_request("Body longer than 1600 characters")
    try:
        inbound_sms.receive_inbound(
            channel=channel,
            provider_message_id=request.POST["MessageSid"][:80],
            sender=request.POST["From"],
            body=body,
        )
    except InvalidPhoneNumber:
        return _bad_request("From is not a valid phone number")
    # Replies go out through the REST API from the worker, not in this response: the webhook
    # answers at once and a slow conversation never makes the provider retry.
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


@csrf_exempt
@require_POST
def status_callback(request: HttpRequest, slug: str) -> HttpResponse:
    channel, refusal = _verified_channel(request, slug)
    if refusal:
        return refusal
    assert channel is not None
    sid, status = request.POST.get("MessageSid", ""), request.POST.get("MessageStatus", "")
    if not sid or status not in STATUS_MAP:
        return _bad_request("MessageSid and a known MessageStatus are required")
    outbound.record_delivery_status(channel=channel, provider_message_id=sid, status=STATUS_MAP[status])
    return HttpResponse(status=204)
