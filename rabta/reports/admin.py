"""Admin for categories only. Reports, their updates and photos are never listed here: the admin
would bypass visible_to (women's-desk and conduct reports must stay out of reach of station heads
and coordinators) and content_visible_to (a women-only report's words are for women officers of the
desk only). Staff read reports in the triage pages and the staff API, which apply both."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import HttpRequest

from rabta.people.models import Role
from rabta.reports.models import Category
from rabta.reports.open311.models import ApiClient


def _is_admin(request: HttpRequest) -> bool:
    user = request.user
    return (
        not isinstance(user, AnonymousUser)
        and user.is_active
        and (user.is_superuser or user.role == Role.ADMIN)
    )


class AdministratorsOnly:
    """Only administrators see these rows in the admin."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_admin(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_admin(request)


# ModelAdmin takes no type argument at runtime (django_stubs_ext is not patched in): hence the ignores.
@admin.register(Category)
class CategoryAdmin(AdministratorsOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    # Sensitivity decides who sees a report: only administrators may change categories.
    list_display = [
        "name",
        "code",
        "sensitivity",
        "first_contact_hours",
        "resolution_hours",
        "active",
        "publish_open311",
        "position",
    ]
    list_editable = ["active", "position"]
    list_filter = ["sensitivity", "active", "publish_open311"]
    search_fields = ["name", "name_ur", "name_ps", "code"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "code",
                    "name",
                    "name_ur",
                    "name_ps",
                    "hint",
                    "hint_ur",
                    "hint_ps",
                    "position",
                    "active",
                ]
            },
        ),
        ("Routing", {"fields": ["sensitivity", "suggest_woman_officer"]}),
        ("Open311", {"fields": ["open311_service_code", "publish_open311"]}),
        ("Deadlines", {"fields": ["first_contact_hours", "resolution_hours"]}),
    ]


# ---- Open311 client applications (API keys) -----------------------------------------------


@admin.register(ApiClient)
class ApiClientAdmin(AdministratorsOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    """Keys are stored hashed: a new key is shown once, in the message after saving, and never again."""

    list_display = ["name", "key_hint", "active", "hourly_limit", "created", "last_used"]
    list_filter = ["active"]
    search_fields = ["name"]
    readonly_fields = ["key_hint", "created", "last_used"]
    fields = ["name", "active", "hourly_limit", "notes", "key_hint", "created", "last_used"]
    actions = ["issue_new_key"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: submissions keep pointing at their client

    def save_model(self, request: HttpRequest, obj: ApiClient, form: Any, change: bool) -> None:
        key = None if change else obj.set_new_key()
        super().save_model(request, obj, form, change)
        if key:
            self._show_key(request, obj, key)

    def _show_key(self, request: HttpRequest, obj: ApiClient, key: str) -> None:
        messages.warning(
            request,
            f"API key for {obj.name}: {key} — copy it now; it is stored only as a hash "
            "and cannot be shown again.",
        )

    @admin.action(description="Issue a new key (the old one stops working)")
    def issue_new_key(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        for client in queryset:
            key = client.set_new_key()
            client.save(update_fields=["key_hash", "key_hint"])
            self._show_key(request, client, key)
