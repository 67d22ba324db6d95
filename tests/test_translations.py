"""The Urdu and Pashto catalogues: complete, well-formed, in step with the code, and really used.

Catalogue checks read rabta/locale/<lang>/LC_MESSAGES/django.po with polib (in the lock). The sync
check extracts gettext strings itself (Python's ast for .py files, Django's own templatize for
templates), so it needs no GNU gettext: it fails when someone adds a string without running
makemessages, and when the catalogue still carries strings the code no longer has.
"""

from __future__ import annotations

import ast
import datetime as dt
import functools
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import polib
import pytest
from django.template.defaultfilters import date as date_filter
from django.test import Client
from django.utils import formats, translation
from django.utils.translation.template import templatize

from rabta.lib.sms import segment_info
from tests.conftest import World
from tests.paths import url_for

ROOT = Path(__file__).resolve().parent.parent
HELP = (
    "Send REPORT to report a concern, STATUS and your code to follow it, JOIN and your area for news, "
    "STOP to end SMS. Emergency: 15"
)
LOCALE = ROOT / "rabta" / "locale"
LANGS = ["ur", "ps"]
# Same places makemessages skips (see docs/languages.md).
SKIP_DIRS = {".venv", "var", "tests", "bench", "node_modules", "__pycache__", "locale", "static"}

NAMED = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
POSITIONAL = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
BRACES = re.compile(r"\{\{?\s*[\w.]*\s*\}?\}")
ARABIC_LETTER = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
# Strings that are the same in every script (acronyms a reader sees in Latin letters anyway).
SAME_IN_EVERY_SCRIPT = {"API"}


# Django's own strings that our pages show (months, form errors), kept by hand: Django has no Pashto.
BUILTIN = LOCALE / "_django"
ALL_CATALOGUES = [LOCALE / lang for lang in LANGS] + [BUILTIN / lang for lang in LANGS]


def catalogue(lang: str, root: Path = LOCALE) -> polib.POFile:
    return polib.pofile(str(root / lang / "LC_MESSAGES" / "django.po"))


def each_catalogue() -> Any:
    return pytest.mark.parametrize(
        "lang,root",
        [(p.name, p.parent) for p in ALL_CATALOGUES],
        ids=[str(p.relative_to(LOCALE)) for p in ALL_CATALOGUES],
    )


def translations(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural.get(i, "") for i in range(2)]
    return [entry.msgstr]


def python_placeholders(text: str) -> tuple[set[str], list[str]]:
    without_named = NAMED.sub("", text.replace("%%", ""))
    return set(NAMED.findall(text)), sorted(POSITIONAL.findall(without_named))


@each_catalogue()
def test_catalogue_header(lang: str, root: Path) -> None:
    po = catalogue(lang, root)
    assert po.metadata["Language"] == lang
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert not po.metadata_is_fuzzy


@each_catalogue()
def test_every_string_is_translated_and_none_is_fuzzy(lang: str, root: Path) -> None:
    po = catalogue(lang, root)
    assert len(po) > 50  # the whole catalogue, not an empty file
    empty = [
        e.msgid for e in po if not all(translations(e)) or (e.msgid_plural and len(e.msgstr_plural) != 2)
    ]
    fuzzy = [e.msgid for e in po if "fuzzy" in e.flags]
    obsolete = [e.msgid for e in po.obsolete_entries()]
    assert not empty, f"{lang}: {len(empty)} untranslated, e.g. {empty[:5]}"
    assert not fuzzy, f"{lang}: fuzzy entries {fuzzy[:5]}"
    assert not obsolete, f"{lang}: obsolete entries {obsolete[:5]}"


@each_catalogue()
def test_placeholders_survive_translation(lang: str, root: Path) -> None:
    wrong = []
    for entry in catalogue(lang, root):
        sources = [entry.msgid, entry.msgid_plural] if entry.msgid_plural else [entry.msgid]
        for i, text in enumerate(translations(entry)):
            source = sources[min(i, len(sources) - 1)]
            if python_placeholders(text) != python_placeholders(source):
                wrong.append((entry.msgid, text))
            if sorted(BRACES.findall(text)) != sorted(BRACES.findall(source)):
                wrong.append((entry.msgid, text))
    assert not wrong, f"{lang}: placeholders differ in {wrong[:5]}"


