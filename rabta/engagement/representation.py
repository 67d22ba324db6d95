"""Who was in the room compared with who lives in the beat (docs/engagement.md, representation)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from rabta.engagement.models import Attendance, MeetingKind, RaisedBy
from rabta.lib.stats import representation_ratio
from rabta.places.models import Beat

# Below this the group came at less than half its weight: the page says so and suggests a session.
WARN_BELOW = 0.5


@dataclass(frozen=True)
class GroupRepresentation:
    group: str  # "women" or "youth"
    label: str
    attendees: int
    total_attendees: int
    population: int
    total_population: int
    ratio: float | None
    suggested_kind: str

    @property
    def under_represented(self) -> bool:
        return self.ratio is not None and self.ratio < WARN_BELOW


def pooled_population(beats: Iterable[Beat], *, gender: str | None = None, band: str | None = None) -> int:
    """Several beats at one meeting: their populations are added before shares are taken."""
    return sum(b.population(gender=gender, band=band) for b in beats)


def representation(attendance: Attendance, beats: Iterable[Beat]) -> list[GroupRepresentation]:
    beats = list(beats)
    total_population = pooled_population(beats)
    total = attendance.total
    groups = [
        (
            "women",
            _("Women"),
            attendance.count(gender="women"),
            pooled_population(beats, gender="women"),
            MeetingKind.WOMENS_SESSION,
        ),
        (
            "youth",
            _("Youth (15-29)"),
            attendance.count(band="15_29"),
            pooled_population(beats, band="15_29"),
            MeetingKind.YOUTH_SESSION,
        ),
    ]
    return [
        GroupRepresentation(
            group=key,
            label=str(label),
            attendees=came,
            total_attendees=total,
            population=pop,
            total_population=total_population,
            ratio=representation_ratio(came, total, pop, total_population),
            suggested_kind=kind,
        )
        for key, label, came, pop, kind in groups
    ]


# What the counts can tell about a group a priority names: the age bands it is counted in (None for
# all ages) and the gender (None for both). Shopkeepers and "other residents" are not counted apart.
GROUP_COUNTS: dict[str, tuple[tuple[str | None, ...], str | None]] = {
    RaisedBy.WOMEN: ((None,), "women"),
    RaisedBy.YOUTH: (("15_29",), None),
    # Elders of a jirga are not all past 60: anyone counted from 45 up may be one.
    RaisedBy.ELDERS: (("45_59", "60"), None),
}


def absent_groups(attendance: Attendance | None) -> set[str]:
    """The RaisedBy groups nobody of which was counted at the meeting. Nothing is absent until the
    attendance is recorded: an empty register says nothing about who came."""
    if attendance is None or attendance.total == 0:
        return set()
    return {
        group
        for group, (bands, gender) in GROUP_COUNTS.items()
        if sum(attendance.count(gender=gender, band=band) for band in bands) == 0
    }
