"""Survey answers: the post-contact procedural-justice index and the community trust and safety items.

Each answer counts on its beat in the period of the day it was given; in months, in every group its
respondent said they belong to (weeks keep the whole only: rabta.insights.metrics). Answers through a
campaign's open link are left out: anyone could have given them (the survey results show them apart
for the same reason). "Prefer not to say" is left out of the item it was given for, never scored
(rabta.lib.stats).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

from rabta.feedback.models import (
    COMMUNITY_SCALES,
    NOT_RATED,
    PJ_PILLARS,
    UNSAFE,
    CommunityResponse,
    ContactResponse,
    Mode,
    WalkSafety,
)
from rabta.insights.metrics import ALL, CELL_GROUPS, WEIGHTED, Metric
from rabta.insights.models import PeriodKind, Scope
from rabta.insights.periods import start_of
from rabta.insights.sources import Row, person_groups
from rabta.lib import stats

Key = tuple[int, dt.date, Metric, str]


def rows(kind: str, first: dt.date, end: dt.date, now: dt.datetime) -> Iterator[Row]:
    sums: dict[Key, list[float]] = defaultdict(lambda: [0, 0.0])

    monthly = kind == PeriodKind.MONTH

    def groups_of(gender: str, band: str) -> tuple[str, ...]:
        return person_groups(gender, band, cells=True) if monthly else (ALL,)

    def add(
        beat_id: int, start: dt.date, groups: tuple[str, ...], metric: Metric, value: float | None
    ) -> None:
        if value is None:
            return
        if metric not in WEIGHTED:
            groups = tuple(g for g in groups if g not in CELL_GROUPS)
        for group in groups:
            total = sums[(beat_id, start, metric, group)]
            total[0] += 1
            total[1] += value

    contact_fields = ("beat_id", "answered_on", "gender", "age_band", *PJ_PILLARS)
    answers = ContactResponse.objects.filter(answered_on__gte=first, answered_on__lt=end)
    for r in answers.values_list(*contact_fields).order_by().iterator(chunk_size=5000):
        beat_id, day, gender, band, *pillars = r
        start, groups = start_of(kind, day), groups_of(gender, band)
        add(beat_id, start, groups, Metric.PJ_RESPONDENTS, 1)
        add(beat_id, start, groups, Metric.PJ, stats.pj_index(pillars))
        agrees = stats.agrees_with_all(pillars)
        add(beat_id, start, groups, Metric.PJ_ALL_AGREE, None if agrees is None else float(agrees))

    community_fields = (
        "beat_id",
        "answered_on",
        "gender",
        "age_band",
        "walk_day",
        "walk_dark",
        "knows_officer",
    )
    answers_c = (
        CommunityResponse.objects.filter(answered_on__gte=first, answered_on__lt=end)
        .exclude(mode=Mode.OPEN_LINK)
        .values_list(*community_fields, *COMMUNITY_SCALES)
        .order_by()
    )
    for r in answers_c.iterator(chunk_size=5000):
        (
            beat_id,
            day,
            gender,
            band,
            walk_day,
            walk_dark,
            knows,
            trust_respect,
            trust_listen,
            safety,
            willing,
        ) = r
        start, groups = start_of(kind, day), groups_of(gender, band)
        add(beat_id, start, groups, Metric.RESPONDENTS, 1)
        add(beat_id, start, groups, Metric.TRUST, stats.trust_score([trust_respect, trust_listen]))
        add(beat_id, start, groups, Metric.SAFETY, safety)
        add(beat_id, start, groups, Metric.WILLINGNESS, willing)
        add(
            beat_id,
            start,
            groups,
            Metric.UNSAFE_DARK,
            _flag(stats.unsafe_after_dark(walk_dark or "", unsafe=UNSAFE, not_rated=NOT_RATED)),
        )
        add(
            beat_id,
            start,
            groups,
            Metric.UNSAFE_DAY,
            _flag(stats.unsafe_after_dark(walk_day or "", unsafe=UNSAFE, not_rated=NOT_RATED)),
        )
        add(
            beat_id,
            start,
            groups,
            Metric.AVOID_DARK,
            _flag(stats.avoids(walk_dark or "", never=WalkSafety.NEVER)),
        )
        add(beat_id, start, groups, Metric.KNOWS_OFFICER, _flag(knows))

    for (beat_id, start, metric, group), (n, value) in sums.items():
        yield Row(Scope.BEAT, beat_id, start, metric, group, int(n), value)


def _flag(value: bool | None) -> float | None:
    return None if value is None else float(value)


def changed_days(since: dt.datetime, now: dt.datetime) -> set[dt.date]:
    # Answers carry only their day (anonymity): those from the day `since` fell on onward are new.
    day = since.date() - dt.timedelta(days=1)
    days = set(
        ContactResponse.objects.filter(answered_on__gte=day).values_list("answered_on", flat=True).distinct()
    )
    days |= set(
        CommunityResponse.objects.filter(answered_on__gte=day)
        .values_list("answered_on", flat=True)
        .distinct()
    )
    return days


def first_day() -> dt.date | None:
    found = [
        ContactResponse.objects.order_by("answered_on").values_list("answered_on", flat=True).first(),
        CommunityResponse.objects.order_by("answered_on").values_list("answered_on", flat=True).first(),
    ]
    days = [d for d in found if d]
    return min(days) if days else None
