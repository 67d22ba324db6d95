"""Outbound for the generic JSON channel: POST {"id", "to", "from", "text"} signed with HMAC-SHA256."""

from __future__ import annotations

import json

from rabta.messaging.models import Channel
from rabta.messaging.providers.base import PermanentSendError
from rabta.messaging.providers.generic.signature import sign
from rabta.messaging.providers.http import post


class GenericTransport:
    def send(self, *, channel: Channel, to: str, body: str, reference: str) -> str:
        creds = channel.credentials
        url, secret = creds.get("send_url", ""), creds.get("secret", "")
        if not url or not secret:
            raise PermanentSendError("channel has no send_url/secret")
        payload = json.dumps({"id": reference, "to": to, "from": channel.number, "text": body}).encode()
        answer = post(
            url,
            data=payload,
            headers={"Content-Type": "application/json", "X-Rabta-Signature": sign(secret, payload)},
        )
        return str(answer.get("id") or reference)
