"""The access log in the admin: read-only, for administrators only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from rabta.audit.models import AccessLog
from rabta.core.adminscope import admin_level


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Append-only: no add, change or delete here, and no bulk actions that could try.

    Oversight members read the log through Rabta's own pages; in the admin only administrators do.
    """

    list_display = ["at", "actor", "action", "object_type", "object_id", "detail"]
    list_filter = ["action", "object_type"]
    list_select_related = ["actor"]
    search_fields = ["object_type", "object_id", "actor__username"]
    date_hierarchy = "at"
    actions = None
    readonly_fields = ["at", "actor", "action", "object_type", "object_id", "detail"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return admin_level(request.user) == "admin"

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin_level(request.user) == "admin"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
