"""The SMS conversation's intents, applied: the one place where an SMS command writes.

`run` drives a conversation (a generator of rabta.messaging.intents) for one phone: it applies each
intent as it is yielded and sends the result back, until the conversation returns its outcome. An
intent that fails raises inside the conversation, where it was asked for, so the exception unwinds
the conversation as a direct call would (its language override included) and reaches the caller.
"""

from __future__ import annotations

from typing import Any, TypeVar

from rabta.core import ratelimit
from rabta.messaging import subscriptions
from rabta.messaging.intents import (
    AddToReport,
    ChooseLanguage,
    ClearConversation,
    ConfirmSubscriptions,
    CreateReport,
    EndConversation,
    Flow,
    HitRateLimit,
    Intent,
    OptIn,
    OptOut,
    RecordPreferences,
    SaveConversation,
    SayNotFixed,
    SetDiscreet,
    Subscribe,
    TieToReport,
    UnsubscribeAll,
)
from rabta.messaging.models import Conversation, InboundMessage, OutboundMessage, Phone, Purpose
from rabta.reports.models import Channel as ReportChannel
from rabta.reports.models import Report
from rabta.reports.services import AdditionRefused, add_information, say_not_fixed, submit_report

T = TypeVar("T")


def run(flow: Flow[T], *, phone: Phone) -> T:
    """Apply every intent `flow` yields, for `phone`, and return what it returns."""
    try:
        intent = next(flow)
        while True:
            try:
                result = apply(intent, phone=phone)
            except BaseException as exc:
                intent = flow.throw(exc)
            else:
                intent = flow.send(result)
    except StopIteration as stop:
        outcome: T = stop.value
        return outcome


def apply(intent: Intent[Any], *, phone: Phone) -> Any:
    """Do what one intent asks for `phone`; return its result (None for most)."""
    match intent:
        case ChooseLanguage(language=language):
            phone.language, phone.language_chosen = language, True
            phone.save(update_fields=["language", "language_chosen"])
        case SetDiscreet(on=on):
            phone.discreet = on
            phone.save(update_fields=["discreet"])
        case OptOut():
            phone.opt_out()
        case OptIn():
            phone.opt_in()
        case HitRateLimit(scope=scope, key=key):
            return ratelimit.hit(scope, key)
        case Subscribe(beat=beat):
            return subscriptions.subscribe(phone=phone, beat=beat)
        case UnsubscribeAll():
            return subscriptions.unsubscribe_all(phone=phone)
        case ConfirmSubscriptions():
            return subscriptions.confirm_pending_subscriptions(phone=phone)
        case SaveConversation(conversation=conversation):
            if conversation.pk is None:
                conversation.save()
            else:
                conversation.save(update_fields=["step", "data", "expires_at", "updated_at"])
        case EndConversation(conversation=conversation):
            conversation.delete()
        case ClearConversation():
            Conversation.objects.filter(phone=phone).delete()
        case CreateReport():
            return submit_report(
                category=intent.category,
                beat=intent.beat,
                description=intent.description,
                channel=ReportChannel.SMS,
                language=intent.language,
                phone=phone.number,
                contact_consent=intent.contact_consent,
                woman_officer_only=intent.woman_officer_only,
                neutral_wording=intent.neutral_wording,
            )
        case AddToReport(report=report, text=text):
            # The phone is not passed on: the addition has no sender, like one from the web page.
            try:
                add_information(report=report, text=text)
            except AdditionRefused as refused:
                return str(refused)
            return ""
        case SayNotFixed(report=report, reason=reason):
            say_not_fixed(report=report, reason=reason)
        case TieToReport(report=report, since=since, inbound_ids=inbound_ids):
            InboundMessage.objects.filter(pk__in=inbound_ids, report__isnull=True).update(report=report)
            OutboundMessage.objects.filter(
                phone=phone, purpose=Purpose.REPLY, report__isnull=True, created_at__gte=since
            ).update(report=report)
        case RecordPreferences():
            record_sms_preferences(
                report=intent.report,
                contact_consent=intent.contact_consent,
                safe_call_hours=intent.safe_call_hours,
                no_sms=intent.no_sms,
                woman_officer_only=intent.woman_officer_only,
            )
        case _:
            raise TypeError(f"no way to apply {type(intent).__name__}")
    return None


def record_sms_preferences(
    *, report: Report, contact_consent: bool, safe_call_hours: str, no_sms: bool, woman_officer_only: bool
) -> None:
    """The resident's answers after the report was made: may an officer call, when, SMS updates,
    and whether only women officers may read it.

    Anonymous is always the opposite of consent; safe hours mean something only with consent; a
    conduct complaint is never "a woman officer only" (it goes to the oversight body).
    """
    report.contact_consent = bool(contact_consent) and report.has_contact
    report.anonymous = not report.contact_consent
    report.safe_call_hours = safe_call_hours.strip()[:100] if report.contact_consent else ""
    report.no_sms = bool(no_sms)
    report.woman_officer_only = bool(woman_officer_only) and not report.category.is_conduct
    report.save(
        update_fields=[
            "contact_consent",
            "anonymous",
            "safe_call_hours",
            "no_sms",
            "woman_officer_only",
            "updated_at",
        ]
    )