@each_catalogue()
def test_translations_are_written_in_arabic_script_with_its_punctuation(lang: str, root: Path) -> None:
    latin_only, latin_punctuation = [], []
    for entry in catalogue(lang, root):
        for text in translations(entry):
            has_words = re.search(r"[A-Za-z]", entry.msgid) and entry.msgid not in SAME_IN_EVERY_SCRIPT
            if has_words and not ARABIC_LETTER.search(text):
                latin_only.append(entry.msgid)
            # Urdu and Pashto end sentences with ۔ and ask with ؟; a comma after a word is ،.
            ends_latin = re.search(r"[.?]$", text) and ARABIC_LETTER.search(text[-3:-1] or "")
            if ends_latin or re.search(r"[\u0600-\u06ff],", text):
                latin_punctuation.append(text)
    assert not latin_only, f"{lang}: not translated into {lang}: {latin_only[:5]}"
    assert not latin_punctuation, f"{lang}: Latin punctuation in {latin_punctuation[:5]}"


SMS_SOURCES = [
    ROOT / "rabta" / "messaging" / "conversation.py",
    ROOT / "rabta" / "messaging" / "notifications.py",
    ROOT / "rabta" / "messaging" / "report_flow.py",
]
# The SMS closing reply quotes one of these (rabta.reports.presenters.who_reads) as %(who)s.
WHO_READS = [
    "It goes to the oversight body, never to the station.",
    "Only women officers of the women's desk will read it.",
    "The women officers of the women's desk and the station head will read it.",
    "The police of your neighbourhood and their station head will read it.",
]
# A typical value per placeholder: a neighbourhood name, a tracking code, a status.
SMS_SAMPLE = {
    "beat": "گل آباد بازار",
    "code": "482-177-3015",
    "status": "کارروائی جاری ہے",
    "category": "ہراسانی",
}


@pytest.mark.parametrize("lang", LANGS)
def test_sms_replies_fit_two_segments(lang: str) -> None:
    """Urdu and Pashto SMS are UCS-2: 67 characters a segment. Every reply must fit two (134), so a
    translation longer than the English can silently double the cost and split badly on old phones."""
    # A string not translated yet is measured in English (the catalogue tests report it as missing).
    translated = {e.msgid: e.msgstr for e in catalogue(lang) if e.msgstr}
    presenters = (ROOT / "rabta" / "reports" / "presenters.py").read_text(encoding="utf-8")
    assert all(text in presenters for text in WHO_READS), "WHO_READS is out of step with who_reads()"
    who = max((translated.get(text, text) for text in WHO_READS), key=len)
    samples = {**SMS_SAMPLE, "who": who}
    too_long = []
    for source in SMS_SOURCES:
        for _ctx, msgid in _messages_in_python(source.read_text(encoding="utf-8")):
            if "%(items)s" in msgid or "%(names)s" in msgid:
                continue  # lists built at run time; the menu is checked below
            text = NAMED.sub(lambda m: samples.get(m.group(1), "۱۲۳۴۵۶۷۸۹۰"), translated.get(msgid, msgid))
            if segment_info(text).segments > 2:
                too_long.append(msgid)
    unknown = translated.get("Rabta did not understand. ", "") + translated.get(HELP, "")
    if segment_info(unknown).segments > 2:
        too_long.append("Rabta did not understand. " + HELP)
    assert not too_long, f"{lang}: longer than two SMS: {too_long}"


# --- the catalogue is in step with the code (no GNU gettext needed) --------------------------------

GETTEXT_FUNCTIONS = {
    # name -> (index of context, index of singular, index of plural)
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}


def _messages_in_python(source: str) -> set[tuple[str | None, str]]:
    found: set[tuple[str | None, str]] = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in GETTEXT_FUNCTIONS:
            continue
        ctx_i, msg_i, _plural_i = GETTEXT_FUNCTIONS[name]
        args = node.args
        if (
            len(args) <= msg_i
            or not isinstance(args[msg_i], ast.Constant)
            or not isinstance(args[msg_i].value, str)
        ):
            continue
        context = None
        if ctx_i is not None:
            if not (isinstance(args[ctx_i], ast.Constant) and isinstance(args[ctx_i].value, str)):
                continue
            context = args[ctx_i].value
        found.add((context, args[msg_i].value))
    return found


