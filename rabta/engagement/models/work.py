"""What residents asked for and who does something about it: priorities, action items, committees,
partner agencies."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rabta.core.scoping import ScopeUser, StaffScopedQuerySet
from rabta.places.models import AGE_BAND_LABELS, AGE_BANDS, Beat, District


def _beat_ids(user: ScopeUser) -> models.QuerySet[Beat, Any]:
    return Beat.objects.visible_to(user).values("pk")


class AgencyKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality")
    ELECTRICITY = "electricity", _("Electricity company")
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Health")
    NGO = "ngo", _("NGO")
    OTHER = "other", _("Other")


class PartnerAgencyQuerySet(StaffScopedQuerySet["PartnerAgency"]):
    def in_scope(self, user: ScopeUser) -> PartnerAgencyQuerySet:
        """Province-wide agencies, and those of the districts the user works in."""
        districts = Beat.objects.visible_to(user).values("station__district_id")
        return self.filter(Q(district__isnull=True) | Q(district_id__in=districts))


class PartnerAgency(models.Model):
    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(_("kind"), max_length=16, choices=AgencyKind.choices)
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Contact details are for staff only: the public page shows the agency's name, never a person.
    contact_name = models.CharField(_("contact person"), max_length=120, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)

    objects = PartnerAgencyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner agency")
        verbose_name_plural = _("partner agencies")

    def __str__(self) -> str:
        return self.name


class Cadence(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    FORTNIGHTLY = "fortnightly", _("Fortnightly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class CommitteeQuerySet(StaffScopedQuerySet["Committee"]):
    def in_scope(self, user: ScopeUser) -> CommitteeQuerySet:
        """Committees of at least one beat the user works on."""
        links = Committee.beats.through.objects.filter(
            committee_id=OuterRef("pk"), beat_id__in=_beat_ids(user)
        )
        return self.filter(Exists(links))


class Committee(models.Model):
    name = models.CharField(_("name"), max_length=160)
    beats = models.ManyToManyField(Beat, related_name="committees", verbose_name=_("beats"))
    liaison_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("liaison officer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="liaison_committees",
    )
    cadence = models.CharField(_("meets"), max_length=16, choices=Cadence.choices, default=Cadence.MONTHLY)
    started_on = models.DateField(_("meeting since"))
    is_active = models.BooleanField(_("active"), default=True)

    objects = CommitteeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("committee")
        verbose_name_plural = _("committees")

    def __str__(self) -> str:
        return self.name


class MemberRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
    VICE_CHAIR = "vice_chair", _("Vice chair")
    SECRETARY = "secretary", _("Secretary")
    MEMBER = "member", _("Member")


class CommitteeMember(models.Model):
    """A resident on a committee. Never named on public pages."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("name"), max_length=120)
    role = models.CharField(
        _("role on the committee"), max_length=16, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="committee_seats",
    )
    gender = models.CharField(
        _("gender"), max_length=8, blank=True, choices=[("woman", _("Woman")), ("man", _("Man"))]
    )
    age_band = models.CharField(
        _("age band"), max_length=8, blank=True, choices=[(b, AGE_BAND_LABELS[b]) for b in AGE_BANDS]
    )
    email = models.EmailField(_("email for reminders"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["committee", "role", "name"]
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()}, {self.committee})"


class RaisedBy(models.TextChoices):
    WOMEN = "women", _("Women")
    YOUTH = "youth", _("Youth")
    ELDERS = "elders", _("Elders")
    SHOPKEEPERS = "shopkeepers", _("Shopkeepers")
    OTHER = "other", _("Other residents")


class PriorityQuerySet(StaffScopedQuerySet["Priority"]):
    def in_scope(self, user: ScopeUser) -> PriorityQuerySet:
        return self.filter(beat_id__in=_beat_ids(user))


