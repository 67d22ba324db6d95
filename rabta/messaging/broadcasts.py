"""Broadcasts: officers' messages to the SMS subscribers of beats, with approval for wide audiences.

Who must approve depends on the beats a broadcast actually reaches, whatever way they were chosen
(ticked one by one, a whole station, a whole district): see `reaches_of` (`reach_of` for one) and
`approvers_allow`, the one place that rule lives. Creating, approving and dispatching are the
writes; sending is queued through rabta.messaging.jobs.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import NotRequired, TypedDict

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from rabta.lib.sms import segment_info
from rabta.messaging import jobs, selectors
from rabta.messaging.models import Broadcast, BroadcastStatus, Purpose
from rabta.messaging.outbound import queue_sms
from rabta.people.models import Role, User
from rabta.places.models import Beat, District, PoliceStation


class BroadcastError(Exception):
    pass


class Reach(enum.IntEnum):
    """How wide an audience is; each step up needs a more senior approver."""

    BEATS = 1  # some beats of one station: an officer of those beats sends it
    STATION = 2  # a whole station, or every one of its beats: its station head or the coordinator
    DISTRICT = 3  # beats of more than one station, or a district: the district coordinator


@dataclass(frozen=True)
class Audience:
    """The beats a broadcast reaches, where they are, and how wide that is."""

    beat_ids: frozenset[int]
    station_ids: frozenset[int]
    district_ids: frozenset[int]
    reach: Reach


@dataclass(frozen=True)
class Choice:
    """What the author chose: beats one by one, a whole station, a whole district (any of them)."""

    beat_ids: frozenset[int]
    station_id: int | None
    district_id: int | None


def reach_of(*, beat_ids: Iterable[int], station_id: int | None, district_id: int | None) -> Audience:
    """The audience of a broadcast to these beats, this whole station and this whole district."""
    return reaches_of([Choice(frozenset(beat_ids), station_id, district_id)])[0]


def reaches_of(choices: list[Choice]) -> list[Audience]:
    """The audience of each choice, in order; at most three queries however many there are."""
    if not choices:
        return []
    station_ids = {c.station_id for c in choices if c.station_id}
    district_ids = {c.district_id for c in choices if c.district_id}
    where = Q(pk__in=set().union(*(c.beat_ids for c in choices)))
    if station_ids:
        where |= Q(station_id__in=station_ids)
    if district_ids:
        where |= Q(station__district_id__in=district_ids)
    rows = list(Beat.objects.filter(where).values_list("pk", "station_id", "station__district_id"))
    district_of: dict[int, int] = {}
    if station_ids:
        district_of = dict(PoliceStation.objects.filter(pk__in=station_ids).values_list("pk", "district_id"))
    spreads = [_spread(choice, rows, district_of) for choice in choices]
    reaches = [
        _reach(choice, beats, stations) for choice, (beats, stations, _) in zip(choices, spreads, strict=True)
    ]
    undecided = {
        s for reach, (_, stations, _) in zip(reaches, spreads, strict=True) if reach is None for s in stations
    }
    beats_in: dict[int, int] = {}
    if undecided:
        beats_in = dict(
            Beat.objects.filter(station_id__in=undecided)
            .values("station_id")
            .annotate(n=Count("pk"))
            .values_list("station_id", "n")
        )
    audiences = []
    for reach, (beats, stations, districts) in zip(reaches, spreads, strict=True):
        if reach is None:
            whole = sum(beats_in.get(station, 0) for station in stations) == len(beats)
            reach = Reach.STATION if whole else Reach.BEATS
        audiences.append(Audience(beats, stations, districts, reach))
    return audiences


_Row = tuple[int, int, int]


def _spread(
    choice: Choice, rows: list[_Row], district_of: dict[int, int]
) -> tuple[frozenset[int], frozenset[int], frozenset[int]]:
    """The beats the choice reaches (of `rows`: every beat any choice may reach), their stations
    and districts, with the chosen station and district themselves."""
    reached = [
        (pk, station, district)
        for pk, station, district in rows
        if pk in choice.beat_ids
        or (choice.station_id and station == choice.station_id)
        or (choice.district_id and district == choice.district_id)
    ]
    stations = {station for _, station, _ in reached}
    districts = {district for _, _, district in reached}
    if choice.station_id:
        stations.add(choice.station_id)
        if choice.station_id in district_of:
            districts.add(district_of[choice.station_id])
    if choice.district_id:
        districts.add(choice.district_id)
    return frozenset(pk for pk, _, _ in reached), frozenset(stations), frozenset(districts)


def _reach(choice: Choice, beats: frozenset[int], stations: frozenset[int]) -> Reach | None:
    """How wide the choice is; None when that depends on whether its beats are all of their station."""
    if choice.district_id or len(stations) > 1:
        return Reach.DISTRICT
    if choice.station_id:
        return Reach.STATION
    if len(beats) > 1:
        # Ticking every beat of a station is the whole station. One beat alone never is: it is the
        # smallest audience there is, and meeting notices go to one beat at a time.
        return None
    return Reach.BEATS


def broadcast_reach(broadcast: Broadcast) -> Audience:
    return reach_of(
        beat_ids=list(broadcast.beats.values_list("pk", flat=True)),
        station_id=broadcast.station_id,
        district_id=broadcast.district_id,
    )


def broadcast_reaches(broadcasts: list[Broadcast]) -> list[Audience]:
    """broadcast_reach for each of `broadcasts`, in a constant number of queries."""
    chosen: dict[int, set[int]] = {b.pk: set() for b in broadcasts}
    links = Broadcast.beats.through.objects.filter(broadcast_id__in=chosen)
    for broadcast_id, beat_id in links.values_list("broadcast_id", "beat_id"):
        chosen[broadcast_id].add(beat_id)
    return reaches_of([Choice(frozenset(chosen[b.pk]), b.station_id, b.district_id) for b in broadcasts])


def approvers_allow(*, user: User, audience: Audience) -> bool:
    """Whether `user` may approve a broadcast to `audience` (and so send one without approval)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.role == Role.ADMIN:
        return True
    if user.role == Role.DISTRICT_COORDINATOR and user.scope_district_id:
        return audience.district_ids == {user.scope_district_id}
    if user.role == Role.STATION_HEAD and user.scope_station_id and audience.reach <= Reach.STATION:
        return audience.station_ids == {user.scope_station_id}
    return False


