"""Broadcasts: officers' messages to the SMS subscribers of beats, with approval for wide audiences."""

from __future__ import annotations

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
    *, beat_ids: list[int], station_id: int | None, district_id: int | None, bodies: dict[str, str]
) -> dict[str, Any]:
    """Recipients, segments and cost before sending; each phone gets the text in its language."""
    draft = Broadcast(
        body_en=bodies.get("en", ""), body_ur=bodies.get("ur", ""), body_ps=bodies.get("ps", "")
    )
    channel = default_channel()
    price = channel.cost_per_segment if channel else Decimal("0")
    per_language: dict[str, int] = {}
    phones = audience(beat_ids=beat_ids, station_id=station_id, district_id=district_id)
    for language in phones.values_list("language", flat=True):
        per_language[language] = per_language.get(language, 0) + 1
    segments_total = sum(segment_info(draft.body_for(lang)).segments * n for lang, n in per_language.items())
    return {
        "recipients": sum(per_language.values()),
        "by_language": per_language,
        "segments": segments_total,
        "cost": price * segments_total,
    }


def estimate_broadcast(broadcast: Broadcast) -> dict[str, Any]:
    return estimate(
        beat_ids=list(broadcast.beats.values_list("pk", flat=True)),
        station_id=broadcast.station_id,
        district_id=broadcast.district_id,
        bodies={"en": broadcast.body_en, "ur": broadcast.body_ur, "ps": broadcast.body_ps},
    )


def submit_broadcast(*, broadcast: Broadcast, by: Any) -> Broadcast:
    """Schedule a broadcast, or hold it for approval when it targets a whole station or district."""
    estimate = estimate_broadcast(broadcast)
    broadcast.recipients, broadcast.segments_total = estimate["recipients"], estimate["segments"]
    broadcast.cost_estimate = estimate["cost"]
    if broadcast.needs_approval and not can_approve(user=by, broadcast=broadcast):
        broadcast.status = BroadcastStatus.PENDING_APPROVAL
    else:
        broadcast.status = BroadcastStatus.SCHEDULED
        if broadcast.needs_approval:
            broadcast.approved_by, broadcast.approved_at = by, timezone.now()
    broadcast.save()
    if broadcast.status == BroadcastStatus.SCHEDULED:
        _enqueue_dispatch(broadcast)
    return broadcast


def can_approve(*, user: Any, broadcast: Broadcast) -> bool:
    from rabta.people.models import Role

    if user.role == Role.ADMIN:
        return True
    if broadcast.district_id:
        return user.role == Role.DISTRICT_COORDINATOR and user.scope_district_id == broadcast.district_id
    if broadcast.station_id:
        return (user.role == Role.STATION_HEAD and user.scope_station_id == broadcast.station_id) or (
            user.role == Role.DISTRICT_COORDINATOR and user.scope_district_id == broadcast.station.district_id  # type: ignore[union-attr]
        )
    return True


def approve_broadcast(*, broadcast: Broadcast, by: Any) -> Broadcast:
    if broadcast.status != BroadcastStatus.PENDING_APPROVAL:
        raise BroadcastError("only a broadcast waiting for approval can be approved")
    if not can_approve(user=by, broadcast=broadcast):
        raise BroadcastError("you cannot approve this broadcast")
    broadcast.status, broadcast.approved_by, broadcast.approved_at = (
        BroadcastStatus.SCHEDULED,
        by,
        timezone.now(),
    )
    broadcast.save(update_fields=["status", "approved_by", "approved_at"])
    _enqueue_dispatch(broadcast)
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
    """For other apps (e.g. meeting notices): one beat, no approval needed."""
    broadcast = Broadcast.objects.create(author=by, body_en=body_en, body_ur=body_ur, body_ps=body_ps)
    broadcast.beats.set([beat])
    return submit_broadcast(broadcast=broadcast, by=by)
