"""Admin for setting up committees, members, partner agencies and facilitators, cut to the user's scope.

Named registers are not in the admin: they are read only through the audited staff page. Meetings,
priorities and action items are worked on in the staff pages; the admin shows them to admins only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from rabta.core.adminscope import Level, ParentPermissionInline, ScopedModelAdmin
from rabta.engagement.models import (
    ActionItem,
    Committee,
    CommitteeMember,
    Facilitator,
    Meeting,
    PartnerAgency,
    Priority,
)
from rabta.people.models import User

ADMIN_ONLY: frozenset[Level] = frozenset({"admin"})


def _visible(
    request: HttpRequest, queryset: QuerySet[Any], visible_to: Callable[[User], QuerySet[Any]]
) -> QuerySet[Any]:
    """The rows of `queryset` that `visible_to` gives the request's user (none for a visitor)."""
    user = request.user
    if not isinstance(user, User):
        return queryset.none()
    return queryset.filter(pk__in=visible_to(user).values("pk"))


class CommitteeMemberInline(ParentPermissionInline, admin.TabularInline):  # type: ignore[type-arg]
    model = CommitteeMember
    extra = 1
    raw_id_fields = ["user"]


@admin.register(Committee)
class CommitteeAdmin(ScopedModelAdmin):
    list_display = ["name", "cadence", "liaison_officer", "started_on", "is_active"]
    list_select_related = ["liaison_officer"]
    filter_horizontal = ["beats"]
    inlines = [CommitteeMemberInline]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return _visible(request, queryset, Committee.objects.visible_to)


@admin.register(PartnerAgency)
class PartnerAgencyAdmin(ScopedModelAdmin):
    list_display = ["name", "kind", "district", "contact_name"]
    list_select_related = ["district"]
    list_filter = ["kind"]
    search_fields = ["name"]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return _visible(request, queryset, PartnerAgency.objects.visible_to)


@admin.register(Facilitator)
class FacilitatorAdmin(ScopedModelAdmin):
    list_display = ["user", "gender", "organisation"]
    raw_id_fields = ["user"]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset


@admin.register(Meeting)
class MeetingAdmin(ScopedModelAdmin):
    view_levels = add_levels = change_levels = ADMIN_ONLY
    list_display = ["__str__", "status", "venue"]
    list_filter = ["kind", "status"]
    date_hierarchy = "starts_at"
    exclude = ["minutes"]
    filter_horizontal = ["beats", "facilitators"]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.none()


@admin.register(Priority)
class PriorityAdmin(ScopedModelAdmin):
    view_levels = add_levels = change_levels = ADMIN_ONLY
    list_display = ["issue", "beat", "raised_by", "raised_on"]
    list_filter = ["raised_by"]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.none()


@admin.register(ActionItem)
class ActionItemAdmin(ScopedModelAdmin):
    view_levels = add_levels = change_levels = ADMIN_ONLY
    list_display = ["action", "status", "due_on", "done_on"]
    list_filter = ["status"]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.none()
