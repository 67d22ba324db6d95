"""Reads of the presence app shared by pages, the API and the export. Everything starts from
visible_to: a contact outside the viewer's beats does not exist for them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from rabta.core.errors import NotVisible
from rabta.people.models import User
from rabta.places.models import Beat
from rabta.presence.models import Contact

RECENT_DAYS = 14
RECENT_LIMIT = 20


def contacts_for(user: User) -> QuerySet[Contact]:
    return (
        Contact.objects.visible_to(user)
        .select_related("officer", "station", "report")
        .prefetch_related("beats")
        .order_by("-started_at", "-pk")
    )


def recent_contacts(*, user: User, limit: int = RECENT_LIMIT) -> list[Contact]:
    """The officer's own latest contacts (the list under the log form)."""
    since = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    return list(contacts_for(user).filter(officer=user, started_at__gte=since)[:limit])


def find_contact(*, user: User, pk: int) -> Contact:
    found = contacts_for(user).filter(pk=pk).first()
    if found is None:
        raise NotVisible("no such contact")
    return found


def beats_to_log(user: User) -> QuerySet[Beat]:
    """The beats an officer may log a contact on: their scope."""
    return Beat.objects.visible_to(user).select_related("station").order_by("station__name", "name")


def home_beats(user: User) -> list[Beat]:
    """The beats the form starts with: the officer's own beats, or the only beat they can choose."""
    visible = beats_to_log(user)
    profile: Any = getattr(user, "officer_profile", None)
    if profile is not None:
        own = list(visible.filter(pk__in=profile.beats.values("pk")))
        if own:
            return own[:1] if len(own) > 1 else own
    if user.scope_beat_id:
        return list(visible.filter(pk=user.scope_beat_id))
    only = list(visible[:2])
    return only if len(only) == 1 else []


def recent_meetings(user: User) -> QuerySet[Any]:
    """Meetings of the last week on the user's beats, to link a contact to (engagement sits beside
    presence in the layers, so the model is reached through the contact's foreign key)."""
    model: Any = Contact._meta.get_field("meeting").related_model
    since = timezone.now() - dt.timedelta(days=7)
    return (
        model.objects.visible_to(user)
        .filter(starts_at__gte=since, starts_at__lte=timezone.now() + dt.timedelta(days=1))
        .order_by("-starts_at")
    )
