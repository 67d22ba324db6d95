"""SMS commands that apps above messaging answer, plugged in without messaging importing them.

An app registers a handler (in its AppConfig.ready). For each inbound SMS the worker asks the
handlers in turn, inside the message's savepoint, before the resident conversation runs: the first
that returns replies has answered the message; one that returns None leaves it to the next, and in
the end to the conversation. A handler must return None for every phone it does not know, so that
a stranger who sends its command gets exactly the answer any unknown text gets.
"""

from __future__ import annotations

from typing import Protocol

from rabta.messaging.models import Phone


class CommandHandler(Protocol):
    def __call__(self, *, phone: Phone, text: str, inbound_id: int | None) -> list[str] | None: ...


_HANDLERS: list[CommandHandler] = []


def register(handler: CommandHandler) -> CommandHandler:
    """Ask `handler` about every inbound SMS from now on (once, however often it is registered)."""
    if handler not in _HANDLERS:
        _HANDLERS.append(handler)
    return handler


def unregister(handler: CommandHandler) -> None:
    if handler in _HANDLERS:
        _HANDLERS.remove(handler)


def answer(*, phone: Phone, text: str, inbound_id: int | None = None) -> list[str] | None:
    """The replies of the first handler that takes the message, or None when none does."""
    for handler in list(_HANDLERS):
        replies = handler(phone=phone, text=text, inbound_id=inbound_id)
        if replies is not None:
            return replies
    return None


__all__: list[str] = ["CommandHandler", "answer", "register", "unregister"]
