"""The SMS conversation: commands in English, Urdu (Urdu script and Roman Urdu) and Pashto.

REPORT (guided, or in one message: "REPORT 2 Gulabad streetlight broken near the school"),
STATUS <code>, JOIN <neighbourhood>, LEAVE, STOP, START, HELP, LANG <en|ur|ps>, PRIVATE (discreet
wording on a shared phone). Every reply fits one or two SMS segments in its language.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rabta.messaging.models import Channel, Conversation, Phone
from rabta.places.lookup import beat_index
from rabta.places.models import Beat

CONVERSATION_MINUTES = 30
MAX_CHOICES = 5

# Roman Urdu is answered in Roman Urdu: a reader who typed Latin letters may have a phone
# that cannot show Urdu script. Its catalogue lives in rabta/locale/ur_Latn.
ROMAN_URDU = "ur-latn"
LANGUAGE_CODES = ("en", "ur", "ps", ROMAN_URDU)

KEYWORDS: dict[str, dict[str, str]] = {
    # command -> {keyword: language it implies}
    "REPORT": {
        "REPORT": "en",
        "SHIKAYAT": ROMAN_URDU,
        "SHIKAYET": ROMAN_URDU,
        "رپورٹ": "ur",
        "شکایت": "ur",
        "راپور": "ps",
        "شکايت": "ps",
    },
    "STATUS": {
        "STATUS": "en",
        "HALAT": ROMAN_URDU,
        "HAALAT": ROMAN_URDU,
        "حالت": "ur",
        "سٹیٹس": "ur",
        "حال": "ps",
    },
    "JOIN": {
        "JOIN": "en",
        "SHAMIL": ROMAN_URDU,
        "SHAMIL-HON": ROMAN_URDU,
        "شامل": "ur",
        "ګډون": "ps",
        "شامليدل": "ps",
    },
    "LEAVE": {"LEAVE": "en", "CHORO": ROMAN_URDU, "CHHORO": ROMAN_URDU, "چھوڑیں": "ur", "پرېږده": "ps"},
    "STOP": {"STOP": "en", "BAND": ROMAN_URDU, "بند": "ur", "بس": "ps", "ودروه": "ps"},
    "START": {"START": "en", "SHURU": ROMAN_URDU, "شروع": "ur", "پیل": "ps", "پيل": "ps"},
    "HELP": {"HELP": "en", "MADAD": ROMAN_URDU, "مدد": "ur", "مرسته": "ps"},
    "LANG": {
        "LANG": "en",
        "LANGUAGE": "en",
        "ZABAN": ROMAN_URDU,
        "ZUBAN": ROMAN_URDU,
        "زبان": "ur",
        "ژبه": "ps",
    },
    "PRIVATE": {"PRIVATE": "en", "KHUFIA": ROMAN_URDU, "خفیہ": "ur", "پټ": "ps"},
    "CANCEL": {"CANCEL": "en", "KHATAM": ROMAN_URDU, "منسوخ": "ur", "لغوه": "ps"},
}
_COMMAND_OF = {word: command for command, words in KEYWORDS.items() for word in words}
_LANGUAGE_ARGS = {
    "EN": "en", "ENGLISH": "en", "انگریزی": "en", "انګلیسي": "en",
    "UR": "ur", "URDU": "ur", "اردو": "ur",
    "PS": "ps", "PASHTO": "ps", "PUSHTO": "ps", "پښتو": "ps", "پشتو": "ps",
    "ROMAN": ROMAN_URDU,
}  # fmt: skip
_PASHTO_LETTERS = set("ټډړږښګڼېۍځڅ")
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").translate(_DIGITS)
    return " ".join(text.split())


def _word(token: str) -> str:
    return token.strip(".,:;!?،۔").upper()


def detect_language(text: str) -> str:
    words = _clean(text).split()
    if words and _word(words[0]) in _COMMAND_OF:
        return KEYWORDS[_COMMAND_OF[_word(words[0])]][_word(words[0])]
    if any(ch in _PASHTO_LETTERS for ch in text):
        return "ps"
    if any("\u0600" <= ch <= "\u06ff" for ch in text):
        return "ur"
    return "en"


# Short category names for the numbered menu, so the menu fits two segments in every language.
def _category_short_names() -> dict[str, Callable[[], str]]:
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


# The SMS menu order: common concerns first; "2" is the streetlight, as in the printed examples.
# Categories added later by an admin follow in their own order.
MENU_ORDER = (
    "street_harassment",
    "street_lighting",
    "theft",
    "drugs",
    "youth_violence",
    "neighbour_dispute",
    "public_nuisance",
    "traffic_danger",
    "violence_against_women",
    "police_conduct",
    "other",
)


def _categories() -> list[Any]:
    from rabta.reports.models import Category

    rank = {code: n for n, code in enumerate(MENU_ORDER)}
    categories = list(Category.objects.filter(active=True).order_by("position", "pk"))
    return sorted(categories, key=lambda c: rank.get(c.code, len(rank)))


def _category_label(category: Any) -> str:
    short = _category_short_names().get(category.code)
    return short() if short else category.local_name


class ConfirmStop(str):
    """The one reply an opted-out phone still gets: the confirmation that STOP worked."""

    __slots__ = ()


def handle(*, phone: Phone, text: str, channel: Channel) -> list[str]:
    """One inbound SMS in, the replies out (as text; the caller queues them)."""
    cleaned = _clean(text)
    if not phone.language_chosen:
        phone.language, phone.language_chosen = detect_language(cleaned), True
        phone.save(update_fields=["language", "language_chosen"])
    with translation.override(phone.language):
        return _handle(phone, cleaned)


def _handle(phone: Phone, text: str) -> list[str]:
    words = text.split()
    command = _COMMAND_OF.get(_word(words[0])) if words else None
    args = words[1:]
    conversation = Conversation.objects.filter(phone=phone).first()
    if conversation and conversation.is_expired():
        conversation.delete()
        conversation = None

    if command == "STOP":
        _end(conversation)
        phone.opt_out()
        return [ConfirmStop(_("You will get no more SMS from Rabta. Send START to receive them again."))]
    if command == "START":
        phone.opt_in()
        return [_("Welcome back to Rabta. Send HELP to see what you can do.")]
    if command == "CANCEL":
        _end(conversation)
        return [_("Cancelled. Send HELP to see what you can do.")]

    # Inside a guided report, anything that is not STOP/START/CANCEL is an answer.
    if conversation and conversation.flow == "report":
        return _continue_report(phone, conversation, text)

    if command == "REPORT":
        return _start_report(phone, args)
    if command == "STATUS":
        return _status(phone, args)
    if command == "JOIN":
        return _join(phone, args)
    if command == "LEAVE":
        return _leave(phone)
    if command == "LANG":
        return _language(phone, args)
    if command == "PRIVATE":
        phone.discreet = not phone.discreet
        phone.save(update_fields=["discreet"])
        if phone.discreet:
            return [
                _(
                    "Private mode on: our messages will not mention reports. "
                    "Send PRIVATE again to turn it off."
                )
            ]
        return [_("Private mode off. Send PRIVATE to turn it on.")]
    if command == "HELP":
        return [help_text()]
    return [_("Rabta did not understand. ") + help_text()]


def help_text() -> str:
    return _(
        "Send REPORT to report a concern, STATUS and your code to follow it, "
        "JOIN and your area for news, STOP to end SMS. Emergency: 15"
    )


def _end(conversation: Conversation | None) -> None:
    if conversation is not None and conversation.pk:
        conversation.delete()


def _save(phone: Phone, conversation: Conversation | None, step: str, data: dict[str, Any]) -> None:
    expires = timezone.now() + dt.timedelta(minutes=CONVERSATION_MINUTES)
    if conversation is None:
        Conversation.objects.create(phone=phone, flow="report", step=step, data=data, expires_at=expires)
    else:
        conversation.step, conversation.data, conversation.expires_at = step, data, expires
        conversation.save(update_fields=["step", "data", "expires_at", "updated_at"])


def category_menu() -> str:
    items = " ".join(f"{n} {_category_label(c)}" for n, c in enumerate(_categories(), start=1))
    return _("Reply with a number: %(items)s") % {"items": items}


def _match_beats(text: str) -> list[Beat]:
    return beat_index.match_name(text, MAX_CHOICES + 1)


def _beat_choice_text(beats: list[Beat]) -> str:
    items = " ".join(f"{n} {b.local_name}" for n, b in enumerate(beats[:MAX_CHOICES], start=1))
    return _("Several places match. Reply with a number: %(items)s") % {"items": items}


def _start_report(phone: Phone, args: list[str]) -> list[str]:
    data: dict[str, Any] = {}
    rest = list(args)
    categories = _categories()
    if rest and rest[0].isdigit() and 1 <= int(rest[0]) <= len(categories):
        category = categories[int(rest.pop(0)) - 1]
        data["category"] = category.pk
        # One-message form: the longest leading words that name a beat, then the description.
        beat: Beat | None = None
        for size in (3, 2, 1):
            if len(rest) > size - 1:
                candidate = " ".join(rest[:size])
                matches = _match_beats(candidate)
                if len(matches) == 1:
                    beat = matches[0]
                    data["beat"] = beat.pk
                    rest = rest[size:]
                    break
        if rest and beat is not None:
            data["text"] = " ".join(rest)
            return _finish_report(phone, None, data, category=category, beat=beat)
        if rest:
            # Words that name no single neighbourhood: treat them as the place to search.
            return _continue_report(phone, _new_conversation(phone, "beat", data), " ".join(rest))
    conversation = _new_conversation(phone, "category" if "category" not in data else "beat", data)
    if "category" not in data:
        return [category_menu()]
    return [_("Which neighbourhood? Send its name.")] if conversation else []


def _new_conversation(phone: Phone, step: str, data: dict[str, Any]) -> Conversation:
    Conversation.objects.filter(phone=phone).delete()
    return Conversation.objects.create(
        phone=phone,
        flow="report",
        step=step,
        data=data,
        expires_at=timezone.now() + dt.timedelta(minutes=CONVERSATION_MINUTES),
    )


def _continue_report(phone: Phone, conversation: Conversation, text: str) -> list[str]:
    data = dict(conversation.data)
    step = conversation.step
    if step == "category":
        categories = _categories()
        if text.isdigit() and 1 <= int(text) <= len(categories):
            data["category"] = categories[int(text) - 1].pk
            _save(phone, conversation, "beat", data)
            return [_("Which neighbourhood? Send its name.")]
        return [category_menu()]
    if step == "beat":
        choices = data.get("choices") or []
        if text.isdigit() and choices and 1 <= int(text) <= len(choices):
            data["beat"] = choices[int(text) - 1]
        else:
            matches = _match_beats(text)
            if len(matches) == 1:
                data["beat"] = matches[0].pk
            elif matches:
                data["choices"] = [b.pk for b in matches[:MAX_CHOICES]]
                _save(phone, conversation, "beat", data)
                return [_beat_choice_text(matches)]
            else:
                _save(phone, conversation, "beat", data)
                return [_("No neighbourhood by that name. Send another name, or a nearby village or bazaar.")]
        data.pop("choices", None)
        _save(phone, conversation, "text", data)
        return [_("What happened? Say where exactly and when, in one message.")]
    if step == "text":
        if len(text) < 3:
            return [_("What happened? Say where exactly and when, in one message.")]
        data["text"] = text
        return _finish_report(phone, conversation, data)
    _end(conversation)
    return [help_text()]


def _finish_report(
    phone: Phone,
    conversation: Conversation | None,
    data: dict[str, Any],
    *,
    category: Any = None,
    beat: Beat | None = None,
) -> list[str]:
    """Submit the report; `category` and `beat` may be passed when already loaded (one-message REPORT)."""
    from rabta.reports.models import Category
    from rabta.reports.services import submit_report
    from rabta.reports.tracking import format_code

    if category is None:
        category = Category.objects.get(pk=data["category"])
    if beat is None:
        beat = Beat.objects.defer("boundary").get(pk=data["beat"])
    language = "ur" if phone.language == ROMAN_URDU else phone.language
    submission = submit_report(
        category=category,
        beat=beat,
        description=data["text"][:2000],
        channel="sms",
        language=language,
        phone=phone.number,
    )
    _end(conversation)
    Conversation.objects.filter(phone=phone).delete()
    code = format_code(submission.code)
    if phone.discreet:
        return [_("Received. Your code is %(code)s. Send STATUS %(code)s to follow it.") % {"code": code}]
    return [
        _("Report sent to the police of %(beat)s. Your code is %(code)s. Send STATUS %(code)s to follow it.")
        % {"beat": beat.local_name, "code": code}
    ]


def _status(phone: Phone, args: list[str]) -> list[str]:
    from rabta.core import ratelimit
    from rabta.reports.services import find_by_code
    from rabta.reports.tracking import format_code, normalise_code

    raw = "".join(args)
    if not re.sub(r"\D", "", raw):
        return [_("Send STATUS and the code you were given, for example STATUS 482 177 3015.")]
    if not ratelimit.hit("track", "sms:" + phone.number_index):
        return [_("Too many tries. Please wait an hour and try again.")]
    report = find_by_code(raw)
    if report is None:
        return [_("No report has that code. Check the digits and try again.")]
    code = format_code(normalise_code(raw) or "")
    with translation.override("ur" if phone.language == ROMAN_URDU else phone.language):
        status = str(report.get_status_display())
    if phone.discreet:
        return [_("Request %(code)s: %(status)s.") % {"code": code, "status": status}]
    return [
        _("Report %(code)s (%(category)s): %(status)s. Updated %(date)s.")
        % {
            "code": code,
            "category": _category_label(report.category),
            "status": status,
            "date": timezone.localtime(_last_change(report)).strftime("%d-%m-%Y"),
        }
    ]


def _last_change(report: Any) -> dt.datetime:
    stamps = [
        getattr(report, name, None)
        for name in ("created_at", "acknowledged_at", "started_at", "resolved_at", "referred_at", "closed_at")
    ]
    return max(s for s in stamps if s is not None)


def _join(phone: Phone, args: list[str]) -> list[str]:
    from rabta.messaging.services import subscribe

    name = " ".join(args)
    if not name:
        return [_("Send JOIN and the name of your neighbourhood, for example JOIN Gulabad.")]
    if name.isdigit():
        return [_("Send JOIN and the name of your neighbourhood, for example JOIN Gulabad.")]
    matches = _match_beats(name)
    if not matches:
        return [_("No neighbourhood by that name. Send another name, or a nearby village or bazaar.")]
    if len(matches) > 1:
        names = ", ".join(b.local_name for b in matches[:MAX_CHOICES])
        return [_("Several places match: %(names)s. Send JOIN with the full name.") % {"names": names}]
    subscribe(phone=phone, beat=matches[0])
    return [_("You will get news for %(beat)s by SMS. Send LEAVE to stop.") % {"beat": matches[0].local_name}]


def _leave(phone: Phone) -> list[str]:
    from rabta.messaging.services import unsubscribe_all

    unsubscribe_all(phone=phone)
    return [_("You will get no more neighbourhood news. Send JOIN and a name to join again.")]


def _language(phone: Phone, args: list[str]) -> list[str]:
    choice = _LANGUAGE_ARGS.get(_word(args[0])) if args else None
    if choice is None:
        return [_("Send LANG EN for English, LANG UR for Urdu or LANG PS for Pashto.")]
    phone.language, phone.language_chosen = choice, True
    phone.save(update_fields=["language", "language_chosen"])
    with translation.override(choice):
        return [_("Rabta will write to you in English.")]
