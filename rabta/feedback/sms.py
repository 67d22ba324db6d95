"""Answering a survey by SMS. Plugged into messaging through rabta.messaging.commands (apps.py).

A survey by SMS starts in one of two ways:
- the resident texts an invitation code from a slip (the code is spent at once: the SMS session is
  now the invitation), or
- Rabta invited the phone (invites.py; staff inviting numbers to a campaign): a waiting session
  exists, and a reply of 1 starts it, 0 declines it. While a waiting session exists and the
  resident is in another guided exchange (a report step by step), that exchange gets the message.

Then every reply answers the current question; several one-digit answers may come in one message
("4 5 4"). STOP and END end it (STOP also reaches the conversation, which opts the phone out).
When the last answer arrives, the answer is written by services.py with no reference to the phone
or the session, and the session is deleted. The stored inbound message never keeps what was
replied: its body is replaced, so the SMS log cannot tie an answer to a number.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.utils import timezone, translation

from rabta.core import ratelimit
from rabta.feedback import services, sms_flow
from rabta.feedback.models import SMS_SESSION_HOURS, Mode, SmsSurveySession, SurveyKind
from rabta.feedback.sms_flow import Scale
from rabta.lib.text import ascii_digits, fold, squash_spaces
from rabta.messaging import keywords
from rabta.messaging.models import Conversation, InboundMessage, Phone

REDACTED = "[survey answer, not kept]"
# Words that end a survey in progress without saving it.
END_WORDS = frozenset(fold(w) for w in ("end", "khatam", "ختم", "پای", "بس"))
# Words a resident may put before a slip's code ("SURVEY ABCD-EFGH").
CODE_WORDS = frozenset(fold(w) for w in ("survey", "code", "sarvey", "سروے", "سروی", "کوڈ", "کوډ"))
_CODE_SHAPE = re.compile(r"^[0-9A-Z]{8}$")


def _redact(inbound_id: int | None) -> None:
    if inbound_id is not None:
        InboundMessage.objects.filter(pk=inbound_id).update(body=REDACTED)


def _slip_code(text: str) -> str | None:
    words = squash_spaces(text).split(" ")
    if words and fold(words[0]) in CODE_WORDS:
        words = words[1:]
    candidate = "".join(ch for ch in "".join(words).upper() if ch.isalnum())
    return candidate if _CODE_SHAPE.match(candidate) else None


def _in_other_exchange(phone: Phone) -> bool:
    return Conversation.objects.filter(phone=phone, expires_at__gt=timezone.now()).exists()


def handle_survey_sms(*, phone: Phone, text: str, inbound_id: int | None) -> list[str] | None:
    """Replies for a survey by SMS, or None when the message is not about one."""
    session = SmsSurveySession.objects.select_for_update().filter(phone=phone).first()
    if session is not None and session.expires_at <= timezone.now():
        session.delete()
        session = None
    code = _slip_code(text)
    if code is not None and (session is None or not session.started):
        replies = _start_with_code(phone, code)
        if replies is not None:
            _redact(inbound_id)
            return replies
    if session is None:
        return None
    if not session.started:
        return _waiting(session, text, inbound_id)
    keyword = keywords.whole(text)
    if keyword is not None and keyword.command == keywords.Command.STOP:
        session.delete()
        return None
    with translation.override(session.language):
        if fold(text) in END_WORDS or (keyword is not None and keyword.command == keywords.Command.CANCEL):
            session.delete()
            _redact(inbound_id)
            return [sms_flow.stopped()]
        _redact(inbound_id)
        return _answer(session, text)


def _start_with_code(phone: Phone, code: str) -> list[str] | None:
    # A phone guessing codes is limited like a browser (settings.RABTA_RATE_LIMITS["survey_code"]).
    if not ratelimit.hit("survey_code", f"sms:{phone.pk}"):
        return None
    try:
        redeemed = services.redeem_code(code=code)
    except services.InvitationNotValid:
        return None
    SmsSurveySession.objects.filter(phone=phone).delete()
    session = SmsSurveySession.objects.create(
        phone=phone,
        kind=SurveyKind.COMMUNITY,
        beat_id=redeemed.beat_id,
        campaign_id=redeemed.campaign_id,
        language=phone.language,
        started=True,
    )
    with translation.override(session.language):
        return [sms_flow.welcome(session.kind), sms_flow.question(session.kind, 0)]


def _waiting(session: SmsSurveySession, text: str, inbound_id: int | None) -> list[str] | None:
    """A reply to an invitation: 1 starts, 0 (or no) declines; anything else is not for us."""
    words = ascii_digits(fold(text)).split()
    if _in_other_exchange(session.phone) or not words:
        return None
    keyword = keywords.whole(text)
    if words == ["1"] or (keyword is not None and keyword.command == keywords.Command.YES):
        if session.invite is not None:
            try:
                services.redeem_contact_invite(invite=session.invite)
            except services.InvitationNotValid:
                session.delete()
                return None
        session.started = True
        session.expires_at = timezone.now() + dt.timedelta(hours=SMS_SESSION_HOURS)
        session.save(update_fields=["started", "expires_at"])
        _redact(inbound_id)
        with translation.override(session.language):
            return [sms_flow.welcome(session.kind), sms_flow.question(session.kind, 0)]
    if words == ["0"] or (keyword is not None and keyword.command == keywords.Command.NO):
        session.delete()
        _redact(inbound_id)
        with translation.override(session.language):
            return [sms_flow.declined()]
    return None


def _tokens(step: sms_flow.Step, text: str) -> list[str]:
    """The answers one reply holds: several for a run of one-digit steps ("454" or "4 5 4")."""
    cleaned = ascii_digits(squash_spaces(text)).strip(" .,")
    if step.scale is Scale.TEXT:
        return [cleaned]
    parts = cleaned.replace(",", " ").split()
    if len(parts) == 1 and step.single_digit() and parts[0].isdigit():
        return list(parts[0])
    return parts


def _answer(session: SmsSurveySession, text: str) -> list[str]:
    steps = sms_flow.STEPS[session.kind]
    answers = dict(session.answers)
    tokens = _tokens(steps[session.step], text)
    step = session.step
    for token in tokens:
        current = steps[step]
        if current.scale is Scale.TEXT:
            answers[current.field] = "" if token in ("", "0") else token
        else:
            try:
                answers[current.field] = sms_flow.read_number(current, token)
            except sms_flow.NotAnAnswer:
                if step == session.step:
                    return [sms_flow.not_understood(), sms_flow.question(session.kind, step)]
                break
        step += 1
        if step == len(steps) or not steps[step].single_digit() or not current.single_digit():
            break
    if step == len(steps):
        _finish(session, answers)
        return [sms_flow.thanks()]
    session.step, session.answers = step, answers
    session.expires_at = timezone.now() + dt.timedelta(hours=SMS_SESSION_HOURS)
    session.save(update_fields=["step", "answers", "expires_at"])
    return [sms_flow.question(session.kind, step)]


def _scored(answers: dict[str, object]) -> dict[str, object]:
    scored = {name: answers.get(name) for name in sms_flow.COMMUNITY_FIELDS}
    for name in sms_flow.WALK_FIELDS:
        scored[name] = scored[name] or ""  # "prefer not to say" is a blank choice
    return scored


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) else None


def _finish(session: SmsSurveySession, answers: dict[str, object]) -> None:
    """Write the answer, then forget the session, in one savepoint (the handler's)."""
    gender = str(answers.pop("gender", None) or "")
    age_band = str(answers.pop("age_band", None) or "")
    with transaction.atomic():
        if session.kind == SurveyKind.CONTACT:
            services.save_contact_answer(
                redeemed=services.Redeemed(beat_id=session.beat_id, source=session.source),
                mode=Mode.SMS,
                items={name: _int_or_none(answers.get(name)) for name in sms_flow.PJ_ITEMS},
                started_by=str(answers.get("started_by") or ""),
                free_text=str(answers.get("free_text") or ""),
                language=session.language,
                gender=gender,
                age_band=age_band,
            )
        else:
            assert session.campaign_id is not None
            services.save_community_answer(
                beat_id=session.beat_id,
                campaign_id=session.campaign_id,
                mode=Mode.SMS,
                answers=_scored(answers),
                top_issue=str(answers.get("top_issue") or ""),
                language=session.language,
                gender=gender,
                age_band=age_band,
            )
        session.delete()
