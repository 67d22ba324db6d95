"""What every provider's transport promises, and the two ways sending can fail.

A transport's `send` returns the provider's message id, or raises TransientSendError (retry later:
timeouts, 5xx, 429) or PermanentSendError (do not retry: bad number, bad credentials).
"""

from __future__ import annotations

from typing import Protocol

from rabta.messaging.models import Channel


class TransientSendError(Exception):
    pass


class PermanentSendError(Exception):
    pass


class Transport(Protocol):
    def send(self, *, channel: Channel, to: str, body: str, reference: str) -> str: ...
