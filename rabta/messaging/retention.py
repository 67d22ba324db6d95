"""What messaging erases on time: SMS bodies and guided conversations, a period after the message.

The message rows stay (channel, phone, direction, purpose, status, segments, cost, dates, report):
delivery figures and per-channel counts need them. Only the text goes. A message still waiting to
be processed or sent is never touched.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from rabta.core.retention import Purge, period
from rabta.messaging.models import (
    Conversation,
    InboundMessage,
    InboundStatus,
    OutboundMessage,
    OutboundStatus,
)

INBOUND = "inbound SMS body"
OUTBOUND = "outbound SMS body"
CONVERSATION = "SMS conversation"


def _blank_body(batch: QuerySet[InboundMessage] | QuerySet[OutboundMessage]) -> int:
    return batch.update(body="")


def _delete(batch: QuerySet[Conversation]) -> int:
    return batch.delete()[0]


def purges(now: dt.datetime) -> list[Purge]:
    cutoff = now - period("sms")
    inbound = (
        InboundMessage.objects.filter(received_at__lt=cutoff)
        .exclude(body="")
        .exclude(status=InboundStatus.RECEIVED)
    )
    outbound = (
        OutboundMessage.objects.filter(created_at__lt=cutoff)
        .exclude(body="")
        .exclude(status__in=[OutboundStatus.QUEUED, OutboundStatus.SENDING])
    )
    # A conversation holds a half-told report (its data); it expires within hours, so one idle
    # past the period is long dead.
    conversations = Conversation.objects.filter(updated_at__lt=cutoff)
    return [
        Purge(INBOUND, inbound, _blank_body),
        Purge(OUTBOUND, outbound, _blank_body),
        Purge(CONVERSATION, conversations, _delete),
    ]
