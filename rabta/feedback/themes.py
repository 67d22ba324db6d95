"""What residents wrote: reading free texts (decrypted for staff only, every look logged), tagging them
with themes, counting themes per beat, and raising a theme as an engagement priority. The priority
says the theme and how many wrote about it, never their words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from rabta.audit.models import AccessLog, record_access
from rabta.core.crypto import field_cipher
from rabta.core.localized import local_text
from rabta.engagement.models import Priority, RaisedBy
from rabta.engagement.services import add_priority
from rabta.feedback.models import FREE_TEXT_CONTEXT, FreeText, Theme
from rabta.people.models import Role, User
from rabta.places.models import Beat

# Police staff of the beat and the district's analysts. Oversight members read conduct complaints,
# not residents' survey comments.
READER_ROLES = frozenset(
    {
        Role.OFFICER,
        Role.WOMENS_DESK,
        Role.STATION_HEAD,
        Role.DISTRICT_COORDINATOR,
        Role.ANALYST,
        Role.ADMIN,
    }
)
SHOWN_AT_ONCE = 30


def may_read(user: User) -> bool:
    return user.is_active and user.role in READER_ROLES


@dataclass(frozen=True)
class ReadableText:
    item: FreeText
    text: str


def decrypt(item: FreeText) -> str:
    return field_cipher().decrypt(item.text_encrypted, context=FREE_TEXT_CONTEXT)


def unreviewed(*, user: User, beat: Beat) -> list[ReadableText]:
    """The beat's texts not yet read, oldest month first, decrypted; the look is logged."""
    items = list(
        FreeText.objects.visible_to(user)
        .filter(beat=beat, reviewed=False)
        .prefetch_related("themes")
        .order_by("month", "id")[:SHOWN_AT_ONCE]
    )
    if items:
        record_access(
            actor=user,
            action=AccessLog.Action.VIEW_FREE_TEXT,
            obj=beat,
            detail=f"feedback free text: {len(items)} unread texts of beat {beat.code}",
        )
    return [ReadableText(item=item, text=decrypt(item)) for item in items]


@transaction.atomic
def tag(*, user: User, item: FreeText, themes: Iterable[Theme], read: bool = True) -> None:
    item.themes.set(list(themes))
    if read and not item.reviewed:
        item.reviewed = True
        item.save(update_fields=["reviewed"])


@dataclass(frozen=True)
class ThemeCount:
    theme: Theme
    count: int


def counts(*, user: User, beat: Beat, since: dt.date | None = None) -> list[ThemeCount]:
    """How many of the beat's texts carry each theme (themes with none left out)."""
    texts = Q(free_texts__beat=beat, free_texts__in=FreeText.objects.visible_to(user))
    if since is not None:
        texts &= Q(free_texts__month__gte=since)
    rows = Theme.objects.annotate(n=Count("free_texts", filter=texts, distinct=True)).filter(n__gt=0)
    return [ThemeCount(theme=t, count=t.n) for t in rows.order_by("-n", "name")]  # type: ignore[attr-defined]


def _issue(theme: Theme, count: int, language: str) -> str:
    with translation.override(language):
        name = local_text(theme, "name") or theme.name
        return gettext("Residents' survey answers: %(count)s wrote about %(theme)s.") % {
            "count": count,
            "theme": name,
        }


class NothingToRaise(Exception):
    """No text of the beat carries the theme: a priority saying "0 wrote about it" would mislead."""


def raise_as_priority(*, by: User, beat: Beat, theme: Theme, today: dt.date | None = None) -> Priority:
    """A priority for the beat from a theme: its name and count in the three languages, no quotation."""
    found = {c.theme.pk: c.count for c in counts(user=by, beat=beat)}
    count = found.get(theme.pk, 0)
    if count == 0:
        raise NothingToRaise
    return add_priority(
        by=by,
        beat=beat,
        issue=_issue(theme, count, "en"),
        issue_ur=_issue(theme, count, "ur"),
        issue_ps=_issue(theme, count, "ps"),
        raised_by=RaisedBy.OTHER,
        raised_on=today or timezone.localdate(),
    )
