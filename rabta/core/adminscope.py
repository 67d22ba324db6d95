"""Who may do what in the Django admin, decided by admin level and scope (not by model permissions).

Three admin levels exist (`rabta.people.models.User.admin_level` says which one an account has):

    admin     (role admin, or a superuser)  everything
    district  (district coordinator)        stations, beats, officer profiles and officers'
                                            accounts in their district
    station   (station head)                beats, officer profiles and officers' accounts of
                                            their station; their own station's desk details

Everyone else has no level and so no admin access (User.save gives is_staff only to
ADMIN_SITE_ROLES anyway). Out-of-scope rows are filtered out of every queryset, so their
change URLs answer 404; foreign-key choices are cut to the same scope, so a form cannot
point outside it either. The apps that own the rows say how: each admin's `scope_queryset`, and
for foreign keys the chooser an app registers with `limit_choices` (places for districts,
stations and beats; people for accounts).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, Protocol

from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from rabta.core.scoping import ScopeUser

Level = Literal["admin", "district", "station"]
ALL_LEVELS: frozenset[Level] = frozenset({"admin", "district", "station"})


class AdminUser(ScopeUser, Protocol):
    """An account as the admin reads it: its scope, and the level it manages at."""

    @property
    def admin_level(self) -> Level | None: ...


def admin_level(user: AdminUser | AnonymousUser) -> Level | None:
    """The level `user` manages at in the admin; None for anonymous visitors and most roles."""
    if isinstance(user, AnonymousUser):
        return None
    return user.admin_level


def admin_user(request: HttpRequest) -> AdminUser:
    """The account behind an admin request (the admin site lets in only logged-in staff)."""
    user = request.user
    if isinstance(user, AnonymousUser):
        raise PermissionDenied
    return user


Chooser = Callable[[AdminUser], QuerySet[Any]]
# Related model -> the rows of it that a manager may pick in a foreign-key or many-to-many field.
_CHOOSERS: dict[type[models.Model], Chooser] = {}


def limit_choices(model: type[models.Model], chooser: Chooser) -> None:
    """Offer only `chooser(manager)` wherever a scoped admin's form points to `model`."""
    _CHOOSERS[model] = chooser


class ScopedAdminMixin:
    """ModelAdmin behaviour shared by the scoped admins of every app.

    Subclasses say which levels may view/add/change/delete and how to cut a queryset to scope.
    """

    view_levels: frozenset[Level] = ALL_LEVELS
    add_levels: frozenset[Level] = ALL_LEVELS
    change_levels: frozenset[Level] = ALL_LEVELS
    delete_levels: frozenset[Level] = frozenset({"admin"})

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        raise NotImplementedError

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset: QuerySet[Any] = super().get_queryset(request)  # type: ignore[misc]
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
        chooser = _CHOOSERS.get(db_field.related_model)
        if chooser is not None and "queryset" not in kwargs:
            kwargs["queryset"] = chooser(admin_user(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        chooser = _CHOOSERS.get(db_field.related_model)
        if chooser is not None and "queryset" not in kwargs:
            kwargs["queryset"] = chooser(admin_user(request))
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