class Priority(models.Model):
    """An issue residents raised. Its text is public ("you said"): staff write it without names."""

    beat = models.ForeignKey(
        Beat, on_delete=models.PROTECT, related_name="priorities", verbose_name=_("beat")
    )
    meeting = models.ForeignKey(
        "engagement.Meeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="priorities"
    )
    issue = models.CharField(
        _("issue raised"), max_length=300, help_text=_("Shown publicly. Do not name anyone.")
    )
    issue_ur = models.CharField(_("issue raised in Urdu"), max_length=300, blank=True)
    issue_ps = models.CharField(_("issue raised in Pashto"), max_length=300, blank=True)
    raised_by = models.CharField(_("raised by"), max_length=16, choices=RaisedBy.choices)
    raised_on = models.DateField(_("raised on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PriorityQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_on", "-pk"]
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")

    def __str__(self) -> str:
        return self.issue


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


OPEN_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class ActionItemQuerySet(StaffScopedQuerySet["ActionItem"]):
    def in_scope(self, user: ScopeUser) -> ActionItemQuerySet:
        return self.filter(priority__beat_id__in=_beat_ids(user))

    def still_open(self) -> ActionItemQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: dt.date) -> ActionItemQuerySet:
        return self.still_open().filter(due_on__lt=today)


class ActionItem(models.Model):
    """Work promised in answer to a priority. One owner: an officer, a committee member or an agency."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="actions")
    action = models.CharField(
        _("action"), max_length=300, help_text=_("Shown publicly. Do not name residents.")
    )
    action_ur = models.CharField(_("action in Urdu"), max_length=300, blank=True)
    action_ps = models.CharField(_("action in Pashto"), max_length=300, blank=True)
    owner_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="action_items",
    )
    owner_member = models.ForeignKey(
        CommitteeMember,
        verbose_name=_("committee member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="action_items",
    )
    owner_agency = models.ForeignKey(
        PartnerAgency,
        verbose_name=_("partner agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="action_items",
    )
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=16, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    drop_reason = models.CharField(_("why it was dropped"), max_length=300, blank=True)
    outcome = models.TextField(
        _("outcome"), blank=True, help_text=_("Shown publicly. Do not name residents.")
    )
    outcome_ur = models.TextField(_("outcome in Urdu"), blank=True)
    outcome_ps = models.TextField(_("outcome in Pashto"), blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        constraints = [
            models.CheckConstraint(
                name="action_item_exactly_one_owner",
                condition=(
                    Q(owner_officer__isnull=False, owner_member__isnull=True, owner_agency__isnull=True)
                    | Q(owner_officer__isnull=True, owner_member__isnull=False, owner_agency__isnull=True)
                    | Q(owner_officer__isnull=True, owner_member__isnull=True, owner_agency__isnull=False)
                ),
            ),
            models.CheckConstraint(
                name="action_item_done_has_date",
                condition=~Q(status=ActionStatus.DONE) | Q(done_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.action

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and self.due_on < today

    def clean(self) -> None:
        owners = [self.owner_officer_id, self.owner_member_id, self.owner_agency_id]
        if sum(1 for o in owners if o) != 1:
            raise ValidationError(
                _("Choose exactly one owner: an officer, a committee member or a partner agency.")
            )
        if self.status == ActionStatus.DROPPED and not self.drop_reason.strip():
            raise ValidationError({"drop_reason": _("Say why the action was dropped.")})

    def set_status(self, status: str, *, today: dt.date, drop_reason: str = "", outcome: str = "") -> None:
        if status == ActionStatus.DROPPED and not drop_reason.strip():
            raise ValidationError({"drop_reason": _("Say why the action was dropped.")})
        if status == ActionStatus.DONE and not (outcome.strip() or self.outcome.strip()):
            raise ValidationError({"outcome": _("Say what was done: residents read this.")})
        self.status = status
        if outcome.strip():
            self.outcome = outcome.strip()
        self.drop_reason = drop_reason.strip() if status == ActionStatus.DROPPED else ""
        if status == ActionStatus.DONE:
            self.done_on = self.done_on or today
        else:
            self.done_on = None
        self.save(update_fields=["status", "outcome", "drop_reason", "done_on", "updated_at"])


class ProgressNote(models.Model):
    item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(_("progress note"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")

    def __str__(self) -> str:
        return self.text[:60]


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue, escalated")


class ActionReminder(models.Model):
    """A reminder or escalation that went out, once per item, kind and due date (the sweep's memory)."""

    item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    due_on = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.JSONField(default=list)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["item", "kind", "due_on"], name="one_reminder_per_due_date")
        ]

    def __str__(self) -> str:
        return f"{self.kind} for item {self.item_id} due {self.due_on}"
