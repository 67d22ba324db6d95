"""Back office for districts, stations and beats, cut to each manager's scope (see core.adminscope)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from rabta.core.adminscope import ScopedModelAdmin, admin_level, admin_user, limit_choices
from rabta.places.models import AGE_BANDS, GENDERS, Beat, District, PoliceStation
from rabta.places.selectors import beats_for, districts_for, stations_for

# Wherever a scoped admin's form points to a place, it offers only the manager's own places.
limit_choices(District, districts_for)
limit_choices(PoliceStation, stations_for)
limit_choices(Beat, beats_for)


@admin.register(District)
class DistrictAdmin(ScopedModelAdmin):
    list_display = ["code", "name", "province"]
    search_fields = ["code", "name", "name_ur", "name_ps"]
    # Coordinators see their own district (read-only); only admins create or change districts.
    view_levels = frozenset({"admin", "district"})
    add_levels = frozenset({"admin"})
    change_levels = frozenset({"admin"})
    delete_levels = frozenset({"admin"})

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return districts_for(admin_user(request), queryset)


@admin.register(PoliceStation)
class PoliceStationAdmin(ScopedModelAdmin):
    list_display = ["code", "name", "district", "has_womens_desk", "phone"]
    list_filter = ["has_womens_desk", ("district", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["district"]
    search_fields = ["code", "name", "name_ur", "name_ps"]
    fieldsets = [
        (None, {"fields": ["district", "code", "name", "name_ur", "name_ps", "address", "phone"]}),
        (
            _("Women's desk"),
            {
                "fields": [
                    "has_womens_desk",
                    "womens_desk_phone",
                    "womens_desk_days",
                    "womens_desk_opens",
                    "womens_desk_closes",
                ]
            },
        ),
    ]
    # Station heads keep their own station's phones and desk hours current, nothing more.
    add_levels = frozenset({"admin", "district"})
    delete_levels = frozenset({"admin", "district"})

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return stations_for(admin_user(request), queryset)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if admin_level(request.user) == "station":
            return ["district", "code"]
        return []


@admin.register(Beat)
class BeatAdmin(ScopedModelAdmin):
    list_display = ["code", "name", "station", "population_total"]
    list_filter = [("station", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["station"]
    search_fields = ["code", "name", "name_ur", "name_ps", "areas", "areas_ur", "areas_ps"]
    readonly_fields = ["centroid_lat", "centroid_lon", "updated_at"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "station",
                    "code",
                    "name",
                    "name_ur",
                    "name_ps",
                    "areas",
                    "areas_ur",
                    "areas_ps",
                    "languages",
                ]
            },
        ),
        (
            _("Boundary"),
            {
                "fields": ["boundary", "centroid_lat", "centroid_lon", "updated_at"],
                "description": _(
                    "A GeoJSON Polygon or MultiPolygon in longitude, latitude order (RFC 7946). "
                    "To load many beats at once use the import_beats command."
                ),
            },
        ),
        (
            _("Population by gender and age"),
            {"fields": [f"population_{g}_{b}" for g in GENDERS for b in AGE_BANDS]},
        ),
    ]
    delete_levels = frozenset({"admin", "district"})

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return beats_for(admin_user(request), queryset)

    @admin.display(description=_("population"))
    def population_total(self, obj: Beat) -> int:
        return obj.population_total
