"""Outbound SMS: queue one, send queued ones (throttled, retried), and record delivery reports.

Every outbound message is a row before anything is sent, so nothing is lost if a process dies: the
periodic sweep (inbound.sweep_messages) sends what a stopped sender left behind. Sending is queued
through rabta.messaging.jobs (see there why not through the task objects).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from rabta.lib.sms import segment_info
from rabta.lib.text import mask_codes, storable
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


# How long a sender holds the one message it is sending. Network calls happen outside any
# transaction, so the claim is this lease (next_attempt_at moved ahead), not a lock held while a
# provider answers; it outlasts the provider timeout (10 s) with room to record the answer.
SEND_LEASE = dt.timedelta(seconds=30)


def _due(now: dt.datetime) -> Q:
    """Rows a sender may take now: queued and due, or in doubt (sending, its sender's lease over)."""
    queued_due = Q(status=OutboundStatus.QUEUED) & (
        Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True)
    )
    return queued_due | Q(status=OutboundStatus.SENDING, next_attempt_at__lte=now)


def send_outbound_messages(ids: list[int]) -> dict[int, str]:
    """Try to send queued SMS; on a transient failure schedule the next try. Returns id -> status.

    Each message is recorded as it goes, each step committed on its own, with no transaction open
    while a provider answers (on SQLite that would hold every other writer, web intake included):
    1. claim it: one conditional UPDATE to SENDING with a short lease, which succeeds for exactly
       one sender (another sender or the sweep finds it no longer due and skips it);
    2. call the provider;
    3. record the answer (sent, retry, failed) at once.
    A process killed between 1 and 3 leaves one message SENDING; when its lease runs out the sweep
    sends it again. So a crash repeats at most the message in flight, and the rest of the batch,
    still queued and due, goes out at the next sweep (each minute).
    """
    if not ids:
        return {}
    candidates = list(
        OutboundMessage.objects.select_related("channel", "phone")
        .filter(pk__in=ids)
        .filter(_due(timezone.now()))
        .order_by("pk")
    )
    sent_last_minute: dict[int, int] = {}
    outcomes: dict[int, str] = {}
    for message in candidates:
        outcome = _send_one(message, sent_last_minute)
        if outcome is not None:
            outcomes[message.pk] = outcome
    return outcomes


def _claim(message: OutboundMessage, **changes: object) -> bool:
    """Apply `changes` if the message is still due (nobody else took it meanwhile); commits at once."""
    taken = OutboundMessage.objects.filter(pk=message.pk).filter(_due(timezone.now())).update(**changes)
    return taken == 1


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


def _send_one(message: OutboundMessage, sent_last_minute: dict[int, int]) -> str | None:
    """Claim, send and record one message (no transaction open while the provider answers).

    Returns what happened (its new status, or "throttled"), or None if another sender had it."""
    if message.phone.opted_out and message.purpose != Purpose.REPLY:
        # Opted out after this was queued (a reply to the phone's own message still goes).
        suppressed = OutboundStatus.SUPPRESSED
        masked = mask_codes(message.body)
        if not _claim(message, status=suppressed, next_attempt_at=None, body=masked):
            return None
        return suppressed
    channel = message.channel
    # Throttle per channel: providers and operators block bursts from one number.
    if channel.pk not in sent_last_minute:
        since = timezone.now() - dt.timedelta(minutes=1)
        sent_last_minute[channel.pk] = OutboundMessage.objects.filter(
            channel=channel, sent_at__gte=since
        ).count()
    if sent_last_minute[channel.pk] >= channel.max_per_minute:
        later = timezone.now() + dt.timedelta(seconds=20)
        # A message in doubt stays SENDING: it may have gone, and it is resent only once it can be.
        if not _claim(message, next_attempt_at=later):
            return None
        return "throttled"
    started = timezone.now()
    lease = {"status": OutboundStatus.SENDING, "next_attempt_at": started + SEND_LEASE}
    if not _claim(message, attempts=F("attempts") + 1, **lease):
        return None
    message.attempts += 1
    message.status = OutboundStatus.SENDING
    try:
        provider_id = transport_for(channel).send(
            channel=channel, to=message.phone.number, body=message.body, reference=str(message.pk)
        )
    except TransientSendError as exc:
        message.last_error = str(exc)[:200]
        message.status = OutboundStatus.QUEUED
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
        with transaction.atomic():
            message.save(update_fields=TRIED_FIELDS)
            if message.status == OutboundStatus.QUEUED and message.next_attempt_at is not None:
                jobs.send_outbound_at(message.pk, message.next_attempt_at)
        return message.status
    except PermanentSendError as exc:
        message.status, message.last_error = OutboundStatus.FAILED, str(exc)[:200]
        message.next_attempt_at = None
        message.body = mask_codes(message.body)
        log.warning("SMS %s to %s failed: %s", message.pk, message.phone.number_masked, type(exc).__name__)
        message.save(update_fields=TRIED_FIELDS)
        return message.status
    sent_last_minute[channel.pk] += 1
    # Sent: the resident has the code now; the stored copy keeps only its last digits, so the
    # database (like the report's own hash) no longer holds it. Recorded at once, in its own
    # statement, so only a crash in the provider call itself leaves the message in doubt.
    message.body = mask_codes(message.body)
    message.status, message.provider_message_id = OutboundStatus.SENT, provider_id
    message.sent_at = message.status_at = timezone.now()
    message.next_attempt_at = None
    message.save(update_fields=SENT_FIELDS)
    return message.status


# A queued message this far past its due time has lost its sender (a worker stopped mid-batch);
# short, as a live sender claims each message within seconds of its turn.
STALE_AFTER = dt.timedelta(seconds=30)


def send_stale(*, now: dt.datetime, limit: int) -> int:
    """Send messages whose sender stopped; returns how many went.

    Those are queued ones due more than STALE_AFTER ago and those left SENDING whose lease ran out
    (in doubt: the provider may have them, so at least once means sending them again).
    """
    cutoff = now - STALE_AFTER
    stale = list(
        OutboundMessage.objects.filter(
            Q(status=OutboundStatus.QUEUED)
            & (Q(next_attempt_at__lte=cutoff) | Q(next_attempt_at__isnull=True, created_at__lte=cutoff))
            | Q(status=OutboundStatus.SENDING, next_attempt_at__lte=now)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for status in send_outbound_messages(stale).values() if status == OutboundStatus.SENT)


# Later states win; a late "sent" callback never undoes "delivered".
_STATUS_RANK: dict[str, int] = {
    OutboundStatus.QUEUED: 0,
    OutboundStatus.SENDING: 0,
    OutboundStatus.SENT: 1,
    OutboundStatus.UNDELIVERED: 2,
    OutboundStatus.FAILED: 2,
    OutboundStatus.DELIVERED: 3,
}


def record_delivery_status(*, channel: Channel, provider_message_id: str, status: OutboundStatus) -> bool:
    """A provider's delivery report; False when no message of this channel has that id."""
    # A NUL in the id would be a database error (and a gateway retrying forever); no stored id has one.
    provider_message_id = storable(provider_message_id)
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
