"""SMS flows that touch several models: receiving, replying, notifying, subscribing, broadcasting.

Receiving is split in two so webhooks answer fast: `receive_inbound` only stores the message (once,
whatever the provider retries) and wakes the inbound drain; the conversation runs in the worker,
which handles waiting messages in chunks and sends their replies at once. Every outbound message is
a row before anything is sent, so nothing is lost if a process dies: the periodic sweep finds it.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import IntegrityError, connections, models, router, transaction
from django.db.models import Q
from django.utils import timezone

from rabta.core.tasks import enqueue_now, wake
from rabta.lib.phones import normalise
from rabta.lib.sms import segment_info
from rabta.lib.text import mask_codes
from rabta.messaging.models import (
    Broadcast,
    Channel,
    InboundMessage,
    InboundStatus,
    OutboundMessage,
    OutboundStatus,
    Phone,
    Purpose,
    Subscription,
    phone_index,
)

log = logging.getLogger("rabta.sms")

# Retries for transient provider failures: 30 s, 2 min, 8 min, 30 min, 2 h; then failed.
RETRY_DELAYS = (30, 120, 480, 1800, 7200)


def phone_for(e164: str, *, language: str | None = None) -> Phone:
    """The Phone row for a number, created once even when two deliveries race."""
    existing = Phone.objects.for_number(e164).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            phone = Phone.build(e164, language=language or "ur")
            phone.save()
            return phone
    except IntegrityError:
        return Phone.objects.for_number(e164).get()


def _insert_unless_exists(obj: models.Model, *, unique: tuple[str, ...]) -> bool:
    """INSERT the new object unless a row with the same `unique` fields exists; True when inserted.

    One statement (INSERT ... ON CONFLICT DO NOTHING RETURNING, the same on PostgreSQL and SQLite
    3.35+) instead of a savepoint, an INSERT that may fail and a rollback to the savepoint. A twin
    request inserting at the same moment makes this one wait for its commit and then find the row,
    so exactly one of them inserts. Columns and values come from the model as Django's own insert
    takes them (pre_save, get_db_prep_save), so defaults and auto_now_add behave as with save().
    """
    meta = obj._meta
    connection = connections[router.db_for_write(type(obj))]
    quote = connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if not (f.primary_key and getattr(obj, f.attname) is None)]
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    conflict = ", ".join(quote(f.column) for f in meta.concrete_fields if f.name in unique)
    # Only identifiers from _meta, quoted, are formatted in; every value is a parameter.
    sql = "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}) DO NOTHING RETURNING {}".format(  # noqa: S608
        quote(meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
        conflict,
        quote(meta.pk.column),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding, obj._state.db = False, connection.alias
    return True


def _phone_id_by_index(index: str) -> int | None:
    meta = Phone._meta
    connection = connections[router.db_for_read(Phone)]
    quote = connection.ops.quote_name
    # Plain SQL for one indexed lookup on every webhook: the ORM costs more to compose it than to run it.
    sql = "SELECT {} FROM {} WHERE {} = %s".format(  # noqa: S608 - quoted identifiers from _meta only
        quote(meta.pk.column), quote(meta.db_table), quote(meta.get_field("number_index").column)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [index])
        row = cursor.fetchone()
    return int(row[0]) if row else None


def _phone_id_for(e164: str) -> int:
    """The id of the Phone row for a number, created once even when two deliveries race."""
    index = phone_index(e164)
    found = _phone_id_by_index(index)
    if found is not None:
        return found
    phone = Phone.build(e164, language="ur")
    if _insert_unless_exists(phone, unique=("number_index",)):
        return int(phone.pk)
    # A concurrent delivery from the same new number committed it first.
    return int(Phone.objects.filter(number_index=index).values_list("pk", flat=True).get())


def receive_inbound(
    *, channel: Channel, provider_message_id: str, sender: str, body: str
) -> tuple[InboundMessage, bool]:
    """Store an inbound SMS once and make sure a worker will process it. Returns (message, created).

    Raises rabta.lib.phones.InvalidPhoneNumber for a sender we cannot read. One transaction with no
    savepoint: look up (or insert) the phone, insert the message unless the provider's id is known.
    Then, after it has committed, wake the inbound drain unless a run of it is already waiting
    (see rabta.core.tasks.wake): under load one task serves many messages instead of one each.
    Called inside an outer transaction, a drain already running might miss the message; the
    periodic sweep then picks it up within a minute.
    """
    from rabta.messaging.tasks import drain_inbound

    e164 = normalise(sender)
    with transaction.atomic():
        message = InboundMessage(
            channel=channel,
            provider_message_id=provider_message_id,
            phone_id=_phone_id_for(e164),
            body=body[:2000],
        )
        if not _insert_unless_exists(message, unique=("channel", "provider_message_id")):
            return InboundMessage.objects.get(channel=channel, provider_message_id=provider_message_id), False
    wake(drain_inbound)
    return message, True


# How many inbound messages share one transaction (one commit), and how many one drain run takes
# before it lets the worker run other tasks (a new drain is queued if messages remain).
DRAIN_CHUNK = 25
DRAIN_LIMIT = 500


def process_pending_inbound(*, limit: int = DRAIN_LIMIT, chunk: int = DRAIN_CHUNK) -> int:
    """Run the conversation for waiting inbound SMS in arrival order, exactly once each, and send
    the replies. Returns how many messages were handled.

    Each chunk is one transaction: the messages are claimed (SKIP LOCKED, so two workers never take
    the same one), their phones locked in id order (so one phone's messages are handled one at a
    time), each message handled in a savepoint (one that fails is marked failed with its error and
    the rest go on), the replies stored as queued rows. After the commit the replies are sent; one
    that cannot be sent now is retried by a task (send_outbound_messages), so nothing is lost.
    """
    from rabta.messaging.tasks import drain_inbound

    handled = 0
    while handled < limit:
        with transaction.atomic():
            messages = list(
                InboundMessage.objects.select_for_update(of=("self",), skip_locked=True)
                .filter(status=InboundStatus.RECEIVED)
                .select_related("channel__reply_channel")
                .order_by("pk")[: min(chunk, limit - handled)]
            )
            if not messages:
                break
            phones = Phone.objects.select_for_update().order_by("pk").in_bulk({m.phone_id for m in messages})
            replies: list[OutboundMessage] = []
            for message in messages:
                message.phone = phones[message.phone_id]
                replies.extend(_handle_inbound(message))
            now = timezone.now()
            for status in (InboundStatus.PROCESSED, InboundStatus.FAILED):
                done = [m for m in messages if m.status == status]
                if done:
                    InboundMessage.objects.filter(pk__in=[m.pk for m in done]).update(
                        status=status, processed_at=now
                    )
        handled += len(messages)
        send_outbound_messages([r.pk for r in replies if r.status == OutboundStatus.QUEUED])
    else:
        # More may be waiting: let other tasks run first, then carry on.
        wake(drain_inbound)
    return handled


def _handle_inbound(message: InboundMessage) -> list[OutboundMessage]:
    """One message inside the chunk's transaction; sets message.status; returns the queued replies."""
    from rabta.messaging.conversation import handle

    reply_channel = message.channel.reply_channel or message.channel
    try:
        with transaction.atomic():
            outcome = handle(
                phone=message.phone, text=message.body, channel=message.channel, inbound_id=message.pk
            )
            queued = [
                queue_sms(
                    phone=message.phone,
                    body=str(reply),
                    purpose=Purpose.REPLY,
                    channel=reply_channel,
                    report=outcome.report,
                    send=False,
                )
                for reply in outcome.replies
            ]
            # The message belongs to a report (its body is shown only to staff who may see that
            # report); one that holds a tracking code keeps only the code's last digits.
            changes: dict[str, Any] = {}
            if outcome.report is not None:
                changes["report"] = outcome.report
            if outcome.mask_inbound:
                changes["body"] = mask_codes(message.body)
            if changes:
                InboundMessage.objects.filter(pk=message.pk).update(**changes)
    except Exception as exc:
        # Rolled back to the savepoint: this message changed nothing and is not retried (a bug or
        # bad data would fail again); the error is kept for the admin and the log.
        # No traceback in the log: an exception's text may quote the message or the number (as in
        # reports/notify.py). The admin sees the text in `error`; the log names the kind only.
        log.error(
            "inbound SMS %s from %s failed (%s)", message.pk, message.phone.number_masked, type(exc).__name__
        )
        message.phone.refresh_from_db()
        message.status, message.error = InboundStatus.FAILED, f"{type(exc).__name__}: {exc}"[:200]
        InboundMessage.objects.filter(pk=message.pk).update(error=message.error)
        return []
    message.status = InboundStatus.PROCESSED
    return [m for m in queued if m is not None]


