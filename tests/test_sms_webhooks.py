"""Inbound webhooks: signatures checked with the providers' own schemes, bad input refused, idempotent."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.test import Client

from rabta.messaging.models import Channel, InboundMessage, OutboundMessage, OutboundStatus, Phone, Provider
from tests.sms_fixtures import twilio_channel, twilio_post
from tests.tasks_helper import queued

pytestmark = pytest.mark.django_db

MESSAGE = {"MessageSid": "SM" + "a" * 32, "From": "+923001234567", "To": "+15005550006", "Body": "HELP"}


def test_twilio_inbound_signed_by_official_validator_is_stored_and_queued(client: Client) -> None:
    channel = twilio_channel()
    response = twilio_post(client, channel, MESSAGE)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    message = InboundMessage.objects.get()
    assert message.body == "HELP" and message.provider_message_id == MESSAGE["MessageSid"]
    assert message.phone.number == "+923001234567"
    assert len(queued("drain_inbound")) == 1
    assert not OutboundMessage.objects.exists()  # the reply comes from the worker, not the webhook


def test_forged_signature_is_403_and_stores_nothing(client: Client) -> None:
    channel = twilio_channel()
    response = twilio_post(client, channel, MESSAGE, token="not-the-token")
    assert response.status_code == 403
    # Webhook paths are written out in these tests: gateways are configured with them.
    no_header = client.post(f"/sms/twilio/{channel.inbound_slug}/inbound", MESSAGE)
    assert no_header.status_code == 403
    assert not InboundMessage.objects.exists() and not Phone.objects.exists()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"MessageSid": None}, "MessageSid"),
        ({"From": None}, "From"),
        ({"From": "not a number"}, "From is not a valid phone number"),
        ({"Body": "x" * 1601}, "longer than 1600"),
    ],
)
def test_malformed_twilio_request_is_400_with_reason(client: Client, change: dict, reason: str) -> None:
    channel = twilio_channel()
    params = {k: v for k, v in {**MESSAGE, **change}.items() if v is not None}
    response = twilio_post(client, channel, params)
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert not InboundMessage.objects.exists()


def test_same_message_delivered_twice_has_one_effect(client: Client) -> None:
    channel = twilio_channel()
    assert twilio_post(client, channel, MESSAGE).status_code == 200
    assert twilio_post(client, channel, MESSAGE).status_code == 200
    assert InboundMessage.objects.count() == 1
    assert len(queued("drain_inbound")) == 1


def test_unknown_or_inactive_channel_is_404(client: Client) -> None:
    channel = twilio_channel(active=False)
    assert twilio_post(client, channel, MESSAGE).status_code == 404
    assert not InboundMessage.objects.exists()
    assert not queued("drain_inbound")


def test_status_callback_updates_and_never_goes_backwards(client: Client) -> None:
    channel = twilio_channel()
    phone = Phone.build("+923001234567")
    phone.save()
    out = OutboundMessage.objects.create(
        channel=channel, phone=phone, body="hi", purpose="reply", encoding="GSM-7", segments=1,
        cost_estimate=1, status=OutboundStatus.SENT, provider_message_id="SMout1",
    )  # fmt: skip
    assert (
        twilio_post(
            client, channel, {"MessageSid": "SMout1", "MessageStatus": "delivered"}, path="status"
        ).status_code
        == 204
    )
    assert (
        twilio_post(
            client, channel, {"MessageSid": "SMout1", "MessageStatus": "sent"}, path="status"
        ).status_code
        == 204
    )
    out.refresh_from_db()
    assert out.status == OutboundStatus.DELIVERED
    assert (
        twilio_post(
            client, channel, {"MessageSid": "SMout1", "MessageStatus": "bogus"}, path="status"
        ).status_code
        == 400
    )


def _generic_channel() -> Channel:
    channel = Channel(name="Gateway", provider=Provider.GENERIC, number="8011")
    channel.set_credentials({"secret": "gateway-secret", "send_url": "http://127.0.0.1:9/send"})
    channel.save()
    return channel


def _generic_post(
    client: Client,
    channel: Channel,
    payload: object,
    secret: str = "gateway-secret",  # noqa: S107
) -> object:
    body = json.dumps(payload).encode() if not isinstance(payload, bytes) else payload
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return client.post(
        f"/sms/generic/{channel.inbound_slug}/inbound", body, content_type="application/json",
        HTTP_X_RABTA_SIGNATURE=signature,
    )  # fmt: skip


def test_generic_json_webhook_hmac_sha256(client: Client) -> None:
    channel = _generic_channel()
    payload = {"id": "gw-1", "from": "03001234567", "text": "STATUS 1234567890"}
    first = _generic_post(client, channel, payload)
    assert first.status_code == 202 and first.json() == {"accepted": True, "duplicate": False}
    again = _generic_post(client, channel, payload)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert InboundMessage.objects.get().phone.number == "+923001234567"
    assert _generic_post(client, channel, payload, secret="wrong").status_code == 403
    assert _generic_post(client, channel, b"{not json").status_code == 400
    missing = _generic_post(client, channel, {"id": "gw-2", "text": "hi"})
    assert missing.status_code == 400 and '"from"' in missing.json()["error"]
    assert InboundMessage.objects.count() == 1


def test_replies_go_through_the_reply_channel_when_set(client: Client) -> None:
    from rabta.messaging.models import Provider
    from tests.tasks_helper import run_ready_tasks

    console = Channel(name="Console", provider=Provider.CONSOLE, number="8040")
    console.set_credentials({})
    console.save()
    channel = twilio_channel(reply_channel=console)
    twilio_post(client, channel, MESSAGE)
    run_ready_tasks()
    reply = OutboundMessage.objects.get()
    assert reply.channel == console and reply.status == OutboundStatus.SENT
