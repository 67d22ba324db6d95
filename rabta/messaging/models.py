"""SMS: channels, the phones we talk to, conversations, inbound and outbound messages, broadcasts.

Phone numbers are never stored in clear: each is encrypted (FieldCipher, context "phone") with a keyed
blind index for lookups and a masked form (last three digits) for every page, log and admin list.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rabta.core.crypto import EncryptedField, field_cipher
from rabta.core.scoping import ScopeUser, StaffScopedQuerySet
from rabta.lib.phones import mask
from rabta.places.models import Beat

PHONE_CONTEXT = "phone"


def phone_index(e164: str) -> str:
    return field_cipher().blind_index(e164, context=PHONE_CONTEXT)


class Provider(models.TextChoices):
    TWILIO = "twilio", _("Twilio-compatible")
    GENERIC = "generic", _("Generic JSON webhook (RapidPro, Android gateways)")
    CONSOLE = "console", _("Console (development)")


def _inbound_slug() -> str:
    return secrets.token_urlsafe(12)


class Channel(models.Model):
    """One phone number (or short code) at one provider."""

    name = models.CharField(_("name"), max_length=80)
    provider = models.CharField(_("provider"), max_length=16, choices=Provider.choices)
    number = models.CharField(_("number or short code"), max_length=20)
    # Unguessable path segment: a webhook URL alone tells an attacker nothing useful.
    inbound_slug = models.CharField(max_length=32, unique=True, default=_inbound_slug, editable=False)
    credentials_encrypted = models.TextField(blank=True, editable=False)
    encrypted_fields: ClassVar[tuple[EncryptedField, ...]] = (
        EncryptedField("credentials_encrypted", context="channel:{inbound_slug}"),
    )
    active = models.BooleanField(_("active"), default=True)
    is_default = models.BooleanField(_("default for outbound"), default=False)
    reply_channel = models.ForeignKey(
        "self",
        verbose_name=_("send replies through"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text=_("For numbers that only receive (e.g. a short code), the channel that sends the replies."),
    )
    max_per_minute = models.PositiveIntegerField(_("sending limit per minute"), default=60)
    cost_per_segment = models.DecimalField(
        _("cost per segment (PKR)"), max_digits=8, decimal_places=3, default=Decimal("0.50")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("SMS channel")
        verbose_name_plural = _("SMS channels")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_provider_display()})"

    @property
    def credentials(self) -> dict[str, str]:
        if not self.credentials_encrypted:
            return {}
        values: dict[str, str] = json.loads(
            field_cipher().decrypt(self.credentials_encrypted, context=f"channel:{self.inbound_slug}")
        )
        return values

    def set_credentials(self, values: dict[str, str]) -> None:
        self.credentials_encrypted = field_cipher().encrypt(
            json.dumps(values), context=f"channel:{self.inbound_slug}"
        )


class PhoneQuerySet(models.QuerySet["Phone"]):
    def for_number(self, e164: str) -> PhoneQuerySet:
        return self.filter(number_index=phone_index(e164))


class Phone(models.Model):
    """A resident's phone as Rabta knows it: language, opt-out, discretion. No name, ever."""

    number_encrypted = models.TextField(editable=False)
    encrypted_fields: ClassVar[tuple[EncryptedField, ...]] = (
        EncryptedField("number_encrypted", context=PHONE_CONTEXT),
    )
    number_index = models.CharField(max_length=64, unique=True, editable=False)
    number_masked = models.CharField(_("number"), max_length=20, editable=False)
    language = models.CharField(_("language"), max_length=8, default="ur")
    language_chosen = models.BooleanField(default=False)
    opted_out = models.BooleanField(_("opted out (STOP)"), default=False)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    # Discreet mode: neutral wording that reveals nothing on a shared phone.
    discreet = models.BooleanField(_("discreet messages"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PhoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("phone")
        verbose_name_plural = _("phones")

    def __str__(self) -> str:
        return self.number_masked

    @classmethod
    def build(cls, e164: str, **kwargs: Any) -> Phone:
        return cls(
            number_encrypted=field_cipher().encrypt(e164, context=PHONE_CONTEXT),
            number_index=phone_index(e164),
            number_masked=mask(e164),
            **kwargs,
        )

    @property
    def number(self) -> str:
        return field_cipher().decrypt(self.number_encrypted, context=PHONE_CONTEXT)

    def opt_out(self) -> None:
        self.opted_out, self.opted_out_at = True, timezone.now()
        self.save(update_fields=["opted_out", "opted_out_at"])

    def opt_in(self) -> None:
        self.opted_out, self.opted_out_at = False, None
        self.save(update_fields=["opted_out", "opted_out_at"])


class Subscription(models.Model):
    phone = models.ForeignKey(Phone, on_delete=models.CASCADE, related_name="subscriptions")
    beat = models.ForeignKey("places.Beat", on_delete=models.CASCADE, related_name="sms_subscriptions")
    active = models.BooleanField(default=True)
    # Asked for on the web and waiting for the phone's own YES (inactive until then).
    pending = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["phone", "beat"],
                condition=models.Q(active=True),
                name="one_active_subscription_per_beat",
            )
        ]
        verbose_name = _("beat subscription")
        verbose_name_plural = _("beat subscriptions")

    def __str__(self) -> str:
        return f"{self.phone} -> {self.beat_id}"