def process_inbound_message(inbound_id: int) -> None:
    """Handle a waiting inbound SMS (tasks queued one per message before the drain existed)."""
    if InboundMessage.objects.filter(pk=inbound_id, status=InboundStatus.RECEIVED).exists():
        process_pending_inbound()


def default_channel() -> Channel | None:
    return Channel.objects.filter(active=True).order_by("-is_default", "pk").first()


def queue_sms(
    *,
    phone: Phone,
    body: str,
    purpose: str,
    channel: Channel | None = None,
    broadcast: Broadcast | None = None,
    report: Any = None,
    send: bool = True,
) -> OutboundMessage | None:
    """Queue one SMS. A phone that sent STOP still gets replies to its own messages (STOP's own
    confirmation, STATUS), never a notification or a broadcast.

    `report` ties the message to the report it is about: its body is then shown only to staff who
    may see that report. With `send` (the default) a task sends it, queued in the same transaction;
    without, the caller sends it after its transaction commits (send_outbound_messages), as the
    inbound drain does.
    """
    from rabta.messaging.tasks import send_outbound

    channel = channel or default_channel()
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
            enqueue_now(send_outbound, message.pk)
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
                _queue_retry(message)
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
    from rabta.messaging.providers import PermanentSendError, TransientSendError, transport_for

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


