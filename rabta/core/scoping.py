"""Which rows a staff member sees: the one scope rule every staff queryset builds on.

A staff account is scoped to at most one of a district, a station or a beat (or to nothing, for
the province-wide roles). Each app says how its rows reach a district, station and beat; the rule
of who sees what is written here once. The user is described by a protocol so that this layer
needs no account model: `rabta.people.models.User` satisfies it, and so does Django's anonymous
user for the two properties it is asked first.
"""

from __future__ import annotations

from typing import Any, Protocol, Self, TypeVar

from django.db import models


class ScopeUser(Protocol):
    """What the scope rule reads from an account."""

    @property
    def pk(self) -> Any: ...
    @property
    def is_authenticated(self) -> bool: ...
    @property
    def is_active(self) -> bool: ...
    @property
    def role(self) -> str: ...
    @property
    def is_staff_role(self) -> bool: ...
    @property
    def sees_everything(self) -> bool: ...
    @property
    def scope_district_id(self) -> int | None: ...
    @property
    def scope_station_id(self) -> int | None: ...
    @property
    def scope_beat_id(self) -> int | None: ...


def is_staff_member(user: object) -> bool:
    """An active, logged-in account with a staff role (anonymous users and residents are not)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and getattr(user, "is_staff_role", False)
    )


_Q = TypeVar("_Q", bound=models.QuerySet[Any])


def scoped(queryset: _Q, user: ScopeUser, *, district: str, station: str, beat: str) -> _Q:
    """Limit a queryset to a user's scope, given the lookups from its model to a district, station, beat.

    Everything for admins and unscoped province-level roles; nothing for anonymous or unscoped users.
    """
    if not user.is_authenticated:
        return queryset.none()
    if user.sees_everything:
        return queryset
    if user.scope_district_id:
        return queryset.filter(**{district: user.scope_district_id})
    if user.scope_station_id:
        return queryset.filter(**{station: user.scope_station_id})
    if user.scope_beat_id:
        return queryset.filter(**{beat: user.scope_beat_id})
    return queryset.none()


_M = TypeVar("_M", bound=models.Model)


class StaffScopedQuerySet(models.QuerySet[_M]):
    """Rows for staff only: none for anonymous users and non-staff roles, all for the roles that see
    everything, and for everyone else what `in_scope` returns. Subclasses write only `in_scope`."""

    def visible_to(self, user: ScopeUser) -> Self:
        if not is_staff_member(user):
            return self.none()
        if user.sees_everything:
            return self
        return self.in_scope(user)

    def in_scope(self, user: ScopeUser) -> Self:
        raise NotImplementedError(f"{type(self).__name__} must say which rows are in a user's scope")
