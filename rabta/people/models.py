"""Who uses Rabta: users with a role and a scope, and officers' public profiles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AbstractUser, AnonymousUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from rabta.core.scoping import ScopeUser, scoped
from rabta.places.models import Beat, District, PoliceStation

if TYPE_CHECKING:
    from rabta.core.adminscope import Level


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    VOLUNTEER = "volunteer", _("Volunteer")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")
    OFFICER = "officer", _("Beat officer")
    WOMENS_DESK = "womens_desk", _("Women's desk officer")
    STATION_HEAD = "station_head", _("Station head")
    DISTRICT_COORDINATOR = "district_coordinator", _("District coordinator")
    OVERSIGHT = "oversight", _("Oversight member")
    ANALYST = "analyst", _("Analyst")
    ADMIN = "admin", _("Administrator")


# Roles that work inside Rabta's back office: they need a password *and* a TOTP device.
STAFF_ROLES = frozenset(
    {
        Role.OFFICER,
        Role.WOMENS_DESK,
        Role.STATION_HEAD,
        Role.DISTRICT_COORDINATOR,
        Role.OVERSIGHT,
        Role.ANALYST,
        Role.ADMIN,
    }
)
# Roles allowed into the Django admin for places and people, limited to their scope there.
ADMIN_SITE_ROLES = frozenset({Role.STATION_HEAD, Role.DISTRICT_COORDINATOR, Role.ADMIN})
# Accounts each admin level may create and manage. Never its own role or anything above it: no one
# widens their own powers, and oversight stays independent of the police chain.
MANAGEABLE_ROLES: dict[Level, tuple[str, ...]] = {
    "admin": tuple(Role.values),
    "district": (Role.OFFICER, Role.WOMENS_DESK, Role.STATION_HEAD),
    "station": (Role.OFFICER, Role.WOMENS_DESK),
}

# Which scope each role works at. Residents, volunteers and committee members may name a
# home beat (optional); staff must have the scope their role works at.
ROLE_SCOPES: dict[str, tuple[str, ...]] = {
    Role.RESIDENT: ("", "beat"),
    Role.VOLUNTEER: ("", "beat"),
    Role.COMMITTEE_MEMBER: ("beat",),
    Role.OFFICER: ("beat", "station"),
    Role.WOMENS_DESK: ("station",),
    Role.STATION_HEAD: ("station",),
    Role.DISTRICT_COORDINATOR: ("district",),
    Role.OVERSIGHT: ("district", ""),
    Role.ANALYST: ("district", ""),
    Role.ADMIN: ("",),
}


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    OTHER = "other", _("Other")


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.RESIDENT)
    scope_district = models.ForeignKey(
        District,
        verbose_name=_("district scope"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    scope_station = models.ForeignKey(
        PoliceStation,
        verbose_name=_("station scope"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    scope_beat = models.ForeignKey(
        Beat, verbose_name=_("beat scope"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    preferred_language = models.CharField(_("preferred language"), max_length=8, blank=True)

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="user_at_most_one_scope",
                condition=(
                    models.Q(scope_district__isnull=True, scope_station__isnull=True)
                    | models.Q(scope_district__isnull=True, scope_beat__isnull=True)
                    | models.Q(scope_station__isnull=True, scope_beat__isnull=True)
                ),
            )
        ]

    @property
    def scope_kind(self) -> str:
        if self.scope_district_id:
            return "district"
        if self.scope_station_id:
            return "station"
        if self.scope_beat_id:
            return "beat"
        return ""

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def admin_level(self) -> Level | None:
        """What this account manages in the Django admin (the levels in rabta.core.adminscope)."""
        if not self.is_active or not self.is_staff:
            return None
        if self.is_superuser or self.role == Role.ADMIN:
            return "admin"
        if self.role == Role.DISTRICT_COORDINATOR and self.scope_district_id:
            return "district"
        if self.role == Role.STATION_HEAD and self.scope_station_id:
            return "station"
        return None

    @property
    def sees_everything(self) -> bool:
        """Admins, and district-wide roles with no district set (province-level oversight or analysts)."""
        if not self.is_active:
            return False
        return self.role == Role.ADMIN or (
            self.role in (Role.OVERSIGHT, Role.ANALYST) and not self.scope_kind
        )

    def clean(self) -> None:
        super().clean()
        allowed = ROLE_SCOPES.get(self.role, ("",))
        if self.scope_kind not in allowed:
            names = {
                "": _("no scope"),
                "beat": _("a beat"),
                "station": _("a station"),
                "district": _("a district"),
            }
            wanted = " / ".join(str(names[k]) for k in allowed)
            raise ValidationError(
                _("The role %(role)s works at %(wanted)s.")
                % {"role": self.get_role_display(), "wanted": wanted}
            )

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The Django admin is only for roles that manage places and people; everyone else
        # works in Rabta's own pages. Superuser status follows the admin role.
        self.is_staff = self.role in ADMIN_SITE_ROLES or self.is_superuser
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "is_staff"}
        super().save(*args, **kwargs)

    def beats_in_scope(self) -> models.QuerySet[Beat]:
        return Beat.objects.visible_to(self)


class Rank(models.TextChoices):
    CONSTABLE = "constable", _("Constable")
    HEAD_CONSTABLE = "head_constable", _("Head Constable")
    ASI = "asi", _("Assistant Sub-Inspector")
    SI = "si", _("Sub-Inspector")
    INSPECTOR = "inspector", _("Inspector")
    DSP = "dsp", _("Deputy Superintendent")
    SP = "sp", _("Superintendent")


class OfficerProfileQuerySet(models.QuerySet["OfficerProfile"]):
    def public(self) -> OfficerProfileQuerySet:
        return self.filter(is_public=True, user__is_active=True)

    def visible_to(self, user: ScopeUser) -> OfficerProfileQuerySet:
        # Distinct: through the beats join, an officer who serves several beats would be listed twice.
        return scoped(
            self, user, district="station__district_id", station="station_id", beat="beats__pk"
        ).distinct()


def officer_photo_path(instance: OfficerProfile, filename: str) -> str:
    return f"officers/{instance.service_number}.jpg"


class OfficerProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="officer_profile")
    rank = models.CharField(_("rank"), max_length=32, choices=Rank.choices)
    service_number = models.CharField(_("service number"), max_length=32, unique=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    station = models.ForeignKey(PoliceStation, on_delete=models.PROTECT, related_name="officers")
    beats = models.ManyToManyField(Beat, related_name="officers", blank=True)
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    # The main name is the user's first and last name, in Latin letters.
    display_name_ur = models.CharField(_("name in Urdu script"), max_length=150, blank=True)
    display_name_ps = models.CharField(_("name in Pashto script"), max_length=150, blank=True)
    public_bio = models.TextField(_("public introduction"), max_length=600, blank=True)
    public_bio_ur = models.TextField(_("public introduction in Urdu"), max_length=600, blank=True)
    public_bio_ps = models.TextField(_("public introduction in Pashto"), max_length=600, blank=True)
    duty_phone = models.CharField(
        _("official duty phone"),
        max_length=32,
        blank=True,
        help_text=_("A phone issued for duty that residents may call or text; never a personal number."),
    )
    photo = models.ImageField(_("photo"), upload_to=officer_photo_path, blank=True)
    is_public = models.BooleanField(_("shown on beat pages"), default=True)
    on_womens_desk = models.BooleanField(_("serves on the women's desk"), default=False)

    objects = OfficerProfileQuerySet.as_manager()

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        verbose_name = _("officer profile")
        verbose_name_plural = _("officer profiles")

    def __str__(self) -> str:
        return f"{self.get_rank_display()} {self.display_name}"

    @property
    def display_name(self) -> str:
        return self.user.get_full_name() or self.user.username

    @property
    def initials(self) -> str:
        parts = [p for p in self.display_name.split() if p]
        return "".join(p[0] for p in parts[:2]).upper()

    @property
    def is_woman(self) -> bool:
        return self.gender == Gender.WOMAN

    def clean(self) -> None:
        if self.on_womens_desk and self.gender != Gender.WOMAN:
            raise ValidationError(_("Only women officers serve on the women's desk."))
        if self.on_womens_desk and self.station_id and not self.station.has_womens_desk:
            raise ValidationError(_("This station has no women's desk."))


class TrainingRecord(models.Model):
    officer = models.ForeignKey(OfficerProfile, on_delete=models.CASCADE, related_name="training_records")
    course = models.CharField(_("course"), max_length=200)
    completed_on = models.DateField(_("completed on"))
    provider = models.CharField(_("provider"), max_length=200, blank=True)

    class Meta:
        ordering = ["-completed_on"]
        verbose_name = _("training record")
        verbose_name_plural = _("training records")

    def __str__(self) -> str:
        return f"{self.course} ({self.completed_on:%Y-%m-%d})"


# Roles that read women's-desk or conduct material, or reporters' contacts beyond one beat: giving
# one takes a second person's approval (people/approvals.py).
SENSITIVE_ROLES = frozenset({Role.STATION_HEAD, Role.WOMENS_DESK, Role.OVERSIGHT, Role.ADMIN})
# Requested role -> roles of the people (besides admins) who may decide on it, within their own scope
# (the table in people/approvals.py). It also decides who sees a request: RoleRequest.objects.visible_to.
APPROVERS: dict[str, frozenset[str]] = {
    Role.STATION_HEAD: frozenset({Role.STATION_HEAD}),
    Role.WOMENS_DESK: frozenset({Role.STATION_HEAD, Role.WOMENS_DESK}),
    Role.OVERSIGHT: frozenset({Role.OVERSIGHT}),
    Role.ADMIN: frozenset(),
}


class RoleRequestState(models.TextChoices):
    PENDING = "pending", _("waiting for approval")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    CANCELLED = "cancelled", _("cancelled")


def _is_admin(user: User) -> bool:
    """The admin role or Django's superuser flag: one grant here (people/approvals.py)."""
    return bool(user.is_active and (user.is_superuser or user.role == Role.ADMIN))


