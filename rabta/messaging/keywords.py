"""Every SMS keyword, in one table, with what the word means in everyday speech and why it is safe.

A keyword never eats a report. The rules that make sure of it (conversation.py applies them):
  * a command counts only when the WHOLE message is the keyword (after rabta.lib.text.fold), or,
    for the commands that take arguments (REPORT, STATUS, ADD, NOT FIXED, JOIN, LANG), when the
    first word (or words: NOT FIXED) is the keyword AND the rest parses (STATUS: only a code's
    digits; ADD and NOT FIXED: a code's digits, then words; LANG: a known language; JOIN: a
    neighbourhood that exists; REPORT: anything, which then becomes the report's words);
  * inside a guided step every message is an answer; only a whole-message STOP or CANCEL in a word
    marked `ends_step` (no everyday meaning an answer could have) still ends it;
  * words with an everyday meaning that could be a whole answer are never `ends_step`; some count
    only outside a guided step, and some are left out altogether (listed at the end).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from rabta.lib.text import fold, fold_words

# Roman Urdu is answered in Roman Urdu: a reader who typed Latin letters may have a phone that cannot
# show Urdu script. Its catalogue lives in rabta/locale/ur_Latn.
ROMAN_URDU = "ur-latn"


class Command(enum.StrEnum):
    REPORT = "report"
    STATUS = "status"
    ADD = "add"
    NOT_FIXED = "not_fixed"
    JOIN = "join"
    LEAVE = "leave"
    STOP = "stop"
    START = "start"
    HELP = "help"
    LANG = "lang"
    PRIVATE = "private"
    CANCEL = "cancel"
    YES = "yes"
    NO = "no"


# Commands that may be followed by arguments; every other one counts only as the whole message.
TAKES_ARGUMENTS = frozenset(
    {Command.REPORT, Command.STATUS, Command.ADD, Command.NOT_FIXED, Command.JOIN, Command.LANG}
)
# The longest keyword that takes arguments, in words ("THEEK NAHI HAI").
_MAX_LEADING_WORDS = 3


@dataclass(frozen=True)
class Keyword:
    command: Command
    language: str  # the language a first message in this word implies
    ends_step: bool = False  # a whole-message STOP/CANCEL that ends a guided step too
    outside_steps_only: bool = False  # counts only when no guided step is waiting for an answer


K = Keyword
C = Command

KEYWORDS: dict[str, Keyword] = {
    # --- REPORT: as the first word, anything after it becomes the report's description ----------
    "REPORT": K(C.REPORT, "en"),  # English command word
    "SHIKAYAT": K(C.REPORT, ROMAN_URDU),  # "complaint": a sentence starting with it is a complaint
    "SHIKAYET": K(C.REPORT, ROMAN_URDU),  # spelling variant of SHIKAYAT
    "شکایت": K(C.REPORT, "ur"),  # Urdu "complaint"; same reasoning as SHIKAYAT
    "شکايت": K(C.REPORT, "ps"),  # Pashto spelling of the same word (folds to the Urdu one)
    "رپورٹ": K(C.REPORT, "ur"),  # Urdu loan word "report"; no other meaning
    "راپور": K(C.REPORT, "ps"),  # Pashto "report"; no other meaning
    # --- STATUS: alone, or followed by nothing but a code's digits ------------------------------
    "STATUS": K(C.STATUS, "en"),  # English command word
    "HALAT": K(C.STATUS, ROMAN_URDU),  # "condition" ("halat kharab hain"): needs digits after it
    "HAALAT": K(C.STATUS, ROMAN_URDU),  # spelling variant of HALAT
    "حالت": K(C.STATUS, "ur"),  # Urdu "condition": everyday word, safe only because digits must follow
    "سٹیٹس": K(C.STATUS, "ur"),  # Urdu loan word "status"; no other meaning
    "حال": K(C.STATUS, "ps"),  # Pashto "state"; Urdu "now" ("حال ہی میں"): digits must follow
    # --- ADD: a code's digits, then the words to add to that report (a code must follow) --------
    "ADD": K(C.ADD, "en"),  # English command word; "add" before a code can only be this
    "MAZEED": K(C.ADD, ROMAN_URDU),  # "more; further" ("mazeed maloomat"): a code must follow
    "MAZID": K(C.ADD, ROMAN_URDU),  # spelling variant of MAZEED
    "مزید": K(C.ADD, "ur"),  # Urdu "more; further": everyday word, safe only because a code must follow
    "اضافہ": K(C.ADD, "ur"),  # Urdu "addition"; same
    "نور": K(C.ADD, "ps"),  # Pashto "more" (Urdu "light", a name): a code must follow
    "اضافه": K(C.ADD, "ps"),  # Pashto spelling of "addition" (folds to the Urdu one)
    # --- NOT FIXED: a code's digits, then what is still wrong; reopens a resolved report -------
    "NOT FIXED": K(C.NOT_FIXED, "en"),  # English, two words; a code must follow
    "NOTFIXED": K(C.NOT_FIXED, "en"),  # the same typed as one word
    "REOPEN": K(C.NOT_FIXED, "en"),  # English command word
    "THEEK NAHI": K(C.NOT_FIXED, ROMAN_URDU),  # "not right": everyday words, a code must follow
    "THEEK NAHIN": K(C.NOT_FIXED, ROMAN_URDU),  # spelling variant
    "THIK NAHI": K(C.NOT_FIXED, ROMAN_URDU),  # texting spelling
    "ٹھیک نہیں": K(C.NOT_FIXED, "ur"),  # Urdu "not right": a code must follow
    "سم نه دی": K(C.NOT_FIXED, "ps"),  # Pashto "it is not right": a code must follow
    "نه دی جوړ": K(C.NOT_FIXED, "ps"),  # Pashto "it is not repaired": a code must follow
    # --- JOIN: alone, or followed by the name of a neighbourhood that exists ------------------
    "JOIN": K(C.JOIN, "en"),  # English command word
    "SHAMIL": K(C.JOIN, ROMAN_URDU),  # "included; involved" ("shamil thay"): a place must follow
    "SHAMIL-HON": K(C.JOIN, ROMAN_URDU),  # "(I) join"; a place must follow
    "شامل": K(C.JOIN, "ur"),  # Urdu "included; involved": a place must follow
    "ګډون": K(C.JOIN, "ps"),  # Pashto "taking part": a place must follow
    "شامليدل": K(C.JOIN, "ps"),  # Pashto "to join": a place must follow
    # --- LEAVE: whole message only; JOIN undoes it ---------------------------------------------
    "LEAVE": K(C.LEAVE, "en"),  # English command word
    "CHORO": K(C.LEAVE, ROMAN_URDU),  # "leave (it)": alone, it can only mean stop the news
    "CHHORO": K(C.LEAVE, ROMAN_URDU),  # spelling variant of CHORO
    "چھوڑیں": K(C.LEAVE, "ur"),  # Urdu "leave (it)", polite; alone it means the same
    "پرېږده": K(C.LEAVE, "ps"),  # Pashto "leave (it)"; alone it means the same
    # --- STOP: whole message only; opts the phone out of notifications and broadcasts --------
    "STOP": K(C.STOP, "en", ends_step=True),  # the opt-out word carriers use; no answer is "STOP"
    "UNSUBSCRIBE": K(C.STOP, "en", ends_step=True),  # English opt-out word; never an answer
    "BAND KARO": K(C.STOP, ROMAN_URDU, ends_step=True),  # "stop it" (imperative): clear request
    "BAND KAREN": K(C.STOP, ROMAN_URDU, ends_step=True),  # "stop it" (polite imperative)
    "BAND": K(C.STOP, ROMAN_URDU, outside_steps_only=True),  # "closed; off": could be an answer
    "بند کرو": K(C.STOP, "ur", ends_step=True),  # Urdu "stop it" (imperative): clear request
    "بند کریں": K(C.STOP, "ur", ends_step=True),  # Urdu "stop it" (polite imperative)
    "بند": K(C.STOP, "ur", outside_steps_only=True),  # Urdu "closed; off": could be an answer
    "ودروه": K(C.STOP, "ps", ends_step=True),  # Pashto "stop (it)" (imperative); no other meaning
    # --- START: whole message only; undoes STOP ------------------------------------------------
    "START": K(C.START, "en"),  # English command word
    "SHURU": K(C.START, ROMAN_URDU),  # "begin"; alone it can only mean start again
    "شروع": K(C.START, "ur"),  # Urdu "beginning; begin"; alone it means the same
    "پیل": K(C.START, "ps"),  # Pashto "start" (Persian "elephant", not written alone in a message)
    # --- HELP: whole message only; the reply also gives the emergency number -----------------
    "HELP": K(C.HELP, "en"),  # English; someone in danger who sends it gets "Emergency: 15"
    "MADAD": K(C.HELP, ROMAN_URDU),  # "help"; same
    "مدد": K(C.HELP, "ur"),  # Urdu "help"; same
    "مرسته": K(C.HELP, "ps"),  # Pashto "help"; same
    # --- LANG: alone, or followed by a language name from LANGUAGE_NAMES ---------------------
    "LANG": K(C.LANG, "en"),  # English command word
    "LANGUAGE": K(C.LANG, "en"),  # English; a language must follow
    "ZABAN": K(C.LANG, ROMAN_URDU),  # "language; tongue": a language must follow
    "ZUBAN": K(C.LANG, ROMAN_URDU),  # spelling variant of ZABAN
    "زبان": K(C.LANG, "ur"),  # Urdu "language; tongue": a language must follow
    "ژبه": K(C.LANG, "ps"),  # Pashto "language; tongue": a language must follow
    # --- PRIVATE: whole message only; turns discreet wording on or off -----------------------
    "PRIVATE": K(C.PRIVATE, "en"),  # English command word
    "KHUFIA": K(C.PRIVATE, ROMAN_URDU),  # "secret"; alone it can only be this request
    "خفیہ": K(C.PRIVATE, "ur"),  # Urdu "secret"; same
    "پټ": K(C.PRIVATE, "ps"),  # Pashto "hidden; secret"; same
    # --- CANCEL: whole message only; ends a guided step (a report already made stays) -------
    "CANCEL": K(C.CANCEL, "en", ends_step=True),  # English command word; never an answer
    "MANSOOKH": K(C.CANCEL, ROMAN_URDU, ends_step=True),  # "cancelled", formal; never an answer
    "منسوخ": K(C.CANCEL, "ur", ends_step=True),  # Urdu "cancelled", formal; never an answer
    "لغوه": K(C.CANCEL, "ps", ends_step=True),  # Pashto "annulled", formal; never an answer
    # --- YES / NO: the answer to a yes-or-no step; a whole-message YES elsewhere confirms the
    # beat news this phone was asked about (a web sign-up). Bare "JI"/"جی" ("yes; pardon?") and
    # "HA" (laughter) are not yes: a yes may let an officer call.
    "YES": K(C.YES, "en"),  # English
    "Y": K(C.YES, "en"),  # short for yes, the carriers' own convention
    "HAAN": K(C.YES, ROMAN_URDU),  # "yes"
    "HAN": K(C.YES, ROMAN_URDU),  # spelling variant of HAAN
    "JI HAAN": K(C.YES, ROMAN_URDU),  # "yes" (polite)
    "HAAN JI": K(C.YES, ROMAN_URDU),  # "yes" (polite)
    "ہاں": K(C.YES, "ur"),  # Urdu "yes"
    "جی ہاں": K(C.YES, "ur"),  # Urdu "yes" (polite)
    "ہاں جی": K(C.YES, "ur"),  # Urdu "yes" (polite)
    "هو": K(C.YES, "ps"),  # Pashto "yes"; Urdu "ہو" ("be") is never a whole message
    "NO": K(C.NO, "en"),  # English
    "N": K(C.NO, "en"),  # short for no
    "NAHI": K(C.NO, ROMAN_URDU),  # "no"
    "NAHIN": K(C.NO, ROMAN_URDU),  # spelling variant
    "NAHEEN": K(C.NO, ROMAN_URDU),  # spelling variant
    "NHI": K(C.NO, ROMAN_URDU),  # texting spelling
    "نہیں": K(C.NO, "ur"),  # Urdu "no"
    "نہ": K(C.NO, "ur"),  # Urdu "no; not"; Pashto "نه" ("no") folds to it
    "نه": K(C.NO, "ps"),  # Pashto "no"
}
# Left out on purpose:
#   "بس" (Pashto and Urdu "bus"; "enough"): "بس اډې ته نږدې ..." ("near the bus stand ...") is a report.
#   "KHATAM" (Roman Urdu "finished"): "khatam" ("I am done") would have cancelled the report.
#   "بلې" (Pashto "yes"): written "بلی" it is Urdu "cat".

# The argument of LANG: a language's name or code, in any of our scripts.
LANGUAGE_NAMES: dict[str, str] = {
    "EN": "en",  # code
    "ENGLISH": "en",  # English name
    "انگریزی": "en",  # Urdu name
    "انګلیسي": "en",  # Pashto name
    "UR": "ur",  # code
    "URDU": "ur",  # English and Roman Urdu name
    "اردو": "ur",  # Urdu name
    "PS": "ps",  # code
    "PASHTO": "ps",  # English name
    "PUSHTO": "ps",  # English spelling variant
    "پښتو": "ps",  # Pashto name
    "پشتو": "ps",  # Urdu spelling
    "ROMAN": ROMAN_URDU,  # Roman Urdu: Urdu in Latin letters
    "ROMAN URDU": ROMAN_URDU,  # the same, in full
}

# Pashto letters Urdu does not have, and the Arabic yeh Pashto keyboards type: a word written with
# them is Pashto even when it folds to an Urdu keyword.
_PASHTO_LETTERS = frozenset("ټډړږښګڼېۍځڅي")

_BY_FOLD: dict[str, Keyword] = {}
for _word, _keyword in KEYWORDS.items():
    # Two spellings that fold alike are the same command; the first listed gives the language.
    _BY_FOLD.setdefault(fold(_word), _keyword)
_LANGUAGES_BY_FOLD = {fold(name): code for name, code in LANGUAGE_NAMES.items()}
del _word, _keyword


def whole(text: str) -> Keyword | None:
    """The keyword the whole message is (folded), or None."""
    return _BY_FOLD.get(fold(text))


def leading(text: str) -> tuple[Keyword | None, list[str]]:
    """The keyword of an argument-taking command the message starts with, and the words after it
    (as typed, only trimmed); (None, []) when the first words are no such keyword. The longest
    match wins, so "NOT FIXED 482..." is NOT FIXED and not a NO."""
    words = text.split()
    for size in range(min(_MAX_LEADING_WORDS, len(words)), 0, -1):
        keyword = _BY_FOLD.get(fold(" ".join(words[:size])))
        if keyword is not None and keyword.command in TAKES_ARGUMENTS:
            return keyword, words[size:]
    return None, []


def language_named(text: str) -> str | None:
    """The language code `text` names (LANG's argument), or None."""
    return _LANGUAGES_BY_FOLD.get(fold(text))


def language_of(keyword: Keyword, text: str) -> str:
    """The language a first message in `keyword` implies; Pashto letters in Urdu script mean Pashto."""
    if keyword.language == "ur" and any(ch in _PASHTO_LETTERS for ch in text):
        return "ps"
    return keyword.language


def is_yes_or_no(text: str) -> bool | None:
    """True for yes, False for no (a whole-message keyword, or the number 1 or 2), else None."""
    words = fold_words(text)
    if words and words[0] in ("1", "2") and len(words) <= 2:  # "1", "1 yes", "2 نه"
        return words[0] == "1"
    keyword = whole(text)
    if keyword is not None and keyword.command in (Command.YES, Command.NO):
        return keyword.command == Command.YES
    return None
