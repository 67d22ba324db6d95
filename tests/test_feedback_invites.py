"""Post-contact invitations: who is invited, once, in which words, and the survey behind the link
and behind a reply of 1."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from rabta.feedback import sms_flow
from rabta.feedback.invites import invitation_text, send_due_invitations
from rabta.feedback.models import (
    ContactInvite,
    ContactResponse,
    FreeText,
    Mode,
    PhoneInvited,
    SmsSurveySession,
    Source,
    SurveyKind,
)
from rabta.messaging.models import OutboundMessage, Phone
from rabta.presence.models import FeedbackConsent
from rabta.reports.lifecycle import Status
from rabta.reports.models import Report
from tests import factories
from tests.conftest import World
from tests.sms_fixtures import Sms, console_channel
from tests.tasks_helper import run_ready_tasks

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 6, 30, tzinfo=dt.UTC)  # 11:30 in Pakistan
NUMBER = "+923001234567"
LINK = re.compile(r"https?://\S+/s/([A-Za-z0-9_-]{12})/")


def _resolved(world: World, category: str = "street_lighting", **kw: Any) -> Report:
    kw.setdefault("phone", "0300 1234567")
    report = factories.report(category, beat_obj=world.beat_a, **kw).report
    Report.objects.filter(pk=report.pk).update(
        status=Status.RESOLVED, resolved_at=NOW - dt.timedelta(hours=2)
    )
    return report


def _sweep() -> list[str]:
    """Run the sweep and return the invitation SMS as delivered (before the stored copy is masked)."""
    from unittest import mock

    from rabta.messaging.providers.console.transport import ConsoleTransport

    delivered: list[str] = []
    real = ConsoleTransport.send

    def recording(transport: ConsoleTransport, **kwargs: Any) -> str:
        delivered.append(kwargs["body"])
        return real(transport, **kwargs)

    with mock.patch.object(ConsoleTransport, "send", recording):
        send_due_invitations()
        run_ready_tasks()
    return delivered


@pytest.fixture(autouse=True)
def _channel(db: Any) -> None:
    console_channel()


@time_machine.travel(NOW, tick=False)
def test_a_resolved_report_gets_one_invitation_and_the_link_works_once(world: World, client: Any) -> None:
    report = _resolved(world)
    sent = _sweep()
    assert len(sent) == 1 and "police" in sent[0]
    token = LINK.search(sent[0]).group(1)  # type: ignore[union-attr]
    invite = ContactInvite.objects.get(report=report)
    assert invite.sent and invite.by_sms and invite.expires_at == NOW + dt.timedelta(days=14)
    # The stored copy cannot be used to answer in the resident's place.
    assert token not in OutboundMessage.objects.get().body
    # Sent once: the next sweep finds nothing to do.
    assert _sweep() == []

    url = reverse("feedback:contact_survey", kwargs={"token": token})
    page = client.get(url)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert client.post(url, {}).status_code == 400  # nothing answered: nothing spent
    answer = {
        "voice": "4",
        "neutrality": "2",
        "respect": "0",
        "motives": "5",
        "overall": "4",
        "gender": "man",
    }
    answer["free_text"] = "Come to the street more often"
    assert client.post(url, answer).status_code == 302
    saved = ContactResponse.objects.get()
    assert (saved.voice, saved.neutrality, saved.respect, saved.motives, saved.overall) == (4, 2, None, 5, 4)
    assert (saved.source, saved.mode, saved.beat, saved.gender) == (
        Source.REPORT,
        Mode.WEB,
        world.beat_a,
        "man",
    )
    assert FreeText.objects.get().month == NOW.date().replace(day=1)
    assert ContactInvite.objects.get().used_on == NOW.date()
    # The SMS questions for the same invitation are withdrawn, and the link is spent.
    assert not SmsSurveySession.objects.exists()
    assert client.post(url, answer).status_code == 404 and ContactResponse.objects.count() == 1


@pytest.mark.parametrize("language", ["en", "ur", "ps"])
@time_machine.travel(NOW, tick=False)
def test_reply_1_answers_by_sms_in_the_reporters_language(world: World, language: str) -> None:
    _resolved(world, language=language)
    sent = _sweep()
    link = LINK.search(sent[0]).group(0)  # type: ignore[union-attr]
    assert f"/{language}/s/" in link
    with translation.override(language):
        assert sent[0] == invitation_text(link=link, discreet=False)
    sms = Sms(console_channel(), number=NUMBER)
    with translation.override(language):
        assert sms.send("1") == [
            sms_flow.welcome(SurveyKind.CONTACT),
            sms_flow.question(SurveyKind.CONTACT, 0),
        ]
    assert ContactInvite.objects.get().used_on == NOW.date()
    for reply in ("4", "4", "5", "3", "4", "1", "1", "1"):
        sms.send(reply)
    with translation.override(language):
        assert sms.send("0") == [sms_flow.thanks()]
    saved = ContactResponse.objects.get()
    assert (saved.mode, saved.voice, saved.overall, saved.started_by, saved.age_band) == (
        Mode.SMS,
        4,
        4,
        "resident",
        "15_29",
    )


@time_machine.travel(NOW, tick=False)
def test_declining_and_reply_after_expiry(world: World) -> None:
    _resolved(world)
    _sweep()
    sms = Sms(console_channel(), number=NUMBER)
    assert sms.send("0") == [sms_flow.declined()]
    assert not SmsSurveySession.objects.exists()
    _resolved(world, phone="0300 7654321")
    _sweep()
    with time_machine.travel(NOW + dt.timedelta(days=15), tick=False):
        replies = Sms(console_channel(), number="+923007654321").send("1")
    assert sms_flow.welcome(SurveyKind.CONTACT) not in replies and not ContactResponse.objects.exists()


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("category", "kw", "invited"),
    [
        ("violence_against_women", {}, False),
        ("police_conduct", {}, False),
        ("street_lighting", {"woman_officer_only": True}, False),
        ("violence_against_women", {"survey_wanted": True}, True),
        ("police_conduct", {"survey_wanted": True}, True),
        ("street_lighting", {"no_sms": True}, False),
        ("street_lighting", {"survey_wanted": False}, False),
        ("street_lighting", {"phone": ""}, False),
    ],
)
def test_who_is_invited(world: World, category: str, kw: dict[str, Any], invited: bool) -> None:
    _resolved(world, category, **kw)
    sent = _sweep()
    assert bool(sent) is invited
    if invited:
        # Asked for, but sensitive: the wording names neither the police nor a report.
        assert "police" not in sent[0].lower() and "report" not in sent[0].lower()


@time_machine.travel(NOW, tick=False)
def test_discreet_phone_and_neutral_wording_get_discreet_words(world: World) -> None:
    _resolved(world, neutral_wording=True)
    assert "police" not in _sweep()[0].lower()


@time_machine.travel(NOW, tick=False)
def test_one_invitation_per_phone_in_30_days_and_none_after_stop(world: World) -> None:
    _resolved(world)
    assert len(_sweep()) == 1
    second = _resolved(world)
    assert _sweep() == []
    held = ContactInvite.objects.get(report=second)
    assert not held.sent and not held.by_sms
    with time_machine.travel(NOW + dt.timedelta(days=31), tick=False):
        third = _resolved(world)
        Report.objects.filter(pk=third.pk).update(resolved_at=timezone.now())
        Phone.objects.update(opted_out=True)
        assert _sweep() == []
    assert PhoneInvited.objects.get().last_invited_on == NOW.date()


def test_nothing_is_sent_at_night(world: World) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 20, 17, 0, tzinfo=dt.UTC), tick=False):  # 22:00
        _resolved(world)
        Report.objects.update(resolved_at=timezone.now())
        assert _sweep() == [] and not ContactInvite.objects.exists()
    with time_machine.travel(dt.datetime(2026, 11, 21, 4, 0, tzinfo=dt.UTC), tick=False):  # 09:00
        assert len(_sweep()) == 1


@time_machine.travel(NOW, tick=False)
def test_a_consented_contact_is_invited_and_the_phone_erased(world: World) -> None:
    contact = factories.contact(world.beat_a, officer_obj=world.beat_officer, at=NOW - dt.timedelta(hours=1))
    from rabta.core.crypto import field_cipher
    from rabta.presence.models import FEEDBACK_PHONE

    FeedbackConsent.objects.create(
        contact=contact,
        phone_encrypted=field_cipher().encrypt(NUMBER, context=FEEDBACK_PHONE),
        language="ur",
    )
    sent = _sweep()
    assert len(sent) == 1
    consent = FeedbackConsent.objects.get()
    assert consent.phone_encrypted == "" and consent.used_at is not None
    invite = ContactInvite.objects.get()
    assert invite.contact == contact and invite.source == Source.CONTACT and invite.language == "ur"
    assert _sweep() == []
