"""SMS conversations in English, Urdu (script and Roman) and Pashto, as a resident's phone sees them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rabta.lib.sms import segment_info
from rabta.messaging import conversation
from rabta.messaging.intents import Intent, OptOut, Outcome
from rabta.messaging.models import Conversation, OutboundStatus, Phone, Subscription
from rabta.messaging.report_flow import category_label as _category_label
from rabta.reports.lifecycle import TIMESTAMP_FIELDS
from rabta.reports.models import Category, Report
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


def _menu_number(code: str) -> str:
    """The SMS number of a category: its place in the web form's order."""
    return str(list(Category.objects.filter(active=True).values_list("code", flat=True)).index(code) + 1)


@pytest.mark.parametrize("language", list(GUIDED))
def test_guided_report_in_each_language(world: World, sms: Sms, language: str) -> None:
    start, beat_name = GUIDED[language]
    menu = sms.send(start)
    assert sms.phone.language == language
    assert len(menu) == 1 and "1 " in menu[0] and "2 " in menu[0]
    ask_place = sms.send(_menu_number("street_lighting"))
    ask_women = sms.send(beat_name)
    ask_what = sms.send("2")  # not for women officers only
    assert not Report.objects.exists()
    done = sms.send("The light near the girls school is broken for a month")
    # Script checks only for replies the catalogues already translate; the rest must still fit.
    for reply in (menu, ask_place, ask_what):
        assert _script_ok(reply[0], "ur" if language == "ur" else language), reply
    for reply in (menu, ask_place, ask_women, ask_what, done):
        assert_fits(reply)
    report = Report.objects.get()
    assert report.category.code == "street_lighting"
    assert report.beat == world.beat_a
    assert report.channel == "sms"
    assert not report.woman_officer_only
    assert CODE.search(done[0])
    assert len(done) == 2  # the code, then the first follow-up question (may an officer call?)
    assert Conversation.objects.get().step == "call"
    updates = sms.send("2")  # no call
    closing = sms.send("1")  # SMS updates: yes
    assert_fits(updates + closing)
    assert "15" in closing[0]
    assert not Conversation.objects.exists()


def test_menu_numbers_follow_the_web_form_order(world: World, sms: Sms) -> None:
    web_order = [c.code for c in Category.objects.filter(active=True)]
    assert web_order[:3] == ["street_harassment", "violence_against_women", "street_lighting"]
    menu = sms.send("REPORT")[0]
    labels = [_category_label(c) for c in Category.objects.filter(active=True)]
    positions = [menu.index(f"{n} {label}") for n, label in enumerate(labels, start=1)]
    assert positions == sorted(positions)
    # An admin moves theft to the top of the form: SMS number 1 is theft from then on.
    Category.objects.filter(code="theft").update(position=1)
    sms.send("CANCEL")
    assert sms.send("REPORT")[0].startswith("Reply with a number: 1 Theft")
    sms.send("CANCEL")
    sms.send("REPORT 1 Gulabad my bicycle was stolen outside the mosque")
    assert Report.objects.get().category.code == "theft"


