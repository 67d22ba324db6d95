"""What the SMS conversation asks to be done, as data: the vocabulary between it and its caller.

The conversation (conversation.py and report_flow.py) reads what it needs and decides, but writes
nothing and queues nothing. Where its decision needs a write, it yields an intent and waits for the
result, in one line: `allowed = yield from ask(HitRateLimit("track", key))`. Its functions are
therefore generators (a `Flow`): they yield intents and return the `Outcome`, the replies.

The caller, rabta.messaging.effects.run, applies each intent as it comes, inside the message's
savepoint, and sends back its result; so writes happen in the order the conversation states them,
and the replies that depend on a write (a tracking code, the beats a YES started) are written after
it. Every intent concerns the phone whose message is handled; the caller knows which one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from rabta.messaging.models import Conversation, Subscription
from rabta.places.models import Beat
from rabta.reports.models import Category, Report
from rabta.reports.services import Submission

T = TypeVar("T")


class Intent(Generic[T]):
    """A write the conversation needs; T is what the caller sends back once it is done."""


Flow = Generator[Intent[Any], Any, T]


def ask(intent: Intent[T]) -> Generator[Intent[Any], Any, T]:
    """Yield one intent and return its result (use as `result = yield from ask(intent)`)."""
    result: T = yield intent
    return result


@dataclass
class Outcome:
    """What one inbound SMS led to: the replies, and the report they belong to (if any)."""

    replies: list[str]
    report: Report | None = None
    # The inbound body quotes a tracking code: masked once processed.
    mask_inbound: bool = False


# ---- the phone ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChooseLanguage(Intent[None]):
    language: str


@dataclass(frozen=True)
class SetDiscreet(Intent[None]):
    on: bool


@dataclass(frozen=True)
class OptOut(Intent[None]):
    pass


@dataclass(frozen=True)
class OptIn(Intent[None]):
    pass


@dataclass(frozen=True)
class HitRateLimit(Intent[bool]):
    """Count one attempt against a limit of rabta.core.ratelimit; the result says whether it is allowed."""

    scope: str
    key: str


# ---- beat news -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subscribe(Intent[Subscription]):
    beat: Beat


@dataclass(frozen=True)
class UnsubscribeAll(Intent[int]):
    pass


@dataclass(frozen=True)
class ConfirmSubscriptions(Intent[list[Subscription]]):
    """The phone said YES: the result is the subscriptions it started (see subscriptions.py)."""


# ---- the guided exchange ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SaveConversation(Intent[None]):
    """Store the conversation as it is now (a new one is created)."""

    conversation: Conversation


@dataclass(frozen=True)
class EndConversation(Intent[None]):
    conversation: Conversation


@dataclass(frozen=True)
class ClearConversation(Intent[None]):
    """Forget whatever exchange the phone had, before a new one starts."""


# ---- reports -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreateReport(Intent[Submission]):
    """Submit a report from the phone's number (rabta.reports.services.submit_report)."""

    category: Category
    beat: Beat
    description: str
    language: str
    contact_consent: bool
    woman_officer_only: bool
    neutral_wording: bool


@dataclass(frozen=True)
class TieToReport(Intent[None]):
    """The exchange's messages so far belong to the report: its inbound messages, and the replies sent
    to the phone since the exchange began that belong to no report yet."""

    report: Report
    since: dt.datetime
    inbound_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class AddToReport(Intent[str]):
    """Words for the officers on the report with this code (rabta.reports.services.add_information);
    the result is "" when added, else the refusal to send back."""

    report: Report
    text: str


@dataclass(frozen=True)
class SayNotFixed(Intent[None]):
    """The resident reopens the resolved report with this code (services.say_not_fixed)."""

    report: Report
    reason: str


@dataclass(frozen=True)
class RecordPreferences(Intent[None]):
    """The resident's answers after the report was made (effects.record_sms_preferences)."""

    report: Report
    contact_consent: bool
    safe_call_hours: str
    no_sms: bool
    woman_officer_only: bool
