"""SMS providers, one folder each: its outbound transport and its webhook signature scheme.

The provider-neutral parts are in `base` (the Transport protocol and its errors). The webhook views
that check these signatures live in rabta.messaging.webhooks: they hand messages to the inbound and
outbound services, which themselves send through the transports here, so the views cannot live
below them.
"""

from __future__ import annotations

from rabta.messaging.models import Channel, Provider
from rabta.messaging.providers.base import Transport
from rabta.messaging.providers.console.transport import ConsoleTransport
from rabta.messaging.providers.generic.transport import GenericTransport
from rabta.messaging.providers.twilio.transport import TwilioTransport

_TRANSPORTS: dict[str, Transport] = {
    Provider.TWILIO: TwilioTransport(),
    Provider.GENERIC: GenericTransport(),
    Provider.CONSOLE: ConsoleTransport(),
}


def transport_for(channel: Channel) -> Transport:
    return _TRANSPORTS[channel.provider]
