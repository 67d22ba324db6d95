"""Meetings with residents, who came (counts by gender and age band), and who facilitated."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rabta.core.crypto import EncryptedField
from rabta.core.scoping import ScopeUser, StaffScopedQuerySet
from rabta.people.models import Gender
from rabta.places.models import AGE_BANDS, GENDERS, Beat

if TYPE_CHECKING:
    from collections.abc import Iterable

    from rabta.people.models import User


class MeetingKind(models.TextChoices):
    OPEN_TALK = "open_talk", _("Open talk")
    BEAT_MEETING = "beat_meeting", _("Beat meeting")
    WOMENS_SESSION = "womens_session", _("Women's session")
    YOUTH_SESSION = "youth_session", _("Youth session")
    COMMITTEE_MEETING = "committee_meeting", _("Committee meeting")
    AWARENESS_SESSION = "awareness_session", _("Awareness session")
    AWARENESS_WALK = "awareness_walk", _("Awareness walk")


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Facilitator(models.Model):
    """Gender of a facilitator who has no officer profile (e.g. a lady health worker or an NGO trainer).

    Officers' gender lives on OfficerProfile; this only fills the gap for other users, so a
    women's session can be checked for a woman facilitator without changing the people app.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="facilitator"
    )
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    organisation = models.CharField(_("organisation"), max_length=160, blank=True)

    class Meta:
        verbose_name = _("facilitator")
        verbose_name_plural = _("facilitators")

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.username


def is_woman(user: User) -> bool:
    profile = getattr(user, "officer_profile", None)
    if profile is not None and profile.gender == Gender.WOMAN:
        return True
    facilitator = getattr(user, "facilitator", None)
    return facilitator is not None and facilitator.gender == Gender.WOMAN


def check_facilitators(kind: str, facilitators: Iterable[User]) -> None:
    """A women's session needs at least one woman facilitator (women's sessions exist because
    women would not come to a room run by men)."""
    if kind == MeetingKind.WOMENS_SESSION and not any(is_woman(u) for u in facilitators):
        raise ValidationError(
            {"facilitators": _("A women's session needs at least one woman facilitator.")},
            code="womens_session_facilitator",
        )


class MeetingQuerySet(StaffScopedQuerySet["Meeting"]):
    def in_scope(self, user: ScopeUser) -> MeetingQuerySet:
        """Meetings touching at least one beat the user works on."""
        beats = Beat.objects.visible_to(user).values("pk")
        links = Meeting.beats.through.objects.filter(meeting_id=OuterRef("pk"), beat_id__in=beats)
        return self.filter(Exists(links))

    def for_beat(self, beat: Beat) -> MeetingQuerySet:
        return self.filter(
            Exists(Meeting.beats.through.objects.filter(meeting_id=OuterRef("pk"), beat_id=beat.pk))
        )

    def upcoming(self, now: dt.datetime | None = None) -> MeetingQuerySet:
        now = now or timezone.now()
        return self.filter(status=MeetingStatus.SCHEDULED, ends_at__gte=now).order_by("starts_at")

    def follow_up_missing(self, today: dt.date) -> MeetingQuerySet:
        """Sessions whose required follow-up was not held by its date."""
        held_in_time = models.Q(
            follow_up__status=MeetingStatus.HELD, follow_up__starts_at__date__lte=models.F("follow_up_due")
        )
        return self.filter(requires_follow_up=True, follow_up_due__lt=today).exclude(held_in_time)


# Fields that a calendar client shows; changing one is a new revision of the event (SEQUENCE).
CALENDAR_FIELDS = ("kind", "title", "title_ur", "title_ps", "starts_at", "ends_at", "venue", "status")


