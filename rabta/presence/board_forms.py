"""Forms of the station head's presence pages: a beat's targets, a desk shift recorded after the fact."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rabta.presence.models import BeatTarget

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class TargetForm(forms.ModelForm):
    class Meta:
        model = BeatTarget
        fields = ["proactive_per_week", "night_share_percent", "max_days_between"]
        widgets = {
            "proactive_per_week": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 500}),
            "night_share_percent": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 100}),
            "max_days_between": forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": 90}),
        }


def _datetime_field(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )


class ShiftRecordForm(forms.Form):
    officer = forms.TypedChoiceField(label=_("Officer"), coerce=int)
    started_at = _datetime_field(_("Started"))
    ended_at = _datetime_field(_("Ended"))

    def __init__(self, *args: Any, officers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.officers = {o.pk: o for o in officers}
        field = self.fields["officer"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(o.pk, o.get_full_name() or o.username) for o in officers]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("started_at"), data.get("ended_at")
        if start and end and end <= start:
            self.add_error("ended_at", _("A shift cannot end before it starts."))
        return data
