"""Sensitive roles take a second person: a request, then someone else's approval.

A role in SENSITIVE_ROLES reads women's-desk or conduct material, or reporters' contacts beyond one
beat. Giving one to an account (creating it so, changing its role, moving it to another station or
district, or making it a superuser) only files a RoleRequest; the account keeps what it had (a new
account is a resident with no scope) until a second authorised person approves.

Who may decide on a request (APPROVERS). Never the person who asked, never the account itself:

    requested role and scope     decided by (besides any admin)
    ---------------------------  -----------------------------------------------------------
    station head of station S    the station head of S
    women's desk of station S    the station head of S; a woman serving on the desk of S
    oversight of district D      an oversight member of D; province-level (unscoped) oversight
    oversight, province-level    province-level oversight
    admin (and superuser)        admins only

"Admin" means the admin role or Django's superuser flag; both are one grant here, so asking for
either asks for the admin role and approving it gives both. The table is `APPROVERS` in
people/models.py; it also decides who sees a request and its decision on the staff page
(`RoleRequest.objects.visible_to`, read through `selectors.requests_for`). Every step is written
to the append-only access log.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rabta.audit.models import AccessLog, record_access
from rabta.people.models import (
    SENSITIVE_ROLES,
    Gender,
    OfficerProfile,
    Role,
    RoleRequest,
    RoleRequestState,
    User,
)
from rabta.people.selectors import requests_for
from rabta.places.models import Beat, District, PoliceStation

# What a new account is until its sensitive role is approved: nothing to read, no staff pages.
PLACEHOLDER_ROLE = Role.RESIDENT


class NotAllowed(Exception):
    """The person may not decide on this request."""


class AlreadyDecided(Exception):
    """The request was approved, rejected or cancelled already."""


def needs_approval(
    *,
    before: User | None,
    role: str,
    scope_district_id: int | None,
    scope_station_id: int | None,
    scope_beat_id: int | None,
    is_superuser: bool = False,
) -> bool:
    """Whether giving an account (`before` as it is now; None for a new one) this role and scope
    takes a second person. Taking a sensitive role away, or keeping one unchanged, does not."""
    if is_superuser and not (before is not None and before.is_superuser):
        return True
    if role not in SENSITIVE_ROLES:
        return False
    if before is None:
        return True
    current = (before.role, before.scope_district_id, before.scope_station_id, before.scope_beat_id)
    return current != (role, scope_district_id, scope_station_id, scope_beat_id)


def may_decide(user: User, request: RoleRequest) -> bool:
    if user.pk in (request.requested_by_id, request.user_id):
        return False
    return requests_for(user).filter(pk=request.pk).exists()


def _validate_pair(
    role: str, district: District | None, station: PoliceStation | None, beat: Beat | None
) -> None:
    if sum(scope is not None for scope in (district, station, beat)) > 1:
        raise ValidationError(_("A role has one scope at most."))
    # The same rule an account's form applies (User.clean), on a throwaway instance.
    User(role=role, scope_district=district, scope_station=station, scope_beat=beat).clean()


def _describe(role: str, district_id: int | None, station_id: int | None, beat_id: int | None) -> str:
    # Ids, not names: the access log never needs more to be read with the tables beside it.
    scope = (
        f"district {district_id}"
        if district_id
        else f"station {station_id}"
        if station_id
        else f"beat {beat_id}"
        if beat_id
        else "no scope"
    )
    return f"{role}, {scope}"


def request_role(
    *,
    user: User,
    role: str,
    scope_district: District | None = None,
    scope_station: PoliceStation | None = None,
    scope_beat: Beat | None = None,
    by: User,
) -> RoleRequest:
    """File a request to give `user` a sensitive role and scope; the account itself is not changed.

    A pending request for the same account is cancelled by the new one (one pending per account).
    Raises ValidationError when the role and scope do not go together, ValueError for a role that
    needs no approval.
    """
    if role not in SENSITIVE_ROLES:
        raise ValueError("only sensitive roles are requested; others are given directly")
    _validate_pair(role, scope_district, scope_station, scope_beat)
    now = timezone.now()
    with transaction.atomic():
        for old in RoleRequest.objects.select_for_update().filter(user=user, state=RoleRequestState.PENDING):
            old.state, old.decided_by, old.decided_at = RoleRequestState.CANCELLED, by, now
            old.save(update_fields=["state", "decided_by", "decided_at"])
            record_access(
                actor=by, action=AccessLog.Action.ROLE_DECISION, obj=old, detail="cancelled: asked again"
            )
        created = RoleRequest.objects.create(
            user=user,
            role=role,
            scope_district=scope_district,
            scope_station=scope_station,
            scope_beat=scope_beat,
            requested_by=by,
        )
        detail = _describe(role, created.scope_district_id, created.scope_station_id, created.scope_beat_id)
        record_access(
            actor=by,
            action=AccessLog.Action.ROLE_REQUEST,
            obj=created,
            detail=f"for user {user.pk}: {detail}",
        )
    return created


def _locked_pending(request: RoleRequest) -> RoleRequest:
    locked = RoleRequest.objects.select_for_update().get(pk=request.pk)
    if locked.state != RoleRequestState.PENDING:
        raise AlreadyDecided
    return locked


def approve(*, request: RoleRequest, by: User) -> User:
    """Give the account the requested role and scope, in one transaction with the decision's record.

    Raises NotAllowed (`by` may not decide on it), AlreadyDecided, or ValidationError when the pair is
    no longer valid (for example the station lost its women's desk).
    """
    with transaction.atomic():
        locked = _locked_pending(request)
        if not may_decide(by, locked):
            raise NotAllowed
        account = User.objects.select_for_update().get(pk=locked.user_id)
        _validate_pair(locked.role, locked.scope_district, locked.scope_station, locked.scope_beat)
        account.role = locked.role
        account.scope_district_id = locked.scope_district_id
        account.scope_station_id = locked.scope_station_id
        account.scope_beat_id = locked.scope_beat_id
        account.is_superuser = locked.role == Role.ADMIN
        account.save(update_fields=["role", "scope_district", "scope_station", "scope_beat", "is_superuser"])
        if locked.role == Role.WOMENS_DESK:
            # Serving on the desk is what opens its reports; a woman officer of that station joins it.
            OfficerProfile.objects.filter(
                user_id=account.pk,
                station_id=locked.scope_station_id,
                gender=Gender.WOMAN,
                station__has_womens_desk=True,
            ).update(on_womens_desk=True)
        locked.state, locked.decided_by, locked.decided_at = RoleRequestState.APPROVED, by, timezone.now()
        locked.save(update_fields=["state", "decided_by", "decided_at"])
        record_access(actor=by, action=AccessLog.Action.ROLE_DECISION, obj=locked, detail="approved")
        detail = _describe(
            locked.role, locked.scope_district_id, locked.scope_station_id, locked.scope_beat_id
        )
        record_access(
            actor=by,
            action=AccessLog.Action.ROLE_DECISION,
            obj=account,
            detail=f"role given by request {locked.pk}: {detail}",
        )
    request.refresh_from_db()
    return account


def reject(*, request: RoleRequest, by: User) -> RoleRequest:
    """Close the request unapplied; the account keeps what it has. Raises NotAllowed or AlreadyDecided."""
    with transaction.atomic():
        locked = _locked_pending(request)
        if not may_decide(by, locked):
            raise NotAllowed
        locked.state, locked.decided_by, locked.decided_at = RoleRequestState.REJECTED, by, timezone.now()
        locked.save(update_fields=["state", "decided_by", "decided_at"])
        record_access(actor=by, action=AccessLog.Action.ROLE_DECISION, obj=locked, detail="rejected")
    request.refresh_from_db()
    return locked
