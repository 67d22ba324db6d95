"""Proactive and reactive police presence: contacts officers log, per-beat targets, women's desk shifts.

A contact is what an officer did (a patrol, a door-to-door visit, a check-in), where and when. Its
precise point is private (staff only, every view logged, like a report's); public pages see only
weekly counts and "days since the last visit", never a time of day or a place.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rabta.core.crypto import EncryptedField
from rabta.core.scoping import ScopeUser, StaffScopedQuerySet
from rabta.places.models import AGE_BANDS, GENDERS, Beat, PoliceStation


class ContactKind(models.TextChoices):
    FOOT_PATROL = "foot_patrol", _("Foot patrol")
    VEHICLE_PATROL = "vehicle_patrol", _("Vehicle patrol")
    DOOR_TO_DOOR = "door_to_door", _("Door-to-door visit")
    SHOP_VISIT = "shop_visit", _("Shop visit")
    SCHOOL_VISIT = "school_visit", _("School or college visit")
    CHECK_IN = "check_in", _("Check-in with a committee or elder")
    WOMENS_OUTREACH = "womens_outreach", _("Women's outreach visit")
    CALL_RESPONSE = "call_response", _("Call response")
    REPORT_FOLLOW_UP = "report_follow_up", _("Report follow-up")
    OTHER = "other", _("Other")


# Kinds that answer a call or a report; every other kind is proactive unless the officer says not.
REACTIVE_KINDS = frozenset({ContactKind.CALL_RESPONSE, ContactKind.REPORT_FOLLOW_UP})


def is_proactive_kind(kind: str) -> bool:
    return kind not in REACTIVE_KINDS


class ContactChannel(models.TextChoices):
    WEB = "web", _("Web form")
    OUTBOX = "outbox", _("Sent later from the phone's outbox")
    SMS = "sms", _("SMS")
    API = "api", _("API")
    DEMO = "demo", _("Demo data")


# Night as the field study speaks of it: 19:00 to 06:00 local time.
NIGHT_STARTS = dt.time(19, 0)
NIGHT_ENDS = dt.time(6, 0)


def is_night(moment: dt.datetime) -> bool:
    local = timezone.localtime(moment).time()
    return local >= NIGHT_STARTS or local < NIGHT_ENDS


PEOPLE_MET_FIELDS = tuple(f"met_{g}_{b}" for g in GENDERS for b in AGE_BANDS)


class ContactQuerySet(StaffScopedQuerySet["Contact"]):
    def in_scope(self, user: ScopeUser) -> ContactQuerySet:
        """Contacts touching at least one beat the user works on."""
        beats = Beat.objects.visible_to(user).values("pk")
        links = Contact.beats.through.objects.filter(contact_id=OuterRef("pk"), beat_id__in=beats)
        return self.filter(Exists(links))

    def proactive(self) -> ContactQuerySet:
        return self.filter(proactive=True)

    def for_beat(self, beat: Beat) -> ContactQuerySet:
        return self.filter(
            Exists(Contact.beats.through.objects.filter(contact_id=OuterRef("pk"), beat_id=beat.pk))
        )


class Contact(models.Model):
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.PROTECT,
        related_name="contacts",
    )
    # The station the contact counts for, set from its beats: the scope of station-level lists.
    station = models.ForeignKey(
        PoliceStation, verbose_name=_("station"), on_delete=models.PROTECT, related_name="contacts"
    )
    beats = models.ManyToManyField(Beat, related_name="contacts", verbose_name=_("beats"))
    kind = models.CharField(_("kind"), max_length=24, choices=ContactKind.choices)
    proactive = models.BooleanField(
        _("proactive"),
        help_text=_("Set from the kind: patrols and visits are proactive, answering a call is not."),
    )
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"))
    place = models.CharField(
        _("place"), max_length=200, blank=True, help_text=_("For staff only. Do not name residents.")
    )
    # Private, like a report's precise point: shown to staff only, each view written to the access log.
    lat = models.FloatField(_("latitude (private)"), null=True, blank=True)
    lon = models.FloatField(_("longitude (private)"), null=True, blank=True)
    met_women_15_29 = models.PositiveIntegerField(_("women 15-29 met"), default=0)
    met_women_30_44 = models.PositiveIntegerField(_("women 30-44 met"), default=0)
    met_women_45_59 = models.PositiveIntegerField(_("women 45-59 met"), default=0)
    met_women_60 = models.PositiveIntegerField(_("women 60+ met"), default=0)
    met_men_15_29 = models.PositiveIntegerField(_("men 15-29 met"), default=0)
    met_men_30_44 = models.PositiveIntegerField(_("men 30-44 met"), default=0)
    met_men_45_59 = models.PositiveIntegerField(_("men 45-59 met"), default=0)
    met_men_60 = models.PositiveIntegerField(_("men 60+ met"), default=0)
    note = models.TextField(_("note"), blank=True, max_length=2000, help_text=_("For staff only."))
    report = models.ForeignKey(
        "reports.Report",
        verbose_name=_("report"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
    )
    # A string reference: presence and engagement sit side by side and do not import each other.
    meeting = models.ForeignKey(
        "engagement.Meeting",
        verbose_name=_("meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
    )
    channel = models.CharField(
        _("sent by"), max_length=8, choices=ContactChannel.choices, default=ContactChannel.WEB
    )
    # Made by the client (the form, the offline outbox, the SMS message id): a resend never makes two.
    client_id = models.UUIDField(default=uuid.uuid4, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(fields=["officer", "client_id"], name="contact_client_id_once"),
            models.CheckConstraint(
                name="contact_ends_after_start", condition=models.Q(ended_at__gte=models.F("started_at"))
            ),
        ]
        indexes = [
            models.Index(fields=["station", "proactive", "started_at"], name="contact_station_time"),
            models.Index(fields=["officer", "started_at"], name="contact_officer_time"),
            # The insights refresh finds the contacts logged since its last run (rabta.insights).
            models.Index(fields=["created_at"], name="contact_created"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        if self.started_at and self.ended_at and self.ended_at < self.started_at:
            raise ValidationError({"ended_at": _("A contact cannot end before it starts.")})
        if self.started_at and self.started_at > timezone.now() + dt.timedelta(minutes=10):
            raise ValidationError({"started_at": _("A contact cannot start in the future.")})

    @property
    def people_met(self) -> int:
        return sum(getattr(self, f) for f in PEOPLE_MET_FIELDS)

    @property
    def at_night(self) -> bool:
        return is_night(self.started_at)


class BeatDay(models.Model):
    """One beat's contacts of one local day, summed: the board reads these instead of every contact.
    Kept by the logging service in the contact's transaction; rollup.rebuild_rollup recomputes them
    from the contacts (after bulk loads, or an admin's edit of a contact)."""

    beat = models.ForeignKey(Beat, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    contacts = models.PositiveIntegerField(default=0)
    proactive = models.PositiveIntegerField(default=0)
    proactive_night = models.PositiveIntegerField(default=0)
    last_proactive_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("beat day of contacts")
        verbose_name_plural = _("beat days of contacts")
        # The unique index on (beat, day) also serves the board's "these beats, since this day".
        constraints = [models.UniqueConstraint(fields=["beat", "day"], name="beat_day_unique")]

    def __str__(self) -> str:
        return f"{self.beat_id} {self.day}: {self.proactive}/{self.contacts}"


class BeatTargetQuerySet(StaffScopedQuerySet["BeatTarget"]):
    def in_scope(self, user: ScopeUser) -> BeatTargetQuerySet:
        return self.filter(beat__in=Beat.objects.visible_to(user).values("pk"))


class BeatTarget(models.Model):
    """What the station head expects of a beat's proactive presence."""

    beat = models.OneToOneField(Beat, on_delete=models.CASCADE, related_name="presence_target")
    proactive_per_week = models.PositiveSmallIntegerField(
        _("proactive contacts per week"), default=5, validators=[MaxValueValidator(500)]
    )
    night_share_percent = models.PositiveSmallIntegerField(
        _("share after dark (%)"),
        default=20,
        validators=[MaxValueValidator(100)],
        help_text=_("Of the proactive contacts, the share between 19:00 and 06:00."),
    )
    max_days_between = models.PositiveSmallIntegerField(
        _("most days between proactive visits"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = BeatTargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("presence target")
        verbose_name_plural = _("presence targets")

    def __str__(self) -> str:
        return f"{self.beat}: {self.proactive_per_week}/week"


class DeskShiftQuerySet(StaffScopedQuerySet["DeskShift"]):
    def in_scope(self, user: ScopeUser) -> DeskShiftQuerySet:
        stations = Beat.objects.visible_to(user).values("station_id")
        return self.filter(station_id__in=stations)

    def open(self) -> DeskShiftQuerySet:
        return self.filter(ended_at__isnull=True)


class DeskShift(models.Model):
    """A women's desk officer on duty at her station's desk, from start to end."""

    station = models.ForeignKey(
        PoliceStation, verbose_name=_("station"), on_delete=models.PROTECT, related_name="desk_shifts"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.PROTECT,
        related_name="desk_shifts",
    )
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    objects = DeskShiftQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("women's desk shift")
        verbose_name_plural = _("women's desk shifts")
        constraints = [
            # One open shift per officer: "start" twice does not double her hours.
            models.UniqueConstraint(
                fields=["officer"], condition=models.Q(ended_at__isnull=True), name="one_open_desk_shift"
            ),
            models.CheckConstraint(
                name="desk_shift_ends_after_start",
                condition=models.Q(ended_at__isnull=True) | models.Q(ended_at__gte=models.F("started_at")),
            ),
        ]
        indexes = [models.Index(fields=["station", "started_at"], name="desk_shift_station_time")]

    def __str__(self) -> str:
        return f"{self.station} {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"


# Encryption context of the consent phone: a ciphertext moved to another field does not decrypt.
FEEDBACK_PHONE = "presence.feedback_consent.phone"
FEEDBACK_CONSENT_DAYS = 30


class FeedbackConsent(models.Model):
    """A resident met on a contact agreed to one feedback message later. The phone is encrypted, and
    erased when the message is sent or after 30 days, whichever comes first."""

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="feedback_consent")
    phone_encrypted = models.TextField(editable=False, blank=True)
    encrypted_fields: ClassVar[tuple[EncryptedField, ...]] = (
        EncryptedField("phone_encrypted", context=FEEDBACK_PHONE),
    )
    language = models.CharField(_("language"), max_length=8, default="ur")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("feedback consent")
        verbose_name_plural = _("feedback consents")
        indexes = [models.Index(fields=["expires_at"], name="feedback_consent_expiry")]

    def __str__(self) -> str:
        return f"feedback consent for contact {self.contact_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.expires_at is None:
            self.expires_at = timezone.now() + dt.timedelta(days=FEEDBACK_CONSENT_DAYS)
        super().save(*args, **kwargs)


class OfficerPhoneQuerySet(StaffScopedQuerySet["OfficerPhone"]):
    def in_scope(self, user: ScopeUser) -> OfficerPhoneQuerySet:
        stations = Beat.objects.visible_to(user).values("station_id")
        return self.filter(officer__officer_profile__station_id__in=stations)


class OfficerPhone(models.Model):
    """The number an officer logs contacts from by SMS. The number itself lives on messaging's Phone
    (encrypted, with its blind index), so an officer's phone is found the way any sender is."""

    officer = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.CASCADE,
        related_name="presence_phone",
    )
    phone = models.OneToOneField(
        "messaging.Phone", verbose_name=_("phone"), on_delete=models.CASCADE, related_name="officer_link"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OfficerPhoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("officer's SMS phone")
        verbose_name_plural = _("officers' SMS phones")

    def __str__(self) -> str:
        return f"{self.officer_id}: {self.phone}"