def test_report_in_one_message(world: World, sms: Sms, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        replies = sms.send("REPORT 3 Gulabad streetlight broken near the school")
    # The confirmation carries the code, then the follow-up questions begin; the reports' "received"
    # notice must not send an SMS of its own.
    assert sms.phone.outbound.count() == 2
    assert_fits(replies)
    report = Report.objects.get()
    assert (report.category.code, report.beat, report.description) == (
        "street_lighting",
        world.beat_a,
        "streetlight broken near the school",
    )
    assert report.anonymous and not report.contact_consent
    code = CODE.search(replies[0]).group(0)  # type: ignore[union-attr]
    sms.send("CANCEL")  # no more questions; the report stays
    assert Report.objects.filter(pk=report.pk).exists()
    status = sms.send(f"STATUS {code}")
    assert code in status[0] and "New" in status[0]


def test_ambiguous_place_offers_numbered_choices(world: World, sms: Sms) -> None:
    sms.send("REPORT")
    sms.send(_menu_number("theft"))
    choices = sms.send("a")  # matches several beats by name
    assert "1 " in choices[0] and "2 " in choices[0]
    sms.send("1")
    sms.send("2")  # not for women officers only
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
    # After STOP the phone still gets answers to its own messages (it asked)...
    assert "REPORT" in sms.send("HELP")[0]
    assert sms.phone.outbound.order_by("-pk").first().status == OutboundStatus.SENT
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
        reply = sms.send("3")  # no longer an answer to the menu
    assert "REPORT" in reply[0]
    assert not Report.objects.exists()


def test_private_mode_hides_report_wording(world: World, sms: Sms) -> None:
    sms.send("PRIVATE")
    assert sms.phone.discreet
    replies = sms.send("REPORT 3 Gulabad light broken")
    for reply in replies:
        assert "police" not in reply.lower() and "officer" not in reply.lower()
    assert CODE.search(replies[0])
    assert Report.objects.get().neutral_wording


def test_roman_urdu_replies_use_latin_beat_names_and_stay_gsm7(world: World, sms: Sms) -> None:
    world.beat_a.name_ur = "گلاب آباد"
    world.beat_a.save(update_fields=["name_ur"])
    sms.send("MADAD")
    assert sms.phone.language == "ur-latn"
    joined = sms.send("SHAMIL Gulabad")[0]
    assert "Gulabad" in joined and "گلاب" not in joined
    assert segment_info(joined).encoding == "GSM-7" and segment_info(joined).segments == 1
    report_reply = sms.send("SHIKAYAT 3 Gulabad bijli ka khamba toota hua hai")[0]
    assert "Gulabad" in report_reply
    assert segment_info(report_reply).encoding == "GSM-7"
    code = CODE.search(report_reply).group(0)  # type: ignore[union-attr]
    sms.send("CANCEL")
    status = sms.send(f"HALAT {code}")[0]
    assert segment_info(status).encoding == "GSM-7", status
    # Urdu script still gets the Urdu spelling.
    urdu = Sms(console_channel(), number="+923339998877")
    urdu.send("مدد")
    assert "گلاب آباد" in urdu.send("شامل Gulabad")[0]


def test_status_date_counts_every_change_of_status(world: World, sms: Sms) -> None:
    code = CODE.search(sms.send("REPORT 3 Gulabad streetlight broken")[0]).group(0)  # type: ignore[union-attr]
    sms.send("CANCEL")
    report = Report.objects.get()
    later = report.created_at + dt.timedelta(days=9)
    Report.objects.filter(pk=report.pk).update(status="duplicate", duplicate_at=later)
    reply = sms.send(f"STATUS {code}")[0]
    assert timezone.localtime(later).strftime("%d-%m-%Y") in reply


@pytest.mark.parametrize(("status", "field"), sorted(TIMESTAMP_FIELDS.items()))
def test_status_date_is_when_the_report_entered_its_status(
    world: World, sms: Sms, status: str, field: str
) -> None:
    """Every status of the lifecycle counts, whichever timestamp it writes (duplicate_at included)."""
    code = CODE.search(sms.send("REPORT 3 Gulabad streetlight broken")[0]).group(0)  # type: ignore[union-attr]
    sms.send("CANCEL")
    report = Report.objects.get()
    later = report.created_at + dt.timedelta(days=9)
    Report.objects.filter(pk=report.pk).update(status=status, **{field: later})
    reply = sms.send(f"STATUS {code}")[0]
    assert timezone.localtime(later).strftime("%d-%m-%Y") in reply


def test_the_conversation_only_asks_for_writes(world: World) -> None:
    """Text in, intents and replies out: run without applying its intents, it changes nothing."""
    phone = Phone.build("+923001112223", language="en", language_chosen=True)
    phone.save()
    flow = conversation.handle(phone=phone, text="STOP", channel=console_channel())
    asked: list[Intent[Any]] = []
    with CaptureQueriesContext(connection) as queries:
        try:
            intent = next(flow)
            while True:
                asked.append(intent)
                intent = flow.send(None)
        except StopIteration as stop:
            outcome: Outcome = stop.value
    assert asked == [OptOut()]
    assert "no more SMS" in outcome.replies[0]
    writes = [
        q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    phone.refresh_from_db()
    assert not phone.opted_out
