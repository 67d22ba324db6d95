"""Residents' reports: categories, reports with their lifecycle, updates and photos.

Routing and access live in querysets.py (`Report.objects.visible_to(user)`), the lifecycle table in
lifecycle.py, the overdue rule in deadlines.py, tracking credentials in tracking.py, contact
encryption in contact.py and its erasure after the retention period in retention.py. Reads shared
by several views are in selectors.py; writes that touch several things or send anything are in
services.py.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from rabta.core.crypto import EncryptedField
from rabta.people.models import Gender, User
from rabta.places.models import AGE_BAND_LABELS, Beat, LocalizedNameMixin, code_validator
from rabta.reports import deadlines
from rabta.reports.lifecycle import (
    OPEN_STATUSES,
    RESIDENT_REOPEN_DAYS,
    RESIDENT_TRANSITIONS,
    TIMESTAMP_FIELDS,
    IllegalTransition,
    Status,
    allowed,
)
from rabta.reports.querysets import ReportQuerySet, Sensitivity, reads_women_only_content
from rabta.reports.storage import private_storage

# Cipher contexts of the reporter's contact (contact.py encrypts): a value moved to another field fails.
CONTACT_PHONE_CONTEXT = "report.contact_phone"
CONTACT_EMAIL_CONTEXT = "report.contact_email"

__all__ = ["Category", "Channel", "Period", "Photo", "Report", "ReportUpdate", "Sensitivity", "Status"]


class Category(LocalizedNameMixin):
    """What a report is about. Editable in the admin; names in English, Urdu and Pashto."""

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    hint = models.CharField(_("hint for residents"), max_length=200, blank=True)
    hint_ur = models.CharField(_("hint in Urdu"), max_length=200, blank=True)
    hint_ps = models.CharField(_("hint in Pashto"), max_length=200, blank=True)
    sensitivity = models.CharField(
        _("sensitivity"), max_length=16, choices=Sensitivity.choices, default=Sensitivity.ORDINARY
    )
    suggest_woman_officer = models.BooleanField(
        _("suggest a woman officer"),
        default=False,
        help_text=_("The form ticks 'a woman officer only' by default for this category."),
    )
    first_contact_hours = models.PositiveIntegerField(
        _("first contact within (hours)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
    )
    resolution_hours = models.PositiveIntegerField(
        _("resolution within (hours)"),
        default=336,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 365)],
        help_text=_("72 for urgent safety concerns, 336 (14 days) for others."),
    )
    open311_service_code = models.CharField(_("Open311 service code"), max_length=40, unique=True)
    active = models.BooleanField(_("offered to residents"), default=True)
    # Off for concerns whose public pin could point at the reporter's house (drugs, gangs, the women's
    # desk, complaints about the police): their reports never appear in the public Open311 feed.
    publish_open311 = models.BooleanField(
        _("publish on Open311"),
        default=True,
        help_text=_("Show this category's reports in the public Open311 feed (day and coarse place only)."),
    )
    position = models.PositiveSmallIntegerField(_("position in lists"), default=100)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    @property
    def local_hint(self) -> str:
        language = (get_language() or "en")[:2]
        return {"ur": self.hint_ur, "ps": self.hint_ps}.get(language) or self.hint

    @property
    def is_conduct(self) -> bool:
        return self.sensitivity == Sensitivity.CONDUCT


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    API = "api", _("API")
    SMS = "sms", _("SMS")
    DESK = "desk", _("At the desk")
    PHONE = "phone", _("By phone")


class Period(models.TextChoices):
    MORNING = "morning", _("Morning")
    AFTERNOON = "afternoon", _("Afternoon")
    EVENING = "evening", _("Evening")
    NIGHT = "night", _("Night")


def new_public_id() -> str:
    return secrets.token_hex(8)


class Report(models.Model):
    # Identity. public_id is what URLs and the API show; the integer pk never leaves the server.
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    tracking_token_hash = models.CharField(max_length=64, unique=True, editable=False)
    tracking_code_hash = models.CharField(max_length=64, unique=True, editable=False)
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)

    # What and where.
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="reports")
    beat = models.ForeignKey(Beat, null=True, blank=True, on_delete=models.PROTECT, related_name="reports")
    lat = models.FloatField(_("latitude (private)"), null=True, blank=True)
    lon = models.FloatField(_("longitude (private)"), null=True, blank=True)
    public_lat = models.FloatField(_("public latitude (about 250 m)"), null=True, blank=True, editable=False)
    public_lon = models.FloatField(_("public longitude (about 250 m)"), null=True, blank=True, editable=False)
    place_description = models.CharField(_("place"), max_length=300, blank=True)
    description = models.TextField(_("what happened"), max_length=4000)
    occurred_on = models.DateField(_("date it happened"), null=True, blank=True)
    occurred_period = models.CharField(_("time of day"), max_length=12, choices=Period.choices, blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.WEB)
    language = models.CharField(_("language"), max_length=8, default="en")
    # A conduct complaint may name the officer; that officer can never see the report.
    subject_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer complained about"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # The reporter. Contact is encrypted (contact.py); the indexes are keyed HMACs for lookups.
    anonymous = models.BooleanField(_("anonymous"), default=True)
    # Staff may see and use the contact only when the reporter agreed (giving it on the web form, or
    # answering yes by SMS). A number kept without consent only answers STATUS and carries updates.
    contact_consent = models.BooleanField(_("reporter agreed to be contacted"), default=False)
    # Messages about the report say only "there is news" (always so for women's-desk and conduct).
    neutral_wording = models.BooleanField(_("neutral wording in messages"), default=False)
    contact_phone_encrypted = models.TextField(blank=True, editable=False)
    contact_phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    contact_email_encrypted = models.TextField(blank=True, editable=False)
    contact_email_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    encrypted_fields: ClassVar[tuple[EncryptedField, ...]] = (
        EncryptedField("contact_phone_encrypted", context=CONTACT_PHONE_CONTEXT),
        EncryptedField("contact_email_encrypted", context=CONTACT_EMAIL_CONTEXT),
    )
    no_sms = models.BooleanField(_("do not contact by SMS"), default=False)
    safe_call_hours = models.CharField(_("safe hours to call"), max_length=100, blank=True)
    woman_officer_only = models.BooleanField(_("a woman officer only"), default=False)
    # One SMS later asking how the reporter was treated (rabta.feedback.invites). None: not asked,
    # which invites for ordinary reports only; women's-desk and conduct reports need a yes.
    survey_wanted = models.BooleanField(_("asked for the feedback survey"), null=True, blank=True)
    # Set when the retention purge erased the contact above (docs/privacy.md#retention).
    contact_erased_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Optional, for the representation ratio (docs/privacy.md#reporter-groups); blank is not given.
    # Never shown with the report, to staff or anyone: beside the beat they could point at the
    # reporter. Only counts (rabta.insights) read them; not editable, so no form or admin shows them.
    reporter_gender = models.CharField(
        _("gender"), max_length=8, choices=Gender.choices, blank=True, editable=False
    )
    reporter_age_band = models.CharField(
        _("age band"), max_length=8, choices=AGE_BAND_LABELS, blank=True, editable=False
    )

    # Lifecycle.
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    referred_to = models.CharField(_("referred to"), max_length=200, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )
    closed_reason = models.CharField(_("reason for closing"), max_length=300, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_reports",
    )
    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    referred_at = models.DateTimeField(null=True, blank=True)
    duplicate_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True)

    # Deadlines (from the category at creation) and when a miss was flagged and the head told.
    first_contact_due = models.DateTimeField(null=True, blank=True, db_index=True)
    resolution_due = models.DateTimeField(null=True, blank=True, db_index=True)
    first_contact_overdue_at = models.DateTimeField(null=True, blank=True)
    resolution_overdue_at = models.DateTimeField(null=True, blank=True)
    # The deadline running now (deadlines.next_due), kept by the database so that the queue's order
    # ("overdue first, then what falls due soonest, then newest") is one index scan.
    next_due = models.GeneratedField(
        expression=deadlines.next_due(), output_field=models.DateTimeField(), db_persist=True, null=True
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [
            models.Index(fields=["beat", "status"]),
            models.Index(
                # ASC is NULLS LAST on PostgreSQL, as the queue sorts; SQLite cannot say it in an index.
                models.F("next_due").asc(),
                models.F("created_at").desc(),
                models.F("public_id").asc(),
                name="report_queue_order",
            ),
            models.Index(fields=["status", "first_contact_due"]),
            models.Index(fields=["category", "created_at"]),
            # The insights refresh finds the reports written since its last run (rabta.insights).
            models.Index(fields=["updated_at"], name="report_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} ({self.get_status_display()})"

    # ---- derived -------------------------------------------------------------------------

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_phone_encrypted or self.contact_email_encrypted)

    @property
    def staff_may_contact(self) -> bool:
        return self.contact_consent and self.has_contact

    @property
    def wants_neutral_wording(self) -> bool:
        return self.neutral_wording or self.category.sensitivity != Sensitivity.ORDINARY

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_sensitive(self) -> bool:
        return self.woman_officer_only or self.category.sensitivity == Sensitivity.WOMENS_DESK

    @property
    def women_only_content(self) -> bool:
        """What it says is for women officers of the desk only (querysets.WOMEN_ONLY_CONTENT)."""
        return self.woman_officer_only and self.category.sensitivity != Sensitivity.CONDUCT

    def content_visible_to(self, user: User | AnonymousUser, *, in_scope: bool = False) -> bool:
        """May `user` read what this report says (see ReportQuerySet.content_visible_to)?

        `in_scope=True` when the report came from `visible_to(user)` already: saves the query.
        """
        if self.women_only_content and not reads_women_only_content(user):
            return False
        return in_scope or Report.objects.visible_to(user).filter(pk=self.pk).exists()

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        """Past a deadline right now (the rule in deadlines.py; `Report.objects.overdue` filters on it)."""
        return deadlines.is_overdue(self, now or timezone.now())

    def set_deadlines(self) -> None:
        start = self.created_at or timezone.now()
        self.resolution_due = start + dt.timedelta(hours=self.category.resolution_hours)
        # Never after the resolution deadline: deadlines.py's queue order relies on it.
        self.first_contact_due = min(
            start + dt.timedelta(hours=self.category.first_contact_hours), self.resolution_due
        )

    # ---- lifecycle -----------------------------------------------------------------------
    # Each method checks the transition table, timestamps, saves only what changed and writes
    # one ReportUpdate (public when a note is given for the resident; `by` None is the system).
    # Notifications are sent by services.change_status, not here.

    def _move(
        self,
        wanted: str,
        *,
        by: User | None,
        note: str = "",
        public: bool = True,
        fields: dict[str, Any] | None = None,
        now: dt.datetime | None = None,
        from_resident: bool = False,
    ) -> ReportUpdate:
        current = self.status
        if not allowed(current, wanted):
            raise IllegalTransition(current, wanted)
        now = now or timezone.now()
        changed = {"status": wanted, **(fields or {})}
        stamp = TIMESTAMP_FIELDS.get(wanted)
        if stamp:
            changed[stamp] = now
        if current == Status.NEW and not self.acknowledged_at:
            changed["acknowledged_at"] = now  # leaving NEW is the first contact
        if current in (Status.RESOLVED, Status.REFERRED, Status.DUPLICATE) and wanted in OPEN_STATUSES:
            changed["reopened_at"] = now
        for name, value in changed.items():
            setattr(self, name, value)
        with transaction.atomic():
            self.save(update_fields=[*changed, "updated_at"])
            return ReportUpdate.objects.create(
                report=self,
                author=by,
                note=note.strip(),
                public=public,
                from_status=current,
                to_status=wanted,
                created_at=now,
                from_resident=from_resident,
            )

    def acknowledge(self, *, by: User | None, note: str = "", public: bool = True) -> ReportUpdate:
        return self._move(Status.ACKNOWLEDGED, by=by, note=note, public=public)

    def start(self, *, by: User | None, note: str = "", public: bool = True) -> ReportUpdate:
        return self._move(Status.IN_PROGRESS, by=by, note=note, public=public)

    def resolve(self, *, by: User | None, note: str = "", public: bool = True) -> ReportUpdate:
        return self._move(Status.RESOLVED, by=by, note=note, public=public)

    def refer(self, *, by: User | None, to: str, note: str = "", public: bool = True) -> ReportUpdate:
        to = (to or "").strip()
        if not to:
            raise IllegalTransition(self.status, Status.REFERRED, "say which agency or council it goes to")
        return self._move(Status.REFERRED, by=by, note=note, public=public, fields={"referred_to": to[:200]})

    def mark_duplicate(
        self, *, by: User | None, of: Report, note: str = "", public: bool = True
    ) -> ReportUpdate:
        # Point at the original, never at another duplicate, so chains stay one step long.
        seen = {self.pk}
        target = of
        while target.status == Status.DUPLICATE and target.duplicate_of_id and target.pk not in seen:
            seen.add(target.pk)
            target = target.duplicate_of  # type: ignore[assignment]
        if target.pk is None or target.pk in seen:
            raise IllegalTransition(self.status, Status.DUPLICATE, "a report cannot duplicate itself")
        return self._move(Status.DUPLICATE, by=by, note=note, public=public, fields={"duplicate_of": target})

    def close(self, *, by: User | None, reason: str, note: str = "", public: bool = True) -> ReportUpdate:
        reason = (reason or "").strip()
        if not reason:
            raise IllegalTransition(self.status, Status.CLOSED, "give a reason for closing")
        fields = {"closed_reason": reason[:300]}
        return self._move(Status.CLOSED, by=by, note=note, public=public, fields=fields)

    def reopen(self, *, by: User | None, note: str = "", public: bool = True) -> ReportUpdate:
        """Back to work: a resolved or referred report goes in progress; a duplicate is unlinked."""
        if self.status == Status.DUPLICATE:
            unlink = {"duplicate_of": None}
            return self._move(Status.ACKNOWLEDGED, by=by, note=note, public=public, fields=unlink)
        if self.status in (Status.RESOLVED, Status.REFERRED):
            return self._move(Status.IN_PROGRESS, by=by, note=note, public=public)
        raise IllegalTransition(self.status, "reopened", "only resolved, referred, duplicate reopen")

    def may_say_not_fixed(self, now: dt.datetime | None = None) -> bool:
        """The resident may reopen it: resolved, and at most RESIDENT_REOPEN_DAYS ago."""
        if self.status not in RESIDENT_TRANSITIONS or self.resolved_at is None:
            return False
        return (now or timezone.now()) - self.resolved_at <= dt.timedelta(days=RESIDENT_REOPEN_DAYS)

    def not_fixed(self, *, reason: str, now: dt.datetime | None = None) -> ReportUpdate:
        """The resident says it is not fixed: back to work with their reason (internal: it is their
        words) and a fresh resolution deadline, so the reopened report is not overdue at once."""
        now = now or timezone.now()
        wanted = RESIDENT_TRANSITIONS.get(self.status, Status.IN_PROGRESS)
        if self.status not in RESIDENT_TRANSITIONS:
            raise IllegalTransition(self.status, wanted, "only a resolved report can be said not fixed")
        if not self.may_say_not_fixed(now):
            raise IllegalTransition(
                self.status, wanted, f"more than {RESIDENT_REOPEN_DAYS} days after it was resolved"
            )
        reason = (reason or "").strip()
        if not reason:
            raise IllegalTransition(self.status, wanted, "say what is still wrong")
        fields = {
            "resolution_due": now + dt.timedelta(hours=self.category.resolution_hours),
            "resolution_overdue_at": None,
        }
        return self._move(
            wanted, by=None, note=reason[:2000], public=False, fields=fields, now=now, from_resident=True
        )

    def add_resident_info(self, *, text: str, now: dt.datetime | None = None) -> ReportUpdate:
        """More from the resident (words and/or a photo): internal, like the report's own words."""
        return ReportUpdate.objects.create(
            report=self,
            author=None,
            note=text.strip()[:2000],
            public=False,
            from_resident=True,
            created_at=now or timezone.now(),
        )

    def assign(self, *, to: User | None, by: User | None) -> ReportUpdate:
        """Set the assignee; an internal update records who did it. Scope is checked by services.assign."""
        with transaction.atomic():
            self.assignee = to
            self.save(update_fields=["assignee", "updated_at"])
            return ReportUpdate.objects.create(report=self, author=by, public=False, note="", assigned_to=to)

    def add_note(self, *, by: User | None, note: str, public: bool) -> ReportUpdate:
        return ReportUpdate.objects.create(report=self, author=by, note=note.strip(), public=public)


