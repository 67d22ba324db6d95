"""The SMS conversation: commands in English, Urdu (Urdu script and Roman Urdu) and Pashto.

REPORT (guided, see report_flow.py; or in one message: "REPORT 3 Gulabad streetlight broken near the
school"), STATUS <code>, ADD <code> <words> (more for the officers), NOT FIXED <code> <what is
still wrong> (reopens a resolved report), JOIN <neighbourhood>, LEAVE, STOP, START, HELP,
LANG <en|ur|ps>, PRIVATE (discreet wording on a shared phone), YES (confirms beat news asked for on
the web). The words, and the rules that keep them from eating a report, are in keywords.py. Every
reply fits one or two SMS segments in its language. Replies go even to a phone that sent STOP: it wrote to us.

Text in, replies and intents out: this module reads (the waiting exchange, a report by its code,
beats by name) but writes nothing and queues nothing. What a command changes (opt-out, language,
subscriptions, a new report) it yields as an intent (rabta.messaging.intents); the inbound worker
applies them (rabta.messaging.effects) and queues the replies.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rabta.lib.text import CODE_DIGITS, ascii_digits, squash_spaces
from rabta.messaging import keywords, report_flow, selectors
from rabta.messaging.intents import (
    AddToReport,
    ChooseLanguage,
    ConfirmSubscriptions,
    EndConversation,
    Flow,
    HitRateLimit,
    OptIn,
    OptOut,
    Outcome,
    SayNotFixed,
    SetDiscreet,
    Subscribe,
    UnsubscribeAll,
    ask,
)
from rabta.messaging.keywords import Command
from rabta.messaging.models import Channel, Phone
from rabta.messaging.report_flow import MAX_CHOICES
from rabta.reports.lifecycle import RESIDENT_REOPEN_DAYS, TIMESTAMP_FIELDS, Status
from rabta.reports.models import Report
from rabta.reports.selectors import find_by_code
from rabta.reports.tracking import format_code, normalise_code

_PASHTO_LETTERS = set("ټډړږښګڼېۍځڅ")
# What STATUS may be followed by: a code's digits, grouped as people write them.
_CODE_ARGUMENT = re.compile(r"[\d\s\-./]*\d[\d\s\-./]*")


def detect_language(text: str) -> str:
    keyword = keywords.whole(text) or keywords.leading(text)[0]
    if keyword is not None:
        return keywords.language_of(keyword, text)
    if any(ch in _PASHTO_LETTERS for ch in text):
        return "ps"
    if any("\u0600" <= ch <= "\u06ff" for ch in text):
        return "ur"
    return "en"


def handle(*, phone: Phone, text: str, channel: Channel, inbound_id: int | None = None) -> Flow[Outcome]:
    """One inbound SMS in; the intents it leads to out (yielded), then the replies (as text; the
    caller queues them). `channel` is the one it arrived on."""
    cleaned = squash_spaces(text)
    if not phone.language_chosen:
        yield from ask(ChooseLanguage(detect_language(cleaned)))
    with translation.override(phone.language):
        outcome = yield from _handle(phone, cleaned, inbound_id)
        if not outcome.replies:
            outcome.replies = [help_text()]
    return outcome


def _handle(phone: Phone, text: str, inbound_id: int | None) -> Flow[Outcome]:
    conversation = selectors.waiting_conversation(phone)
    if conversation is not None and conversation.is_expired():
        yield from ask(EndConversation(conversation))
        conversation = None
    in_step = conversation is not None and conversation.flow == report_flow.FLOW

    keyword = keywords.whole(text)
    ends = keyword is not None and (keyword.ends_step or not in_step)
    if keyword is not None and ends and keyword.command in (Command.STOP, Command.CANCEL):
        # Said during the questions after a report was made: these messages belong to it.
        report = report_flow.report_of(conversation)
        if keyword.command == Command.CANCEL:
            return Outcome([(yield from report_flow.stop_asking(conversation))], report=report)
        yield from report_flow.end(conversation)
        yield from ask(OptOut())
        stopped = _("You will get no more SMS from Rabta. Send START to receive them again.")
        return Outcome([stopped], report=report)

    # Inside a guided report every other message is an answer, whatever word it starts with. One
    # exception loses nothing: STATUS with a code, where only a yes or a no could be the answer
    # (the report exists by then, and any other text would only be asked again).
    if conversation is not None and in_step:
        first, rest = keywords.leading(text)
        status = first is not None and first.command == Command.STATUS
        if status and report_flow.awaits_yes_or_no(conversation) and _arguments_parse(Command.STATUS, rest):
            yield from report_flow.end(conversation)
            return (yield from _status(phone, rest))
        return (
            yield from report_flow.answer(
                phone=phone, conversation=conversation, text=text, inbound_id=inbound_id
            )
        )

    args: list[str] = []
    command: Command | None = keyword.command if keyword is not None else None
    leading: keywords.Keyword | None = None
    if command is None:
        leading, args = keywords.leading(text)
        if leading is not None and _arguments_parse(leading.command, args):
            command = leading.command

    if command == Command.START:
        yield from ask(OptIn())
        return Outcome([_("Welcome back to Rabta. Send HELP to see what you can do.")])
    if command == Command.REPORT:
        return (yield from report_flow.start(phone=phone, args=args, inbound_id=inbound_id))
    if command == Command.STATUS:
        return (yield from _status(phone, args))
    if command in (Command.ADD, Command.NOT_FIXED):
        return (yield from _add_or_reopen(phone, command, args))
    if command == Command.JOIN:
        return Outcome((yield from _join(phone, args)))
    if command == Command.LEAVE:
        return Outcome((yield from _leave()))
    if command == Command.LANG:
        return Outcome((yield from _language(args)))
    if command == Command.PRIVATE:
        return Outcome((yield from _private(phone)))
    if command == Command.YES:
        return Outcome((yield from _confirm_subscriptions()))
    if command == Command.HELP:
        return Outcome([help_text()])
    if leading is not None:
        # The first word is a command's, but what follows is not its argument: nothing was done.
        return Outcome([_usage(leading.command)])
    return Outcome([_("Rabta did not understand. ") + help_text()])


def _arguments_parse(command: Command, args: list[str]) -> bool:
    rest = " ".join(args)
    if command == Command.REPORT:
        return bool(args)
    if command == Command.STATUS:
        return bool(_CODE_ARGUMENT.fullmatch(ascii_digits(rest)))
    if command in (Command.ADD, Command.NOT_FIXED):
        code, words = _code_and_words(args)
        return code is not None and bool(words)
    if command == Command.LANG:
        return keywords.language_named(rest) is not None
    if command == Command.JOIN:
        return bool(rest) and not ascii_digits(rest).isdigit() and bool(report_flow.match_beats(rest))
    return False


def _usage(command: Command) -> str:
    if command == Command.ADD:
        return _("Send ADD, your code and what to add, for example ADD 482 177 3015 it happens every night.")
    if command == Command.NOT_FIXED:
        return _(
            "Send NOT FIXED, your code and what is wrong, for example NOT FIXED 482 177 3015 still dark."
        )
    if command == Command.STATUS:
        return _("Send STATUS and the code you were given, for example STATUS 482 177 3015.")
    if command == Command.JOIN:
        return _("Send JOIN and the name of your neighbourhood, for example JOIN Gulabad.")
    if command == Command.LANG:
        return _("Send LANG EN for English, LANG UR for Urdu or LANG PS for Pashto.")
    return help_text()


def help_text() -> str:
    return _(
        "Send REPORT to report a concern, STATUS and your code to follow it, "
        "JOIN and your area for news, STOP to end SMS. Emergency: 15"
    )


def _private(phone: Phone) -> Flow[list[str]]:
    discreet = not phone.discreet
    yield from ask(SetDiscreet(discreet))
    if discreet:
        return [
            _("Private mode on: our messages will not mention reports. Send PRIVATE again to turn it off.")
        ]
    return [_("Private mode off. Send PRIVATE to turn it on.")]


def _status(phone: Phone, args: list[str]) -> Flow[Outcome]:
    raw = ascii_digits("".join(args))
    if not re.sub(r"\D", "", raw):
        return Outcome([_usage(Command.STATUS)])
    # From here the message holds a code (or a try at one): its stored body is masked.
    if not (yield from ask(HitRateLimit("track", "sms:" + phone.number_index))):
        return Outcome([_("Too many tries. Please wait an hour and try again.")], mask_inbound=True)
    report = find_by_code(raw)
    if report is None:
        return Outcome([_("No report has that code. Check the digits and try again.")], mask_inbound=True)
    code = format_code(normalise_code(raw) or "")
    status = str(report.get_status_display())
    if phone.discreet or report.wants_neutral_wording:
        # Nothing about what the report is about, for whoever else reads this phone.
        text = _("Request %(code)s: %(status)s.") % {"code": code, "status": status}
    else:
        text = _("Report %(code)s (%(category)s): %(status)s. Updated %(date)s.") % {
            "code": code,
            "category": report_flow.category_label(report.category),
            "status": status,
            "date": timezone.localtime(_last_change(report)).strftime("%d-%m-%Y"),
        }
    replies = [text]
    if report.may_say_not_fixed():
        replies.append(_("Not fixed? Send NOT FIXED %(code)s and what is still wrong.") % {"code": code})
    return Outcome(replies, report=report, mask_inbound=True)


def _code_and_words(args: list[str]) -> tuple[str | None, str]:
    """The code at the start of `args` (its digits, grouped as people write them) and the words
    after it; (None, "") when the words do not start with exactly one code's digits."""
    digits = ""
    for index, word in enumerate(args):
        plain = ascii_digits(word).strip("-./")
        if not plain or not _CODE_ARGUMENT.fullmatch(plain):
            break
        digits += re.sub(r"\D", "", plain)
        if len(digits) >= CODE_DIGITS:
            if len(digits) > CODE_DIGITS:
                return None, ""
            return digits, " ".join(args[index + 1 :]).strip()
    return None, ""


