"""The outgoing e-mails, for administrators: whether each was sent, and if not, why.

Read-only, administrators only. Neither list nor detail shows a recipient, subject or body (they are
encrypted, and erased once sent): an overdue notice's subject names a report, and whether a
reporter's subject is the neutral one would tell who asked for neutral wording. The purpose says
what kind of e-mail it was.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from rabta.core.adminscope import admin_level
from rabta.core.models import OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("pk", "purpose", "status", "attempts", "last_error", "created_at", "next_attempt_at")
    list_filter = ("status", "purpose")
    fields = ("purpose", "status", "attempts", "last_error", "created_at", "next_attempt_at", "sent_at")
    readonly_fields = fields
    date_hierarchy = "created_at"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and admin_level(request.user) == "admin")  # type: ignore[arg-type]

    def has_view_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False
