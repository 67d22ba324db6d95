"""Reporter safety by SMS (issue 9, SMS side of points 2, 3, 4, 7, 10, 11, 12).

Anonymous unless the resident says an officer may call; a woman officer only, safe hours and SMS
updates as on the web form; neutral wording on shared phones; limits per phone; STATUS answered after
STOP while notifications and broadcasts are not; codes masked in stored messages; every message of
a report tied to it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from rabta.messaging import broadcasts
from rabta.messaging.effects import record_sms_preferences
from rabta.messaging.models import (
    Broadcast,
    Conversation,
    InboundMessage,
    OutboundMessage,
    OutboundStatus,
    Purpose,
    Subscription,
)
from rabta.messaging.subscriptions import request_subscription
from rabta.reports.contact import decrypt_contact
from rabta.reports.models import Category, Report
from rabta.reports.services import change_status
from tests.conftest import World
from tests.sms_fixtures import Sms, console_channel

pytestmark = pytest.mark.django_db

CODE = re.compile(r"\d{3}-\d{3}-\d{4}")
NUMBER = "+923001234567"


@pytest.fixture
def sms(world: World) -> Sms:
    return Sms(console_channel(), NUMBER)


def _number(code: str) -> str:
    return str([c.code for c in Category.objects.filter(active=True)].index(code) + 1)


def _guided(
    sms: Sms, category: str, *, women: str | None = "2", text: str = "He follows me every day"
) -> str:
    """REPORT step by step up to the report; returns the tracking code."""
    sms.send("REPORT")
    sms.send(_number(category))
    sms.send("Gulabad")
    if women is not None:
        sms.send(women)
    replies = sms.send(text)
    match = CODE.search(replies[0])
    assert match, replies
    return match.group(0)


# ---- anonymous by SMS (point 2) -----------------------------------------------------------------


def test_an_sms_report_is_anonymous_until_the_resident_says_yes(world: World, sms: Sms) -> None:
    code = _guided(sms, "street_lighting")
    report = Report.objects.get()
    assert report.anonymous and not report.contact_consent and not report.staff_may_contact
    # The number is kept (encrypted) to answer STATUS and carry updates.
    assert decrypt_contact(report).phone == NUMBER
    assert code in sms.send(f"STATUS {code}")[0]
    assert "call you" in sms.phone.outbound.filter(purpose=Purpose.REPLY).order_by("-pk")[1].body


def test_yes_to_a_call_gives_consent_and_safe_hours(world: World, sms: Sms) -> None:
    _guided(sms, "street_lighting")
    ask_hours = sms.send("۱")  # yes, in Persian digits
    assert "safe to call" in ask_hours[0]
    ask_updates = sms.send("after 4 in the afternoon")
    assert "SMS when there is news" in ask_updates[0]
    sms.send("2")  # no SMS updates
    report = Report.objects.get()
    assert report.contact_consent and not report.anonymous and report.staff_may_contact
    assert report.safe_call_hours == "after 4 in the afternoon"
    assert report.no_sms
    assert not Conversation.objects.exists()


@pytest.mark.parametrize("no", ["2", "NO", "نہیں", "نه", "NAHI", "٢"])
def test_no_to_a_call_skips_the_hours(world: World, sms: Sms, no: str) -> None:
    _guided(sms, "street_lighting")
    ask_updates = sms.send(no)
    assert Conversation.objects.get().step == "updates", ask_updates
    sms.send("1")
    report = Report.objects.get()
    assert report.anonymous and not report.contact_consent and report.safe_call_hours == ""
    assert not report.no_sms


def test_record_sms_preferences_keeps_anonymous_the_opposite_of_consent(world: World, sms: Sms) -> None:
    _guided(sms, "police_conduct", women=None)
    report = Report.objects.get()
    record_sms_preferences(
        report=report, contact_consent=True, safe_call_hours="mornings", no_sms=False, woman_officer_only=True
    )
    report.refresh_from_db()
    assert report.contact_consent and not report.anonymous and report.safe_call_hours == "mornings"
    assert not report.woman_officer_only  # a conduct complaint goes to the oversight body
    record_sms_preferences(
        report=report,
        contact_consent=False,
        safe_call_hours="mornings",
        no_sms=True,
        woman_officer_only=False,
    )
    report.refresh_from_db()
    assert report.anonymous and not report.contact_consent and report.safe_call_hours == ""
    assert report.no_sms


# ---- women's routing and who reads it (points 3 and 11) ---------------------------------------


def test_a_woman_officer_only_is_asked_before_the_report_and_routes_it(world: World, sms: Sms) -> None:
    sms.send("REPORT")
    sms.send(_number("street_harassment"))
    ask = sms.send("Gulabad")
    assert "women officers" in ask[0]
    sms.send("1")
    assert not Report.objects.exists()
    sms.send("Two men wait for me near the girls school")
    report = Report.objects.get()
    assert report.woman_officer_only and report.wants_neutral_wording
    assert not Report.objects.visible_to(world.beat_officer).filter(pk=report.pk).exists()
    assert Report.objects.visible_to(world.womens_desk_officer).filter(pk=report.pk).exists()
    assert Report.objects.content_visible_to(world.womens_desk_officer).filter(pk=report.pk).exists()
    assert not Report.objects.content_visible_to(world.station_head).filter(pk=report.pk).exists()
    sms.send("2")
    closing = sms.send("1")
    assert "Only women officers of the women's desk will read it." in closing[0]


def test_a_womens_desk_category_by_sms_is_routed_as_on_the_web(world: World, sms: Sms) -> None:
    _guided(sms, "violence_against_women", women="2")
    report = Report.objects.get()
    assert not report.woman_officer_only
    assert not Report.objects.visible_to(world.beat_officer).filter(pk=report.pk).exists()
    assert not Report.objects.visible_to(world.district_coordinator).filter(pk=report.pk).exists()
    assert Report.objects.visible_to(world.womens_desk_officer).filter(pk=report.pk).exists()


def test_an_answer_that_is_no_yes_or_no_is_the_description_with_the_categorys_default(
    world: World, sms: Sms
) -> None:
    sms.send("REPORT")
    sms.send(_number("street_harassment"))  # suggests a woman officer
    sms.send("Gulabad")
    replies = sms.send("Boys on motorbikes follow girls after school")
    report = Report.objects.get()
    assert report.description == "Boys on motorbikes follow girls after school"
    assert report.woman_officer_only
    assert CODE.search(replies[0])


def test_a_conduct_complaint_is_not_asked_about_women_and_says_who_reads_it(world: World, sms: Sms) -> None:
    sms.send("REPORT")
    sms.send(_number("police_conduct"))
    ask = sms.send("Gulabad")
    assert "What happened" in ask[0]
    sms.send("The officer at the checkpost asked me for money")
    report = Report.objects.get()
    assert report.category.is_conduct and not report.woman_officer_only
    sms.send("2")
    closing = sms.send("1")
    assert "oversight body" in closing[0] and "never to the station" in closing[0]


def test_an_ordinary_report_says_the_police_of_the_neighbourhood_read_it(world: World, sms: Sms) -> None:
    _guided(sms, "street_lighting")
    sms.send("2")
    closing = sms.send("1")
    assert "police of your neighbourhood" in closing[0]
    assert Report.objects.visible_to(world.beat_officer).filter(pk=Report.objects.get().pk).exists()


def test_the_one_message_report_asks_the_follow_up_questions(world: World, sms: Sms) -> None:
    replies = sms.send(f"REPORT {_number('street_harassment')} Gulabad boys follow girls after school")
    report = Report.objects.get()
    assert report.woman_officer_only  # the category's suggestion
    assert report.anonymous
    assert CODE.search(replies[0]) and "call you" in replies[1]
    sms.send("1")
    sms.send("0")  # any time
    sms.send("1")
    report.refresh_from_db()
    assert report.contact_consent and report.safe_call_hours == "" and not report.no_sms


# ---- neutral wording on shared phones (point 4) -------------------------------------------------


def _acknowledge(report: Report, by: Any, capture: Any) -> OutboundMessage:
    with capture(execute=True):
        change_status(report=report, by=by, to="acknowledged", note="We will visit")
    return OutboundMessage.objects.filter(purpose=Purpose.NOTIFICATION).order_by("-pk").first()  # type: ignore[return-value]


def test_a_womens_desk_notification_says_only_that_there_is_news(
    world: World, sms: Sms, django_capture_on_commit_callbacks: Any
) -> None:
    _guided(sms, "violence_against_women")
    report = Report.objects.get()
    notice = _acknowledge(report, world.womens_desk_officer, django_capture_on_commit_callbacks)
    assert notice.body == "Rabta: there is news about your message. Reply STATUS and your code."
    assert notice.report_id == report.pk


def test_a_discreet_phone_gets_neutral_notifications(
    world: World, sms: Sms, django_capture_on_commit_callbacks: Any
) -> None:
    sms.send("PRIVATE")
    _guided(sms, "street_lighting")
    notice = _acknowledge(Report.objects.get(), world.beat_officer, django_capture_on_commit_callbacks)
    assert notice.body == "Rabta: there is news about your message. Reply STATUS and your code."


def test_an_ordinary_notification_names_the_category_and_status(
    world: World, sms: Sms, django_capture_on_commit_callbacks: Any
) -> None:
    _guided(sms, "street_lighting")
    notice = _acknowledge(Report.objects.get(), world.beat_officer, django_capture_on_commit_callbacks)
    assert "Streetlight" in notice.body and "Acknowledged" in notice.body


def test_status_of_a_womens_desk_report_names_no_category(world: World, sms: Sms) -> None:
    code = _guided(sms, "violence_against_women")
    reply = sms.send(f"STATUS {code}")[0]
    assert reply == f"Request {code}: New."
    ordinary = Sms(console_channel(), "+923007777777")
    other = _guided(ordinary, "street_lighting")
    assert "Streetlight" in ordinary.send(f"STATUS {other}")[0]


def test_private_mode_questions_do_not_name_the_police(world: World, sms: Sms) -> None:
    sms.send("PRIVATE")
    sms.send("REPORT")
    sms.send(_number("street_harassment"))
    replies = sms.send("Gulabad")
    replies += sms.send("1")
    replies += sms.send("Two men wait for me near the school")
    replies += sms.send("2") + sms.send("1")
    for reply in replies:
        assert "officer" not in reply.lower() and "police" not in reply.lower(), reply
    assert Report.objects.get().neutral_wording


# ---- limits per phone (point 10) ---------------------------------------------------------------


def test_reports_per_phone_are_limited(world: World, sms: Sms, settings: Any) -> None:
    settings.RABTA_RATE_LIMITS = {**settings.RABTA_RATE_LIMITS, "sms_report_hour": (2, 3600)}
    for n in range(2):
        sms.send(f"REPORT {_number('street_lighting')} Gulabad light {n} broken")
        sms.send("CANCEL")
    refused = sms.send(f"REPORT {_number('street_lighting')} Gulabad light broken again")
    assert Report.objects.count() == 2
    assert "many reports" in refused[0] and "15" in refused[0]
    assert not CODE.search(refused[0])


def test_reports_per_phone_per_day_are_limited(world: World, sms: Sms, settings: Any) -> None:
    settings.RABTA_RATE_LIMITS = {**settings.RABTA_RATE_LIMITS, "sms_report_day": (1, 86400)}
    sms.send(f"REPORT {_number('theft')} Gulabad my bicycle was stolen")
    sms.send("CANCEL")
    sms.send("REPORT")
    sms.send(_number("theft"))
    sms.send("Gulabad")
    sms.send("2")
    refused = sms.send("And my neighbour's bicycle too")
    assert Report.objects.count() == 1 and "15" in refused[0]
    assert not Conversation.objects.exists()
    # Another phone is not limited by this one.
    other = Sms(console_channel(), "+923009999999")
    other.send(f"REPORT {_number('theft')} Gulabad my bicycle was stolen")
    assert Report.objects.count() == 2


# ---- STOP, STATUS and news (point 12) ----------------------------------------------------------


def test_status_answers_after_stop_but_nothing_else_is_sent(
    world: World, sms: Sms, django_capture_on_commit_callbacks: Any
) -> None:
    code = _guided(sms, "street_lighting")
    sms.send("JOIN Gulabad")  # an answer inside the step: no subscription
    assert not Subscription.objects.exists()
    sms.send("CANCEL")
    sms.send("JOIN Gulabad")
    sms.send("STOP")
    assert sms.phone.opted_out
    status = sms.send(f"STATUS {code}")
    assert code in status[0]
    assert sms.phone.outbound.order_by("-pk").first().status == OutboundStatus.SENT  # type: ignore[union-attr]
    report = Report.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        change_status(report=report, by=world.beat_officer, to="acknowledged")
    assert not sms.phone.outbound.filter(purpose=Purpose.NOTIFICATION).exclude(status="suppressed").exists()
    broadcast = Broadcast.objects.create(author=world.beat_officer, body_en="Open talk Friday")
    broadcast.beats.set([world.beat_a])
    broadcasts.submit_broadcast(broadcast=broadcast, by=world.beat_officer)
    sms.send("HELP")  # runs the queued broadcast too
    assert not sms.phone.outbound.filter(purpose=Purpose.BROADCAST).exclude(status="suppressed").exists()
    # The phone's own JOIN undoes STOP.
    sms.send("JOIN Gulabad")
    assert not sms.phone.opted_out
    with django_capture_on_commit_callbacks(execute=True):
        change_status(report=report, by=world.beat_officer, to="in_progress")
    sms.send("HELP")
    assert sms.phone.outbound.filter(purpose=Purpose.NOTIFICATION, status=OutboundStatus.SENT).exists()


# ---- stored messages: masked codes, tied to their report (point 7) --------------------------


def test_codes_are_masked_once_sent_and_every_message_is_tied_to_its_report(world: World, sms: Sms) -> None:
    code = _guided(sms, "violence_against_women")
    report = Report.objects.get()
    sms.send("2")
    sms.send("1")
    sms.send(f"STATUS {code}")
    digits = code.replace("-", "")
    masked = "***-***-*" + digits[-3:]
    for message in OutboundMessage.objects.all():
        assert code not in message.body and digits not in message.body
    assert OutboundMessage.objects.filter(body__contains=masked).count() >= 2
    for message in InboundMessage.objects.all():
        assert code not in message.body
    assert InboundMessage.objects.get(body__startswith="STATUS").body == f"STATUS {masked}"
    # Every step of the guided report, the answers after it, and STATUS: tied to the report.
    assert InboundMessage.objects.count() == 8
    assert set(InboundMessage.objects.values_list("report", flat=True)) == {report.pk}
    assert set(OutboundMessage.objects.values_list("report", flat=True)) == {report.pk}
    # A message that is about no report stays untied.
    sms.send("HELP")
    assert InboundMessage.objects.filter(report__isnull=True).count() == 1


def test_a_queued_reply_keeps_its_code_until_it_is_sent(world: World) -> None:
    from rabta.messaging import outbound, phones

    console = console_channel()
    phone = phones.phone_for(NUMBER)
    message = outbound.queue_sms(
        phone=phone, body="Your code is 482-177-3015.", purpose=Purpose.REPLY, channel=console, send=False
    )
    assert message is not None and message.body == "Your code is 482-177-3015."
    outbound.send_outbound_messages([message.pk])
    message.refresh_from_db()
    assert message.status == OutboundStatus.SENT and message.body == "Your code is ***-***-*015."


# ---- YES confirms beat news asked for on the web ----------------------------------------------


@pytest.mark.parametrize("yes", ["YES", "ہاں", "هو", "HAAN", "yes!"])
def test_yes_outside_a_step_confirms_a_web_sign_up(world: World, sms: Sms, yes: str) -> None:
    request_subscription(raw_number=NUMBER, beat=world.beat_a, language="en")
    replies = sms.send(yes)
    assert Subscription.objects.get().active
    assert any(
        world.beat_a.name in r or (world.beat_a.name_ur and world.beat_a.name_ur in r) for r in replies
    )


def test_yes_inside_a_step_is_an_answer_not_a_confirmation(world: World, sms: Sms) -> None:
    request_subscription(raw_number=NUMBER, beat=world.beat_a, language="en")
    sms.send("REPORT")
    sms.send(_number("street_harassment"))
    sms.send("Gulabad")
    sms.send("YES")  # only women officers
    assert Conversation.objects.get().data["women"] is True
    assert not Subscription.objects.filter(active=True).exists()


def test_cancel_during_the_follow_up_questions_keeps_the_report_and_is_tied_to_it(
    world: World, sms: Sms
) -> None:
    _guided(sms, "violence_against_women")
    reply = sms.send("CANCEL")
    report = Report.objects.get()
    assert "kept" in reply[0]
    assert InboundMessage.objects.order_by("-pk").first().report_id == report.pk  # type: ignore[union-attr]
    assert OutboundMessage.objects.order_by("-pk").first().report_id == report.pk  # type: ignore[union-attr]
    assert report.anonymous and not Conversation.objects.exists()
