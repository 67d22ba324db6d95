"""Feedback and surveys: how residents were treated after a contact, and how much they trust the police
and how safe they feel in their beat (wording and formulas in docs/feedback.md).

Anonymous by construction. Invitations (one-use codes, links, SMS) and answers live in separate tables
with no key between them: an invitation is marked used in its own transaction and learns nothing of the
answer; an answer names its beat, campaign, mode and day, never a person, phone, code, invitation or
time of day. Answers and free texts have random primary keys, so not even insertion order lines them up
with the invitations. Free text is stored apart from the scored answer it came with and dated to the
month, so a comment cannot be tied back to a respondent's demographics.
"""

from __future__ import annotations

import datetime as dt
import secrets
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
from rabta.places.models import Beat, LocalizedNameMixin

# Invitations expire two weeks after they are made (issue 14).
INVITE_DAYS = 14
# A phone is invited to at most one survey in this many days.
PHONE_INVITE_GAP_DAYS = 30
# An unfinished SMS survey is forgotten after this long.
SMS_SESSION_HOURS = 48
FREE_TEXT_CONTEXT = "feedback.free_text.text"

# Codes people type from a paper slip: no 0/O, 1/I/L, 5/S, 2/Z.
CODE_ALPHABET = "346789ABCDEFGHJKMNPQRTUVWXY"
CODE_LENGTH = 8


def new_code() -> str:
    # 27^8 is about 2.8e11: guessing one live code among a campaign's few thousand takes ~1e8 tries,
    # and the entry form is rate limited.
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What a person typed, as stored: upper case, without spaces or dashes."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


class SurveyKind(models.TextChoices):
    CONTACT = "contact", _("After a contact")
    COMMUNITY = "community", _("Trust and safety")


class Mode(models.TextChoices):
    WEB = "web", _("Web, with an invitation code")
    SMS = "sms", _("SMS")
    PAPER = "paper", _("Paper form, entered by staff or a volunteer")
    OPEN_LINK = "open_link", _("Open link")


class Source(models.TextChoices):
    """What a post-contact survey follows."""

    REPORT = "report", _("A resolved report")
    CONTACT = "contact", _("A logged contact")


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    OTHER = "other", _("Other")


class AgeBand(models.TextChoices):
    # The population's bands (rabta.places.models.AGE_BANDS), so answers can be weighted to them.
    Y15_29 = "15_29", "15-29"
    Y30_44 = "30_44", "30-44"
    Y45_59 = "45_59", "45-59"
    Y60 = "60", _("60+")


# A respondent's gender as the beat's population counts it (Beat.population_<g>_<band>).
POPULATION_GENDER = {Gender.WOMAN: "women", Gender.MAN: "men"}


class StartedBy(models.TextChoices):
    RESIDENT = "resident", _("I did")
    POLICE = "police", _("The police did")


class WalkSafety(models.TextChoices):
    VERY_SAFE = "very_safe", _("Very safe")
    FAIRLY_SAFE = "fairly_safe", _("Fairly safe")
    BIT_UNSAFE = "bit_unsafe", _("A bit unsafe")
    VERY_UNSAFE = "very_unsafe", _("Very unsafe")
    NEVER = "never", _("I never walk alone")
    DONT_KNOW = "dont_know", _("Don't know")


UNSAFE = frozenset({WalkSafety.BIT_UNSAFE, WalkSafety.VERY_UNSAFE})
# Left out of "% unsafe"; "never" is the avoidance rate, reported on its own.
NOT_RATED = frozenset({WalkSafety.NEVER, WalkSafety.DONT_KNOW})

# Item fields, in the order the instruments ask them.
PJ_PILLARS = ("voice", "neutrality", "respect", "motives")
PJ_ITEMS = (*PJ_PILLARS, "overall")
COMMUNITY_SCALES = ("trust_respect", "trust_listen", "safety", "willingness")


def agreement_item(label: Any) -> models.PositiveSmallIntegerField:
    # 1 strongly disagree .. 5 strongly agree; NULL is "prefer not to say" (or not answered).
    return models.PositiveSmallIntegerField(
        label, null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )


def ten_point_item(label: Any) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label, null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )


class BeatScopedQuerySet(StaffScopedQuerySet[Any]):
    """Rows filed under one beat (codes, invitations, answers, free texts): in scope with their beat."""

    def in_scope(self, user: ScopeUser) -> BeatScopedQuerySet:
        return self.filter(beat__in=Beat.objects.visible_to(user).values("pk"))


class CampaignQuerySet(StaffScopedQuerySet["Campaign"]):
    def in_scope(self, user: ScopeUser) -> CampaignQuerySet:
        beats = Beat.objects.visible_to(user).values("pk")
        links = Campaign.beats.through.objects.filter(campaign_id=OuterRef("pk"), beat_id__in=beats)
        return self.filter(Exists(links))

    def closed(self, *, today: dt.date | None = None) -> CampaignQuerySet:
        """Campaigns whose results may be published: the last day has passed."""
        today = today or timezone.localdate()
        return self.filter(closes_on__lt=today)

    def running(self, *, today: dt.date | None = None) -> CampaignQuerySet:
        today = today or timezone.localdate()
        return self.filter(opens_on__lte=today, closes_on__gte=today)


