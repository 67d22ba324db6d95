"""Reads of people: officers on public pages, accounts a manager may pick, and role requests."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from rabta.core.adminscope import AdminUser
from rabta.people.models import (
    MANAGEABLE_ROLES,
    OfficerProfile,
    RoleRequest,
    RoleRequestState,
    User,
    held_scope,
)
from rabta.places.models import Beat, PoliceStation


def beat_officers(beat: Beat) -> list[OfficerProfile]:
    """The officers shown on a beat's public page, women's-desk officers first."""
    return list(
        OfficerProfile.objects.public()
        .filter(beats=beat)
        .select_related("user")
        .order_by("-on_womens_desk", "user__last_name")
    )


def womens_desk_officers(station: PoliceStation) -> list[OfficerProfile]:
    """The officers shown as serving on a station's women's desk."""
    return list(
        OfficerProfile.objects.public().filter(station=station, on_womens_desk=True).select_related("user")
    )


def officer_profile_of(user: User) -> OfficerProfile | None:
    return OfficerProfile.objects.filter(user_id=user.pk or 0).select_related("station").first()


def users_for(manager: AdminUser) -> QuerySet[User]:
    """Accounts a manager may manage in the admin: manageable roles, inside their own scope."""
    level = manager.admin_level
    if level == "admin":
        return User.objects.all()
    if level == "district":
        district = manager.scope_district_id
        where = Q(scope_station__district_id=district) | Q(scope_beat__station__district_id=district)
    elif level == "station":
        station = manager.scope_station_id
        where = Q(scope_station_id=station) | Q(scope_beat__station_id=station)
    else:
        return User.objects.none()
    return User.objects.filter(where, role__in=MANAGEABLE_ROLES[level], is_superuser=False)


def holds_a_scope(user: User) -> bool:
    """Whether `user` is among the people who see and decide requests for some scope."""
    return held_scope(user) is not None


def requests_for(user: User) -> QuerySet[RoleRequest]:
    """Requests shown to `user` as a holder of their scope: pending ones and past decisions."""
    return RoleRequest.objects.visible_to(user).select_related(
        "user", "requested_by", "decided_by", "scope_district", "scope_station", "scope_beat"
    )


def requests_waiting_for(user: User) -> QuerySet[RoleRequest]:
    """Pending requests this person may decide on (not their own, not about their own account)."""
    return (
        requests_for(user)
        .filter(state=RoleRequestState.PENDING)
        .exclude(requested_by_id=user.pk)
        .exclude(user_id=user.pk)
    )


def requests_by(user: User) -> QuerySet[RoleRequest]:
    """Requests `user` asked for, whoever decides them."""
    return RoleRequest.objects.filter(requested_by_id=user.pk)


def backup_codes_left(user: User) -> int:
    """How many unused backup codes the account holds (each is deleted when used)."""
    return StaticToken.objects.filter(device__user=user).count()


def has_authenticator(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()
