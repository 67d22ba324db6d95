"""The guided report by SMS: what the web form asks, one short question at a time.

category -> neighbourhood -> "only women officers?" (not for conduct complaints) -> what happened.
The report is created then, with the safe defaults (anonymous: no officer may call; SMS updates on),
so nothing is lost if the resident stops answering. The follow-up questions only change it: may an
officer call this number, when is it safe to call (only after a yes), SMS updates yes or no. The
closing reply says who will read the report.

"REPORT <n> <place> <words>" creates the report at once and then asks the follow-up questions.
Every message of the exchange, and every reply, is tied to the report once it exists, so bodies
that quote it are shown only to staff who may see that report.

Like conversation.py it writes nothing: each write is an intent (rabta.messaging.intents) that the
caller applies, so the functions that may write are generators (`Flow`).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from rabta.lib.text import fold_words
from rabta.messaging import selectors
from rabta.messaging.intents import (
    ClearConversation,
    CreateReport,
    EndConversation,
    Flow,
    HitRateLimit,
    Outcome,
    RecordPreferences,
    SaveConversation,
    TieToReport,
    ask,
)
from rabta.messaging.keywords import ROMAN_URDU, is_yes_or_no
from rabta.messaging.models import Conversation, Phone
from rabta.places import search
from rabta.places.models import Beat
from rabta.reports.models import Category, Report
from rabta.reports.presenters import who_reads
from rabta.reports.tracking import format_code

CONVERSATION_MINUTES = 30
MAX_CHOICES = 5
FLOW = "report"
# Fewer characters than this is no description ("ok", a stray digit): the question is asked again.
MIN_TEXT = 3
# An answer the step did not understand, of at least this many words, is kept as the description.
DESCRIPTION_WORDS = 3


class Step(enum.StrEnum):
    CATEGORY = "category"
    BEAT = "beat"
    WOMEN = "women"
    TEXT = "text"
    # After the report exists:
    CALL = "call"
    HOURS = "hours"
    UPDATES = "updates"


# ---- categories, numbered as on the web form ----------------------------------------------------


def categories() -> list[Category]:
    """Active categories in the web form's order (Category's default ordering: position, name)."""
    return selectors.active_categories()


# Short names for the numbered menu, so the menu fits two segments in every language.
def _short_names() -> dict[str, Callable[[], str]]:
    return {
        "street_harassment": lambda: _("Harassment"),
        "violence_against_women": lambda: _("Violence against women"),
        "street_lighting": lambda: _("Streetlight"),
        "theft": lambda: _("Theft"),
        "drugs": lambda: _("Drugs"),
        "youth_violence": lambda: _("Youth violence"),
        "neighbour_dispute": lambda: _("Dispute"),
        "public_nuisance": lambda: _("Nuisance"),
        "traffic_danger": lambda: _("Traffic"),
        "police_conduct": lambda: _("Police conduct"),
        "other": lambda: _("Other"),
    }


def category_label(category: Category) -> str:
    short = _short_names().get(category.code)
    return short() if short else category.local_name


def category_menu() -> str:
    items = " ".join(f"{n} {category_label(c)}" for n, c in enumerate(categories(), start=1))
    return _("Reply with a number: %(items)s") % {"items": items}


def _number(text: str) -> int | None:
    words = fold_words(text)
    return int(words[0]) if len(words) == 1 and words[0].isascii() and words[0].isdigit() else None


# ---- questions ----------------------------------------------------------------------------------


def _ask_place() -> str:
    return _("Which neighbourhood? Send its name.")


def _ask_text() -> str:
    return _("What happened? Say where exactly and when, in one message.")


def _ask_women(phone: Phone) -> str:
    if phone.discreet:
        # Private mode: nothing that names the police on the phone.
        return _("Should only women read it? Reply 1 yes, 2 no.")
    return _("Should only women officers read it? Reply 1 yes, 2 no.")


def _ask_call(phone: Phone) -> str:
    if phone.discreet:
        return _("May we call you on this number? Reply 1 yes, 2 no. With no, your number stays hidden.")
    return _("May an officer call you on this number? Reply 1 yes, 2 no. With no, your number stays hidden.")


def _ask_hours() -> str:
    return _("When is it safe to call you? For example: weekdays 10 to 12. Reply 0 for any time.")


def _ask_updates() -> str:
    return _("Do you want SMS when there is news? Reply 1 yes, 2 no. STATUS and your code work either way.")


def _no_place() -> str:
    return _("No neighbourhood by that name. Send another name, or a nearby village or bazaar.")


# ---- the conversation row ------------------------------------------------------------------------


def _new(phone: Phone, data: dict[str, Any]) -> Flow[Conversation]:
    yield from ask(ClearConversation())
    data.setdefault("since", timezone.now().isoformat())
    return Conversation(phone=phone, flow=FLOW, step=Step.CATEGORY, data=data, expires_at=timezone.now())


def _save(conversation: Conversation, step: Step, data: dict[str, Any]) -> Flow[None]:
    conversation.step, conversation.data = step, data
    conversation.expires_at = timezone.now() + dt.timedelta(minutes=CONVERSATION_MINUTES)
    yield from ask(SaveConversation(conversation))


def _end(conversation: Conversation | None) -> Flow[None]:
    if conversation is not None and conversation.pk:
        yield from ask(EndConversation(conversation))


def _remember(data: dict[str, Any], inbound_id: int | None) -> None:
    if inbound_id is not None:
        data.setdefault("inbound", []).append(inbound_id)


def _keep_as_text(data: dict[str, Any], text: str) -> None:
    """An answer the step did not expect, long enough to be the report: keep it, lose nothing."""
    data["text"] = f"{data['text']} {text}" if data.get("text") else text


def match_beats(text: str, *, similar: bool = True) -> list[Beat]:
    """The beats a place named in a message may mean, by the web search's matcher: the exact
    matches when there are any, else every close one (more than MAX_CHOICES means "too many")."""
    return search.match_beats(text, limit=MAX_CHOICES + 1, similar=similar).best()


def _beat_choice_text(beats: list[Beat]) -> str:
    items = " ".join(f"{n} {b.local_name}" for n, b in enumerate(beats[:MAX_CHOICES], start=1))
    return _("Several places match. Reply with a number: %(items)s") % {"items": items}


# ---- start and answers -------------------------------------------------------------------------


def start(*, phone: Phone, args: list[str], inbound_id: int | None) -> Flow[Outcome]:
    """REPORT, REPORT <n> [<place>] [<words>], or REPORT <words> (the words become the description)."""
    data: dict[str, Any] = {}
    _remember(data, inbound_id)
    conversation = yield from _new(phone, data)
    rest = list(args)
    menu = categories()
    number = _number(rest[0]) if rest else None
    if number is None or not 1 <= number <= len(menu):
        if rest and len(" ".join(rest)) >= MIN_TEXT:
            data["text"] = " ".join(rest)
        yield from _save(conversation, Step.CATEGORY, data)
        return Outcome([category_menu()])
    category = menu[number - 1]
    data["category"] = category.pk
    rest = rest[1:]
    # The longest leading words that name exactly one beat; what follows is the description.
    # Spellings as typed first, near spellings only when no leading words name a beat as typed.
    beat: Beat | None = None
    for similar in (False, True):
        for size in (3, 2, 1):
            if beat is None and len(rest) >= size:
                matches = match_beats(" ".join(rest[:size]), similar=similar)
                if len(matches) == 1:
                    beat, rest = matches[0], rest[size:]
    if beat is None:
        if len(rest) > DESCRIPTION_WORDS:
            # Words that name no neighbourhood and are too many to be one: the description.
            data["text"] = " ".join(rest)
            yield from _save(conversation, Step.BEAT, data)
            return Outcome([_ask_place()])
        if rest:
            yield from _save(conversation, Step.BEAT, data)
            return (
                yield from answer(
                    phone=phone, conversation=conversation, text=" ".join(rest), inbound_id=None
                )
            )
        yield from _save(conversation, Step.BEAT, data)
        return Outcome([_ask_place()])
    data["beat"] = beat.pk
    if rest:
        data["text"] = " ".join(rest)
        data["women"] = _default_women(category)
        return (yield from _create(phone, conversation, data, category=category, beat=beat))
    return (yield from _after_place(phone, conversation, data, category))


def answer(*, phone: Phone, conversation: Conversation, text: str, inbound_id: int | None) -> Flow[Outcome]:
    """The resident's answer to the waiting step. Every text is an answer here (STOP and CANCEL
    are handled by the caller)."""
    data = dict(conversation.data)
    _remember(data, inbound_id)
    step = conversation.step
    if step in (Step.CALL, Step.HOURS, Step.UPDATES):
        return (yield from _follow_up(phone, conversation, data, text))
    if step == Step.CATEGORY:
        menu = categories()
        number = _number(text)
        if number is not None and 1 <= number <= len(menu):
            data["category"] = menu[number - 1].pk
            yield from _save(conversation, Step.BEAT, data)
            return Outcome([_ask_place()])
        if len(text.split()) >= DESCRIPTION_WORDS:
            _keep_as_text(data, text)
        yield from _save(conversation, Step.CATEGORY, data)
        return Outcome([category_menu()])
    if step == Step.BEAT:
        choices = data.get("choices") or []
        number = _number(text)
        if number is not None and choices and 1 <= number <= len(choices):
            data["beat"] = choices[number - 1]
        else:
            matches = match_beats(text)
            if len(matches) == 1:
                data["beat"] = matches[0].pk
            elif matches:
                data["choices"] = [b.pk for b in matches[:MAX_CHOICES]]
                yield from _save(conversation, Step.BEAT, data)
                return Outcome([_beat_choice_text(matches)])
            else:
                if len(text.split()) >= DESCRIPTION_WORDS:
                    _keep_as_text(data, text)
                yield from _save(conversation, Step.BEAT, data)
                return Outcome([_no_place()])
        data.pop("choices", None)
        return (yield from _after_place(phone, conversation, data, _category(data)))
    if step == Step.WOMEN:
        choice = is_yes_or_no(text)
        if choice is None:
            if len(text) < MIN_TEXT:
                yield from _save(conversation, Step.WOMEN, data)
                return Outcome([_ask_women(phone)])
            # Not a yes or no: the resident went on to say what happened. Keep it, with the default.
            _keep_as_text(data, text)
            choice = _default_women(_category(data))
        data["women"] = choice
        if not data.get("text"):
            yield from _save(conversation, Step.TEXT, data)
            return Outcome([_ask_text()])
        return (yield from _create(phone, conversation, data))
    if step == Step.TEXT:
        if len(text) < MIN_TEXT:
            yield from _save(conversation, Step.TEXT, data)
            return Outcome([_ask_text()])
        _keep_as_text(data, text)
        return (yield from _create(phone, conversation, data))
    yield from _end(conversation)  # a step this code does not know: start afresh
    return Outcome([])


def _category(data: dict[str, Any]) -> Category:
    return selectors.category(data["category"])


def _default_women(category: Category) -> bool:
    return bool(category.suggest_woman_officer) and not category.is_conduct


def _after_place(
    phone: Phone, conversation: Conversation, data: dict[str, Any], category: Category
) -> Flow[Outcome]:
    if not category.is_conduct:
        # Asked before the report exists, so it is routed to the women's desk from the start.
        yield from _save(conversation, Step.WOMEN, data)
        return Outcome([_ask_women(phone)])
    data["women"] = False  # a conduct complaint goes to the oversight body whatever is chosen
    if data.get("text"):
        return (yield from _create(phone, conversation, data, category=category))
    yield from _save(conversation, Step.TEXT, data)
    return Outcome([_ask_text()])


def _create(
    phone: Phone,
    conversation: Conversation,
    data: dict[str, Any],
    *,
    category: Category | None = None,
    beat: Beat | None = None,
) -> Flow[Outcome]:
    within_limits = (yield from ask(HitRateLimit("sms_report_hour", phone.number_index))) and (
        yield from ask(HitRateLimit("sms_report_day", phone.number_index))
    )
    if not within_limits:
        yield from _end(conversation)
        return Outcome([_("You have sent many reports. Please try again later. Emergency: 15")])
    category = category or _category(data)
    beat = beat or selectors.report_beat(data["beat"])
    women = bool(data.get("women")) and not category.is_conduct
    submission = yield from ask(
        CreateReport(
            category=category,
            beat=beat,
            description=data["text"][:2000],
            language="ur" if phone.language == ROMAN_URDU else phone.language,
            # Anonymous until the resident says an officer may call: the number only answers STATUS
            # and carries updates.
            contact_consent=False,
            woman_officer_only=women,
            # A shared phone (private mode) or a report for women officers only: messages say only
            # that there is news.
            neutral_wording=phone.discreet or women,
        )
    )
    report = submission.report
    since = dt.datetime.fromisoformat(data["since"]) if data.get("since") else timezone.now()
    yield from ask(TieToReport(report=report, since=since, inbound_ids=list(data.get("inbound", []))))
    yield from _save(conversation, Step.CALL, {"report": report.pk, "since": data.get("since")})
    code = format_code(submission.code)
    if phone.discreet or report.wants_neutral_wording:
        confirmation = _("Received. Your code is %(code)s. Send STATUS %(code)s to follow it.") % {
            "code": code
        }
    else:
        confirmation = _(
            "Report sent to the police of %(beat)s. Your code is %(code)s. Send STATUS %(code)s to follow it."
        ) % {"beat": beat.local_name, "code": code}
    return Outcome([confirmation, _ask_call(phone)], report=report)


def _follow_up(phone: Phone, conversation: Conversation, data: dict[str, Any], text: str) -> Flow[Outcome]:
    report = selectors.find_report(data.get("report"), with_category=True)
    if report is None:
        yield from _end(conversation)
        return Outcome([])
    step = conversation.step
    if step == Step.HOURS:
        hours = "" if fold_words(text) == ["0"] else text
        yield from ask(
            RecordPreferences(
                report=report,
                contact_consent=True,
                safe_call_hours=hours,
                no_sms=report.no_sms,
                woman_officer_only=report.woman_officer_only,
            )
        )
        yield from _save(conversation, Step.UPDATES, data)
        return Outcome([_ask_updates()], report=report)
    choice = is_yes_or_no(text)
    if choice is None:
        yield from _save(conversation, Step(step), data)
        return Outcome([_ask_call(phone) if step == Step.CALL else _ask_updates()], report=report)
    if step == Step.CALL:
        yield from ask(
            RecordPreferences(
                report=report,
                contact_consent=choice,
                safe_call_hours="",
                no_sms=report.no_sms,
                woman_officer_only=report.woman_officer_only,
            )
        )
        yield from _save(conversation, Step.HOURS if choice else Step.UPDATES, data)
        return Outcome([_ask_hours() if choice else _ask_updates()], report=report)
    yield from ask(
        RecordPreferences(
            report=report,
            contact_consent=report.contact_consent,
            safe_call_hours=report.safe_call_hours,
            no_sms=not choice,
            woman_officer_only=report.woman_officer_only,
        )
    )
    yield from _end(conversation)
    return Outcome([closing_reply(report, phone=phone)], report=report)


def closing_reply(report: Report, *, phone: Phone) -> str:
    if phone.discreet:
        # Private mode promised messages that do not mention reports or the police.
        return _("Thank you. Send STATUS and your code to follow it. Emergency: 15")
    # Who reads it, in the words the web form's success page uses (the same rule as visible_to).
    return _("Thank you. %(who)s Emergency: 15") % {"who": who_reads(report)}


def report_of(conversation: Conversation | None) -> Report | None:
    """The report a waiting follow-up question is about (None before it exists)."""
    if conversation is None or conversation.flow != FLOW or not conversation.data.get("report"):
        return None
    return selectors.find_report(conversation.data["report"])


def awaits_yes_or_no(conversation: Conversation) -> bool:
    """Whether the waiting step is a follow-up question that only a yes or a no answers."""
    return conversation.flow == FLOW and conversation.step in (Step.CALL, Step.UPDATES)


def end(conversation: Conversation | None) -> Flow[None]:
    """STOP: the questions end; a report already made stays, with what was answered so far."""
    yield from _end(conversation)


def stop_asking(conversation: Conversation | None) -> Flow[str]:
    """CANCEL: the guided report ends. A report already made stays, with what was answered so far."""
    made = conversation is not None and conversation.flow == FLOW and conversation.data.get("report")
    yield from _end(conversation)
    if made:
        return _("No more questions. Your report is kept: send STATUS and your code to follow it.")
    return _("Cancelled. Send HELP to see what you can do.")
