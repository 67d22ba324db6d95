"""Development transport: prints outbound SMS (number masked) instead of sending them."""

from __future__ import annotations

import logging
import uuid

from rabta.lib.phones import mask
from rabta.messaging.models import Channel

log = logging.getLogger("rabta.sms.console")


class ConsoleTransport:
    def send(self, *, channel: Channel, to: str, body: str, reference: str) -> str:
        log.info("SMS to %s via %s: %s", mask(to), channel.name, body)
        return f"console-{uuid.uuid4().hex}"
