"""The post-contact (procedural-justice) survey on the web: the instruments' five agreement items on
their 1-5 scale with "prefer not to say", then optional free text and demographics."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from rabta.feedback.models import PJ_ITEMS, AgeBand, ContactResponse, Gender, StartedBy
from rabta.feedback.services import MAX_FREE_TEXT

PREFER_NOT = "0"
AGREEMENT = [
    ("1", _("Strongly disagree")),
    ("2", _("Disagree")),
    ("3", _("Neither agree nor disagree")),
    ("4", _("Agree")),
    ("5", _("Strongly agree")),
    (PREFER_NOT, _("Prefer not to say")),
]


def _agreement(name: str) -> forms.TypedChoiceField:
    field = ContactResponse._meta.get_field(name)
    assert isinstance(field, models.Field)
    return forms.TypedChoiceField(
        label=field.verbose_name,
        choices=AGREEMENT,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


class ContactSurveyForm(forms.Form):
    voice = _agreement("voice")
    neutrality = _agreement("neutrality")
    respect = _agreement("respect")
    motives = _agreement("motives")
    overall = _agreement("overall")
    free_text = forms.CharField(
        label=_("What should the police do differently?"),
        help_text=_("Only police staff read this. Please do not write names."),
        max_length=MAX_FREE_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    started_by = forms.ChoiceField(
        label=_("Who started the contact? (optional)"),
        choices=StartedBy.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    gender = forms.ChoiceField(
        label=_("Gender (optional)"), choices=Gender.choices, required=False, widget=forms.RadioSelect
    )
    age_band = forms.ChoiceField(
        label=_("Age (optional)"), choices=AgeBand.choices, required=False, widget=forms.RadioSelect
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            not self.errors
            and not any(data.get(n) is not None for n in PJ_ITEMS)
            and not data.get("free_text")
        ):
            raise forms.ValidationError(_("Please answer at least one question."), code="empty")
        return data

    def items(self) -> dict[str, int | None]:
        """The five items as ContactResponse takes them: "prefer not to say" and skipped are None."""
        return {name: self.cleaned_data.get(name) or None for name in PJ_ITEMS}
