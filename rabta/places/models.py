"""Where policing happens: districts, police stations and beats (a resident's neighbourhood)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from rabta.core.localized import local_text
from rabta.core.scoping import ScopeUser, scoped
from rabta.lib.geo import GeometryError, polygon_from_geojson
from rabta.lib.text import fold_compact, search_key, split_list

if TYPE_CHECKING:
    from shapely.geometry import MultiPolygon, Polygon

AGE_BANDS = ("15_29", "30_44", "45_59", "60")
AGE_BAND_LABELS = {"15_29": "15-29", "30_44": "30-44", "45_59": "45-59", "60": "60+"}
GENDERS = ("women", "men")
# What the search reads of a query: longer text is cut (a name is never this long).
MAX_SEARCH_LENGTH = 80
# The fields Beat.search_key is made from.
SEARCHED_FIELDS = frozenset({"code", "name", "name_ur", "name_ps", "areas", "areas_ur", "areas_ps"})

code_validator = RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9_-]*$", _("Use letters, digits, - and _ only."))


class LocalizedNameMixin(models.Model):
    """Place names in Latin script plus optional Urdu and Pashto spellings."""

    name = models.CharField(_("name"), max_length=120)
    name_ur = models.CharField(_("name in Urdu"), max_length=120, blank=True)
    name_ps = models.CharField(_("name in Pashto"), max_length=120, blank=True)

    class Meta:
        abstract = True

    @property
    def local_name(self) -> str:
        # Roman Urdu gets the Latin name (its SMS stay GSM-7); see rabta.core.localized.
        return local_text(self, "name")


class District(LocalizedNameMixin):
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    province = models.CharField(_("province"), max_length=80, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name


class PoliceStationQuerySet(models.QuerySet["PoliceStation"]):
    def visible_to(self, user: ScopeUser) -> PoliceStationQuerySet:
        return scoped(self, user, district="district_id", station="pk", beat="beats__pk")


class PoliceStation(LocalizedNameMixin):
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="stations")
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    address = models.CharField(_("address"), max_length=250, blank=True)
    phone = models.CharField(_("station phone"), max_length=32, blank=True)
    has_womens_desk = models.BooleanField(_("has a women's desk"), default=False)
    womens_desk_phone = models.CharField(_("women's desk phone"), max_length=32, blank=True)
    # Weekdays as ISO numbers (1 = Monday ... 7 = Sunday), e.g. "123456" for Monday to Saturday.
    womens_desk_days = models.CharField(
        _("women's desk days"),
        max_length=7,
        blank=True,
        validators=[RegexValidator(r"^[1-7]*$", _("Use ISO weekday digits 1 (Monday) to 7 (Sunday)."))],
    )
    womens_desk_opens = models.TimeField(_("women's desk opens"), null=True, blank=True)
    womens_desk_closes = models.TimeField(_("women's desk closes"), null=True, blank=True)

    objects = PoliceStationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("police station")
        verbose_name_plural = _("police stations")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.has_womens_desk:
            if not (self.womens_desk_days and self.womens_desk_opens and self.womens_desk_closes):
                raise ValidationError(_("A women's desk needs its days and opening hours."))
            assert self.womens_desk_opens is not None and self.womens_desk_closes is not None
            if self.womens_desk_opens >= self.womens_desk_closes:
                raise ValidationError(_("The women's desk must open before it closes."))

    @property
    def womens_desk_weekdays(self) -> list[int]:
        return sorted({int(c) for c in self.womens_desk_days})


class BeatQuerySet(models.QuerySet["Beat"]):
    def visible_to(self, user: ScopeUser) -> BeatQuerySet:
        """Beats a staff member works on: everything, a district, a station, or one beat."""
        return scoped(self, user, district="station__district_id", station="station_id", beat="pk")

    def search(self, text: str) -> BeatQuerySet:
        """Beats whose code, name or listed areas (any script) contain the text, compared folded
        (rabta.lib.text.fold_compact): "Gul abad", "گل اباد" and "ګل آباد" all find Gulabad.
        Nearest spellings when nothing contains it: rabta.places.search.match_beats."""
        needle = fold_compact(text[:MAX_SEARCH_LENGTH])
        if not needle:
            return self.none()
        return self.filter(search_key__contains=needle)


class Beat(LocalizedNameMixin):
    """A neighbourhood with its own known officers."""

    station = models.ForeignKey(PoliceStation, on_delete=models.PROTECT, related_name="beats")
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    areas = models.CharField(
        _("areas covered"),
        max_length=500,
        blank=True,
        help_text=_("Villages, mohallas and landmarks in this beat, comma-separated, in Latin script."),
    )
    areas_ur = models.CharField(
        _("areas covered, in Urdu"),
        max_length=500,
        blank=True,
        help_text=_("The same places in Urdu script, comma-separated."),
    )
    areas_ps = models.CharField(
        _("areas covered, in Pashto"),
        max_length=500,
        blank=True,
        help_text=_("The same places in Pashto script, comma-separated."),
    )
    # Names and areas folded for search (rabta.lib.text.search_key), derived on save.
    search_key = models.TextField(editable=False, default="")
    boundary = models.JSONField(_("boundary (GeoJSON geometry)"))
    # Derived from the boundary on save: for cheap bounding-box filters and map centring.
    centroid_lat = models.FloatField(editable=False, default=0.0)
    centroid_lon = models.FloatField(editable=False, default=0.0)
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    population_women_15_29 = models.PositiveIntegerField(_("women 15-29"), default=0)
    population_women_30_44 = models.PositiveIntegerField(_("women 30-44"), default=0)
    population_women_45_59 = models.PositiveIntegerField(_("women 45-59"), default=0)
    population_women_60 = models.PositiveIntegerField(_("women 60+"), default=0)
    population_men_15_29 = models.PositiveIntegerField(_("men 15-29"), default=0)
    population_men_30_44 = models.PositiveIntegerField(_("men 30-44"), default=0)
    population_men_45_59 = models.PositiveIntegerField(_("men 45-59"), default=0)
    population_men_60 = models.PositiveIntegerField(_("men 60+"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BeatQuerySet.as_manager()

    class Meta:
        ordering = ["station__name", "name"]
        verbose_name = _("beat")
        verbose_name_plural = _("beats")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        centroid = self.geometry.representative_point()
        self.centroid_lat, self.centroid_lon = round(centroid.y, 6), round(centroid.x, 6)
        self.search_key = self.make_search_key()
        update_fields = kwargs.get("update_fields")
        if update_fields:
            # Every change is stamped (other processes' lookup indexes notice it by updated_at), a
            # new boundary moves the centroid and a new name or area changes the search key. An
            # empty list still saves nothing, as in Django.
            derived = ("centroid_lat", "centroid_lon") if "boundary" in update_fields else ()
            if not SEARCHED_FIELDS.isdisjoint(update_fields):
                derived = (*derived, "search_key")
            kwargs["update_fields"] = {*update_fields, *derived, "updated_at"}
        super().save(*args, **kwargs)

    def make_search_key(self) -> str:
        areas = (*split_list(self.areas), *split_list(self.areas_ur), *split_list(self.areas_ps))
        return search_key((self.code, self.name, self.name_ur, self.name_ps), areas)

    @property
    def local_areas(self) -> str:
        """The areas in the reader's script, chosen as local_name chooses names."""
        return local_text(self, "areas")

    def clean(self) -> None:
        try:
            polygon_from_geojson(self.boundary)
        except GeometryError as exc:
            raise ValidationError({"boundary": str(exc)}) from None
        unknown = [code for code in self.languages or [] if not isinstance(code, str) or len(code) > 8]
        if not isinstance(self.languages, list) or unknown:
            raise ValidationError({"languages": _('Give languages as a list of codes such as ["ps", "ur"].')})

    @property
    def geometry(self) -> Polygon | MultiPolygon:
        return polygon_from_geojson(self.boundary)

    def population(self, gender: str | None = None, band: str | None = None) -> int:
        genders = [gender] if gender else list(GENDERS)
        bands = [band] if band else list(AGE_BANDS)
        return sum(getattr(self, f"population_{g}_{b}") for g in genders for b in bands)

    @property
    def population_total(self) -> int:
        return self.population()
