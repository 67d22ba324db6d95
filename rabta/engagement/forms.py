"""Forms officers fill on a phone. Choices are limited to what the officer's scope allows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rabta.core.localized import add_version_fields
from rabta.engagement.models import (
    COUNT_FIELDS,
    ActionStatus,
    Committee,
    CommitteeMember,
    ConsentMethod,
    Meeting,
    PartnerAgency,
    RaisedBy,
    check_facilitators,
)
from rabta.people.models import STAFF_ROLES, User
from rabta.places.models import AGE_BAND_LABELS, Beat

if TYPE_CHECKING:
    from collections.abc import Collection

    from django.db.models import QuerySet

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class UserChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


class UserSingleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


class BeatChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.local_name


def officers_for(user: User) -> QuerySet[User]:
    """Officers working on the beats this user can see (for facilitators, officers present, owners)."""
    beats = Beat.objects.visible_to(user)
    return (
        User.objects.filter(is_active=True, role__in=STAFF_ROLES)
        .filter(Q(officer_profile__beats__in=beats) | Q(officer_profile__station__beats__in=beats))
        .select_related("officer_profile")
        .distinct()
        .order_by("first_name", "last_name")
    )


def facilitators_for(user: User) -> QuerySet[User]:
    beats = Beat.objects.visible_to(user)
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(officer_profile__beats__in=beats)
            | Q(officer_profile__station__beats__in=beats)
            | Q(facilitator__isnull=False)
        )
        .select_related("officer_profile", "facilitator")
        .distinct()
        .order_by("first_name", "last_name")
    )


def _datetime_field(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class MeetingForm(forms.ModelForm):
    starts_at = _datetime_field(_("Starts"))
    ends_at = _datetime_field(_("Ends"))

    class Meta:
        model = Meeting
        fields = [
            "kind",
            "title",
            "title_ur",
            "title_ps",
            "beats",
            "committee",
            "starts_at",
            "ends_at",
            "venue",
            "facilitators",
            "requires_follow_up",
            "follow_up_due",
        ]
        widgets = {
            "beats": forms.CheckboxSelectMultiple,
            "facilitators": forms.CheckboxSelectMultiple,
            "follow_up_due": DateInput(),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["beats"] = BeatChoiceField(
            queryset=Beat.objects.visible_to(user).order_by("name"),
            widget=forms.CheckboxSelectMultiple,
            label=_("Beats"),
        )
        self.fields["facilitators"] = UserChoiceField(
            queryset=facilitators_for(user),
            widget=forms.CheckboxSelectMultiple,
            required=False,
            label=_("Facilitators"),
            help_text=_("A women's session needs at least one woman facilitator."),
        )
        self.fields["committee"].queryset = Committee.objects.visible_to(user).filter(is_active=True)  # type: ignore[attr-defined]
        add_version_fields(self, "title")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind:
            try:
                check_facilitators(kind, data.get("facilitators") or [])
            except forms.ValidationError as exc:
                self.add_error(None if "facilitators" not in self.fields else "facilitators", exc.messages[0])
        return data


def _count_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=5000,
        initial=0,
        # The grid's row and column headings are visual; the name a screen reader announces is this.
        widget=forms.NumberInput(
            attrs={"inputmode": "numeric", "min": 0, "class": "count", "aria-label": label}
        ),
    )


class RecordForm(forms.Form):
    """Attendance by gender and age band, officers present, minutes and decisions."""

    officers_present = UserChoiceField(
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Officers present"),
    )
    minutes = forms.CharField(
        label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}), required=False
    )
    decisions = forms.CharField(
        label=_("Decisions"), widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}), required=False
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in COUNT_FIELDS:
            gender, band = name.split("_", 1)
            label = f"{_('Women') if gender == 'women' else _('Men')} {AGE_BAND_LABELS[band]}"
            self.fields[name] = _count_field(label)
        self.fields["officers_present"].queryset = officers_for(user)  # type: ignore[attr-defined]

    def counts(self) -> dict[str, int]:
        return {name: self.cleaned_data.get(name) or 0 for name in COUNT_FIELDS}

    @property
    def extra_fields(self) -> list[Any]:
        return [self["officers_present"], self["minutes"], self["decisions"]]

    def count_rows(self) -> list[tuple[str, Any, Any]]:
        """(age band label, women field, men field) for a two-column grid on a phone."""
        return [
            (AGE_BAND_LABELS[band], self[f"women_{band}"], self[f"men_{band}"])
            for band in ("15_29", "30_44", "45_59", "60")
        ]


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why is it cancelled?"), max_length=300)


class RegisterEntryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    phone = forms.CharField(label=_("Phone (optional)"), max_length=32, required=False)
    consent_given = forms.BooleanField(
        label=_("This person agreed to have their name recorded"),
        required=True,
        error_messages={"required": _("A name is recorded only when the person agrees.")},
    )
    consent_method = forms.ChoiceField(label=_("How they agreed"), choices=ConsentMethod.choices)


class PriorityForm(forms.Form):
    issue = forms.CharField(
        label=_("Issue raised"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
        help_text=_("Shown publicly. Do not name anyone."),
    )
    # No group is preselected: a default would publish a priority as raised by a group that was not there.
    raised_by = forms.ChoiceField(
        label=_("Raised by"),
        choices=[("", _("Choose who raised it")), *RaisedBy.choices],
        error_messages={"required": _("Choose who raised it: the public page names the group.")},
    )
    beat = forms.ModelChoiceField(label=_("Beat"), queryset=Beat.objects.none())
    confirm_absent = forms.BooleanField(
        label=_("Yes, this group raised it, although none of them were counted at the meeting"),
        required=False,
    )

    def __init__(
        self, *args: Any, beats: QuerySet[Beat], absent: Collection[str] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.absent = set(absent)
        add_version_fields(self, "issue")
        self.fields["beat"].queryset = beats  # type: ignore[attr-defined]
        self.fields["beat"].label_from_instance = lambda b: b.local_name  # type: ignore[attr-defined]
        if beats.count() == 1:
            self.fields["beat"].initial = beats.first()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        group = data.get("raised_by")
        if group in self.absent and not data.get("confirm_absent"):
            self.add_error("confirm_absent", ABSENT_MESSAGES[group])
        return data

    @property
    def shown_fields(self) -> list[forms.BoundField]:
        """The confirmation box only once a choice needs it (or it was ticked)."""
        asking = "confirm_absent" in self.errors or (self.is_bound and bool(self.data.get("confirm_absent")))
        return [f for f in self.visible_fields() if f.name != "confirm_absent" or asking]


ABSENT_MESSAGES = {
    RaisedBy.WOMEN: _(
        "No women were counted at this meeting. Tick the box if women raised it, or choose who did."
    ),
    RaisedBy.YOUTH: _(
        "No one aged 15-29 was counted at this meeting. Tick the box if young people raised it, "
        "or choose who did."
    ),
    RaisedBy.ELDERS: _(
        "No one aged 45 or over was counted at this meeting. Tick the box if elders raised it, "
        "or choose who did."
    ),
}


class ActionItemForm(forms.Form):
    action = forms.CharField(
        label=_("Action"), max_length=300, help_text=_("Shown publicly. Do not name residents.")
    )
    owner_officer = UserSingleChoiceField(
        label=_("Owner: an officer"), queryset=User.objects.none(), required=False
    )
    owner_member = forms.ModelChoiceField(
        label=_("or a committee member"), queryset=CommitteeMember.objects.none(), required=False
    )
    owner_agency = forms.ModelChoiceField(
        label=_("or a partner agency"), queryset=PartnerAgency.objects.none(), required=False
    )
    due_on = forms.DateField(label=_("Due"), widget=DateInput())

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_officer"].queryset = officers_for(user)  # type: ignore[attr-defined]
        self.fields["owner_member"].queryset = CommitteeMember.objects.filter(  # type: ignore[attr-defined]
            is_active=True, committee__in=Committee.objects.visible_to(user)
        ).select_related("committee")
        self.fields["owner_agency"].queryset = PartnerAgency.objects.visible_to(user)  # type: ignore[attr-defined]
        add_version_fields(self, "action")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        owners = [data.get("owner_officer"), data.get("owner_member"), data.get("owner_agency")]
        if sum(1 for o in owners if o) != 1:
            raise forms.ValidationError(
                _("Choose exactly one owner: an officer, a committee member or a partner agency.")
            )
        return data


class ActionUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    note = forms.CharField(
        label=_("Progress note (staff only)"),
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
        required=False,
    )
    outcome = forms.CharField(
        label=_("Outcome (shown publicly)"),
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
        required=False,
    )
    drop_reason = forms.CharField(label=_("Why dropped"), max_length=300, required=False)
    due_on = forms.DateField(label=_("Due"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_version_fields(self, "outcome")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == ActionStatus.DROPPED and not (data.get("drop_reason") or "").strip():
            self.add_error("drop_reason", _("Say why the action was dropped."))
        return data


__all__ = [
    "ActionItemForm",
    "ActionUpdateForm",
    "CancelForm",
    "MeetingForm",
    "PriorityForm",
    "RecordForm",
    "RegisterEntryForm",
]