class ReportUpdate(models.Model):
    """One entry in a report's history: a note (public or internal) and/or a status change."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # null = the system (deadline checks, intake) or, with from_resident, the resident
    # Added by the resident from the tracking page or by SMS; nothing about who or which device.
    from_resident = models.BooleanField(_("from the resident"), default=False)
    public = models.BooleanField(_("visible to the resident"), default=False)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    # Versions of a public note for residents who read Urdu or Pashto (internal notes have none).
    note_ur = models.TextField(_("note in Urdu"), max_length=2000, blank=True)
    note_ps = models.TextField(_("note in Pashto"), max_length=2000, blank=True)
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("report update")
        verbose_name_plural = _("report updates")

    def __str__(self) -> str:
        return f"{self.report_id}: {self.from_status}->{self.to_status} {self.note[:40]}"

    @property
    def is_status_change(self) -> bool:
        return bool(self.to_status) and self.to_status != self.from_status


def _photo_name(folder: str) -> str:
    # Random names: a file name must not reveal the report, the resident or the upload time.
    return f"reports/{folder}/{secrets.token_hex(16)}.jpg"


def photo_upload_to(instance: Photo, filename: str) -> str:
    return _photo_name("photos")


def thumbnail_upload_to(instance: Photo, filename: str) -> str:
    return _photo_name("thumbs")


class Photo(models.Model):
    """A re-encoded copy of an uploaded photo (never the original bytes, no metadata)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    # Private storage (reports.storage): no file of a report is reachable by a URL of its own.
    image = models.FileField(upload_to=photo_upload_to, storage=private_storage)
    thumbnail = models.FileField(upload_to=thumbnail_upload_to, storage=private_storage)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return f"photo {self.public_id} of {self.report_id}"

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        image, thumbnail = self.image, self.thumbnail
        result = super().delete(*args, **kwargs)
        for f in (image, thumbnail):
            if f:
                f.storage.delete(f.name)
        return result
