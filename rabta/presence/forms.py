"""The contact log form an officer fills on a phone in under 30 seconds: a kind and Send is enough.

Everything else has a default (the officer's beat, ended now, the kind's usual length) or is
optional. Choices are limited to the officer's scope.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rabta.people.models import User
from rabta.places.models import AGE_BAND_LABELS, AGE_BANDS, Beat
from rabta.presence import selectors
from rabta.presence.models import PEOPLE_MET_FIELDS, ContactKind
from rabta.presence.services import DEFAULT_MINUTES, MAX_AGE, MAX_PEOPLE
from rabta.reports.models import Report

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
_PUBLIC_ID = re.compile(r"[0-9a-f]{16}")


class BeatsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.local_name)


class MeetingField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{timezone.localtime(obj.starts_at):%d-%m %H:%M} {obj}"


class ProactiveChoice:
    FROM_KIND = ""
    YES = "yes"
    NO = "no"


def _count_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=MAX_PEOPLE,
        required=False,
        widget=forms.NumberInput(
            attrs={
                "inputmode": "numeric",
                "min": 0,
                "class": "count",
                "aria-label": label,
                "placeholder": "0",
            }
        ),
    )


class ContactLogForm(forms.Form):
    # Made when the page is made (and again by the outbox script for each entry it keeps): the
    # server records one contact per officer and client id, so a resend never makes two.
    client_id = forms.UUIDField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        label=_("What did you do?"),
        choices=ContactKind.choices,
        widget=forms.RadioSelect(attrs={"class": "big"}),
    )
    beats = BeatsField(queryset=Beat.objects.none(), label=_("Beat"), widget=forms.CheckboxSelectMultiple)
    minutes = forms.IntegerField(
        label=_("How long (minutes)"),
        min_value=1,
        max_value=16 * 60,
        required=False,
        help_text=_("Empty: the usual length for the kind."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1}),
    )
    ended_at = forms.DateTimeField(
        label=_("Ended"),
        required=False,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        help_text=_("Empty: now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )
    proactive = forms.ChoiceField(
        label=_("Proactive or answering a call?"),
        required=False,
        choices=[
            (ProactiveChoice.FROM_KIND, _("As the kind says")),
            (ProactiveChoice.YES, _("Proactive: we went on our own")),
            (ProactiveChoice.NO, _("Reactive: we were called")),
        ],
        widget=forms.RadioSelect,
    )
    place = forms.CharField(
        label=_("Place"),
        max_length=200,
        required=False,
        help_text=_("For staff only. Do not name residents."),
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note (staff only)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )
    report = forms.CharField(
        label=_("Report number (optional)"),
        max_length=32,
        required=False,
        help_text=_("The 16-character number on the report's page."),
        widget=forms.TextInput(attrs={"dir": "ltr", "autocapitalize": "off", "spellcheck": "false"}),
    )
    meeting = MeetingField(label=_("Meeting (optional)"), queryset=Beat.objects.none(), required=False)
    feedback_consent = forms.BooleanField(
        label=_("The resident agrees to get one feedback message"), required=False
    )
    feedback_phone = forms.CharField(
        label=_("Resident's phone for that message"),
        max_length=32,
        required=False,
        help_text=_("Kept encrypted, erased after the message or after 30 days."),
        widget=forms.TextInput(
            attrs={"type": "tel", "inputmode": "tel", "dir": "ltr", "autocomplete": "off"}
        ),
    )
    feedback_language = forms.ChoiceField(
        label=_("Message language"), choices=settings.LANGUAGES, required=False, initial="ur"
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["beats"].queryset = selectors.beats_to_log(user)  # type: ignore[attr-defined]
        self.fields["meeting"].queryset = selectors.recent_meetings(user)  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("client_id", uuid.uuid4())
            self.initial.setdefault("beats", selectors.home_beats(user))
        for name in PEOPLE_MET_FIELDS:
            gender, band = name.removeprefix("met_").split("_", 1)
            label = f"{_('Women') if gender == 'women' else _('Men')} {AGE_BAND_LABELS[band]}"
            self.fields[name] = _count_field(label)

    def clean_report(self) -> Report | None:
        raw = (self.cleaned_data.get("report") or "").strip().lower()
        if not raw:
            return None
        found = (
            Report.objects.visible_to(self.user).filter(public_id=raw).first()
            if _PUBLIC_ID.fullmatch(raw)
            else None
        )
        if found is None:
            raise forms.ValidationError(_("No report with that number on your beats."))
        return found

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        ended = data.get("ended_at") or timezone.now().replace(second=0, microsecond=0)
        minutes = data.get("minutes") or DEFAULT_MINUTES.get(kind or "", 30)
        now = timezone.now()
        if ended > now + dt.timedelta(minutes=10):
            self.add_error("ended_at", _("A contact cannot be in the future."))
        elif ended < now - MAX_AGE:
            self.add_error("ended_at", _("A contact can be logged up to 14 days later, not more."))
        else:
            data["ended_at"] = ended
            data["started_at"] = ended - dt.timedelta(minutes=minutes)
        if data.get("feedback_consent") and not (data.get("feedback_phone") or "").strip():
            self.add_error("feedback_phone", _("Enter the resident's phone, or untick the agreement."))
        if (data.get("feedback_phone") or "").strip() and not data.get("feedback_consent"):
            self.add_error("feedback_consent", _("Tick this only when the resident agrees."))
        if (data.get("lat") is None) != (data.get("lon") is None):
            data["lat"] = data["lon"] = None
        return data

    def proactive_value(self) -> bool | None:
        choice = self.cleaned_data.get("proactive") or ProactiveChoice.FROM_KIND
        return None if choice == ProactiveChoice.FROM_KIND else choice == ProactiveChoice.YES

    def counts(self) -> dict[str, int]:
        return {name: self.cleaned_data.get(name) or 0 for name in PEOPLE_MET_FIELDS}

    def count_rows(self) -> list[tuple[str, Any, Any]]:
        """(age band label, women field, men field) for a two-column grid on a phone."""
        return [(AGE_BAND_LABELS[b], self[f"met_women_{b}"], self[f"met_men_{b}"]) for b in AGE_BANDS]