class Conversation(models.Model):
    """A guided exchange (e.g. REPORT step by step). Expires so a half-finished one never lingers."""

    phone = models.OneToOneField(Phone, on_delete=models.CASCADE, related_name="conversation")
    flow = models.CharField(max_length=16)
    step = models.CharField(max_length=16)
    data = models.JSONField(default=dict)
    expires_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.flow}:{self.step}"

    def is_expired(self, now: dt.datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.expires_at


class InboundStatus(models.TextChoices):
    RECEIVED = "received", _("received")
    PROCESSED = "processed", _("processed")
    FAILED = "failed", _("failed")


class InboundMessage(models.Model):
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="inbound")
    provider_message_id = models.CharField(max_length=80)
    phone = models.ForeignKey(Phone, on_delete=models.PROTECT, related_name="inbound")
    body = models.TextField(max_length=2000)
    received_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=12, choices=InboundStatus.choices, default=InboundStatus.RECEIVED)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)
    # The report this message is part of (a step of a guided report, or a STATUS question): its body
    # is shown only to staff who may see that report.
    report = models.ForeignKey(
        "reports.Report", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            # The same delivery twice (provider retry, or two at once) has exactly one effect.
            models.UniqueConstraint(
                fields=["channel", "provider_message_id"], name="inbound_once_per_provider_id"
            )
        ]
        ordering = ["-received_at"]
        # The worker drains waiting messages in arrival order; the index holds only those.
        indexes = [
            models.Index(
                fields=["id"], condition=models.Q(status=InboundStatus.RECEIVED), name="inbound_waiting_idx"
            )
        ]
        verbose_name = _("inbound SMS")
        verbose_name_plural = _("inbound SMS")

    def __str__(self) -> str:
        return f"SMS from {self.phone} at {self.received_at:%Y-%m-%d %H:%M}"


class OutboundStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    # Handed to the provider, its answer not recorded yet: in doubt if the sender died meanwhile.
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    DELIVERED = "delivered", _("delivered")
    UNDELIVERED = "undelivered", _("undelivered")
    FAILED = "failed", _("failed")
    SUPPRESSED = "suppressed", _("not sent (opted out or no SMS)")


class Purpose(models.TextChoices):
    REPLY = "reply", _("reply")
    NOTIFICATION = "notification", _("notification")
    BROADCAST = "broadcast", _("broadcast")


class OutboundMessage(models.Model):
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="outbound")
    phone = models.ForeignKey(Phone, on_delete=models.PROTECT, related_name="outbound")
    body = models.TextField(max_length=1600)
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    broadcast = models.ForeignKey(
        "Broadcast", null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    report = models.ForeignKey(
        "reports.Report", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    encoding = models.CharField(max_length=8)
    segments = models.PositiveSmallIntegerField()
    cost_estimate = models.DecimalField(max_digits=10, decimal_places=3)
    status = models.CharField(max_length=12, choices=OutboundStatus.choices, default=OutboundStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    provider_message_id = models.CharField(max_length=80, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    status_at = models.DateTimeField(null=True, blank=True)
    # When the next try is due while queued: now for a new message, later after a provider error or
    # throttling. The periodic sweep sends queued messages well past it (their sender stopped).
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["channel", "sent_at"]),
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status=OutboundStatus.QUEUED),
                name="outbound_queued_idx",
            ),
        ]
        verbose_name = _("outbound SMS")
        verbose_name_plural = _("outbound SMS")

    def __str__(self) -> str:
        return f"SMS to {self.phone} ({self.status})"


class BroadcastStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PENDING_APPROVAL = "pending", _("waiting for approval")
    SCHEDULED = "scheduled", _("scheduled")
    SENT = "sent", _("sent")
    CANCELLED = "cancelled", _("cancelled")


class BroadcastQuerySet(StaffScopedQuerySet["Broadcast"]):
    def in_scope(self, user: ScopeUser) -> BroadcastQuerySet:
        """Broadcasts that reach a beat of the user's, whichever way it was chosen, and their own."""
        beats = Beat.objects.visible_to(user)
        return self.filter(
            models.Q(beats__in=beats)
            | models.Q(station__beats__in=beats)
            | models.Q(district__stations__beats__in=beats)
            | models.Q(author=user.pk)
        ).distinct()


class Broadcast(models.Model):
    """An awareness message or meeting notice to the SMS subscribers of beats, a station or a district."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    beats = models.ManyToManyField("places.Beat", blank=True, related_name="+")
    station = models.ForeignKey(
        "places.PoliceStation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        "places.District", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    body_en = models.TextField(_("message in English"), max_length=459, blank=True)
    body_ur = models.TextField(_("message in Urdu"), max_length=201, blank=True)
    body_ps = models.TextField(_("message in Pashto"), max_length=201, blank=True)
    scheduled_for = models.DateTimeField(_("send at"), null=True, blank=True)
    status = models.CharField(max_length=12, choices=BroadcastStatus.choices, default=BroadcastStatus.DRAFT)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0)
    segments_total = models.PositiveIntegerField(default=0)
    cost_estimate = models.DecimalField(max_digits=12, decimal_places=3, default=Decimal("0"))
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = BroadcastQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("broadcast")
        verbose_name_plural = _("broadcasts")

    def __str__(self) -> str:
        return f"Broadcast {self.pk} ({self.status})"

    def body_for(self, language: str) -> str:
        """The text for a phone's language, falling back to what exists (Roman Urdu reads Latin first)."""
        order = {"en": "en ur ps", "ur": "ur en ps", "ps": "ps ur en", "ur-latn": "en ur ps"}.get(
            language, "ur en ps"
        )
        for code in order.split():
            text: str = getattr(self, f"body_{code}")
            if text:
                return text
        return ""
