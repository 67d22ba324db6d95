"""The resident's report form and the tracking-code form. Work without JavaScript."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rabta.people.models import Gender
from rabta.places.lookup import beat_index
from rabta.places.models import AGE_BAND_LABELS, Beat
from rabta.reports.contact import normalise_email, normalise_phone
from rabta.reports.models import Category, Period
from rabta.reports.photos import PhotoError, ProcessedPhoto, process_upload
from rabta.reports.services import MAX_PHOTOS
from rabta.reports.tracking import normalise_code

PHOTO_FIELDS = tuple(f"photo{i}" for i in range(1, MAX_PHOTOS + 1))
# "About you": optional, for the representation ratio only; the blank first choice is the default.
ABOUT_YOU_FIELDS = ("reporter_gender", "reporter_age_band")
PREFER_NOT_TO_SAY = ("", _("Prefer not to say"))
# "60+" goes through translation: in right-to-left text a bare "+" lands before the number.
AGE_CHOICES = [
    PREFER_NOT_TO_SAY,
    *((band, _("60+") if band == "60" else label) for band, label in AGE_BAND_LABELS.items()),
]


def new_idempotency_key() -> str:
    return secrets.token_urlsafe(24)


# ModelChoiceField takes no type argument at runtime (django_stubs_ext is not patched in), so the
# stubs see a field of any model and each label_from_instance narrows it: hence the ignores.
class CategoryChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Category) -> str:  # type: ignore[override]
        return obj.local_name


class BeatChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Beat) -> str:  # type: ignore[override]
        return f"{obj.local_name} ({obj.station.local_name})"


class ReportForm(forms.Form):
    idempotency_key = forms.CharField(
        widget=forms.HiddenInput,
        validators=[RegexValidator(r"^[A-Za-z0-9_-]{20,64}$")],
        error_messages={"required": _("The form expired. Please send it again.")},
    )
    # Counts this form's submissions apart from others behind the same address (core.ratelimit.hit_form).
    form_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=120)
    category = CategoryChoiceField(
        label=_("What is it about?"),
        queryset=Category.objects.filter(active=True),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choose what your report is about.")},
    )
    beat = BeatChoiceField(
        label=_("Neighbourhood"),
        queryset=Beat.objects.select_related("station").only(
            "code", "name", "name_ur", "name_ps", "station__name", "station__name_ur", "station__name_ps"
        ),
        required=False,
        to_field_name="code",
        empty_label=_("Choose your neighbourhood"),
    )
    place_description = forms.CharField(
        label=_("Where exactly? (a street, a landmark)"), max_length=300, required=False
    )
    lat = forms.FloatField(widget=forms.HiddenInput, required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(widget=forms.HiddenInput, required=False, min_value=-180, max_value=180)
    description = forms.CharField(
        label=_("What happened?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        min_length=10,
        max_length=4000,
        error_messages={"required": _("Tell us what happened, in a few words.")},
    )
    occurred_on = forms.DateField(
        label=_("When? (date)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    occurred_period = forms.ChoiceField(
        label=_("Time of day"), choices=[("", _("Not sure")), *Period.choices], required=False
    )
    photo1 = forms.FileField(label=_("Photo (optional)"), required=False)
    photo2 = forms.FileField(label=_("Second photo"), required=False)
    photo3 = forms.FileField(label=_("Third photo"), required=False)
    phone = forms.CharField(label=_("Phone (optional)"), max_length=32, required=False)
    email = forms.CharField(label=_("Email (optional)"), max_length=254, required=False)
    no_sms = forms.BooleanField(label=_("Do not contact me by SMS"), required=False)
    safe_call_hours = forms.CharField(
        label=_("Hours when it is safe to call me"),
        max_length=100,
        required=False,
        help_text=_("For example: weekdays 10:00 to 12:00"),
    )
    woman_officer_only = forms.BooleanField(
        label=_("A woman officer only"),
        required=False,
        help_text=_(
            "Ticked, only women officers of the women's desk will read it; otherwise the police of "
            "your neighbourhood and their station head will."
        ),
    )
    neutral_wording = forms.BooleanField(
        label=_("Neutral wording in messages (for a shared phone or inbox)"),
        required=False,
        help_text=_("Our messages will say only that there is news, never what your report is about."),
    )

    survey_wanted = forms.BooleanField(
        label=_("Afterwards, send me one SMS asking how I was treated"),
        required=False,
        help_text=_(
            "Your answers are anonymous. For the women's desk and for complaints about an officer we "
            "send it only if you tick this."
        ),
    )
    reporter_gender = forms.ChoiceField(
        label=_("Gender (optional)"),
        choices=[PREFER_NOT_TO_SAY, *Gender.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    reporter_age_band = forms.ChoiceField(
        label=_("Age (optional)"),
        choices=AGE_CHOICES,
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name in PHOTO_FIELDS:
            self.fields[name].widget.attrs["accept"] = "image/jpeg,image/png,image/webp"
        self.fields["phone"].widget.input_type = "tel"  # type: ignore[attr-defined]
        self.fields["phone"].widget.attrs.update({"autocomplete": "off", "dir": "ltr"})
        self.fields["email"].widget.input_type = "email"  # type: ignore[attr-defined]
        self.fields["email"].widget.attrs.update({"autocomplete": "off", "dir": "ltr"})

    def _clean_photo(self, name: str) -> ProcessedPhoto | None:
        upload = self.cleaned_data.get(name)
        if not upload:
            return None
        try:
            return process_upload(upload)
        except PhotoError as exc:
            raise ValidationError(str(exc), code="photo") from None

    def clean_photo1(self) -> ProcessedPhoto | None:
        return self._clean_photo("photo1")

    def clean_photo2(self) -> ProcessedPhoto | None:
        return self._clean_photo("photo2")

    def clean_photo3(self) -> ProcessedPhoto | None:
        return self._clean_photo("photo3")

    def clean_phone(self) -> str:
        value = self.cleaned_data.get("phone", "").strip()
        return normalise_phone(value) if value else ""

    def clean_email(self) -> str:
        value = self.cleaned_data.get("email", "").strip()
        if not value:
            return ""
        try:
            return normalise_email(value)
        except ValidationError:
            message = _("Enter an email address such as name@example.com.")
            raise ValidationError(message, code="email") from None

    def clean_occurred_on(self) -> dt.date | None:
        day: dt.date | None = self.cleaned_data.get("occurred_on")
        if day and day > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lat, lon = data.get("lat"), data.get("lon")
        if (lat is None) != (lon is None):
            data["lat"] = data["lon"] = lat = lon = None
        if not data.get("beat") and "beat" not in self.errors:
            found = beat_index.beat_at(lat, lon) if lat is not None and lon is not None else None
            if found is None:
                self.add_error("beat", _("Choose your neighbourhood from the list."))
            else:
                data["beat"] = found
        return data

    @property
    def about_you(self) -> list[forms.BoundField]:
        return [self[name] for name in ABOUT_YOU_FIELDS]

    @property
    def photos(self) -> list[ProcessedPhoto]:
        return [self.cleaned_data[name] for name in PHOTO_FIELDS if self.cleaned_data.get(name)]

    @property
    def photo_failed(self) -> bool:
        return any(name in self.errors for name in PHOTO_FIELDS)


class TrackCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=40,
        help_text=_("The 10-digit code you were given, for example 482-177-3015."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "dir": "ltr"}),
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if code is None:
            raise ValidationError(_("A tracking code has 10 digits."))
        return code


class _TrackingActionForm(forms.Form):
    handle = forms.CharField(widget=forms.HiddenInput, max_length=200)


class AddInformationForm(_TrackingActionForm):
    """More from the resident on the tracking page: words, a photo, or both."""

    text = forms.CharField(
        label=_("Anything to add?"),
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        max_length=2000,
        required=False,
        help_text=_("Only the officers handling your report will read it."),
    )
    photo = forms.FileField(label=_("Photo (optional)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["photo"].widget.attrs["accept"] = "image/jpeg,image/png,image/webp"

    def clean_photo(self) -> ProcessedPhoto | None:
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        try:
            return process_upload(upload)
        except PhotoError as exc:
            raise ValidationError(str(exc), code="photo") from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("text") or "").strip() and not data.get("photo") and "photo" not in self.errors:
            self.add_error("text", _("Write something or choose a photo."))
        return data


class NotFixedForm(_TrackingActionForm):
    reason = forms.CharField(
        label=_("What is still wrong?"),
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        min_length=3,
        max_length=1000,
        error_messages={"required": _("Say in a few words what is still wrong.")},
    )