def may_send_unapproved(*, user: User, audience: Audience) -> bool:
    """An officer sends to beats of their own; anything wider, or beats not theirs, waits for approval."""
    if approvers_allow(user=user, audience=audience):
        return True
    if audience.reach != Reach.BEATS or user.role not in (Role.OFFICER, Role.WOMENS_DESK):
        return False
    own = Beat.objects.visible_to(user).filter(pk__in=audience.beat_ids).count()
    return own == len(audience.beat_ids)


def needs_approval(*, user: User, broadcast: Broadcast) -> bool:
    """Whether `user` (its author) may not send `broadcast` without someone's approval."""
    return not may_send_unapproved(user=user, audience=broadcast_reach(broadcast))


class Estimate(TypedDict):
    """What a broadcast would cost; with the sender given, whether it would wait for approval."""

    recipients: int
    by_language: dict[str, int]
    segments: int
    cost: Decimal
    needs_approval: NotRequired[bool]
    district_wide: NotRequired[bool]


def estimate(
    *,
    beat_ids: list[int],
    station_id: int | None,
    district_id: int | None,
    bodies: dict[str, str],
    user: User | None = None,
) -> Estimate:
    """Recipients, segments and cost before sending; each phone gets the text in its language.

    With `user` (who would send it), also whether it would wait for approval and from whom."""
    draft = Broadcast(
        body_en=bodies.get("en", ""), body_ur=bodies.get("ur", ""), body_ps=bodies.get("ps", "")
    )
    channel = selectors.default_channel()
    price = channel.cost_per_segment if channel else Decimal("0")
    per_language: dict[str, int] = {}
    phones = selectors.subscribers(beat_ids=beat_ids, station_id=station_id, district_id=district_id)
    # With the pk: the audience is distinct, and distinct languages alone would count one a language.
    for _pk, language in phones.values_list("pk", "language"):
        per_language[language] = per_language.get(language, 0) + 1
    segments_total = sum(segment_info(draft.body_for(lang)).segments * n for lang, n in per_language.items())
    result: Estimate = {
        "recipients": sum(per_language.values()),
        "by_language": per_language,
        "segments": segments_total,
        "cost": price * segments_total,
    }
    if user is not None:
        reached = reach_of(beat_ids=beat_ids, station_id=station_id, district_id=district_id)
        result["needs_approval"] = not may_send_unapproved(user=user, audience=reached)
        result["district_wide"] = reached.reach == Reach.DISTRICT
    return result


def estimate_broadcast(broadcast: Broadcast) -> Estimate:
    return estimate(
        beat_ids=list(broadcast.beats.values_list("pk", flat=True)),
        station_id=broadcast.station_id,
        district_id=broadcast.district_id,
        bodies={"en": broadcast.body_en, "ur": broadcast.body_ur, "ps": broadcast.body_ps},
    )