def _add_or_reopen(phone: Phone, command: Command, args: list[str]) -> Flow[Outcome]:
    """ADD and NOT FIXED. The reply names only the code (a shared phone learns nothing of what was
    reported), and the message is not tied to the report: the words reach the officers through the
    report's history with no sender, so the phone is never linked to an anonymous report."""
    code, words = _code_and_words(args)
    if code is None or not words:
        return Outcome([_usage(command)])
    if not (yield from ask(HitRateLimit("track", "sms:" + phone.number_index))):
        return Outcome([_("Too many tries. Please wait an hour and try again.")], mask_inbound=True)
    report = find_by_code(code)
    if report is None:
        return Outcome([_("No report has that code. Check the digits and try again.")], mask_inbound=True)
    shown = format_code(code)
    if command == Command.ADD:
        refusal = yield from ask(AddToReport(report, words))
        if refusal:
            return Outcome([refusal], mask_inbound=True)
        return Outcome(
            [_("Thank you. Your words were added to %(code)s for the officers.") % {"code": shown}],
            mask_inbound=True,
        )
    if not report.may_say_not_fixed():
        if report.status == Status.RESOLVED:
            text = _("%(code)s was resolved more than %(days)s days ago. Please send a new report.") % {
                "code": shown,
                "days": RESIDENT_REOPEN_DAYS,
            }
        else:
            text = _(
                "%(code)s is not resolved, so it cannot be reopened. Send ADD and your code to add to it."
            ) % {"code": shown}
        return Outcome([text], mask_inbound=True)
    yield from ask(SayNotFixed(report, words))
    return Outcome(
        [_("%(code)s is open again. The officers were told it is not fixed.") % {"code": shown}],
        mask_inbound=True,
    )


