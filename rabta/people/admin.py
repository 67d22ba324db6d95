"""Back office for accounts and officer profiles, cut to each manager's scope (see core.adminscope)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rabta.core.adminscope import (
    ParentPermissionInline,
    ScopedAdminMixin,
    ScopedModelAdmin,
    admin_level,
    admin_user,
    limit_choices,
)
from rabta.lib.images import ImageTooLarge, reencode_image
from rabta.people import approvals
from rabta.people.models import MANAGEABLE_ROLES, OfficerProfile, Role, RoleRequest, TrainingRecord, User
from rabta.people.selectors import users_for
from rabta.places.selectors import beats_for, stations_for

PHOTO_MAX_SIDE = 512
PHOTO_MAX_BYTES = 10 * 1024 * 1024
OFFICER_ROLES = (Role.OFFICER, Role.WOMENS_DESK, Role.STATION_HEAD, Role.DISTRICT_COORDINATOR)
_FILED = "_rabta_role_request"  # set on the HttpRequest when a save filed a RoleRequest instead
_HELD_FIELDS = ("role", "scope_district", "scope_station", "scope_beat", "is_superuser")

# Wherever a scoped admin's form points to an account, it offers only accounts the manager manages.
limit_choices(User, users_for)


def _manager(request: HttpRequest) -> User:
    # The admin site lets in only logged-in managers (admin_level); anything else is refused.
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def _waiting_response(model_admin: admin.ModelAdmin[Any], request: HttpRequest, obj: Any) -> HttpResponse:
    """After a save that filed a role request: say so, and go where the manager can still look."""
    model_admin.message_user(
        request,
        gettext(
            "Waiting for a second person's approval: the new role and scope take effect only "
            "once someone else who holds that scope approves them. Until then the account keeps "
            "what it had."
        ),
        messages.WARNING,
    )
    opts = model_admin.model._meta
    if model_admin.get_queryset(request).filter(pk=obj.pk).exists():
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    else:
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return HttpResponseRedirect(url)


class WaitingForApproval:
    """After a save that filed a role request instead of giving the role, say so (both admins below)."""

    def response_add(self, request: HttpRequest, obj: Any, post_url_continue: str | None = None) -> Any:
        if getattr(request, _FILED, None) is not None:
            return _waiting_response(self, request, obj)  # type: ignore[arg-type]
        return super().response_add(request, obj, post_url_continue)  # type: ignore[misc]

    def response_change(self, request: HttpRequest, obj: Any) -> Any:
        if getattr(request, _FILED, None) is not None:
            return _waiting_response(self, request, obj)  # type: ignore[arg-type]
        return super().response_change(request, obj)  # type: ignore[misc]


@admin.register(User)
class UserAdmin(WaitingForApproval, ScopedAdminMixin, DjangoUserAdmin):  # type: ignore[type-arg]
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
        return queryset.filter(pk__in=users_for(admin_user(request)).values("pk"))

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
        if obj is None:
            return []
        if admin_level(request.user) != "admin" and obj.pk != request.user.pk:
            # The address a password reset goes to: a manager who could change it could take the
            # account over after a device reset (docs/roles-and-visibility.md, "Staff accounts").
            return ["email", "last_login", "date_joined"]
        return ["last_login", "date_joined"]

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        # Only the person (through the reset e-mail) or an administrator sets a password: a scoped
        # manager who set one after resetting the authenticator could pair their own device with it.
        if admin_level(request.user) != "admin" and str(id) != str(request.user.pk):
            if self.get_object(request, id) is None:
                raise Http404
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "role":
            allowed = MANAGEABLE_ROLES[admin_level(request.user) or "station"]
            kwargs["choices"] = [(value, label) for value, label in Role.choices if value in allowed]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    @admin.display(description=_("scope"))
    def scope(self, obj: User) -> str:
        return str(obj.scope_beat or obj.scope_station or obj.scope_district or "")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """A sensitive role or scope (or superuser status) is not saved: it becomes a RoleRequest.

        Everything else on the form is saved; the role, scope and superuser flag stay as they were
        (a new account starts as a resident with no scope) until a second person approves.
        """
        before = User.objects.filter(pk=obj.pk).first() if change else None
        wanted = {
            "role": obj.role,
            "scope_district": obj.scope_district,
            "scope_station": obj.scope_station,
            "scope_beat": obj.scope_beat,
        }
        if obj.is_superuser and not (before is not None and before.is_superuser):
            wanted = {"role": Role.ADMIN, "scope_district": None, "scope_station": None, "scope_beat": None}
        if not approvals.needs_approval(
            before=before,
            role=obj.role,
            scope_district_id=obj.scope_district_id,
            scope_station_id=obj.scope_station_id,
            scope_beat_id=obj.scope_beat_id,
            is_superuser=obj.is_superuser,
        ):
            super().save_model(request, obj, form, change)
            return
        if before is None:
            obj.role = approvals.PLACEHOLDER_ROLE
            obj.scope_district = obj.scope_station = obj.scope_beat = None
            obj.is_superuser = False
        else:
            obj.role = before.role
            obj.scope_district_id = before.scope_district_id
            obj.scope_station_id = before.scope_station_id
            obj.scope_beat_id = before.scope_beat_id
            obj.is_superuser = before.is_superuser
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            filed = approvals.request_role(user=obj, by=_manager(request), **wanted)
        setattr(request, _FILED, filed)

    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> Any:
        message = super().construct_change_message(request, form, formsets, add)
        if getattr(request, _FILED, None) is None:
            return message
        # The admin's history must not say the role changed when only a request was filed.
        with translation.override(None):
            held = {str(form.fields[name].label or name) for name in _HELD_FIELDS if name in form.fields}
        for entry in message:
            if "changed" in entry:
                entry["changed"]["fields"] = [f for f in entry["changed"]["fields"] if f not in held]
        return [entry for entry in message if entry.get("changed", {"fields": True})["fields"]]


class TrainingRecordInline(ParentPermissionInline, admin.TabularInline):  # type: ignore[type-arg]
    model = TrainingRecord
    extra = 0
    fields = ["course", "completed_on", "provider"]


class OfficerProfileForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = OfficerProfile
        fields = [
            "user", "rank", "service_number", "gender", "station", "beats", "on_womens_desk",
            "display_name_ur", "display_name_ps", "languages", "public_bio", "public_bio_ur",
            "public_bio_ps", "duty_phone", "photo", "is_public",
        ]  # fmt: skip
        widgets = {
            "display_name_ur": forms.TextInput(attrs={"lang": "ur", "dir": "rtl"}),
            "display_name_ps": forms.TextInput(attrs={"lang": "ps", "dir": "rtl"}),
            "public_bio_ur": forms.Textarea(attrs={"lang": "ur", "dir": "rtl", "rows": 3}),
            "public_bio_ps": forms.Textarea(attrs={"lang": "ps", "dir": "rtl", "rows": 3}),
        }
        # A plain file field: Django's ImageField would open the upload itself and answer a pixel
        # bomb with "not a valid image"; clean_photo re-encodes it and says what the limit is.
        field_classes = {"photo": forms.FileField}

    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        if not photo or not hasattr(photo, "content_type"):  # unchanged, cleared, or nothing uploaded
            return photo
        if photo.size > PHOTO_MAX_BYTES:
            raise forms.ValidationError(_("This photo is too large. Use a file under 10 MB."))
        try:
            jpeg = reencode_image(photo, max_side=PHOTO_MAX_SIDE, quality=85)
        except ImageTooLarge as exc:
            raise forms.ValidationError(
                _("This image has too many pixels. Use one of at most %(megapixels)d megapixels.")
                % {"megapixels": max(1, exc.limit // 1_000_000)}
            ) from None
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
class OfficerProfileAdmin(WaitingForApproval, ScopedModelAdmin):
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
        "display_name_ur",
        "display_name_ps",
        "languages",
        "public_bio",
        "public_bio_ur",
        "public_bio_ps",
        "duty_phone",
        "photo",
        "is_public",
    ]
    delete_levels = frozenset({"admin", "district", "station"})

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(station__in=stations_for(admin_user(request)))

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Serving on the women's desk opens its reports, so joining it (or moving a desk officer to
        another station) is a request for the women's-desk role there, unless that role at that
        station was already approved for the account."""
        before = OfficerProfile.objects.filter(pk=obj.pk).first() if change else None
        joins = obj.on_womens_desk and not (
            before is not None and before.on_womens_desk and before.station_id == obj.station_id
        )
        account = obj.user
        approved = account.role == Role.WOMENS_DESK and account.scope_station_id == obj.station_id
        if not joins or approved:
            super().save_model(request, obj, form, change)
            return
        obj.on_womens_desk = False
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            filed = approvals.request_role(
                user=account, role=Role.WOMENS_DESK, scope_station=obj.station, by=_manager(request)
            )
        setattr(request, _FILED, filed)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A profile belongs to one account for good; a transfer changes station and beats instead.
        return ["user"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "user":
            kwargs["queryset"] = users_for(admin_user(request)).filter(
                role__in=OFFICER_ROLES, officer_profile__isnull=True
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "beats":
            kwargs["queryset"] = beats_for(admin_user(request)).select_related("station")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("name"), ordering="user__last_name")
    def display_name(self, obj: OfficerProfile) -> str:
        return obj.display_name


@admin.register(RoleRequest)
class RoleRequestAdmin(ScopedModelAdmin):
    """Read-only history for admins; requests are decided on the staff page, by the table in approvals."""

    view_levels = frozenset({"admin"})
    add_levels = change_levels = delete_levels = frozenset()
    list_display = [
        "requested_at",
        "user",
        "role",
        "scope",
        "requested_by",
        "state",
        "decided_by",
        "decided_at",
    ]
    list_filter = ["state", "role"]
    list_select_related = [
        "user",
        "requested_by",
        "decided_by",
        "scope_district",
        "scope_station",
        "scope_beat",
    ]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.none()

    @admin.display(description=_("scope"))
    def scope(self, obj: RoleRequest) -> str:
        return str(obj.scope_beat or obj.scope_station or obj.scope_district or "")
