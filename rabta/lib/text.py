"""Text as residents type it: one comparison key however a word was typed, and masked codes.

Django-free. Urdu and Pashto arrive from many keyboards: Arabic or Persian yeh and kaf, several forms
of heh, the Pashto gaf and e, Arabic-Indic or Persian digits, vowel marks, tatweel, zero-width joiners
and direction marks, presentation forms. `fold` maps all of these to one spelling (and Latin letters
to one case, without accents), so a keyword, a beat name or a search term matches however it was
typed. Folding is for comparing only: what the resident wrote is stored and shown as written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Letters that keyboards and writers use for one another, each mapped to one form. Letters that
# make a different word (ب/پ, ر/ړ, د/ډ, ...) are never merged.
_LETTERS = {
    # yeh: Arabic yeh, alef maksura, Pashto e, Pashto feminine yeh -> Farsi yeh
    "ي": "ی",
    "ى": "ی",
    "ې": "ی",
    "ۍ": "ی",
    # kaf: Arabic kaf, swash kaf -> keheh (the Urdu and Pashto kaf)
    "ك": "ک",
    "ڪ": "ک",
    # gaf: Pashto gaf with a ring -> gaf
    "ګ": "گ",
    # heh: heh goal (Urdu), ae, heh doachashmee (typed for heh on Persian keyboards), teh marbuta
    "ہ": "ه",
    "ە": "ه",
    "ھ": "ه",
    "ة": "ه",
    # alef wasla (Quranic spelling) -> alef; alef with madda or hamza decomposes to alef in `fold`
    "ٱ": "ا",
}
_EASTERN_DIGITS = "٠١٢٣٤٥٦٧٨٩" + "۰۱۲۳۴۵۶۷۸۹"
_DIGITS: dict[int, int] = str.maketrans(_EASTERN_DIGITS, "0123456789" * 2)
_LETTERS_AND_DIGITS: dict[int, int | str] = {**{ord(k): v for k, v in _LETTERS.items()}, **_DIGITS}

# Dropped: tatweel, zero-width characters, direction marks and isolates, the byte-order mark, the
# soft hyphen. (Vowel marks and other combining marks go after decomposition, in `fold`.)
_INVISIBLE = re.compile("[\u0640\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")

# A tracking code as it appears in a message: ten digits, in groups split by a hyphen or a space
# ("482-177-3015", "482 177 3015", "4821773015"), in any digit script, not part of a longer number.
_DIGIT_RUN = re.compile(r"(?<![\d\-])\d+(?:[ \-]\d+)*(?![\d])")
CODE_DIGITS = 10


def ascii_digits(text: str) -> str:
    """Arabic-Indic and Persian digits as ASCII digits; nothing else changes."""
    return text.translate(_DIGITS)


def squash_spaces(text: str) -> str:
    """NFKC (presentation forms, full-width letters) and runs of white space as one space, trimmed.
    Letters are not folded: this is the text as it will be stored."""
    return " ".join(unicodedata.normalize("NFKC", text or "").split())


def _is_edge(ch: str) -> bool:
    """Punctuation, symbols (emoji too) and spaces that may stand around a word."""
    return ch.isspace() or unicodedata.category(ch)[0] in "PS"


def _strip_edges(text: str) -> str:
    start, end = 0, len(text)
    while start < end and _is_edge(text[start]):
        start += 1
    while end > start and _is_edge(text[end - 1]):
        end -= 1
    return text[start:end]


def fold(text: str) -> str:
    """The comparison key of `text`: NFKC; invisible characters, tatweel and every combining mark
    (Arabic vowel marks, hamza and madda above letters, Latin accents) dropped; letter variants and
    digits folded; case folded; white space as single spaces; punctuation around it removed
    (punctuation inside stays: 'SHAMIL-HON').

    >>> fold(" «شكايت!» ") == fold("شکایت")
    True
    >>> fold("STOP")
    'stop'
    """
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text or ""))
    text = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    text = unicodedata.normalize("NFC", text).translate(_LETTERS_AND_DIGITS).casefold()
    return _strip_edges(" ".join(text.split()))


def fold_words(text: str) -> list[str]:
    """The folded words of `text`, each without the punctuation around it; empty ones dropped."""
    return [word for word in (fold(part) for part in squash_spaces(text).split()) if word]


# Separators of a list of places as people write it: commas (Latin and Arabic) and semicolons.
_LIST_SEPARATORS = re.compile("[,;\u060c\u061b]")


def fold_compact(text: str) -> str:
    """`fold` with every space and punctuation mark inside dropped: the key for place names, whose
    spacing and hyphens vary from writer to writer ('Gul abad', 'Gulabad', 'Gul-abad'; 'گل آباد',
    'گلاباد'). Letters and digits only, so it never holds a separator of `search_key`."""
    return "".join(ch for ch in fold(text) if ch.isalnum())


def split_list(text: str) -> list[str]:
    """The items of a list of places (Latin or Arabic commas, semicolons), trimmed; empty ones dropped."""
    return [item for item in (" ".join(part.split()) for part in _LIST_SEPARATORS.split(text or "")) if item]


def search_key(names: Iterable[str], areas: Iterable[str]) -> str:
    """One stored text to search names and areas in: each `fold_compact`ed, between "|", names
    first and areas after "||" ('|gul|gulabad|گلاباد||baghmohalla|باغمحله|'), so that a database
    `contains` of "|term|" is an exact match of one name or area and a `contains` of the term
    alone matches inside one (never across two). Empty and repeated terms are left out."""
    name_terms = _unique(fold_compact(name) for name in names)
    area_terms = [term for term in _unique(fold_compact(area) for area in areas) if term not in name_terms]
    return "|" + "".join(f"{term}|" for term in name_terms) + "|" + "".join(f"{term}|" for term in area_terms)


def key_terms(key: str) -> tuple[list[str], list[str]]:
    """The name terms and the area terms of a `search_key`."""
    names, _, areas = key.partition("||")
    return [t for t in names.split("|") if t], [t for t in areas.split("|") if t]


def _unique(terms: Iterable[str]) -> list[str]:
    return [term for term in dict.fromkeys(terms) if term]


def _mask_run(match: re.Match[str]) -> str:
    run = match.group(0)
    positions = [i for i, ch in enumerate(run) if ch.isdigit()]
    if len(positions) != CODE_DIGITS:
        return run
    hidden = set(positions[:-3])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(run))


# A one-use survey link's token (rabta.feedback): "/s/<token>/".
_SURVEY_LINK = re.compile(r"(/s/)[A-Za-z0-9_-]{12,}")


def mask_codes(text: str) -> str:
    """Every ten-digit code in `text` with all but its last three digits as '*', separators kept:
    'STATUS 482-177-3015' -> 'STATUS ***-***-*015'. Longer or shorter numbers are left alone.
    The token of a one-use survey link becomes '****' too, so a stored message cannot be used to
    answer in the resident's place."""
    return _SURVEY_LINK.sub(r"\1****", _DIGIT_RUN.sub(_mask_run, text))


# What a PostgreSQL text column cannot hold: the NUL character (a DataError), and lone surrogates,
# which no UTF-8 encoder writes (they arrive through JSON's "\ud800" escapes).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(text: str) -> bool:
    """True if `text` holds a character no database text column can store (see `storable`)."""
    return _UNSTORABLE.search(text) is not None


def storable(text: str) -> str:
    """`text` with each unstorable character replaced by U+FFFD, the replacement character."""
    return _UNSTORABLE.sub("\ufffd", text)
