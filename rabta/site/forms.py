"""Forms of the composed staff pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rabta.people.models import User
from rabta.places.models import Beat, PoliceStation

QUEUE = "queue"


class TransferForm(forms.Form):
    """A new posting and who takes over: the choices are what the manager's scope holds."""

    station = forms.ModelChoiceField(queryset=PoliceStation.objects.none(), label=_("New station"))
    beats = forms.ModelMultipleChoiceField(
        queryset=Beat.objects.none(),
        label=_("Beats"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    target = forms.ChoiceField(label=_("Hand open work to"))

    def __init__(self, *args: Any, by: User, colleagues: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = PoliceStation.objects.visible_to(by).order_by("name")  # type: ignore[attr-defined]
        self.fields["beats"].queryset = (  # type: ignore[attr-defined]
            Beat.objects.visible_to(by).select_related("station").order_by("station__name", "name")
        )
        self._colleagues = {str(u.pk): u for u in colleagues}
        self.fields["target"].choices = [(QUEUE, _("The station queue (unassigned)"))] + [  # type: ignore[attr-defined]
            (pk, u.get_full_name() or u.username) for pk, u in self._colleagues.items()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        station, beats = data.get("station"), data.get("beats") or []
        if station is not None and any(b.station_id != station.pk for b in beats):
            self.add_error("beats", _("Choose beats of the new station."))
        return data

    @property
    def target_user(self) -> User | None:
        return self._colleagues.get(self.cleaned_data["target"])
