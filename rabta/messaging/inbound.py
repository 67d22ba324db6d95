"""Inbound SMS: store what the webhooks receive, then run the conversation in the worker.

Receiving is split in two so webhooks answer fast: `receive_inbound` only stores the message (once,
whatever the provider retries) and wakes the inbound drain; the conversation runs in the worker,
which handles waiting messages in chunks, applies what they lead to (rabta.messaging.effects) and
sends their replies at once. The periodic sweep picks up what a stopped worker left behind.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from rabta.core import sql
from rabta.lib.phones import normalise
from rabta.lib.text import mask_codes, storable
from rabta.messaging import commands, conversation, effects, jobs, outbound
from rabta.messaging.intents import Outcome
from rabta.messaging.models import (
    Channel,
    InboundMessage,
    InboundStatus,
    OutboundMessage,
    OutboundStatus,
    Phone,
    Purpose,
)
from rabta.messaging.phones import phone_id_for

log = logging.getLogger("rabta.sms")


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
    e164 = normalise(sender)
    # A gateway retries any refusal forever, so a NUL (or lone surrogate) is replaced, not refused:
    # the message is kept and the resident still gets an answer.
    body, provider_message_id = storable(body), storable(provider_message_id)
    with transaction.atomic():
        message = InboundMessage(
            channel=channel,
            provider_message_id=provider_message_id,
            phone_id=phone_id_for(e164),
            body=body[:2000],
        )
        if not sql.insert_or_ignore(message, unique=("channel", "provider_message_id")):
            return InboundMessage.objects.get(channel=channel, provider_message_id=provider_message_id), False
    jobs.wake_inbound_drain()
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
        outbound.send_outbound_messages([r.pk for r in replies if r.status == OutboundStatus.QUEUED])
    else:
        # More may be waiting: let other tasks run first, then carry on.
        jobs.wake_inbound_drain()
    return handled


def _handle_inbound(message: InboundMessage) -> list[OutboundMessage]:
    """One message inside the chunk's transaction; sets message.status; returns the queued replies."""
    reply_channel = message.channel.reply_channel or message.channel
    try:
        with transaction.atomic():
            # Commands of apps above messaging (an officer's LOG) first; they pass on what they
            # do not know, so everyone else gets the conversation's usual answer.
            answered = commands.answer(phone=message.phone, text=message.body, inbound_id=message.pk)
            if answered is not None:
                outcome = Outcome(answered)
            else:
                flow = conversation.handle(
                    phone=message.phone, text=message.body, channel=message.channel, inbound_id=message.pk
                )
                outcome = effects.run(flow, phone=message.phone)
            queued = [
                outbound.queue_sms(
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


def sweep_messages(now: dt.datetime | None = None) -> dict[str, int]:
    """The safety net run every minute: handle inbound SMS left waiting and send stale queued ones."""
    now = now or timezone.now()
    inbound = 0
    if InboundMessage.objects.filter(
        status=InboundStatus.RECEIVED, received_at__lte=now - dt.timedelta(minutes=1)
    ).exists():
        inbound = process_pending_inbound()
    return {"inbound": inbound, "resent": outbound.send_stale(now=now, limit=DRAIN_LIMIT)}