class Campaign(models.Model):
    """A round of the community trust and safety survey in one or more beats, between two dates."""

    name = models.CharField(_("name"), max_length=120)
    beats = models.ManyToManyField(Beat, verbose_name=_("beats"), related_name="survey_campaigns")
    opens_on = models.DateField(_("first day"))
    closes_on = models.DateField(_("last day"))
    # Wide campaigns may take answers from anyone with the link; those answers are flagged.
    open_link_token = models.CharField(max_length=32, unique=True, null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_on", "name"]
        verbose_name = _("survey campaign")
        verbose_name_plural = _("survey campaigns")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")), name="campaign_dates_in_order"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": _("The last day cannot be before the first day.")})

    def is_running(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.opens_on <= today <= self.closes_on

    def is_closed(self, today: dt.date | None = None) -> bool:
        """Results are published only after the last day (issue 14: nothing while it is open)."""
        return (today or timezone.localdate()) > self.closes_on

    def enable_open_link(self) -> str:
        if not self.open_link_token:
            self.open_link_token = secrets.token_urlsafe(16)
            self.save(update_fields=["open_link_token"])
        return self.open_link_token


class InviteCode(models.Model):
    """A one-use code for the community survey, printed on a slip or sent by SMS.

    Knows its campaign and beat (so the answer can be filed there) and whether it was used, and on
    which day; never which answer it became."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="codes")
    beat = models.ForeignKey(Beat, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=CODE_LENGTH, unique=True, default=new_code, editable=False)
    # Codes are printed in batches; staff reprint or void a batch as one.
    batch = models.PositiveIntegerField(default=1)
    sent_by_sms = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    used_on = models.DateField(null=True, blank=True)

    objects = BeatScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation code")
        verbose_name_plural = _("invitation codes")
        indexes = [models.Index(fields=["campaign", "batch"], name="invite_code_batch")]

    def __str__(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}"

    @property
    def display(self) -> str:
        return str(self)

    @property
    def is_used(self) -> bool:
        return self.used_on is not None


class ContactInvite(models.Model):
    """An invitation to the post-contact survey, made once per resolved report or consented contact.

    The link's token is kept only as a hash. The report or contact it follows is kept so that it is
    never sent twice; the answer never points back here."""

    source = models.CharField(max_length=16, choices=Source.choices)
    report = models.OneToOneField(
        "reports.Report", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    contact = models.OneToOneField(
        "presence.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    beat = models.ForeignKey(Beat, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    language = models.CharField(max_length=8, default="ur")
    by_sms = models.BooleanField(default=False)
    # False when the rules held the invitation back (phone invited lately, opted out, no phone):
    # the row still records that this report or contact has had its one chance.
    sent = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_on = models.DateField(null=True, blank=True)

    objects = BeatScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("post-contact invitation")
        verbose_name_plural = _("post-contact invitations")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(source=Source.REPORT, report__isnull=False, contact__isnull=True)
                    | models.Q(source=Source.CONTACT, contact__isnull=False, report__isnull=True)
                ),
                name="contact_invite_one_source",
            )
        ]
        indexes = [models.Index(fields=["expires_at"], name="contact_invite_expiry")]

    def __str__(self) -> str:
        return f"post-contact invitation {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.expires_at is None:
            self.expires_at = timezone.now() + dt.timedelta(days=INVITE_DAYS)
        super().save(*args, **kwargs)

    def is_live(self, now: dt.datetime | None = None) -> bool:
        return self.used_on is None and (now or timezone.now()) < self.expires_at


class PhoneInvited(models.Model):
    """When a phone was last invited to a survey: at most one invitation per 30 days. Knows nothing of
    which survey, or whether it was answered."""

    phone = models.OneToOneField("messaging.Phone", on_delete=models.CASCADE, related_name="+")
    last_invited_on = models.DateField()

    class Meta:
        verbose_name = _("phone invited")
        verbose_name_plural = _("phones invited")

    def __str__(self) -> str:
        return f"phone {self.phone_id} invited {self.last_invited_on}"


class ContactResponse(models.Model):
    """One answered post-contact (procedural-justice) survey."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    beat = models.ForeignKey(Beat, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("after"), max_length=16, choices=Source.choices)
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices)
    answered_on = models.DateField(_("day answered"))
    voice = agreement_item(_("The officer let me explain my side."))
    neutrality = agreement_item(_("The officer's decisions were based on facts, not on who I am."))
    respect = agreement_item(_("The officer treated me with respect."))
    motives = agreement_item(_("The officer was trying to do what is best for people here."))
    overall = agreement_item(_("Overall I am satisfied with how my matter was handled."))
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    age_band = models.CharField(_("age band"), max_length=8, choices=AgeBand.choices, blank=True)
    started_by = models.CharField(
        _("who started the contact"), max_length=16, choices=StartedBy.choices, blank=True
    )

    objects = BeatScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("post-contact answer")
        verbose_name_plural = _("post-contact answers")
        indexes = [models.Index(fields=["beat", "answered_on"], name="contact_response_beat_day")]

    def __str__(self) -> str:
        return f"post-contact answer, {self.answered_on:%Y-%m}"


