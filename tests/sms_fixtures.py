"""SMS test helpers: channels, signed webhook posts, and a conversation driver."""

from __future__ import annotations

import itertools
from typing import Any
from unittest import mock

from django.test import Client
from twilio.request_validator import RequestValidator

from rabta.messaging.inbound import receive_inbound
from rabta.messaging.models import Channel, OutboundMessage, Phone, Provider
from rabta.messaging.providers.console.transport import ConsoleTransport
from tests.tasks_helper import run_ready_tasks

AUTH_TOKEN = "twilio-test-auth-token-0123456789"
_ids = itertools.count(1)


def twilio_channel(*, api_base: str = "", **kw: Any) -> Channel:
    channel = Channel(name="Twilio test", provider=Provider.TWILIO, number="+15005550006", **kw)
    channel.set_credentials({"account_sid": "AC" + "1" * 32, "auth_token": AUTH_TOKEN, "api_base": api_base})
    channel.save()
    return channel


def console_channel() -> Channel:
    channel = Channel(name="Console", provider=Provider.CONSOLE, number="8000", is_default=True)
    channel.set_credentials({})
    channel.save()
    return channel


def twilio_post(
    client: Client,
    channel: Channel,
    params: dict[str, str],
    *,
    token: str = AUTH_TOKEN,
    path: str = "inbound",
) -> Any:
    """POST form params to the channel's webhook, signed by Twilio's own RequestValidator."""
    # Written out, not reversed: this is the address configured at the gateway, which must not move.
    url_path = f"/sms/twilio/{channel.inbound_slug}/{path}"
    signature = RequestValidator(token).compute_signature(f"http://testserver{url_path}", params)
    return client.post(url_path, params, HTTP_X_TWILIO_SIGNATURE=signature)


class Sms:
    """Drive a conversation as a phone would: send text, run the worker, read the replies."""

    def __init__(self, channel: Channel, number: str = "+923001234567"):
        self.channel = channel
        self.number = number

    def send(self, text: str) -> list[str]:
        """The replies as the phone got them (a stored copy masks a tracking code once sent)."""
        before = set(OutboundMessage.objects.values_list("pk", flat=True))
        delivered: dict[str, str] = {}
        real_send = ConsoleTransport.send

        def recording(transport: ConsoleTransport, **kwargs: Any) -> str:
            delivered[kwargs["reference"]] = kwargs["body"]
            return real_send(transport, **kwargs)

        with mock.patch.object(ConsoleTransport, "send", recording):
            receive_inbound(
                channel=self.channel, provider_message_id=f"m{next(_ids)}", sender=self.number, body=text
            )
            run_ready_tasks()
        rows = OutboundMessage.objects.exclude(pk__in=before).order_by("pk").values_list("pk", "body")
        return [delivered.get(str(pk), body) for pk, body in rows]

    @property
    def phone(self) -> Phone:
        return Phone.objects.for_number(self.number).get()
