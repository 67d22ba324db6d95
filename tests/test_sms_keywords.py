"""Keywords never eat a report (issue 9, point 1).

A sentence that starts with a keyword, in any language, is a resident's words: inside a guided step it
is the answer, and it never opts the phone out. Commands count only as the whole message (after
folding), or, for REPORT/STATUS/JOIN/LANG, when what follows parses.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from rabta.core.models import RateCounter
from rabta.messaging.keywords import KEYWORDS, ROMAN_URDU, Command, Keyword
from rabta.messaging.models import Conversation, Subscription
from rabta.reports.models import Category, Report
from tests.conftest import World
from tests.sms_fixtures import Sms, console_channel

pytestmark = pytest.mark.django_db

# How a guided report starts, and a sentence's ending, in each language.
START = {"en": "REPORT", "ur": "شکایت", "ps": "راپور", ROMAN_URDU: "SHIKAYAT"}
TAIL = {
    "en": "near the school the street light is broken since Monday",
    "ur": "اسکول کے قریب بتی پیر سے ٹوٹی ہوئی ہے",
    "ps": "اډې ته نږدې څراغ د دوشنبې راهیسې مات دی",
    ROMAN_URDU: "school ke paas batti peer se kharab hai",
}
EVERY_KEYWORD = sorted(KEYWORDS.items())


def _number(code: str) -> str:
    return str([c.code for c in Category.objects.filter(active=True)].index(code) + 1)


@pytest.fixture
def sms(world: World) -> Sms:
    return Sms(console_channel())


def _to_what_happened(sms: Sms, language: str) -> None:
    sms.send(START[language])
    sms.send(_number("street_lighting"))
    sms.send("Gulabad")
    sms.send("2")  # not for women officers only
    assert Conversation.objects.get().step == "text"


@pytest.mark.parametrize(("word", "keyword"), EVERY_KEYWORD, ids=[w for w, _ in EVERY_KEYWORD])
def test_a_description_that_starts_with_any_keyword_is_kept(
    world: World, sms: Sms, word: str, keyword: Keyword
) -> None:
    _to_what_happened(sms, keyword.language)
    sentence = f"{word} {TAIL[keyword.language]}"
    replies = sms.send(sentence)
    report = Report.objects.get()
    assert report.description == sentence
    assert not sms.phone.opted_out
    assert Conversation.objects.get().step == "call"  # the follow-up questions go on
    assert any(re.search(r"\d{3}-\d{3}-\d{4}", reply) for reply in replies)


@pytest.mark.parametrize(("word", "keyword"), EVERY_KEYWORD, ids=[w for w, _ in EVERY_KEYWORD])
def test_a_place_answer_that_starts_with_any_keyword_is_kept(
    world: World, sms: Sms, word: str, keyword: Keyword
) -> None:
    sms.send(START[keyword.language])
    sms.send(_number("street_lighting"))
    sentence = f"{word} {TAIL[keyword.language]}"
    sms.send(sentence)  # names no neighbourhood: kept as the description, the place asked again
    assert not sms.phone.opted_out
    assert Conversation.objects.get().step == "beat"
    sms.send("Gulabad")
    sms.send("2")  # not for women officers only
    report = Report.objects.get()
    assert report.description == sentence and report.beat == world.beat_a
    assert not sms.phone.opted_out


def test_the_pashto_bus_stand_report_of_the_issue(world: World, sms: Sms) -> None:
    sms.send("راپور")
    sms.send(_number("street_harassment"))
    sms.send("Gulabad")
    sms.send("هو")  # yes: only women officers
    text = "بس اډې ته نږدې هلکان هره ورځ ځوروي"
    sms.send(text)
    report = Report.objects.get()
    assert report.description == text and report.woman_officer_only
    assert not sms.phone.opted_out


@pytest.mark.parametrize("word", ["بس", "بس!", "BUS"])
def test_bas_is_never_stop(world: World, sms: Sms, word: str) -> None:
    sms.send(word)
    assert not sms.phone.opted_out


@pytest.mark.parametrize("word", ["بند", "BAND"])
def test_closed_is_stop_only_outside_a_step(world: World, sms: Sms, word: str) -> None:
    sms.send("REPORT")
    sms.send(_number("street_lighting"))
    sms.send(word)  # "closed": an answer here
    assert not sms.phone.opted_out and Conversation.objects.exists()
    sms.send("CANCEL")
    sms.send(word)  # alone, outside any step: the resident wants no more SMS
    assert sms.phone.opted_out


@pytest.mark.parametrize("typed", ["STOP", "stop", " Stop! ", "ＳＴＯＰ", "\u200fSTOP", "بند کریں", "ودروه"])
def test_a_whole_message_stop_ends_a_step_and_opts_out(world: World, sms: Sms, typed: str) -> None:
    sms.send("REPORT")
    sms.send(_number("street_lighting"))
    reply = sms.send(typed)
    assert sms.phone.opted_out
    assert not Conversation.objects.exists() and not Report.objects.exists()
    assert "START" in reply[0]


@pytest.mark.parametrize("typed", ["CANCEL", "منسوخ", "لغوه"])
def test_a_whole_message_cancel_ends_a_step_without_opting_out(world: World, sms: Sms, typed: str) -> None:
    sms.send("REPORT")
    sms.send(typed)
    assert not Conversation.objects.exists() and not sms.phone.opted_out


@pytest.mark.parametrize("typed", ["STOP sending the police", "PRIVATE matter", "HELP me find my son"])
def test_a_whole_message_command_with_more_words_does_nothing(world: World, sms: Sms, typed: str) -> None:
    sms.send(typed)
    phone = sms.phone
    assert not phone.opted_out and not phone.discreet


def test_leave_with_more_words_keeps_the_news(world: World, sms: Sms) -> None:
    sms.send("JOIN Gulabad")
    sms.send("LEAVE it, the light is fixed")
    assert Subscription.objects.filter(active=True).count() == 1


@pytest.mark.parametrize("typed", ["شكايت", "شکايت", "شِکایت", "ﺷﻜﺎﻳﺖ", "Report."])
def test_report_in_any_spelling_starts_a_report(world: World, sms: Sms, typed: str) -> None:
    sms.send(typed)
    assert Conversation.objects.get().step == "category"


def test_report_followed_by_words_keeps_them_as_the_description(world: World, sms: Sms) -> None:
    text = "میرے گھر کے سامنے روز رات کو جھگڑا ہوتا ہے"
    sms.send(f"شکایت {text}")
    sms.send(_number("neighbour_dispute"))
    sms.send("Gulabad")
    replies = sms.send("2")  # not for women officers only: nothing more to ask before the report
    assert Report.objects.get().description == text
    assert any(re.search(r"\d{3}-\d{3}-\d{4}", reply) for reply in replies)


@pytest.mark.parametrize(
    "typed", ["حالت خراب ہے", "حال احوال څنګه دی", "STATUS please", "HALAT bohat kharab"]
)
def test_status_without_a_code_is_no_lookup(world: World, sms: Sms, typed: str) -> None:
    reply = sms.send(typed)[0]
    assert "No report has that code" not in reply
    assert not RateCounter.objects.filter(key__startswith="track:").exists()


@pytest.mark.parametrize("typed", ["STATUS 482 177 3015", "حالت ۴۸۲-۱۷۷-۳۰۱۵", "حال 4821773015"])
def test_status_with_a_code_is_looked_up(world: World, sms: Sms, typed: str) -> None:
    sms.send(typed)
    assert RateCounter.objects.filter(key__startswith="track:").exists()  # a code was looked up


def test_lang_needs_a_language(world: World, sms: Sms) -> None:
    sms.send("HELP")
    sms.send("زبان بہت میٹھی ہے")  # "the language is very sweet"
    assert sms.phone.language == "en"
    sms.send("ژبه پښتو")
    assert sms.phone.language == "ps"


def test_join_needs_a_neighbourhood_that_exists(world: World, sms: Sms) -> None:
    sms.send("شامل تھے تین آدمی")  # "three men were involved"
    assert not Subscription.objects.exists()
    sms.send("ګډون Gulabad")
    assert Subscription.objects.filter(beat=world.beat_a, active=True).exists()


def test_every_keyword_is_in_one_table_with_a_comment_per_word() -> None:
    source = Path(__file__).resolve().parent.parent / "rabta" / "messaging" / "keywords.py"
    lines = source.read_text(encoding="utf-8").splitlines()
    tree = ast.parse(source.read_text(encoding="utf-8"))
    table = next(
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "KEYWORDS"
    )
    assert isinstance(table, ast.Dict)
    for key in table.keys:
        assert isinstance(key, ast.Constant)
        assert "#" in lines[key.lineno - 1], f"no comment for {key.value!r}"
    # Every command is reachable in every language.
    for command in Command:
        languages = {k.language for k in KEYWORDS.values() if k.command == command}
        assert languages >= {"en", "ur", "ps", ROMAN_URDU}, command


def test_a_neighbourhood_matches_however_its_letters_were_typed(world: World, sms: Sms) -> None:
    world.beat_a.name_ur = "گلاب آباد"
    world.beat_a.save(update_fields=["name_ur"])
    sms.send("شکایت")
    sms.send(_number("street_lighting"))
    sms.send("گلاب اباد")  # alef without madda
    assert Conversation.objects.get().data["beat"] == world.beat_a.pk
    assert Subscription.objects.count() == 0
    sms.send("CANCEL")
    sms.send("شامل گلاب آباد")
    assert Subscription.objects.get().beat == world.beat_a
