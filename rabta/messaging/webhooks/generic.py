"""Generic JSON webhooks (RapidPro external channels, Android SMS gateway apps), HMAC-SHA256 signed.

Inbound:  POST {"id": "<provider message id>", "from": "+923001234567", "text": "..."}
Status:   POST {"id": "<provider message id>", "status": "sent|delivered|undelivered|failed"}
Header:   X-Rabta-Signature: sha256=<hex HMAC-SHA256 of the raw body with the channel secret>
"""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from rabta.lib.phones import InvalidPhoneNumber
from rabta.messaging import inbound as inbound_sms
from rabta.messaging import outbound, selectors
from rabta.messaging.models import Channel, OutboundStatus, Provider
from rabta.messaging.providers.generic.signature import is_valid

STATUSES = {
    "sent": OutboundStatus.SENT,
    "delivered": OutboundStatus.DELIVERED,
    "undelivered": OutboundStatus.UNDELIVERED,
    "failed": OutboundStatus.FAILED,
}


def _error(status: int, reason: str) -> JsonResponse:
    return JsonResponse({"error": reason}, status=status)


def _verified_payload(request: HttpRequest, slug: str) -> tuple[Channel, dict[str, Any]] | JsonResponse:
    channel = selectors.find_webhook_channel(slug, Provider.GENERIC)
    if channel is None:
        raise Http404("no such channel")
    if not is_valid(
        channel.credentials.get("secret", ""), request.body, request.headers.get("X-Rabta-Signature", "")
    ):
        return _error(403, "invalid signature")
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return _error(400, "body is not JSON")
    if not isinstance(payload, dict):
        return _error(400, "body must be a JSON object")
    return channel, payload


@csrf_exempt
@require_POST
def inbound(request: HttpRequest, slug: str) -> HttpResponse:
    verified = _verified_payload(request, slug)
    if isinstance(verified, JsonResponse):
        return verified
    channel, payload = verified
    for name in ("id", "from", "text"):
        if not isinstance(payload.get(name), str) or (name != "text" and not payload[name]):
            return _error(
                400, f'"{name}" must be a non-empty string' if name != "text" else '"text" must be a string'
            )
    if len(payload["text"]) > 1600:
        return _error(400, '"text" longer than 1600 characters')
    try:
        _message, created = inbound_sms.receive_inbound(
            channel=channel,
            provider_message_id=payload["id"][:80],
            sender=payload["from"],
            body=payload["text"],
        )
    except InvalidPhoneNumber:
        return _error(400, '"from" is not a valid phone number')
    return JsonResponse({"accepted": True, "duplicate": not created}, status=202 if created else 200)


@csrf_exempt
@require_POST
def status_callback(request: HttpRequest, slug: str) -> HttpResponse:
    verified = _verified_payload(request, slug)
    if isinstance(verified, JsonResponse):
        return verified
    channel, payload = verified
    status = payload.get("status")
    if not isinstance(payload.get("id"), str) or not isinstance(status, str) or status not in STATUSES:
        return _error(400, '"id" and a known "status" are required')
    known = outbound.record_delivery_status(
        channel=channel, provider_message_id=payload["id"], status=STATUSES[status]
    )
    return JsonResponse({"updated": known})
