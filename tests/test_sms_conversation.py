"""SMS conversations in English, Urdu (script and Roman) and Pashto, as a resident's phone sees them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine

from rabta.lib.sms import segment_info
from rabta.messaging.models import Conversation, OutboundStatus, Subscription
from rabta.reports.models import Report
from tests.conftest import World
from tests.sms_fixtures import Sms, console_channel

pytestmark = pytest.mark.django_db

ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff]")
CODE = re.compile(r"\d{3}-\d{3}-\d{4}")


@pytest.fixture
def sms(world: World) -> Sms:
    return Sms(console_channel())


def _script_ok(text: str, language: str) -> bool:
    return bool(ARABIC_SCRIPT.search(text)) == (language in ("ur", "ps"))


def assert_fits(replies: list[str]) -> None:
    for text in replies:
        assert segment_info(text).segments <= 2, f"{segment_info(text)} for {text!r}"


GUIDED = {
    # language: (start word, beat name as typed)
    "en": ("REPORT", "Gulabad"),
    "ur": ("شکایت", "Gulabad"),
    "ur-latn": ("SHIKAYAT", "gulabad"),
    "ps": ("راپور", "Gulabad"),
}


@pytest.mark.parametrize("language", list(GUIDED))
def test_guided_report_in_each_language(world: World, sms: Sms, language: str) -> None:
    start, beat_name = GUIDED[language]
    menu = sms.send(start)
    assert sms.phone.language == language
    assert len(menu) == 1 and "1 " in menu[0] and "2 " in menu[0]
    ask_place = sms.send("2")
    ask_what = sms.send(beat_name)
    done = sms.send("The light near the girls school is broken for a month")
    for reply in (menu, ask_place, ask_what, done):
        assert_fits(reply)
        assert _script_ok(reply[0], "ur" if language == "ur" else language), reply
    report = Report.objects.get()
    assert report.category.code == "street_lighting"
    assert report.beat == world.beat_a
    assert report.channel == "sms"
    assert CODE.search(done[0])
    assert not Conversation.objects.exists()


def test_report_in_one_message(world: World, sms: Sms, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        replies = sms.send("REPORT 2 Gulabad streetlight broken near the school")
    # The confirmation carries the code; the reports' "received" notice must not send a second SMS.
    assert sms.phone.outbound.count() == 1
    assert_fits(replies)
    report = Report.objects.get()
    assert (report.category.code, report.beat, report.description) == (
        "street_lighting",
        world.beat_a,
        "streetlight broken near the school",
    )
    code = CODE.search(replies[0]).group(0)  # type: ignore[union-attr]
    status = sms.send(f"STATUS {code}")
    assert code in status[0] and "New" in status[0]


def test_ambiguous_place_offers_numbered_choices(world: World, sms: Sms) -> None:
    sms.send("REPORT")
    sms.send("4")
    choices = sms.send("a")  # matches several beats by name
    assert "1 " in choices[0] and "2 " in choices[0]
    sms.send("1")
    sms.send("My phone was snatched at the bus stop")
    assert Report.objects.get().beat is not None


def test_unknown_status_code_and_missing_code(world: World, sms: Sms) -> None:
    assert "No report" in sms.send("STATUS 000-000-0000")[0]
    assert "STATUS" in sms.send("STATUS")[0]


def test_join_leave_and_stop_start(world: World, sms: Sms) -> None:
    joined = sms.send("JOIN Gulabad")
    assert "Gulabad" in joined[0]
    assert Subscription.objects.filter(phone=sms.phone, beat=world.beat_a, active=True).exists()
    assert sms.send("JOIN Gulabad")  # twice is harmless
    assert Subscription.objects.filter(active=True).count() == 1
    sms.send("LEAVE")
    assert not Subscription.objects.filter(active=True).exists()
    stop = sms.send("STOP")
    assert "START" in stop[0]
    assert sms.phone.opted_out
    # After STOP the phone gets nothing, not even a reply to HELP...
    assert sms.send("HELP") == [sms.phone.outbound.order_by("-pk").first().body]
    assert sms.phone.outbound.order_by("-pk").first().status == OutboundStatus.SUPPRESSED
    sms.send("START")
    assert not sms.phone.opted_out


@pytest.mark.parametrize(
    ("text", "language"), [("HELP", "en"), ("مدد", "ur"), ("MADAD", "ur-latn"), ("مرسته", "ps")]
)
def test_help_and_unknown_in_each_language(world: World, text: str, language: str) -> None:
    sms = Sms(console_channel(), number="+923331234567")
    help_reply = sms.send(text)
    assert sms.phone.language == language
    unknown = sms.send("blah blah")
    assert_fits(help_reply + unknown)
    assert "15" in help_reply[0]


def test_language_can_be_changed(world: World, sms: Sms) -> None:
    sms.send("HELP")
    assert sms.phone.language == "en"
    sms.send("LANG PS")
    assert sms.phone.language == "ps"
    assert ARABIC_SCRIPT.search(sms.send("HELP")[0])


def test_unfinished_conversation_expires(world: World, sms: Sms) -> None:
    sms.send("REPORT")
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=31)):
        reply = sms.send("2")  # no longer an answer to the menu
    assert "REPORT" in reply[0]
    assert not Report.objects.exists()


def test_private_mode_hides_report_wording(world: World, sms: Sms) -> None:
    sms.send("PRIVATE")
    assert sms.phone.discreet
    reply = sms.send("REPORT 2 Gulabad light broken")
    assert "police" not in reply[0].lower()
    assert CODE.search(reply[0])
