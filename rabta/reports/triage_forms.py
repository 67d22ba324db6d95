"""Small forms for the triage pages. Plain Django forms: they post without JavaScript."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rabta.core.localized import add_version_fields
from rabta.people.models import User
from rabta.reports.lifecycle import Status
from rabta.reports.models import Category
from rabta.reports.selectors import QueueFilters

STATUS_FILTERS = [("open", _("Open")), ("all", _("All")), *Status.choices]
ASSIGNED_FILTERS = [("", _("Anyone")), ("me", _("Assigned to me")), ("none", _("Nobody yet"))]


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_FILTERS, required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    assigned = forms.ChoiceField(label=_("Assigned"), choices=ASSIGNED_FILTERS, required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    # Set by links from elsewhere (a beat's dashboard), kept through the filter form.
    beat = forms.SlugField(required=False, max_length=32, widget=forms.HiddenInput)

    def __init__(self, *args: Any, categories: Iterable[Category] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        choices = [("", _("All categories"))] + [(c.code, c.local_name) for c in categories]
        self.fields["category"].choices = choices  # type: ignore[attr-defined]

    def filters(self) -> QueueFilters:
        data = self.cleaned_data
        return QueueFilters(
            status=data.get("status") or "open",
            category=data.get("category") or "",
            overdue=bool(data.get("overdue")),
            beat=data.get("beat") or "",
            assigned=data.get("assigned") or "",
        )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
    public = forms.TypedChoiceField(
        label=_("Who can read it"),
        choices=[("1", _("The resident too (public)")), ("0", _("Police only (internal)"))],
        coerce=lambda v: v == "1",
        initial="0",
        required=False,
        empty_value=False,  # type: ignore[arg-type]  # a missing choice means "internal"
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_version_fields(self, "note")


class StatusForm(forms.Form):
    to = forms.ChoiceField(label=_("New status"))
    referred_to = forms.CharField(
        label=_("Referred to (agency or dispute resolution council)"), required=False, max_length=200
    )
    reason = forms.CharField(label=_("Reason for closing"), required=False, max_length=300)
    note = forms.CharField(
        label=_("Note for the resident (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args: Any, targets: Iterable[str] = (), **kwargs: Any):
        # Its ids differ from NoteForm's on the same page (both have a `note`); the field names stay.
        kwargs.setdefault("auto_id", "id_status_%s")
        super().__init__(*args, **kwargs)
        labels = dict(Status.choices)
        self.fields["to"].choices = [(t, labels[t]) for t in targets]  # type: ignore[attr-defined]
        add_version_fields(self, "note")


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Assign to"), required=False)

    def __init__(
        self, *args: Any, officers: Iterable[User] = (), initial_user: User | None = None, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        choices = [("", _("Nobody"))] + [(u.username, u.get_full_name() or u.username) for u in officers]
        self.fields["assignee"].choices = choices  # type: ignore[attr-defined]
        if initial_user is not None:
            self.fields["assignee"].initial = initial_user.username
