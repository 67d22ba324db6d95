"""Outbound through Twilio's REST shape (also spoken by several Twilio-compatible gateways)."""

from __future__ import annotations

import base64
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from rabta.messaging.models import Channel
from rabta.messaging.providers.base import PermanentSendError
from rabta.messaging.providers.http import post

DEFAULT_API_BASE = "https://api.twilio.com"


class TwilioTransport:
    def send(self, *, channel: Channel, to: str, body: str, reference: str) -> str:
        creds = channel.credentials
        sid, token = creds.get("account_sid", ""), creds.get("auth_token", "")
        if not sid or not token:
            raise PermanentSendError("channel has no account_sid/auth_token")
        base = creds.get("api_base") or DEFAULT_API_BASE
        callback = settings.RABTA_PUBLIC_URL.rstrip("/") + reverse(
            "sms:twilio_status", kwargs={"slug": channel.inbound_slug}
        )
        form = {"To": to, "From": channel.number, "Body": body, "StatusCallback": callback}
        auth = base64.b64encode(f"{sid}:{token}".encode()).decode()
        answer = post(
            f"{base.rstrip('/')}/2010-04-01/Accounts/{sid}/Messages.json",
            data=urlencode(form).encode(),
            headers={"Authorization": f"Basic {auth}", "Content-Type": "application/x-www-form-urlencoded"},
        )
        message_sid = answer.get("sid")
        if not message_sid:
            raise PermanentSendError("provider accepted the message but returned no sid")
        return str(message_sid)
