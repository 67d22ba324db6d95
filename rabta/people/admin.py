"""Back office for accounts and officer profiles, cut to each manager's scope (see adminscope)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.files.base import ContentFile
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from rabta.lib.images import reencode_image
from rabta.people.adminscope import (
    MANAGEABLE_ROLES,
    ParentPermissionInline,
    ScopedAdminMixin,
    ScopedModelAdmin,
    admin_level,
    beats_for,
    stations_for,
    users_for,
)
from rabta.people.models import OfficerProfile, Role, TrainingRecord, User

PHOTO_MAX_SIDE = 512
PHOTO_MAX_BYTES = 10 * 1024 * 1024
OFFICER_ROLES = (Role.OFFICER, Role.WOMENS_DESK, Role.STATION_HEAD, Role.DISTRICT_COORDINATOR)


@admin.register(User)
class UserAdmin(ScopedAdminMixin, DjangoUserAdmin):  # type: ignore[type-arg]
    list_display = ["username", "first_name", "last_name", "role", "scope", "is_active"]
    list_filter = ["role", "is_active"]
    list_select_related = ["scope_district", "scope_station", "scope_beat"]
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering = ["username"]
    # Accounts are deactivated, never deleted by scoped managers: the access log keeps its actors.
    delete_levels = frozenset({"admin"})

    _role_and_scope = (_("Role and scope"), {"fields": ("role", "scope_station", "scope_beat")})
    _admin_role_and_scope = (
        _("Role and scope"),
        {"fields": ("role", "scope_district", "scope_station", "scope_beat", "preferred_language")},
    )

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(pk__in=users_for(request.user).values("pk"))

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        is_admin = admin_level(request.user) == "admin"
        if obj is None:
            return [
                (
                    None,
                    {
                        "classes": ("wide",),
                        "fields": ("username", "usable_password", "password1", "password2"),
                    },
                ),
                (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
                self._admin_role_and_scope if is_admin else self._role_and_scope,
            ]
        if is_admin:
            return [*(self.fieldsets or ()), self._admin_role_and_scope]
        # No superuser, group or permission fields: scoped managers give roles, not raw rights.
        return [
            (None, {"fields": ("username", "password")}),
            (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
            self._role_and_scope,
            (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["last_login", "date_joined"] if obj is not None else []

    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "role":
            allowed = MANAGEABLE_ROLES.get(admin_level(request.user) or "station", ())  # type: ignore[call-overload]
            kwargs["choices"] = [(value, label) for value, label in Role.choices if value in allowed]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    @admin.display(description=_("scope"))
    def scope(self, obj: User) -> str:
        return str(obj.scope_beat or obj.scope_station or obj.scope_district or "")


class TrainingRecordInline(ParentPermissionInline, admin.TabularInline):  # type: ignore[type-arg]
    model = TrainingRecord
    extra = 0
    fields = ["course", "completed_on", "provider"]


class OfficerProfileForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = OfficerProfile
        fields = [
            "user", "rank", "service_number", "gender", "station", "beats", "on_womens_desk",
            "languages", "public_bio", "duty_phone", "photo", "is_public",
        ]  # fmt: skip

    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        if not photo or not hasattr(photo, "content_type"):  # unchanged, cleared, or nothing uploaded
            return photo
        if photo.size > PHOTO_MAX_BYTES:
            raise forms.ValidationError(_("This photo is too large. Use a file under 10 MB."))
        try:
            jpeg = reencode_image(photo, max_side=PHOTO_MAX_SIDE, quality=85)
        except ValueError:
            raise forms.ValidationError(
                _("This file is not an image we can read. Upload a JPEG or PNG photo.")
            ) from None
        # Stored from the re-encoded pixels only: no location or camera data from the phone.
        return ContentFile(jpeg, name="photo.jpg")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        station = cleaned.get("station")
        beats = cleaned.get("beats")
        if station is not None and beats:
            foreign = [beat for beat in beats if beat.station_id != station.pk]
            if foreign:
                self.add_error(
                    "beats",
                    _("These beats belong to another station: %(beats)s")
                    % {"beats": ", ".join(beat.code for beat in foreign)},
                )
        return cleaned


@admin.register(OfficerProfile)
class OfficerProfileAdmin(ScopedModelAdmin):
    form = OfficerProfileForm
    inlines = [TrainingRecordInline]
    list_display = [
        "service_number",
        "display_name",
        "rank",
        "gender",
        "station",
        "on_womens_desk",
        "is_public",
    ]
    list_filter = ["rank", "gender", "on_womens_desk", ("station", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["user", "station"]
    search_fields = ["service_number", "user__username", "user__first_name", "user__last_name"]
    filter_horizontal = ["beats"]
    fields = [
        "user",
        "rank",
        "service_number",
        "gender",
        "station",
        "beats",
        "on_womens_desk",
        "languages",
        "public_bio",
        "duty_phone",
        "photo",
        "is_public",
    ]
    delete_levels = frozenset({"admin", "district", "station"})

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(station__in=stations_for(request.user))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A profile belongs to one account for good; a transfer changes station and beats instead.
        return ["user"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "user":
            kwargs["queryset"] = users_for(request.user).filter(
                role__in=OFFICER_ROLES, officer_profile__isnull=True
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "beats":
            kwargs["queryset"] = beats_for(request.user).select_related("station")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("name"), ordering="user__last_name")
    def display_name(self, obj: OfficerProfile) -> str:
        return obj.display_name
