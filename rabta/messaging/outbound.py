"""Outbound SMS: queue one, send queued ones (throttled, retried), and record delivery reports.

Every outbound message is a row before anything is sent, so nothing is lost if a process dies: the
periodic sweep (inbound.sweep_messages) sends what a stopped sender left behind. Sending is queued
through rabta.messaging.jobs (see there why not through the task objects).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from rabta.lib.sms import segment_info
from rabta.lib.text import mask_codes
from rabta.messaging import jobs, selectors
from rabta.messaging.models import Broadcast, Channel, OutboundMessage, OutboundStatus, Phone, Purpose
from rabta.messaging.providers import transport_for
from rabta.messaging.providers.base import PermanentSendError, TransientSendError
from rabta.reports.models import Report

log = logging.getLogger("rabta.sms")

# Retries for transient provider failures: 30 s, 2 min, 8 min, 30 min, 2 h; then failed.
RETRY_DELAYS = (30, 120, 480, 1800, 7200)


def queue_sms(
    *,
    phone: Phone,
    body: str,
    purpose: Purpose,
    channel: Channel | None = None,
    broadcast: Broadcast | None = None,
    report: Report | None = None,
    send: bool = True,
) -> OutboundMessage | None:
    """Queue one SMS. A phone that sent STOP still gets replies to its own messages (STOP's own
    confirmation, STATUS), never a notification or a broadcast.

    `report` ties the message to the report it is about: its body is then shown only to staff who
    may see that report. With `send` (the default) a task sends it, queued in the same transaction;
    without, the caller sends it after its transaction commits (send_outbound_messages), as the
    inbound drain does.
    """
    channel = channel or selectors.default_channel()
    if channel is None:
        log.warning("no active SMS channel; message to %s not queued", phone.number_masked)
        return None
    info = segment_info(body)
    status = OutboundStatus.QUEUED
    if phone.opted_out and purpose != Purpose.REPLY:
        status = OutboundStatus.SUPPRESSED
    # The row and its task commit together; inside a caller's transaction no savepoint is needed.
    with transaction.atomic(savepoint=False):
        message = OutboundMessage.objects.create(
            channel=channel,
            phone=phone,
            # Never sent: nothing needs a tracking code's digits.
            body=body if status == OutboundStatus.QUEUED else mask_codes(body),
            purpose=purpose,
            broadcast=broadcast,
            report=report,
            encoding=info.encoding,
            segments=info.segments,
            cost_estimate=channel.cost_per_segment * info.segments,
            status=status,
            next_attempt_at=timezone.now() if status == OutboundStatus.QUEUED else None,
        )
        if status == OutboundStatus.QUEUED and send:
            jobs.send_outbound_now(message.pk)
    return message


def send_outbound_message(outbound_id: int) -> str:
    """Try to send one queued SMS; returns its new status ("skipped" if it was not queued)."""
    return send_outbound_messages([outbound_id]).get(outbound_id, "skipped")


# How long a sender holds the messages it claimed. Network calls happen outside any transaction, so
# the claim is this lease (next_attempt_at moved ahead), not a lock held while a provider answers.
SEND_LEASE = dt.timedelta(minutes=5)


def send_outbound_messages(ids: list[int]) -> dict[int, str]:
    """Try to send queued SMS; on a transient failure schedule the next try. Returns id -> status.

    Three steps, so no transaction is open while a provider answers (on SQLite an open write
    transaction would hold every other writer, web intake included, for the provider's timeout):
    1. claim: one short transaction locks the due rows (SKIP LOCKED: a row another sender holds is
       that sender's) and moves their next_attempt_at a lease ahead, so no other sender or the
       sweep takes them meanwhile;
    2. send, one by one, outside any transaction;
    3. record every outcome, and queue the retries, in one more short transaction.
    If the process dies after 2 and before 3, the lease runs out and the sweep sends them again:
    at least once.
    """
    if not ids:
        return {}
    now = timezone.now()
    with transaction.atomic():
        claimed = list(
            OutboundMessage.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("channel", "phone")
            .filter(pk__in=ids, status=OutboundStatus.QUEUED)
            .filter(Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True))
            .order_by("pk")
        )
        if claimed:
            OutboundMessage.objects.filter(pk__in=[m.pk for m in claimed]).update(
                next_attempt_at=now + SEND_LEASE
            )
    sent_last_minute: dict[int, int] = {}
    outcomes = [(message, _send_one(message, sent_last_minute)) for message in claimed]
    with transaction.atomic():
        for message, (_, fields) in outcomes:
            message.save(update_fields=fields)
            if message.status == OutboundStatus.QUEUED and message.next_attempt_at is not None:
                jobs.send_outbound_at(message.pk, message.next_attempt_at)
    return {message.pk: outcome for message, (outcome, _) in outcomes}


SENT_FIELDS = [
    "body",
    "attempts",
    "status",
    "provider_message_id",
    "sent_at",
    "status_at",
    "last_error",
    "next_attempt_at",
]
# A message that failed for good is masked like a sent one; one waiting for a retry keeps its text.
TRIED_FIELDS = ["body", "attempts", "last_error", "status", "next_attempt_at"]


def _send_one(message: OutboundMessage, sent_last_minute: dict[int, int]) -> tuple[str, list[str]]:
    """Send one claimed message (no transaction open) and set its new state.

    Returns what happened (its new status, or "throttled") and the fields to save."""
    if message.phone.opted_out and message.purpose != Purpose.REPLY:
        # Opted out after this was queued (a reply to the phone's own message still goes).
        message.status, message.next_attempt_at = OutboundStatus.SUPPRESSED, None
        message.body = mask_codes(message.body)
        return message.status, ["status", "next_attempt_at", "body"]
    channel = message.channel
    # Throttle per channel: providers and operators block bursts from one number.
    if channel.pk not in sent_last_minute:
        since = timezone.now() - dt.timedelta(minutes=1)
        sent_last_minute[channel.pk] = OutboundMessage.objects.filter(
            channel=channel, sent_at__gte=since
        ).count()
    if sent_last_minute[channel.pk] >= channel.max_per_minute:
        message.next_attempt_at = timezone.now() + dt.timedelta(seconds=20)
        return "throttled", ["next_attempt_at"]
    message.attempts += 1
    try:
        provider_id = transport_for(channel).send(
            channel=channel, to=message.phone.number, body=message.body, reference=str(message.pk)
        )
    except TransientSendError as exc:
        message.last_error = str(exc)[:200]
        if message.attempts > len(RETRY_DELAYS):
            message.status, message.next_attempt_at = OutboundStatus.FAILED, None
            message.body = mask_codes(message.body)
        else:
            message.next_attempt_at = timezone.now() + dt.timedelta(
                seconds=RETRY_DELAYS[message.attempts - 1]
            )
        log.warning(
            "SMS %s to %s: %s (attempt %s)",
            message.pk,
            message.phone.number_masked,
            type(exc).__name__,  # the provider's text, kept in last_error, may quote the number
            message.attempts,
        )
        return message.status, TRIED_FIELDS
    except PermanentSendError as exc:
        message.status, message.last_error = OutboundStatus.FAILED, str(exc)[:200]
        message.next_attempt_at = None
        message.body = mask_codes(message.body)
        log.warning("SMS %s to %s failed: %s", message.pk, message.phone.number_masked, type(exc).__name__)
        return message.status, TRIED_FIELDS
    sent_last_minute[channel.pk] += 1
    # Sent: the resident has the code now; the stored copy keeps only its last digits, so the
    # database (like the report's own hash) no longer holds it.
    message.body = mask_codes(message.body)
    message.status, message.provider_message_id = OutboundStatus.SENT, provider_id
    message.sent_at = message.status_at = timezone.now()
    message.next_attempt_at = None
    return message.status, SENT_FIELDS


# A queued message this far past its due time has lost its sender (a worker stopped mid-batch).
STALE_AFTER = dt.timedelta(minutes=2)


def send_stale(*, now: dt.datetime, limit: int) -> int:
    """Send queued messages whose sender stopped (due more than STALE_AFTER ago); returns how many went."""
    cutoff = now - STALE_AFTER
    stale = list(
        OutboundMessage.objects.filter(status=OutboundStatus.QUEUED)
        .filter(Q(next_attempt_at__lte=cutoff) | Q(next_attempt_at__isnull=True, created_at__lte=cutoff))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for status in send_outbound_messages(stale).values() if status == OutboundStatus.SENT)


# Later states win; a late "sent" callback never undoes "delivered".
_STATUS_RANK: dict[str, int] = {
    OutboundStatus.QUEUED: 0,
    OutboundStatus.SENT: 1,
    OutboundStatus.UNDELIVERED: 2,
    OutboundStatus.FAILED: 2,
    OutboundStatus.DELIVERED: 3,
}


def record_delivery_status(*, channel: Channel, provider_message_id: str, status: OutboundStatus) -> bool:
    """A provider's delivery report; False when no message of this channel has that id."""
    with transaction.atomic():
        message = (
            OutboundMessage.objects.select_for_update()
            .filter(channel=channel, provider_message_id=provider_message_id)
            .first()
        )
        if message is None:
            return False
        if _STATUS_RANK.get(status, 0) > _STATUS_RANK.get(message.status, 0):
            message.status, message.status_at = status, timezone.now()
            message.save(update_fields=["status", "status_at"])
        return True