class Meeting(models.Model):
    kind = models.CharField(_("kind"), max_length=32, choices=MeetingKind.choices)
    title = models.CharField(
        _("topic"), max_length=160, blank=True, help_text=_("Shown publicly. Do not name residents.")
    )
    title_ur = models.CharField(_("topic in Urdu"), max_length=160, blank=True)
    title_ps = models.CharField(_("topic in Pashto"), max_length=160, blank=True)
    beats = models.ManyToManyField(Beat, related_name="meetings", verbose_name=_("beats"))
    committee = models.ForeignKey(
        "engagement.Committee",
        verbose_name=_("committee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    venue = models.CharField(_("venue"), max_length=200)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="facilitated_meetings",
        blank=True,
        verbose_name=_("facilitators"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    minutes = models.TextField(_("minutes"), blank=True, help_text=_("For staff only."))
    decisions = models.TextField(_("decisions"), blank=True)
    requires_follow_up = models.BooleanField(_("needs a follow-up session"), default=False)
    follow_up_due = models.DateField(_("follow-up due by"), null=True, blank=True)
    follow_up = models.ForeignKey(
        "self",
        verbose_name=_("follow-up session"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follows",
    )
    # RFC 5545 SEQUENCE: calendar clients replace an event only when this goes up.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    held_recorded_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [models.Index(fields=["status", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                name="meeting_ends_after_start", condition=models.Q(ends_at__gt=models.F("starts_at"))
            ),
            models.CheckConstraint(
                name="meeting_follow_up_has_date",
                condition=models.Q(requires_follow_up=False) | models.Q(follow_up_due__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.get_kind_display()} {local:%Y-%m-%d %H:%M}"

    @property
    def uid(self) -> str:
        return f"meeting-{self.pk}@rabta"

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED

    @property
    def is_held(self) -> bool:
        return self.status == MeetingStatus.HELD

    def is_upcoming(self, now: dt.datetime | None = None) -> bool:
        """Scheduled and not yet over (the rule of `MeetingQuerySet.upcoming`): it can be announced."""
        return self.status == MeetingStatus.SCHEDULED and self.ends_at >= (now or timezone.now())

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The meeting must end after it starts.")
        if self.requires_follow_up and not self.follow_up_due:
            errors["follow_up_due"] = _("Give the date the follow-up is due by.")
        if self.kind == MeetingKind.COMMITTEE_MEETING and not self.committee_id:
            errors["committee"] = _("Choose the committee that met.")
        if errors:
            raise ValidationError(errors)

    def bump_sequence(self) -> None:
        self.sequence += 1

    def cancel(self, reason: str) -> None:
        reason = reason.strip()
        if not reason:
            raise ValidationError({"cancel_reason": _("Say why the meeting is cancelled.")})
        if self.status == MeetingStatus.HELD:
            raise ValidationError(_("A meeting that was held cannot be cancelled."))
        self.status = MeetingStatus.CANCELLED
        self.cancel_reason = reason[:300]
        self.bump_sequence()
        self.save(update_fields=["status", "cancel_reason", "sequence", "updated_at"])

    def mark_held(self, *, minutes: str, decisions: str) -> None:
        if self.status == MeetingStatus.CANCELLED:
            raise ValidationError(_("A cancelled meeting cannot be recorded as held."))
        if self.starts_at > timezone.now():
            raise ValidationError(_("A meeting cannot be recorded before it starts."))
        if self.status != MeetingStatus.HELD:
            self.bump_sequence()
        self.status = MeetingStatus.HELD
        self.minutes = minutes
        self.decisions = decisions
        self.held_recorded_at = self.held_recorded_at or timezone.now()
        self.save(
            update_fields=["status", "minutes", "decisions", "held_recorded_at", "sequence", "updated_at"]
        )

    def follow_up_missing(self, today: dt.date) -> bool:
        if not self.requires_follow_up or self.follow_up_due is None or self.follow_up_due >= today:
            return False
        fu = self.follow_up
        return not (
            fu is not None
            and fu.status == MeetingStatus.HELD
            and timezone.localtime(fu.starts_at).date() <= self.follow_up_due
        )


COUNT_FIELDS = tuple(f"{g}_{b}" for g in GENDERS for b in AGE_BANDS)


class Attendance(models.Model):
    """Head counts by gender and age band. No names: the named register is separate and optional."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="attendance")
    women_15_29 = models.PositiveIntegerField(_("women 15-29"), default=0)
    women_30_44 = models.PositiveIntegerField(_("women 30-44"), default=0)
    women_45_59 = models.PositiveIntegerField(_("women 45-59"), default=0)
    women_60 = models.PositiveIntegerField(_("women 60+"), default=0)
    men_15_29 = models.PositiveIntegerField(_("men 15-29"), default=0)
    men_30_44 = models.PositiveIntegerField(_("men 30-44"), default=0)
    men_45_59 = models.PositiveIntegerField(_("men 45-59"), default=0)
    men_60 = models.PositiveIntegerField(_("men 60+"), default=0)
    officers_present = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="meetings_attended",
        blank=True,
        verbose_name=_("officers present"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")

    def __str__(self) -> str:
        return f"{self.meeting}: {self.total}"

    def count(self, gender: str | None = None, band: str | None = None) -> int:
        genders = [gender] if gender else list(GENDERS)
        bands = [band] if band else list(AGE_BANDS)
        return sum(getattr(self, f"{g}_{b}") for g in genders for b in bands)

    @property
    def total(self) -> int:
        return self.count()


# Encryption contexts of the register's fields: a ciphertext moved to another field does not decrypt.
REGISTER_NAME = "engagement.register.name"
REGISTER_PHONE = "engagement.register.phone"


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", _("Said yes aloud")
    SIGNED = "signed", _("Signed or thumb-printed")


class RegisterEntry(models.Model):
    """One named attendee, kept only with that person's consent. Name and phone are encrypted at rest;
    every view of them is written to the access log; they are never shown on public pages."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="register")
    name_encrypted = models.TextField(editable=False)
    phone_encrypted = models.TextField(editable=False, blank=True)
    encrypted_fields: ClassVar[tuple[EncryptedField, ...]] = (
        EncryptedField("name_encrypted", context=REGISTER_NAME),
        EncryptedField("phone_encrypted", context=REGISTER_PHONE),
    )
    consent_given = models.BooleanField(_("consent given"))
    consent_method = models.CharField(
        _("how consent was given"), max_length=16, choices=ConsentMethod.choices
    )
    consent_recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("register entry")
        verbose_name_plural = _("register entries")
        constraints = [
            models.CheckConstraint(name="register_only_with_consent", condition=models.Q(consent_given=True))
        ]

    def __str__(self) -> str:
        return f"register entry {self.pk} of meeting {self.meeting_id}"


class AnnouncementStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the SMS service")
    SENT = "sent", _("Handed to the SMS service")


class MeetingAnnouncement(models.Model):
    """An announcement of a meeting to its beats' SMS subscribers (sent by the messaging app)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="announcements")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=16, choices=AnnouncementStatus.choices, default=AnnouncementStatus.PENDING
    )
    sequence = models.PositiveIntegerField(default=0)
    recipients = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("meeting announcement")
        verbose_name_plural = _("meeting announcements")

    def __str__(self) -> str:
        return f"{self.meeting} ({self.status})"
