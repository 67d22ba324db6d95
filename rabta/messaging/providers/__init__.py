"""SMS providers as vertical slices: each folder has its inbound view(s) and its outbound transport.

A transport's `send` returns the provider's message id, or raises TransientSendError (retry later:
timeouts, 5xx, 429) or PermanentSendError (do not retry: bad number, bad credentials).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from django.db import connections, router
from django.http import Http404

if TYPE_CHECKING:
    from rabta.messaging.models import Channel


class TransientSendError(Exception):
    pass


class PermanentSendError(Exception):
    pass


class InboundRejected(Exception):
    """A webhook request we refuse; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


class Transport(Protocol):
    def send(self, *, channel: Channel, to: str, body: str, reference: str) -> str: ...


def transport_for(channel: Channel) -> Transport:
    from rabta.messaging.providers.console.transport import ConsoleTransport
    from rabta.messaging.providers.generic.transport import GenericTransport
    from rabta.messaging.providers.twilio.transport import TwilioTransport

    transports: dict[str, Transport] = {
        "twilio": TwilioTransport(),
        "generic": GenericTransport(),
        "console": ConsoleTransport(),
    }
    return transports[channel.provider]


def inbound_channel(slug: str, provider: str) -> Channel:
    """The active channel a webhook URL names, or Http404. Read fresh on every request (a channel
    switched off or given a new secret in admin takes effect at once), in plain SQL: on the busiest
    webhook path the ORM spent longer composing this query than the database spent answering it."""
    from rabta.messaging.models import Channel

    meta = Channel._meta
    connection = connections[router.db_for_read(Channel)]
    quote = connection.ops.quote_name
    # Only identifiers from _meta, quoted, are formatted in; every value is a parameter.
    sql = "SELECT * FROM {} WHERE {} = %s AND {} = %s AND {} = %s".format(  # noqa: S608
        quote(meta.db_table),
        quote(meta.get_field("inbound_slug").column),
        quote(meta.get_field("provider").column),
        quote(meta.get_field("active").column),
    )
    found = list(Channel.objects.db_manager(connection.alias).raw(sql, [slug, provider, True]))
    if not found:
        raise Http404("no such channel")
    return found[0]