_STRING = r"""[uUrR]{0,2}(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
_TEMPLATE_CALL = re.compile(
    rf"\b(gettext|ngettext|pgettext|npgettext|_)\(\s*({_STRING})(?:\s*,\s*({_STRING}))?(?:\s*,\s*({_STRING}))?"
)


def _messages_in_template(source: str, origin: str) -> set[tuple[str | None, str]]:
    """templatize turns a template into gettext calls amid blanked-out text; pick the calls out."""
    found: set[tuple[str | None, str]] = set()
    for name, *args in _TEMPLATE_CALL.findall(templatize(source, origin=origin)):
        strings = [ast.literal_eval(a) for a in args if a]
        if name.startswith(("p", "np")):
            found.add((strings[0], strings[1]))
        else:
            found.add((None, strings[0]))
    return found


@functools.cache
def _messages_in_code() -> frozenset[tuple[str | None, str]]:
    found: set[tuple[str | None, str]] = set()
    for dirpath, dirnames, filenames in os.walk(ROOT):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not d.startswith(".")]
        for filename in filenames:
            path = Path(dirpath) / filename
            if filename.endswith(".py"):
                found |= _messages_in_python(path.read_text(encoding="utf-8"))
            elif filename.endswith((".html", ".txt")) and "templates" in path.parts:
                found |= _messages_in_template(path.read_text(encoding="utf-8"), str(path))
    return frozenset(found)


@pytest.mark.parametrize("lang", LANGS)
def test_catalogue_is_in_step_with_the_code(lang: str) -> None:
    in_code = _messages_in_code()
    in_catalogue = {(e.msgctxt, e.msgid) for e in catalogue(lang)}
    # templatize doubles % in {% translate %} literals; makemessages undoes it.
    normalised = {(ctx, msg.replace("%%", "%")) for ctx, msg in in_code}
    missing = sorted(
        m for m in in_code if m not in in_catalogue and (m[0], m[1].replace("%%", "%")) not in in_catalogue
    )
    stale = sorted(m for m in in_catalogue if m not in in_code and m not in normalised)
    hint = "run makemessages (see docs/languages.md) and translate"
    assert not missing, (
        f"{lang}: {len(missing)} strings in the code are not in the catalogue ({hint}): {missing[:5]}"
    )
    assert not stale, (
        f"{lang}: {len(stale)} catalogue strings are no longer in the code ({hint}): {stale[:5]}"
    )


# --- the compiled catalogue is what the pages use ------------------------------------------------


def _compile_if_stale(root: Path) -> None:
    """What `manage.py compile_translations` does, but atomically, so parallel workers never read a
    half-written .mo. Only does work when the .po changed since the last compile."""
    po_path = root / "LC_MESSAGES" / "django.po"
    mo_path = po_path.with_suffix(".mo")
    if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        return
    fd, tmp = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
    os.close(fd)
    try:
        polib.pofile(str(po_path)).save_as_mofile(tmp)
        os.replace(tmp, mo_path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@pytest.fixture
def compiled(settings: Any) -> None:
    for root in ALL_CATALOGUES:
        _compile_if_stale(root)
    # Re-setting LOCALE_PATHS makes Django drop its cached catalogues and read the .mo files again.
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)


@pytest.mark.parametrize("lang", LANGS)
def test_pages_speak_the_language(lang: str, world: World, client: Client, compiled: None) -> None:
    po = catalogue(lang)
    heading = po.find("Find your neighbourhood").msgstr
    body = client.get(url_for("places:home", lang=lang)).content.decode()
    assert f'<html lang="{lang}" dir="rtl">' in body
    assert f"<h1>{heading}</h1>" in body
    assert "Find your neighbourhood" not in body

    page = client.get(url_for("site:beat", world.beat_a.code, lang=lang)).content.decode()
    days = po.find("%(first)s to %(last)s").msgstr % {
        "first": po.find("Monday").msgstr,
        "last": po.find("Saturday").msgstr,
    }
    assert days in page  # weekday names and the phrase around them come from the catalogue too
    assert po.find("Your officers").msgstr in page
    for english in ("Monday", "Your officers", "Women's desk", "In an emergency call 15."):
        assert english not in page


@pytest.mark.parametrize("lang", LANGS)
def test_dates_use_local_month_names_and_formats(lang: str, compiled: None) -> None:
    """Django has no Pashto: without rabta/locale/_django and the formats there, a Pashto page says
    "Nov. 23, 2026"."""
    when = dt.datetime(2026, 11, 23, 17, 5)
    november = catalogue(lang, BUILTIN).find("November").msgstr
    with translation.override(lang):
        assert formats.date_format(when.date(), "DATE_FORMAT") == f"23 {november} 2026"
        assert formats.date_format(when, "DATETIME_FORMAT") == f"23 {november} 2026، 17:05"
        assert date_filter(when, "l j F") == f"{catalogue(lang).find('Monday').msgstr} 23 {november}"
        assert (
            translation.gettext("This field is required.")
            == catalogue(lang, BUILTIN).find("This field is required.").msgstr
        )


def test_counted_phrase_uses_plural_forms(world: World, client: Client, compiled: None) -> None:
    po = catalogue("ur")
    forms = po.find("%(counter)s neighbourhood found").msgstr_plural
    one = client.get(url_for("places:home", lang="ur"), {"q": "khungai"}).content.decode()
    assert forms[0] % {"counter": 1} in one
    none = client.get(url_for("places:home", lang="ur"), {"q": "no such place"}).content.decode()
    assert forms[1] % {"counter": 0} in none
