"""Broadcasts: officers' messages to the SMS subscribers of beats, with approval for wide audiences.

Who must approve depends on the beats a broadcast actually reaches, whatever way they were chosen
(ticked one by one, a whole station, a whole district): see `reach_of` and `approvers_allow`, the
one place that rule lives.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from rabta.core.tasks import enqueue_now
from rabta.lib.sms import segment_info
from rabta.messaging.models import Broadcast, BroadcastStatus, Phone, Purpose
from rabta.messaging.services import default_channel, queue_sms


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


def reach_of(*, beat_ids: Iterable[int], station_id: int | None, district_id: int | None) -> Audience:
    """The audience of a broadcast to these beats, this whole station and this whole district."""
    from rabta.places.models import Beat, PoliceStation

    chosen = set(beat_ids)
    where = Q(pk__in=chosen)
    if station_id:
        where |= Q(station_id=station_id)
    if district_id:
        where |= Q(station__district_id=district_id)
    rows = list(Beat.objects.filter(where).values_list("pk", "station_id", "station__district_id"))
    beats = frozenset(pk for pk, _, _ in rows)
    stations = {station for _, station, _ in rows}
    districts = {district for _, _, district in rows}
    if station_id:
        stations.add(station_id)
        districts.update(PoliceStation.objects.filter(pk=station_id).values_list("district_id", flat=True))
    if district_id:
        districts.add(district_id)
    if district_id or len(stations) > 1:
        reach = Reach.DISTRICT
    elif station_id:
        reach = Reach.STATION
    elif len(beats) > 1 and Beat.objects.filter(station_id__in=stations).count() == len(beats):
        # Ticking every beat of a station is the whole station. One beat alone never is: it is the
        # smallest audience there is, and meeting notices go to one beat at a time.
        reach = Reach.STATION
    else:
        reach = Reach.BEATS
    return Audience(beats, frozenset(stations), frozenset(districts), reach)


def broadcast_reach(broadcast: Broadcast) -> Audience:
    return reach_of(
        beat_ids=list(broadcast.beats.values_list("pk", flat=True)),
        station_id=broadcast.station_id,
        district_id=broadcast.district_id,
    )


def approvers_allow(*, user: Any, audience: Audience) -> bool:
    """Whether `user` may approve a broadcast to `audience` (and so send one without approval)."""
    from rabta.people.models import Role

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.role == Role.ADMIN:
        return True
    if user.role == Role.DISTRICT_COORDINATOR and user.scope_district_id:
        return audience.district_ids == {user.scope_district_id}
    if user.role == Role.STATION_HEAD and user.scope_station_id and audience.reach <= Reach.STATION:
        return audience.station_ids == {user.scope_station_id}
    return False


def may_send_unapproved(*, user: Any, audience: Audience) -> bool:
    """An officer sends to beats of their own; anything wider, or beats not theirs, waits for approval."""
    from rabta.people.models import Role
    from rabta.places.models import Beat

    if approvers_allow(user=user, audience=audience):
        return True
    if audience.reach != Reach.BEATS or user.role not in (Role.OFFICER, Role.WOMENS_DESK):
        return False
    own = Beat.objects.visible_to(user).filter(pk__in=audience.beat_ids).count()
    return own == len(audience.beat_ids)


def needs_approval(*, user: Any, broadcast: Broadcast) -> bool:
    """Whether `user` (its author) may not send `broadcast` without someone's approval."""
    return not may_send_unapproved(user=user, audience=broadcast_reach(broadcast))


def audience(*, beat_ids: list[int], station_id: int | None, district_id: int | None) -> Any:
    """Phones subscribed to any of the beats, or anywhere in the station or district; opted-out excluded."""
    beats_q = Q(subscriptions__beat_id__in=beat_ids)
    if station_id:
        beats_q |= Q(subscriptions__beat__station_id=station_id)
    if district_id:
        beats_q |= Q(subscriptions__beat__station__district_id=district_id)
    return Phone.objects.filter(beats_q, subscriptions__active=True, opted_out=False).distinct()


