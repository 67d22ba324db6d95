"""Admin for feedback: the managed list of themes (all admin levels), and campaigns to view in scope.

Answers, free texts, codes and invitations are not in the admin: answers are read only as counts on
the results pages, free texts only on the audited staff page, and a code list next to the answers
would be the one place a reader could try to line them up.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from rabta.core.adminscope import ALL_LEVELS, Level, ScopedModelAdmin
from rabta.feedback.models import Campaign, Theme
from rabta.people.models import User

ADMIN_ONLY: frozenset[Level] = frozenset({"admin"})


@admin.register(Theme)
class ThemeAdmin(ScopedModelAdmin):
    # Themes are one list for the whole province, so answers tagged in two districts count together.
    view_levels = ALL_LEVELS
    add_levels = change_levels = ALL_LEVELS
    list_display = ["name", "name_ur", "name_ps", "code", "active"]
    list_filter = ["active"]
    search_fields = ["name", "name_ur", "name_ps", "code"]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset


@admin.register(Campaign)
class CampaignAdmin(ScopedModelAdmin):
    # Made and edited on the staff campaign pages (scope rules there); listed here for admins.
    view_levels = ALL_LEVELS
    add_levels = change_levels = ADMIN_ONLY
    list_display = ["name", "opens_on", "closes_on"]
    date_hierarchy = "opens_on"
    filter_horizontal = ["beats"]
    exclude = ["created_by"]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        user = request.user
        if not isinstance(user, User):
            return queryset.none()
        return queryset.filter(pk__in=Campaign.objects.visible_to(user).values("pk"))
