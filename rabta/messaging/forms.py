"""Forms for SMS pages: a phone number field, beat sign-up, the simulator, and a broadcast."""

from __future__ import annotations

from typing import Any, TypedDict

from django import forms
from django.utils.translation import gettext_lazy as _

from rabta.lib.phones import InvalidPhoneNumber, normalise
from rabta.lib.sms import segment_info
from rabta.messaging.simulator import is_test_number
from rabta.people.models import User
from rabta.places.models import Beat, District, PoliceStation


class PhoneField(forms.CharField):
    default_error_messages = {
        "invalid": _("Enter a mobile number such as 0300 1234567."),
    }

    def clean(self, value: Any) -> str:
        text: str = super().clean(value)
        if not text:
            return text
        try:
            return normalise(text)
        except InvalidPhoneNumber:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class SubscribeForm(forms.Form):
    phone = PhoneField(label=_("Your mobile number"), max_length=20)


class SimulateForm(forms.Form):
    phone = PhoneField(label=_("From number"), max_length=20, initial="0300 1234567")
    text = forms.CharField(label=_("Message"), max_length=1600, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_phone(self) -> str:
        number = self.cleaned_data["phone"]
        # Speaking for a real resident could send STOP, or read replies meant for them.
        if number and not is_test_number(number):
            raise forms.ValidationError(
                _("Use a test number: this one has used a real SMS channel or is a report's contact."),
                code="real_number",
            )
        return str(number)


class ChosenAudience(TypedDict):
    """A broadcast's audience as create_broadcast takes it: beats, a station or a district."""

    beats: list[Beat]
    station: PoliceStation | None
    district: District | None


class BroadcastForm(forms.Form):
    AUDIENCE_BEATS, AUDIENCE_STATION, AUDIENCE_DISTRICT = "beats", "station", "district"
    audience = forms.ChoiceField(
        label=_("Send to"),
        choices=[
            (
                AUDIENCE_BEATS,
                _(
                    "Subscribers of the beats chosen below (every beat of a station needs the station "
                    "head's approval; beats of several stations, the coordinator's)"
                ),
            ),
            (AUDIENCE_STATION, _("Every subscriber of a station (needs the station head's approval)")),
            (AUDIENCE_DISTRICT, _("Every subscriber of a district (needs the coordinator's approval)")),
        ],
        widget=forms.RadioSelect,
        initial=AUDIENCE_BEATS,
    )
    beats = forms.ModelMultipleChoiceField(
        label=_("Beats"), queryset=Beat.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    station = forms.ModelChoiceField(
        label=_("Station"), queryset=PoliceStation.objects.none(), required=False
    )
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.none(), required=False)
    body_en = forms.CharField(
        label=_("Message in English"),
        max_length=306,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    body_ur = forms.CharField(
        label=_("Message in Urdu"), max_length=134, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    body_ps = forms.CharField(
        label=_("Message in Pashto"), max_length=134, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    scheduled_for = forms.DateTimeField(
        label=_("Send at (leave empty to send now)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        beats = Beat.objects.visible_to(user)
        self.fields["beats"].queryset = beats  # type: ignore[attr-defined]
        self.fields["station"].queryset = PoliceStation.objects.visible_to(user)  # type: ignore[attr-defined]
        self.fields["district"].queryset = District.objects.filter(stations__beats__in=beats).distinct()  # type: ignore[attr-defined]

    def chosen_audience(self) -> ChosenAudience:
        """The chosen audience as create_broadcast takes it: beats, a station or a district."""
        data, audience = self.cleaned_data, self.cleaned_data["audience"]
        return {
            "beats": list(data["beats"]) if audience == self.AUDIENCE_BEATS else [],
            "station": data["station"] if audience == self.AUDIENCE_STATION else None,
            "district": data["district"] if audience == self.AUDIENCE_DISTRICT else None,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        audience = data.get("audience")
        if audience == self.AUDIENCE_BEATS and not data.get("beats"):
            self.add_error("beats", _("Choose at least one beat."))
        if audience == self.AUDIENCE_STATION and not data.get("station"):
            self.add_error("station", _("Choose a station."))
        if audience == self.AUDIENCE_DISTRICT and not data.get("district"):
            self.add_error("district", _("Choose a district."))
        if not any(data.get(f"body_{code}") for code in ("en", "ur", "ps")):
            raise forms.ValidationError(_("Write the message in at least one language."))
        for code in ("en", "ur", "ps"):
            text = data.get(f"body_{code}") or ""
            if segment_info(text).segments > 2:
                self.add_error(f"body_{code}", _("Too long: keep it within two SMS."))
        return data
