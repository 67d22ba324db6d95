"""Who may do what in the Django admin, decided by role and scope (not by model permissions).

Three admin levels exist:

    admin     (role admin, or a superuser)  everything
    district  (district coordinator)        stations, beats, officer profiles and officers'
                                            accounts in their district
    station   (station head)                beats, officer profiles and officers' accounts of
                                            their station; their own station's desk details

Everyone else has no level and so no admin access (User.save gives is_staff only to
ADMIN_SITE_ROLES anyway). Out-of-scope rows are filtered out of every queryset, so their
change URLs answer 404; foreign-key choices are cut to the same scope, so a form cannot
point outside it either.
"""

from __future__ import annotations

from typing import Any, Literal

from django.contrib import admin
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from rabta.people.models import Role, User
from rabta.places.models import Beat, District, PoliceStation

Level = Literal["admin", "district", "station"]
ALL_LEVELS: frozenset[Level] = frozenset({"admin", "district", "station"})

# Accounts each level may create and manage. Never its own role or anything above it: no one
# widens their own powers, and oversight stays independent of the police chain.
MANAGEABLE_ROLES: dict[Level, tuple[str, ...]] = {
    "admin": tuple(Role.values),
    "district": (Role.OFFICER, Role.WOMENS_DESK, Role.STATION_HEAD),
    "station": (Role.OFFICER, Role.WOMENS_DESK),
}


def admin_level(user: Any) -> Level | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.is_staff:
        return None
    if user.is_superuser or user.role == Role.ADMIN:
        return "admin"
    if user.role == Role.DISTRICT_COORDINATOR and user.scope_district_id:
        return "district"
    if user.role == Role.STATION_HEAD and user.scope_station_id:
        return "station"
    return None


def districts_for(user: Any) -> QuerySet[District]:
    level = admin_level(user)
    if level == "admin":
        return District.objects.all()
    if level == "district":
        return District.objects.filter(pk=user.scope_district_id)
    return District.objects.none()


def stations_for(user: Any) -> QuerySet[PoliceStation]:
    level = admin_level(user)
    if level == "admin":
        return PoliceStation.objects.all()
    if level == "district":
        return PoliceStation.objects.filter(district_id=user.scope_district_id)
    if level == "station":
        return PoliceStation.objects.filter(pk=user.scope_station_id)
    return PoliceStation.objects.none()


def beats_for(user: Any) -> QuerySet[Beat]:
    level = admin_level(user)
    if level == "admin":
        return Beat.objects.all()
    if level == "district":
        return Beat.objects.filter(station__district_id=user.scope_district_id)
    if level == "station":
        return Beat.objects.filter(station_id=user.scope_station_id)
    return Beat.objects.none()


def users_for(user: Any) -> QuerySet[User]:
    """Accounts this user may manage: manageable roles, scoped inside their own scope."""
    level = admin_level(user)
    if level == "admin":
        return User.objects.all()
    if level == "district":
        where = Q(scope_station__district_id=user.scope_district_id) | Q(
            scope_beat__station__district_id=user.scope_district_id
        )
    elif level == "station":
        where = Q(scope_station_id=user.scope_station_id) | Q(scope_beat__station_id=user.scope_station_id)
    else:
        return User.objects.none()
    return User.objects.filter(where, role__in=MANAGEABLE_ROLES[level], is_superuser=False)


SCOPED_CHOICES = {
    District: districts_for,
    PoliceStation: stations_for,
    Beat: beats_for,
    User: users_for,
}


class ScopedAdminMixin:
    """ModelAdmin behaviour shared by the places and people admins.

    Subclasses say which levels may view/add/change/delete and how to cut a queryset to scope.
    """

    view_levels: frozenset[Level] = ALL_LEVELS
    add_levels: frozenset[Level] = ALL_LEVELS
    change_levels: frozenset[Level] = ALL_LEVELS
    delete_levels: frozenset[Level] = frozenset({"admin"})

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        raise NotImplementedError

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        if admin_level(request.user) == "admin":
            return queryset
        return self.scope_queryset(request, queryset)

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        # Django's admin redirects to the index for a missing object; outside one's scope a
        # row does not exist, so say 404 like every other scoped page.
        obj = super().get_object(request, object_id, from_field)  # type: ignore[misc]
        if obj is None:
            raise Http404
        return obj

    def _allowed(self, request: HttpRequest, levels: frozenset[Level]) -> bool:
        return admin_level(request.user) in levels

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, self.view_levels | self.change_levels)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._allowed(request, self.add_levels)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, self.change_levels)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, self.delete_levels)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        chooser = SCOPED_CHOICES.get(db_field.related_model)
        if chooser is not None and "queryset" not in kwargs:
            kwargs["queryset"] = chooser(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        chooser = SCOPED_CHOICES.get(db_field.related_model)
        if chooser is not None and "queryset" not in kwargs:
            kwargs["queryset"] = chooser(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


class ScopedModelAdmin(ScopedAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    pass


class ParentPermissionInline:
    """An inline whose rows are part of the parent: whoever may change the parent may edit them."""

    def _parent_admin(self) -> Any:
        return self.admin_site._registry[self.parent_model]  # type: ignore[attr-defined]

    def has_view_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return bool(self._parent_admin().has_view_permission(request, obj))

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return bool(self._parent_admin().has_change_permission(request, obj))

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return bool(self._parent_admin().has_change_permission(request, obj))

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return bool(self._parent_admin().has_change_permission(request, obj))
