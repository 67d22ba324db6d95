"""Both surveys by SMS, in the three languages, through the real inbound pipeline: one number per
question, "prefer not to say" kept as no answer, nothing of the reply kept in the SMS log, and every
message within two segments."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone, translation

from rabta.feedback import sms_flow, sms_invites
from rabta.feedback.invites import invitation_text
from rabta.feedback.models import (
    CommunityResponse,
    ContactResponse,
    FreeText,
    InviteCode,
    Mode,
    SmsSurveySession,
    Source,
    SurveyKind,
    WalkSafety,
)
from rabta.feedback.sms import REDACTED
from rabta.lib.sms import segments
from rabta.messaging.models import InboundMessage, Phone
from rabta.places.models import Beat
from tests.conftest import World
from tests.sms_fixtures import Sms, console_channel
from tests.test_feedback_survey import code_for, running_campaign

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 6, 30, tzinfo=dt.UTC)  # 11:30 in Pakistan
LANGUAGES = ("en", "ur", "ps")


def _sms(language: str, number: str = "+923001234567") -> Sms:
    sms = Sms(console_channel(), number=number)
    sms.send("HELP")  # makes the phone known
    Phone.objects.filter(pk=sms.phone.pk).update(language=language, language_chosen=True)
    return sms


def _question(language: str, kind: str, step: int) -> str:
    with translation.override(language):
        return sms_flow.question(kind, step)


@pytest.mark.parametrize("language", LANGUAGES)
@time_machine.travel(NOW, tick=False)
def test_community_survey_by_sms_with_a_slip_code(world: World, language: str) -> None:
    sms = _sms(language)
    code = code_for(running_campaign(world), world.beat_a)
    replies = sms.send(f"{code.code[:4]}-{code.code[4:].lower()}")
    with translation.override(language):
        assert replies == [sms_flow.welcome(SurveyKind.COMMUNITY), sms_flow.question(SurveyKind.COMMUNITY, 0)]
    # Urdu digits are numbers too; * is "prefer not to say" on the 0-10 items.
    answers = ["۳", "*", "10", "4", "5", "1", "7", "1", "2", "Streetlights on the main road are broken"]
    for step, answer in enumerate(answers[:-1]):
        assert sms.send(answer) == [_question(language, SurveyKind.COMMUNITY, step + 1)]
    with translation.override(language):
        assert sms.send(answers[-1]) == [sms_flow.thanks()]
    saved = CommunityResponse.objects.get()
    assert (saved.beat, saved.mode, saved.answered_on) == (world.beat_a, Mode.SMS, NOW.date())
    assert (saved.trust_respect, saved.trust_listen, saved.safety) == (3, None, 10)
    assert (saved.walk_day, saved.walk_dark) == (WalkSafety.VERY_UNSAFE, WalkSafety.NEVER)
    assert (saved.knows_officer, saved.willingness, saved.gender, saved.age_band) == (
        True,
        7,
        "woman",
        "30_44",
    )
    assert FreeText.objects.get().campaign_id == saved.campaign_id
    assert InviteCode.objects.get().used_on == NOW.date()
    assert not SmsSurveySession.objects.exists()
    # The SMS log keeps that the phone wrote, never what: no answer or code can be read back.
    bodies = list(InboundMessage.objects.filter(phone=sms.phone).values_list("body", flat=True))
    assert bodies.count(REDACTED) == len(answers) + 1 and "HELP" in bodies


@time_machine.travel(NOW, tick=False)
def test_a_used_code_is_ordinary_text_and_a_wrong_reply_asks_again(world: World) -> None:
    first, second = _sms("en"), _sms("en", number="+923007654321")
    code = code_for(running_campaign(world), world.beat_a)
    assert len(first.send(code.code)) == 2
    # The same code from another phone starts nothing: the conversation answers it as any text.
    assert sms_flow.welcome(SurveyKind.COMMUNITY) not in second.send(code.code)
    assert SmsSurveySession.objects.get().phone == first.phone
    assert first.send("11") == [sms_flow.not_understood(), sms_flow.question(SurveyKind.COMMUNITY, 0)]
    assert first.send("great") == [sms_flow.not_understood(), sms_flow.question(SurveyKind.COMMUNITY, 0)]
    assert SmsSurveySession.objects.get().step == 0


@time_machine.travel(NOW, tick=False)
def test_end_stops_without_saving_and_stop_opts_out(world: World) -> None:
    sms = _sms("en")
    campaign = running_campaign(world)
    sms.send(code_for(campaign, world.beat_a).code)
    sms.send("5")
    assert sms.send("END") == [sms_flow.stopped()]
    assert not SmsSurveySession.objects.exists() and not CommunityResponse.objects.exists()
    sms.send(code_for(campaign, world.beat_a).code)
    sms.send("STOP")
    assert not SmsSurveySession.objects.exists() and not CommunityResponse.objects.exists()
    assert sms.phone.opted_out


@time_machine.travel(NOW, tick=False)
def test_an_unfinished_survey_is_forgotten_after_two_days(world: World) -> None:
    sms = _sms("en")
    sms.send(code_for(running_campaign(world), world.beat_a).code)
    sms.send("6")
    with time_machine.travel(NOW + dt.timedelta(hours=49), tick=False):
        replies = sms.send("7")
    assert sms_flow.question(SurveyKind.COMMUNITY, 2) not in replies
    assert not SmsSurveySession.objects.exists() and not CommunityResponse.objects.exists()


def test_several_one_digit_answers_in_one_message(world: World) -> None:
    sms = _sms("en")
    SmsSurveySession.objects.create(
        phone=sms.phone,
        kind=SurveyKind.CONTACT,
        beat=world.beat_a,
        source=Source.REPORT,
        language="en",
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    assert sms.send("1") == [sms_flow.welcome(SurveyKind.CONTACT), sms_flow.question(SurveyKind.CONTACT, 0)]
    # Five agreement answers at once, then the next question; 0 is "prefer not to say".
    assert sms.send("4 5 0 2 4") == [sms_flow.question(SurveyKind.CONTACT, 5)]
    assert sms.send("21") == [sms_flow.question(SurveyKind.CONTACT, 7)]
    assert sms.send("0") == [sms_flow.question(SurveyKind.CONTACT, 8)]
    assert sms.send("0") == [sms_flow.thanks()]
    saved = ContactResponse.objects.get()
    assert (saved.voice, saved.neutrality, saved.respect, saved.motives, saved.overall) == (4, 5, None, 2, 4)
    assert (saved.started_by, saved.gender, saved.age_band, saved.mode) == ("police", "woman", "", Mode.SMS)
    assert saved.source == Source.REPORT and not FreeText.objects.exists()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_survey_message_fits_in_two_segments(world: World, language: str) -> None:
    # The longest beat name of the demo district.
    beat = Beat(code="X", name="Khall Bazaar Lower", name_ur="خال بازار زیریں", name_ps="خال بازار لاندې")
    link = "https://rabta.kp.gov.pk/ur/s/" + "A" * 12 + "/"
    with translation.override(language):
        messages = [
            *(
                sms_flow.question(kind, n)
                for kind, steps in sms_flow.STEPS.items()
                for n in range(len(steps))
            ),
            *(sms_flow.welcome(kind) for kind in sms_flow.STEPS),
            sms_flow.not_understood(),
            sms_flow.thanks(),
            sms_flow.stopped(),
            sms_flow.declined(),
            invitation_text(link=link, discreet=True),
            invitation_text(link=link, discreet=False),
            sms_invites.invitation_text(beat=beat, discreet=True),
            sms_invites.invitation_text(beat=beat, discreet=False),
        ]
    too_long = {m: segments(m) for m in messages if segments(m) > 2}
    assert not too_long


@pytest.mark.parametrize("language", ("ur", "ps"))
def test_the_questions_are_translated(language: str) -> None:
    for kind, steps in sms_flow.STEPS.items():
        for n in range(len(steps)):
            assert _question(language, kind, n) != _question("en", kind, n)


@time_machine.travel(NOW, tick=False)
def test_staff_invite_phones_to_a_campaign_and_a_reply_of_1_starts_it(world: World) -> None:
    from tests.conftest import verified_client
    from tests.test_feedback_survey import url

    sms = _sms("ur")
    campaign = running_campaign(world)
    staff = verified_client(world.station_head)
    post = {"beat": str(world.beat_a.pk), "numbers": "0300 1234567\nnot a number"}
    assert staff.post(url("campaign_sms_invite", pk=campaign.pk), post).status_code == 302
    session = SmsSurveySession.objects.get()
    assert (session.campaign, session.beat, session.started, session.language) == (
        campaign,
        world.beat_a,
        False,
        "ur",
    )
    # Invited once in 30 days: the same number again is held back.
    staff.post(url("campaign_sms_invite", pk=campaign.pk), post)
    assert SmsSurveySession.objects.count() == 1
    # A beat outside the campaign or the user's scope is refused with the form.
    other = {"beat": str(world.beat_c.pk), "numbers": "0300 7654321"}
    assert staff.post(url("campaign_sms_invite", pk=campaign.pk), other).status_code == 400
    with translation.override("ur"):
        assert sms.send("1") == [
            sms_flow.welcome(SurveyKind.COMMUNITY),
            sms_flow.question(SurveyKind.COMMUNITY, 0),
        ]
    assert verified_client(world.analyst).post(
        url("campaign_sms_invite", pk=campaign.pk), post
    ).status_code in (
        403,
        404,
    )