def broadcast_audience(broadcast: Broadcast) -> Any:
    return audience(
        beat_ids=list(broadcast.beats.values_list("pk", flat=True)),
        station_id=broadcast.station_id,
        district_id=broadcast.district_id,
    )


def estimate(
    *,
    beat_ids: list[int],
    station_id: int | None,
    district_id: int | None,
    bodies: dict[str, str],
    user: Any = None,
) -> dict[str, Any]:
    """Recipients, segments and cost before sending; each phone gets the text in its language.

    With `user` (who would send it), also whether it would wait for approval and from whom."""
    draft = Broadcast(
        body_en=bodies.get("en", ""), body_ur=bodies.get("ur", ""), body_ps=bodies.get("ps", "")
    )
    channel = default_channel()
    price = channel.cost_per_segment if channel else Decimal("0")
    per_language: dict[str, int] = {}
    phones = audience(beat_ids=beat_ids, station_id=station_id, district_id=district_id)
    # With the pk: the audience is distinct, and distinct languages alone would count one a language.
    for _pk, language in phones.values_list("pk", "language"):
        per_language[language] = per_language.get(language, 0) + 1
    segments_total = sum(segment_info(draft.body_for(lang)).segments * n for lang, n in per_language.items())
    result: dict[str, Any] = {
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


def estimate_broadcast(broadcast: Broadcast) -> dict[str, Any]:
    return estimate(
        beat_ids=list(broadcast.beats.values_list("pk", flat=True)),
        station_id=broadcast.station_id,
        district_id=broadcast.district_id,
        bodies={"en": broadcast.body_en, "ur": broadcast.body_ur, "ps": broadcast.body_ps},
    )


def create_broadcast(
    *,
    author: Any,
    beats: Iterable[Any] = (),
    station: Any = None,
    district: Any = None,
    body_en: str = "",
    body_ur: str = "",
    body_ps: str = "",
    scheduled_for: Any = None,
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


def submit_broadcast(*, broadcast: Broadcast, by: Any) -> Broadcast:
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
    broadcast.save()
    if broadcast.status == BroadcastStatus.SCHEDULED:
        _enqueue_dispatch(broadcast)
    return broadcast


def can_approve(*, user: Any, broadcast: Broadcast) -> bool:
    return approvers_allow(user=user, audience=broadcast_reach(broadcast))


def approve_broadcast(*, broadcast: Broadcast, by: Any) -> Broadcast:
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
    from rabta.messaging.tasks import dispatch_broadcast

    when = (
        broadcast.scheduled_for
        if broadcast.scheduled_for and broadcast.scheduled_for > timezone.now()
        else None
    )
    if when:
        dispatch_broadcast.using(run_after=when).enqueue(broadcast.pk)
    else:
        enqueue_now(dispatch_broadcast, broadcast.pk)


def dispatch_broadcast_now(broadcast_id: int) -> int:
    """Queue one SMS per subscriber, in their language. Idempotent: a sent broadcast is not resent."""
    with transaction.atomic():
        broadcast = Broadcast.objects.select_for_update().filter(pk=broadcast_id).first()
        if broadcast is None or broadcast.status != BroadcastStatus.SCHEDULED:
            return 0
        if broadcast.scheduled_for and broadcast.scheduled_for > timezone.now():
            return 0  # rescheduled later; its own task will come
        count = 0
        for phone in broadcast_audience(broadcast):
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


def broadcast_to_beat(*, beat: Any, body_en: str, body_ur: str, body_ps: str, by: Any) -> Broadcast:
    """For other apps (e.g. meeting notices): one beat, sent at once when it is one of `by`'s beats."""
    return create_broadcast(author=by, beats=[beat], body_en=body_en, body_ur=body_ur, body_ps=body_ps)
