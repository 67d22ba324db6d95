"""Demo SMS set-up: a console channel that prints outbound SMS, a Twilio-compatible channel whose
webhook accepts signed requests, and a few subscribers with one sent awareness broadcast."""

from __future__ import annotations

from django.urls import reverse

from rabta.core.demo import DemoContext
from rabta.messaging.models import (
    Broadcast,
    BroadcastStatus,
    Channel,
    Conversation,
    InboundMessage,
    OutboundMessage,
    Phone,
    Provider,
    Subscription,
)
from rabta.places.models import Beat

# Fixed so the demo's webhook can be called from a script; never use these outside the demo.
DEMO_TWILIO_AUTH_TOKEN = "demo-twilio-auth-token-not-secret"  # noqa: S105 - published demo value
DEMO_TWILIO_ACCOUNT_SID = "AC" + "0" * 32
DEMO_TWILIO_SLUG = "demo-twilio"
DEMO_NUMBER = "8040"


def seed(ctx: DemoContext) -> None:
    console = Channel(name="Demo console", provider=Provider.CONSOLE, number=DEMO_NUMBER, is_default=True)
    console.set_credentials({})
    console.save()
    twilio = Channel(name="Demo Twilio-compatible", provider=Provider.TWILIO, number="+15005550006")
    twilio.inbound_slug = DEMO_TWILIO_SLUG
    # The demo has no Twilio account: replies to messages that arrive on this webhook go out through
    # the console channel, which prints them (see the `run_demo` output).
    twilio.reply_channel = console
    twilio.set_credentials(
        {
            "account_sid": DEMO_TWILIO_ACCOUNT_SID,
            "auth_token": DEMO_TWILIO_AUTH_TOKEN,
            "api_base": "http://127.0.0.1:9",
        }
    )
    twilio.save()

    beats = list(Beat.objects.order_by("code")[:4])
    officer = ctx.accounts.get("officer")
    for n in range(12):
        phone = Phone.build(
            f"+9230000{n:05d}", language=ctx.rng.choice(["ur", "ps", "ps", "en"]), language_chosen=True
        )
        phone.save()
        Subscription.objects.create(phone=phone, beat=beats[n % len(beats)])
    if officer is not None and beats:
        broadcast = Broadcast.objects.create(
            author=officer,
            body_en="Open talk with your beat officers this Friday after Asr at the main bazaar.",
            body_ur="اس جمعہ عصر کے بعد مین بازار میں بیٹ افسران سے کھلی بات چیت۔ سب آئیں۔",
            body_ps="دا جمعه د ماسپښین وروسته په لوی بازار کې د بیټ افسرانو سره خبرې اترې. ټول راشئ.",
            status=BroadcastStatus.SENT,
            recipients=3,
            segments_total=3,
            created_at=ctx.local_datetime(6, 10),
            sent_at=ctx.local_datetime(6, 10, 5),
        )
        broadcast.beats.set(beats[:1])
    describe(ctx)


def describe(ctx: DemoContext) -> None:
    ctx.values["twilio_inbound_path"] = reverse("sms:twilio_inbound", kwargs={"slug": DEMO_TWILIO_SLUG})
    ctx.values["twilio_auth_token"] = DEMO_TWILIO_AUTH_TOKEN
    ctx.values["sms_number"] = DEMO_NUMBER


def reset(ctx: DemoContext) -> None:
    # The demo database holds only demo SMS traffic: clear it all, children first.
    OutboundMessage.objects.all().delete()
    InboundMessage.objects.all().delete()
    Broadcast.objects.all().delete()
    Subscription.objects.all().delete()
    Conversation.objects.all().delete()
    Phone.objects.all().delete()
    Channel.objects.all().delete()