def _queue_retry(message: OutboundMessage) -> None:
    from rabta.messaging.tasks import send_outbound

    assert message.next_attempt_at is not None
    send_outbound.using(run_after=message.next_attempt_at).enqueue(message.pk)


# A queued message this far past its due time has lost its sender (a worker stopped mid-batch).
STALE_AFTER = dt.timedelta(minutes=2)


def sweep_messages(now: dt.datetime | None = None) -> dict[str, int]:
    """The safety net run every minute: handle inbound SMS left waiting and send stale queued ones."""
    now = now or timezone.now()
    cutoff = now - STALE_AFTER
    inbound = 0
    if InboundMessage.objects.filter(
        status=InboundStatus.RECEIVED, received_at__lte=now - dt.timedelta(minutes=1)
    ).exists():
        inbound = process_pending_inbound()
    stale = list(
        OutboundMessage.objects.filter(status=OutboundStatus.QUEUED)
        .filter(Q(next_attempt_at__lte=cutoff) | Q(next_attempt_at__isnull=True, created_at__lte=cutoff))
        .order_by("pk")
        .values_list("pk", flat=True)[:DRAIN_LIMIT]
    )
    sent = sum(1 for status in send_outbound_messages(stale).values() if status == OutboundStatus.SENT)
    return {"inbound": inbound, "resent": sent}


# Later states win; a late "sent" callback never undoes "delivered".
_STATUS_RANK: dict[str, int] = {
    OutboundStatus.QUEUED: 0,
    OutboundStatus.SENT: 1,
    OutboundStatus.UNDELIVERED: 2,
    OutboundStatus.FAILED: 2,
    OutboundStatus.DELIVERED: 3,
}


def record_delivery_status(*, channel: Channel, provider_message_id: str, status: str) -> bool:
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


# Subscriptions ---------------------------------------------------------------------------------
# The rules live in rabta.messaging.subscriptions; these names are what the conversation calls.


def subscribe(*, phone: Phone, beat: Any) -> Subscription:
    from rabta.messaging import subscriptions

    return subscriptions.subscribe(phone=phone, beat=beat)


def unsubscribe_all(*, phone: Phone) -> int:
    from rabta.messaging import subscriptions

    return subscriptions.unsubscribe_all(phone=phone)


def confirm_pending_subscriptions(*, phone: Phone) -> list[Subscription]:
    """The phone replied YES: start the web sign-ups waiting for it (see subscriptions.py)."""
    from rabta.messaging import subscriptions

    return subscriptions.confirm_pending_subscriptions(phone=phone)
