"""Text that staff write once per language: a main field plus `<field>_ur` and `<field>_ps` versions.

The main field (`title`, `issue`, `public_bio`...) is what staff write first, in whichever language
they write best. The versions are optional. `localized(obj, "title")` picks the text a reader sees:
their own language's version, else (for a Pashto reader) the Urdu one, else the main text. It
also says which language that text is in, so a page can mark it (`lang`, `dir`) and tell the reader
"in English" when it is not in theirs. The language of the main text is not stored: it is read from
its letters (Latin: English; Arabic script: Pashto if it has letters only Pashto uses, else Urdu).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# Languages that have a version field, in the order their fields follow the main one.
VERSION_LANGUAGES = ("ur", "ps")
RTL_LANGUAGES = frozenset({"ur", "ps"})

# Where a reader falls back before the main text. Urdu is the school language in Khyber
# Pakhtunkhwa: a Pashto reader is likelier to read it than English.
FALLBACKS: dict[str, tuple[str, ...]] = {"ps": ("ur",), "ur": (), "en": ()}

# "(in English)" beside a text that is not in the page's language.
IN_LANGUAGE = {"en": _("in English"), "ur": _("in Urdu"), "ps": _("in Pashto")}

VERSION_LABELS = {"ur": _("%(field)s, in Urdu"), "ps": _("%(field)s, in Pashto")}

# Letters each language uses and the other does not (so a text with them is that language).
_PASHTO_ONLY = frozenset("ټډړږښګڼېۍځڅ")
_URDU_ONLY = frozenset("ٹڈڑںےھۓ")


def _is_arabic_letter(ch: str) -> bool:
    return (
        "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" or "\ufb50" <= ch <= "\ufeff"
    ) and ch.isalpha()


def script_language(text: str) -> str:
    """The language a text is most likely in, from its letters: "en", "ur" or "ps"."""
    arabic = latin = pashto = urdu = 0
    for ch in text:
        if _is_arabic_letter(ch):
            arabic += 1
            pashto += ch in _PASHTO_ONLY
            urdu += ch in _URDU_ONLY
        elif ch.isascii() and ch.isalpha():
            latin += 1
    if arabic <= latin:
        return "en"
    return "ps" if pashto > urdu else "ur"


def reader_language(language: str | None = None) -> str:
    """The two-letter language of the reader ("ur-latn", Roman Urdu, reads the main Latin text)."""
    active = (language or get_language() or "en").lower()
    if active == "ur-latn":
        return "en"
    return active[:2]


@dataclass(frozen=True)
class Localized:
    text: str
    language: str  # the language `text` is in
    reader: str  # the language it was wanted in
    is_version: bool  # from a `_ur`/`_ps` field (its language is known, not read from its letters)

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)

    @property
    def is_fallback(self) -> bool:
        return bool(self.text) and self.language != self.reader

    @property
    def direction(self) -> str:
        return "rtl" if self.language in RTL_LANGUAGES else "ltr"

    @property
    def fallback_label(self) -> str:
        return str(IN_LANGUAGE.get(self.language, "")) if self.is_fallback else ""


def localized(obj: Any, field: str, language: str | None = None) -> Localized:
    """The text of `obj.<field>` for a reader of `language` (default: the active one)."""
    reader = reader_language(language)
    main = str(getattr(obj, field, "") or "").strip()
    versions = {code: str(getattr(obj, f"{field}_{code}", "") or "").strip() for code in VERSION_LANGUAGES}
    if (language or get_language() or "").lower() != "ur-latn":
        for code in (reader, *FALLBACKS.get(reader, ())):
            if versions.get(code):
                return Localized(versions[code], code, reader, True)
    if main:
        return Localized(main, script_language(main), reader, False)
    for code in VERSION_LANGUAGES:
        if versions[code]:
            return Localized(versions[code], code, reader, True)
    return Localized("", reader, reader, False)


def local_text(obj: Any, field: str, language: str | None = None) -> str:
    return localized(obj, field, language).text


def version_names(field: str) -> list[str]:
    return [f"{field}_{code}" for code in VERSION_LANGUAGES]


def versions_from(data: dict[str, Any], field: str) -> dict[str, str]:
    """`{"title_ur": ..., "title_ps": ...}` from a form's cleaned data, trimmed; absent ones empty."""
    return {name: str(data.get(name) or "").strip() for name in version_names(field)}


def add_version_fields(form: forms.BaseForm, field: str) -> None:
    """Put optional `<field>_ur` and `<field>_ps` inputs right after `<field>`, with the same
    kind of input, labelled with their language and set right to left."""
    base = form.fields[field]
    extra: dict[str, forms.Field] = {}
    for code in VERSION_LANGUAGES:
        name = f"{field}_{code}"
        # A model form already has the field (from the model, with its initial value): keep it.
        version = form.fields.pop(name, None) or copy.deepcopy(base)
        version.required = False
        version.label = VERSION_LABELS[code] % {"field": base.label or field}
        version.help_text = ""
        version.widget = copy.deepcopy(base.widget)
        version.widget.attrs.update({"lang": code, "dir": "rtl"})
        version.widget.attrs.pop("aria-describedby", None)
        extra[name] = version
    items = list(form.fields.items())
    at = [name for name, _f in items].index(field) + 1
    form.fields = dict(items[:at] + list(extra.items()) + items[at:])
