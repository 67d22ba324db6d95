"""Forms of the community trust and safety survey: one field per item, every item
skippable, scales exactly as the survey instruments write them (0-10, the six walking answers, yes/no)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from rabta.core import ratelimit
from rabta.feedback.models import (
    CODE_LENGTH,
    AgeBand,
    CommunityResponse,
    Gender,
    WalkSafety,
    normalise_code,
)
from rabta.feedback.services import MAX_FREE_TEXT
from rabta.places.models import Beat

FORM_PURPOSE = "feedback-survey"
SCORED_FIELDS = (
    "trust_respect",
    "trust_listen",
    "safety",
    "walk_day",
    "walk_dark",
    "knows_officer",
    "willingness",
)
WALK_FIELDS = ("walk_day", "walk_dark")


def _label(name: str) -> Any:
    # The item wording lives once, on the model field, as the survey instruments word it.
    field = CommunityResponse._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field.verbose_name


def _ten_point(name: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=_label(name),
        choices=[(str(n), str(n)) for n in range(11)],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


def _walk(name: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_label(name), choices=WalkSafety.choices, required=False, widget=forms.RadioSelect
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Your code"),
        max_length=20,
        help_text=_("The eight letters and numbers on your slip, for example 4KX7-M9PQ."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if len(code) != CODE_LENGTH:
            raise forms.ValidationError(_("A code has eight letters and numbers."))
        return code


class SurveyForm(forms.Form):
    """The survey. A bound form carries the invitation code (or the open-link token) in a hidden field,
    so the code is spent only when the whole form is valid."""

    code = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)
    form_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=120)
    trust_respect = _ten_point("trust_respect")
    trust_listen = _ten_point("trust_listen")
    safety = _ten_point("safety")
    walk_day = _walk("walk_day")
    walk_dark = _walk("walk_dark")
    knows_officer = forms.TypedChoiceField(
        label=_label("knows_officer"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    willingness = _ten_point("willingness")
    top_issue = forms.CharField(
        label=_("What is the number one problem in this neighbourhood you want the police to deal with?"),
        help_text=_("Only police staff read this. Please do not write names."),
        max_length=MAX_FREE_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    gender = forms.ChoiceField(
        label=_("Gender (optional)"), choices=Gender.choices, required=False, widget=forms.RadioSelect
    )
    age_band = forms.ChoiceField(
        label=_("Age (optional)"), choices=AgeBand.choices, required=False, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, beats: Sequence[Beat] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("form_token", ratelimit.new_form_token(FORM_PURPOSE))
        if len(beats) > 1:
            # An open link shared across beats: the answer must still be filed under one.
            self.fields["beat"] = forms.TypedChoiceField(
                label=_("Which neighbourhood do you live in?"),
                choices=[(str(b.pk), b.local_name) for b in beats],
                coerce=int,
                widget=forms.RadioSelect,
            )
            self.order_fields(["beat"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not self.answered_anything():
            raise forms.ValidationError(_("Please answer at least one question."), code="empty")
        return data

    def answers(self) -> dict[str, object]:
        """The scored items as CommunityResponse takes them: a skipped choice is blank, a skipped
        number or yes/no is None."""
        data = self.cleaned_data
        found: dict[str, object] = {}
        for name in SCORED_FIELDS:
            value = data.get(name)
            found[name] = value if value not in ("", None) else ("" if name in WALK_FIELDS else None)
        return found

    def answered_anything(self) -> bool:
        data = self.cleaned_data
        return any(data.get(name) not in ("", None) for name in (*SCORED_FIELDS, "top_issue"))
