"""Officers log contacts by SMS: `LOG <kind> <beat> [minutes]` in three languages, from a registered
number only; any other number gets the answer any unknown text gets."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone, translation

from rabta.audit.models import AccessLog
from rabta.messaging.inbound import process_pending_inbound
from rabta.messaging.models import InboundMessage, InboundStatus, Phone
from rabta.presence.models import Contact, ContactChannel, ContactKind, OfficerPhone
from rabta.presence.services import register_officer_phone
from rabta.presence.sms import usage
from tests.conftest import World
from tests.sms_fixtures import Sms, console_channel

NOW = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
OFFICER_NUMBER = "+923001112233"


@pytest.fixture
def officer_sms(world: World) -> Sms:
    register_officer_phone(officer=world.beat_officer, number="0300 1112233", by=world.station_head)
    return Sms(console_channel(), number=OFFICER_NUMBER)


@time_machine.travel(NOW, tick=False)
def test_an_officer_logs_a_patrol_by_sms(world: World, officer_sms: Sms) -> None:
    replies = officer_sms.send("LOG patrol GUL 45")
    contact = Contact.objects.get()
    assert contact.officer == world.beat_officer and contact.channel == ContactChannel.SMS
    assert contact.kind == ContactKind.FOOT_PATROL and contact.proactive
    assert list(contact.beats.all()) == [world.beat_a]
    assert contact.ended_at == NOW.replace(
        second=0
    ) and contact.ended_at - contact.started_at == dt.timedelta(minutes=45)
    assert replies == ["Logged: Foot patrol, Gulabad, 13:45-14:30. Thank you."]


@pytest.mark.parametrize(
    ("text", "language", "kind"),
    [
        ("log school gulabad", "en", ContactKind.SCHOOL_VISIT),
        ("اندراج گشت Gulabad ۳۰", "ur", ContactKind.FOOT_PATROL),
        ("DARJ dukan gulabad", "ur-latn", ContactKind.SHOP_VISIT),
        ("ثبت کور GUL", "ps", ContactKind.DOOR_TO_DOOR),
    ],
)
def test_keywords_in_each_language_and_the_reply_in_its_language(
    world: World, officer_sms: Sms, text: str, language: str, kind: str
) -> None:
    replies = officer_sms.send(text)
    contact = Contact.objects.get()
    assert contact.kind == kind
    with translation.override(language):
        assert replies == [
            translation.gettext("Logged: %(kind)s, %(beat)s, %(start)s-%(end)s. Thank you.")
            % {
                "kind": contact.get_kind_display(),
                "beat": world.beat_a.local_name,
                "start": timezone.localtime(contact.started_at).strftime("%H:%M"),
                "end": timezone.localtime(contact.ended_at).strftime("%H:%M"),
            }
        ]


def test_without_a_beat_the_officers_own_beat(world: World, officer_sms: Sms) -> None:
    officer_sms.send("LOG call")
    contact = Contact.objects.get()
    assert list(contact.beats.all()) == [world.beat_a] and not contact.proactive


@pytest.mark.parametrize(
    "text", ["LOG", "LOG dance GUL", "LOG patrol Nowhere", "LOG patrol GUL 9999", "LOG patrol SHG"]
)
def test_a_wrong_log_gets_the_usage_and_writes_nothing(world: World, officer_sms: Sms, text: str) -> None:
    replies = officer_sms.send(text)
    assert len(replies) == 1 and "LOG patrol Gulabad 45" in replies[0]
    assert not Contact.objects.exists()


def test_an_unknown_number_gets_no_hint(world: World) -> None:
    channel = console_channel()
    stranger = Sms(channel, number="+923004445566").send("LOG patrol GUL 45")
    other = Sms(channel, number="+923004445577").send("QWERTY patrol GUL 45")
    assert stranger == other
    assert "LOG" not in stranger[0]
    assert not Contact.objects.exists()


def test_a_deactivated_officer_is_a_stranger(world: World, officer_sms: Sms) -> None:
    world.beat_officer.is_active = False
    world.beat_officer.save(update_fields=["is_active"])
    replies = officer_sms.send("LOG patrol GUL")
    assert replies == Sms(officer_sms.channel, number="+923004445588").send("QWERTY patrol GUL")
    assert not Contact.objects.exists()


def test_resident_commands_still_work_from_an_officers_phone(world: World, officer_sms: Sms) -> None:
    assert "15" in officer_sms.send("HELP")[0]


def test_a_message_handled_twice_is_one_contact(world: World, officer_sms: Sms) -> None:
    officer_sms.send("LOG patrol GUL")
    message = InboundMessage.objects.get()
    InboundMessage.objects.filter(pk=message.pk).update(status=InboundStatus.RECEIVED)
    process_pending_inbound()
    assert Contact.objects.count() == 1


def test_registering_a_phone_is_logged_and_one_number_is_one_officers(world: World) -> None:
    link = register_officer_phone(officer=world.beat_officer, number="03001112233", by=world.station_head)
    assert link.phone == Phone.objects.for_number(OFFICER_NUMBER).get()
    assert (
        AccessLog.objects.filter(action=AccessLog.Action.CHANGE, object_type="presence.officerphone").count()
        == 1
    )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        register_officer_phone(officer=world.other_beat_officer, number="03001112233", by=world.station_head)
    with pytest.raises(ValidationError):
        register_officer_phone(officer=world.analyst, number="03009998877", by=world.admin_user)
    # A new number replaces the old one.
    register_officer_phone(officer=world.beat_officer, number="03007776655", by=world.station_head)
    assert OfficerPhone.objects.get().phone == Phone.objects.for_number("+923007776655").get()


def test_usage_names_the_kinds() -> None:
    assert "patrol" in usage() and "school" in usage()