class CommunityResponse(models.Model):
    """One answered community trust and safety survey."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="responses")
    beat = models.ForeignKey(Beat, on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices)
    # Assisted entry records who typed a paper form in (the respondent is never recorded).
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_on = models.DateField(_("day answered"))
    trust_respect = ten_point_item(_("The police in this neighbourhood treat local residents with respect."))
    trust_listen = ten_point_item(
        _("The police in this neighbourhood listen to and take into account the concerns of local residents.")
    )
    safety = ten_point_item(
        _("When it comes to the threat of crime, how safe do you feel in your neighbourhood?")
    )
    walk_day = models.CharField(
        _("How safe do you feel walking alone in this area during the day?"),
        max_length=16,
        choices=WalkSafety.choices,
        blank=True,
    )
    walk_dark = models.CharField(
        _("How safe do you feel walking alone in this area after dark?"),
        max_length=16,
        choices=WalkSafety.choices,
        blank=True,
    )
    knows_officer = models.BooleanField(
        _("Do you know a police officer in this neighbourhood by name or by sight?"),
        null=True,
        blank=True,
    )
    willingness = ten_point_item(
        _("If you saw a crime here, how likely would you be to report it to the police?")
    )
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    age_band = models.CharField(_("age band"), max_length=8, choices=AgeBand.choices, blank=True)

    objects = BeatScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("trust and safety answer")
        verbose_name_plural = _("trust and safety answers")
        indexes = [models.Index(fields=["campaign", "beat"], name="community_response_beat")]

    def __str__(self) -> str:
        return f"trust and safety answer, {self.answered_on:%Y-%m}"

    @property
    def open_link(self) -> bool:
        """Answered through a campaign's open link: anyone could have, so results show it apart."""
        return self.mode == Mode.OPEN_LINK


class Theme(LocalizedNameMixin):
    """A managed label for what residents wrote (streetlights, drugs, harassment ...)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.name


class FreeTextKind(models.TextChoices):
    IMPROVE = "improve", _("What should the police do differently?")
    TOP_ISSUE = "top_issue", _("The number one problem in this neighbourhood")


class FreeText(models.Model):
    """What a respondent wrote, for staff only, never published verbatim. Encrypted at rest, dated to the
    month and kept apart from the scored answer (see the module docstring)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=16, choices=FreeTextKind.choices)
    beat = models.ForeignKey(Beat, on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="free_texts"
    )
    month = models.DateField(_("month"))
    language = models.CharField(max_length=8, blank=True)
    text_encrypted = models.TextField(editable=False)
    encrypted_fields: ClassVar[tuple[EncryptedField, ...]] = (
        EncryptedField("text_encrypted", context=FREE_TEXT_CONTEXT),
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="free_texts")
    reviewed = models.BooleanField(_("read"), default=False)

    objects = BeatScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("free-text answer")
        verbose_name_plural = _("free-text answers")
        indexes = [models.Index(fields=["beat", "month"], name="free_text_beat_month")]

    def __str__(self) -> str:
        return f"free text, {self.month:%Y-%m}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.month = first_of_month(self.month)
        super().save(*args, **kwargs)


class SmsSurveySession(models.Model):
    """A survey being answered by SMS, one digit per item. Holds the answers so far only until the last
    one arrives: then the answer is written without any link to this row and the row is deleted. An
    unfinished session is deleted after SMS_SESSION_HOURS."""

    phone = models.OneToOneField("messaging.Phone", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=SurveyKind.choices)
    beat = models.ForeignKey(Beat, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=16, choices=Source.choices, blank=True)
    # The post-contact invitation it answers (marked used when the first answer arrives).
    invite = models.ForeignKey(
        ContactInvite, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    language = models.CharField(max_length=8, default="ur")
    # False until the resident replies to the invitation; a waiting invitation lives as long as the
    # invitation does, an answer in progress SMS_SESSION_HOURS from its last reply.
    started = models.BooleanField(default=False)
    step = models.PositiveSmallIntegerField(default=0)
    answers = models.JSONField(default=dict)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("SMS survey in progress")
        verbose_name_plural = _("SMS surveys in progress")
        indexes = [models.Index(fields=["expires_at"], name="sms_survey_expiry")]

    def __str__(self) -> str:
        return f"SMS survey in progress ({self.kind})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.expires_at is None:
            self.expires_at = timezone.now() + dt.timedelta(hours=SMS_SESSION_HOURS)
        super().save(*args, **kwargs)