def _last_change(report: Report) -> dt.datetime:
    """When the report last changed status: the latest of its creation, its reopening and the time
    it entered each status of the lifecycle (rabta.reports.lifecycle.TIMESTAMP_FIELDS)."""
    names = ("created_at", "reopened_at", *TIMESTAMP_FIELDS.values())
    stamps: list[dt.datetime | None] = [getattr(report, name) for name in names]
    return max(s for s in stamps if s is not None)


def _join(phone: Phone, args: list[str]) -> Flow[list[str]]:
    name = " ".join(args)
    if not name:
        return [_usage(Command.JOIN)]
    matches = report_flow.match_beats(name)
    if len(matches) > 1:
        names = ", ".join(b.local_name for b in matches[:MAX_CHOICES])
        return [_("Several places match: %(names)s. Send JOIN with the full name.") % {"names": names}]
    yield from ask(Subscribe(matches[0]))
    if phone.opted_out:
        yield from ask(OptIn())  # the phone's own JOIN undoes its STOP
    return [_("You will get news for %(beat)s by SMS. Send LEAVE to stop.") % {"beat": matches[0].local_name}]


def _leave() -> Flow[list[str]]:
    yield from ask(UnsubscribeAll())
    return [_("You will get no more neighbourhood news. Send JOIN and a name to join again.")]


def _confirm_subscriptions() -> Flow[list[str]]:
    # A phone that sent STOP starts nothing and so gets the first answer: only START or JOIN undoes STOP.
    started = yield from ask(ConfirmSubscriptions())
    if not started:
        return [_("Nothing is waiting for a YES from this phone. Send HELP to see what you can do.")]
    names = ", ".join(s.beat.local_name for s in started)
    return [_("You will get news for %(beat)s by SMS. Send LEAVE to stop.") % {"beat": names}]


def _language(args: list[str]) -> Flow[list[str]]:
    choice = keywords.language_named(" ".join(args)) if args else None
    if choice is None:
        return [_usage(Command.LANG)]
    yield from ask(ChooseLanguage(choice))
    with translation.override(choice):
        return [_("Rabta will write to you in English.")]
