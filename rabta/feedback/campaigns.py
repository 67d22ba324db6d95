"""Campaign management: making and editing survey campaigns, printing batches of one-use codes, and
the counts of codes made and used per beat. Who may: station heads and district coordinators (and
admins) for beats in their scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Max, Q

from rabta.feedback.models import Campaign, InviteCode, new_code
from rabta.people.models import Role, User
from rabta.places.models import Beat

MANAGERS = frozenset({Role.STATION_HEAD, Role.DISTRICT_COORDINATOR, Role.ADMIN})
# One print run; a meeting of 25 or a street of houses, a few times over.
MAX_BATCH = 500


class NotAllowed(Exception):
    """The user may not manage campaigns, or not in these beats."""


def may_manage(user: User) -> bool:
    return user.is_active and (user.role in MANAGERS or user.is_superuser)


def _check_beats(user: User, beats: Iterable[Beat]) -> list[Beat]:
    beats = list(beats)
    allowed = set(
        Beat.objects.visible_to(user).filter(pk__in=[b.pk for b in beats]).values_list("pk", flat=True)
    )
    if not may_manage(user) or not beats or any(b.pk not in allowed for b in beats):
        raise NotAllowed
    return beats


@transaction.atomic
def create_campaign(
    *, by: User, name: str, beats: Iterable[Beat], opens_on: dt.date, closes_on: dt.date
) -> Campaign:
    chosen = _check_beats(by, beats)
    campaign = Campaign(name=name.strip(), opens_on=opens_on, closes_on=closes_on, created_by=by)
    campaign.full_clean()
    campaign.save()
    campaign.beats.set(chosen)
    return campaign


@transaction.atomic
def update_campaign(
    *, by: User, campaign: Campaign, name: str, beats: Iterable[Beat], opens_on: dt.date, closes_on: dt.date
) -> Campaign:
    chosen = _check_beats(by, beats)
    # Beats outside the editor's scope stay as they are: a station head cannot drop another station's.
    kept = list(campaign.beats.exclude(pk__in=Beat.objects.visible_to(by).values("pk")))
    campaign.name = name.strip()
    campaign.opens_on = opens_on
    campaign.closes_on = closes_on
    campaign.full_clean()
    campaign.save(update_fields=["name", "opens_on", "closes_on"])
    campaign.beats.set([*chosen, *kept])
    return campaign


def make_codes(*, by: User, campaign: Campaign, beat: Beat, count: int) -> int:
    """A new batch of `count` one-use codes for one beat of the campaign; returns the batch number."""
    _check_beats(by, [beat])
    if not 1 <= count <= MAX_BATCH or not campaign.beats.filter(pk=beat.pk).exists():
        raise NotAllowed
    with transaction.atomic():
        # Batches are numbered per campaign; the campaign row is locked so two runs get two numbers.
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        batch = (InviteCode.objects.filter(campaign=campaign).aggregate(m=Max("batch"))["m"] or 0) + 1
        # One insert per round. A drawn code that already exists anywhere is skipped by the unique
        # index (ignore_conflicts) rather than failing the batch; the batch is new and its campaign
        # locked, so counting it tells how many went in, and the shortfall is drawn again.
        made = 0
        while made < count:
            drawn = {new_code() for _ in range(count - made)}
            InviteCode.objects.bulk_create(
                [InviteCode(campaign=campaign, beat=beat, code=code, batch=batch) for code in drawn],
                ignore_conflicts=True,
            )
            made = InviteCode.objects.filter(campaign=campaign, batch=batch).count()
    return batch


@dataclass(frozen=True)
class BeatCodes:
    beat: Beat
    made: int
    used: int
    batches: list[int]


def code_counts(campaign: Campaign, beats: Iterable[Beat]) -> list[BeatCodes]:
    beats = list(beats)
    rows = (
        InviteCode.objects.filter(campaign=campaign, beat__in=beats)
        .values("beat_id")
        .annotate(made=Count("pk"), used=Count("pk", filter=Q(used_on__isnull=False)))
    )
    counts = {row["beat_id"]: row for row in rows}
    batches: dict[int, set[int]] = {}
    for beat_id, batch in (
        InviteCode.objects.filter(campaign=campaign, beat__in=beats)
        .values_list("beat_id", "batch")
        .distinct()
    ):
        batches.setdefault(beat_id, set()).add(batch)
    return [
        BeatCodes(
            beat=b,
            made=counts.get(b.pk, {}).get("made", 0),
            used=counts.get(b.pk, {}).get("used", 0),
            batches=sorted(batches.get(b.pk, ())),
        )
        for b in beats
    ]