def _on_desk_of(user: User, station_id: int | None) -> bool:
    return bool(
        station_id
        and OfficerProfile.objects.filter(
            user_id=user.pk,
            station_id=station_id,
            on_womens_desk=True,
            gender=Gender.WOMAN,
            station__has_womens_desk=True,
        ).exists()
    )


def held_scope(user: User | AnonymousUser) -> models.Q | None:
    """The requests `user` holds the scope of (APPROVERS) as a filter on RoleRequest; None for none."""
    if isinstance(user, AnonymousUser) or not user.is_active:
        return None
    if _is_admin(user):
        return models.Q()
    roles = [role for role, holders in APPROVERS.items() if user.role in holders]
    if not roles:
        return None
    if user.role == Role.WOMENS_DESK and not _on_desk_of(user, user.scope_station_id):
        return None
    if user.scope_station_id:
        where = models.Q(scope_station_id=user.scope_station_id)
    elif user.scope_district_id:
        where = models.Q(scope_district_id=user.scope_district_id)
    elif user.role == Role.OVERSIGHT and not user.scope_kind:
        where = models.Q()  # province-level oversight holds every district
    else:
        return None
    return models.Q(role__in=roles) & where


class RoleRequestQuerySet(models.QuerySet["RoleRequest"]):
    def visible_to(self, user: User | AnonymousUser) -> RoleRequestQuerySet:
        """Requests shown to the people who hold their scope (held_scope), with their decisions."""
        held = held_scope(user)
        return self.none() if held is None else self.filter(held)


class RoleRequest(models.Model):
    """A request to give an account a sensitive role and scope; takes effect only once approved."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_requests")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    scope_district = models.ForeignKey(
        District, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scope_station = models.ForeignKey(
        PoliceStation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scope_beat = models.ForeignKey(Beat, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    state = models.CharField(
        _("state"), max_length=12, choices=RoleRequestState.choices, default=RoleRequestState.PENDING
    )
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = RoleRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("role request")
        verbose_name_plural = _("role requests")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(state=RoleRequestState.PENDING),
                name="one_pending_role_request_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} -> {self.role} ({self.state})"
