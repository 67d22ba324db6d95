"""Admin for presence, cut to the user's scope (rabta.core.adminscope).

Contacts, targets and desk shifts are made on the staff pages (the log form, the targets page, the
desk page); the admin shows them to station heads and coordinators in their scope, and lets only
admins change them. A contact's GPS point is not shown here: it is read only through the audited
staff page. Feedback consents are not in the admin at all (an encrypted resident phone).
Officers' SMS phones are registered here by their station head or coordinator.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from rabta.core.adminscope import ALL_LEVELS, Level, ScopedModelAdmin, admin_user
from rabta.people.models import User
from rabta.presence import services
from rabta.presence.models import BeatTarget, Contact, DeskShift, OfficerPhone

ADMIN_ONLY: frozenset[Level] = frozenset({"admin"})


def _visible(
    request: HttpRequest, queryset: QuerySet[Any], visible_to: Callable[[User], QuerySet[Any]]
) -> QuerySet[Any]:
    user = request.user
    if not isinstance(user, User):
        return queryset.none()
    return queryset.filter(pk__in=visible_to(user).values("pk"))


@admin.register(Contact)
class ContactAdmin(ScopedModelAdmin):
    view_levels = ALL_LEVELS
    add_levels = change_levels = ADMIN_ONLY
    list_display = ["__str__", "kind", "proactive", "station", "officer", "channel"]
    list_select_related = ["station", "officer"]
    list_filter = ["kind", "proactive", "channel"]
    date_hierarchy = "started_at"
    exclude = ["lat", "lon"]
    raw_id_fields = ["officer", "report", "meeting"]
    filter_horizontal = ["beats"]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return _visible(request, queryset, Contact.objects.visible_to)


@admin.register(BeatTarget)
class BeatTargetAdmin(ScopedModelAdmin):
    view_levels = ALL_LEVELS
    add_levels = change_levels = ADMIN_ONLY
    list_display = ["beat", "proactive_per_week", "night_share_percent", "max_days_between", "updated_at"]
    list_select_related = ["beat__station"]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return _visible(request, queryset, BeatTarget.objects.visible_to)


@admin.register(DeskShift)
class DeskShiftAdmin(ScopedModelAdmin):
    view_levels = ALL_LEVELS
    add_levels = change_levels = ADMIN_ONLY
    list_display = ["station", "officer", "started_at", "ended_at"]
    list_select_related = ["station", "officer"]
    date_hierarchy = "started_at"
    raw_id_fields = ["officer"]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return _visible(request, queryset, DeskShift.objects.visible_to)


class OfficerPhoneForm(forms.ModelForm):
    number = forms.CharField(
        label=_("Phone number the officer texts from"),
        max_length=32,
        help_text=_("Only this number can send LOG by SMS for this officer."),
    )

    class Meta:
        model = OfficerPhone
        fields = ["officer"]


@admin.register(OfficerPhone)
class OfficerPhoneAdmin(ScopedModelAdmin):
    form = OfficerPhoneForm
    delete_levels = ALL_LEVELS
    list_display = ["officer", "phone", "created_at"]
    list_select_related = ["officer", "phone"]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return _visible(request, queryset, OfficerPhone.objects.visible_to)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # The number goes to messaging's Phone (encrypted, blind index) through the service.
        link = services.register_officer_phone(
            officer=form.cleaned_data["officer"],
            number=form.cleaned_data["number"],
            by=admin_user(request),  # type: ignore[arg-type]
        )
        obj.pk, obj.phone_id = link.pk, link.phone_id

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form_class = super().get_form(request, obj, change, **kwargs)

        class Checked(form_class):  # type: ignore[misc, valid-type]
            def clean(self) -> dict[str, Any]:
                data = super().clean() or {}
                officer, number = data.get("officer"), data.get("number")
                if officer is not None and number:
                    try:
                        services.check_officer_phone(officer=officer, number=number)
                    except ValidationError as exc:
                        self.add_error("number" if hasattr(exc, "error_dict") else None, exc.messages[0])
                return data

        return Checked