def create_broadcast(
    *,
    author: User,
    beats: Iterable[Beat] = (),
    station: PoliceStation | None = None,
    district: District | None = None,
    body_en: str = "",
    body_ur: str = "",
    body_ps: str = "",
    scheduled_for: dt.datetime | None = None,
) -> Broadcast:
    """Store a broadcast with its audience and submit it, all or nothing."""
    with transaction.atomic():
        broadcast = Broadcast.objects.create(
            author=author,
            station=station,
            district=district,
            body_en=body_en,
            body_ur=body_ur,
            body_ps=body_ps,
            scheduled_for=scheduled_for,
        )
        broadcast.beats.set(list(beats))
        return submit_broadcast(broadcast=broadcast, by=author)


def submit_broadcast(*, broadcast: Broadcast, by: User) -> Broadcast:
    """Schedule a broadcast, or hold it for approval when its audience is wider than `by` may reach."""
    estimate = estimate_broadcast(broadcast)
    broadcast.recipients, broadcast.segments_total = estimate["recipients"], estimate["segments"]
    broadcast.cost_estimate = estimate["cost"]
    audience = broadcast_reach(broadcast)
    if not may_send_unapproved(user=by, audience=audience):
        broadcast.status = BroadcastStatus.PENDING_APPROVAL
    else:
        broadcast.status = BroadcastStatus.SCHEDULED
        if audience.reach > Reach.BEATS:
            # The author is an approver of this audience: the approval is theirs, on record.
            broadcast.approved_by, broadcast.approved_at = by, timezone.now()
    broadcast.save(
        update_fields=[
            "recipients",
            "segments_total",
            "cost_estimate",
            "status",
            "approved_by",
            "approved_at",
        ]
    )
    if broadcast.status == BroadcastStatus.SCHEDULED:
        _enqueue_dispatch(broadcast)
    return broadcast


def can_approve(*, user: User, broadcast: Broadcast) -> bool:
    return approvers_allow(user=user, audience=broadcast_reach(broadcast))


def awaiting_approval_by(*, user: User, among: Iterable[Broadcast]) -> list[Broadcast]:
    """Those of `among` that wait for an approval `user` may give (can_approve for each, with a
    constant number of queries)."""
    waiting = [b for b in among if b.status == BroadcastStatus.PENDING_APPROVAL]
    return [
        b
        for b, audience in zip(waiting, broadcast_reaches(waiting), strict=True)
        if approvers_allow(user=user, audience=audience)
    ]


def approve_broadcast(*, broadcast: Broadcast, by: User) -> Broadcast:
    with transaction.atomic():
        # Locked: two approvers clicking at once schedule it once.
        locked = Broadcast.objects.select_for_update().get(pk=broadcast.pk)
        if locked.status != BroadcastStatus.PENDING_APPROVAL:
            raise BroadcastError("only a broadcast waiting for approval can be approved")
        if not can_approve(user=by, broadcast=locked):
            raise BroadcastError("you cannot approve this broadcast")
        locked.status, locked.approved_by, locked.approved_at = BroadcastStatus.SCHEDULED, by, timezone.now()
        locked.save(update_fields=["status", "approved_by", "approved_at"])
        _enqueue_dispatch(locked)
    broadcast.refresh_from_db()
    return broadcast


def _enqueue_dispatch(broadcast: Broadcast) -> None:
    when = (
        broadcast.scheduled_for
        if broadcast.scheduled_for and broadcast.scheduled_for > timezone.now()
        else None
    )
    jobs.dispatch_broadcast_at(broadcast.pk, when)


def dispatch_broadcast_now(broadcast_id: int) -> int:
    """Queue one SMS per subscriber, in their language. Idempotent: a sent broadcast is not resent."""
    with transaction.atomic():
        broadcast = Broadcast.objects.select_for_update().filter(pk=broadcast_id).first()
        if broadcast is None or broadcast.status != BroadcastStatus.SCHEDULED:
            return 0
        if broadcast.scheduled_for and broadcast.scheduled_for > timezone.now():
            return 0  # rescheduled later; its own task will come
        count = 0
        for phone in selectors.broadcast_subscribers(broadcast):
            if queue_sms(
                phone=phone,
                body=broadcast.body_for(phone.language),
                purpose=Purpose.BROADCAST,
                broadcast=broadcast,
            ):
                count += 1
        broadcast.status, broadcast.sent_at, broadcast.recipients = (
            BroadcastStatus.SENT,
            timezone.now(),
            count,
        )
        broadcast.save(update_fields=["status", "sent_at", "recipients"])
        return count


def broadcast_to_beat(*, beat: Beat, body_en: str, body_ur: str, body_ps: str, by: User) -> Broadcast:
    """For other apps (e.g. meeting notices): one beat, sent at once when it is one of `by`'s beats."""
    return create_broadcast(author=by, beats=[beat], body_en=body_en, body_ur=body_ur, body_ps=body_ps)
