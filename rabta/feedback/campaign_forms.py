"""Staff forms for campaigns, code batches and the assisted entry of paper forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from rabta.feedback.campaigns import MAX_BATCH
from rabta.feedback.models import CODE_LENGTH, Campaign, normalise_code
from rabta.feedback.survey_forms import SurveyForm
from rabta.places.models import Beat


class BeatChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.local_name} ({obj.station.local_name})"


class BeatsField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.local_name} ({obj.station.local_name})"


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    beats = BeatsField(label=_("Beats"), queryset=Beat.objects.none(), widget=forms.CheckboxSelectMultiple)
    opens_on = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, beats: QuerySet[Beat], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["beats"].queryset = beats.select_related("station").order_by("name")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", _("The last day cannot be before the first day."))
        return data


class CodeBatchForm(forms.Form):
    beat = BeatChoiceField(label=_("Beat"), queryset=Beat.objects.none())
    count = forms.IntegerField(label=_("How many codes"), min_value=1, max_value=MAX_BATCH, initial=50)

    def __init__(self, *args: Any, beats: QuerySet[Beat], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["beat"].queryset = beats.select_related("station").order_by("name")  # type: ignore[attr-defined]


class SmsInviteForm(forms.Form):
    beat = BeatChoiceField(label=_("Beat"), queryset=Beat.objects.none())
    numbers = forms.CharField(
        label=_("Phone numbers"),
        help_text=_("One per line, as residents gave them. Each phone is invited at most once in 30 days."),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 5, "dir": "ltr", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, beats: QuerySet[Beat], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["beat"].queryset = beats.select_related("station").order_by("name")  # type: ignore[attr-defined]


class PaperForm(SurveyForm):
    """A paper form typed in by staff: the same items, plus the campaign and beat, and the slip's code
    when the form came with one (then the code is spent)."""

    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none())
    beat = BeatChoiceField(label=_("Beat"), queryset=Beat.objects.none())
    slip_code = forms.CharField(label=_("Code on the slip (if there is one)"), max_length=20, required=False)

    def __init__(
        self, *args: Any, campaigns: QuerySet[Campaign], beats: QuerySet[Beat], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns  # type: ignore[attr-defined]
        self.fields["beat"].queryset = beats.select_related("station").order_by("name")  # type: ignore[attr-defined]
        self.order_fields(["campaign", "beat", "slip_code"])

    def clean_slip_code(self) -> str:
        code = normalise_code(self.cleaned_data.get("slip_code") or "")
        if code and len(code) != CODE_LENGTH:
            raise forms.ValidationError(_("A code has eight letters and numbers."))
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        campaign, beat = data.get("campaign"), data.get("beat")
        if campaign and beat and not campaign.beats.filter(pk=beat.pk).exists():
            self.add_error("beat", _("This campaign does not run in that beat."))
        return data
