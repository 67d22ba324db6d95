"""Writes for feedback: redeeming an invitation, and saving an answer, in separate transactions.

Redeeming marks a code or invitation used in a transaction of its own, before the answer is written in
another: no row, column or shared transaction ties the two (see models.py). Callers validate the whole
answer first, then redeem, then save, so that a rejected form never spends a code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from rabta.core.crypto import field_cipher
from rabta.feedback.models import (
    FREE_TEXT_CONTEXT,
    PHONE_INVITE_GAP_DAYS,
    Campaign,
    CommunityResponse,
    ContactInvite,
    ContactResponse,
    FreeText,
    FreeTextKind,
    InviteCode,
    Mode,
    PhoneInvited,
    SmsSurveySession,
    Source,
    SurveyKind,
    normalise_code,
)
from rabta.messaging import outbound
from rabta.messaging.models import Phone, Purpose
from rabta.people.models import User
from rabta.places.models import Beat

MAX_FREE_TEXT = 1000


class InvitationNotValid(Exception):
    """The code or link is unknown, used, expired, or its campaign is not running."""


@dataclass(frozen=True)
class Redeemed:
    """What an answer may learn from the invitation it came through: where to file it."""

    beat_id: int
    campaign_id: int | None = None
    source: str = ""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def live_code(*, code: str, today: dt.date | None = None) -> InviteCode:
    """The unused code of a running campaign, without using it (the form shows its beat)."""
    today = today or timezone.localdate()
    found = (
        InviteCode.objects.select_related("campaign", "beat")
        .filter(
            code=normalise_code(code)[:16],
            used_on__isnull=True,
            campaign__opens_on__lte=today,
            campaign__closes_on__gte=today,
        )
        .first()
    )
    if found is None:
        raise InvitationNotValid
    return found


def redeem_code(*, code: str, today: dt.date | None = None) -> Redeemed:
    """Use a community-survey code, once. Two requests with the same code at once: the conditional
    UPDATE lets exactly one through (the other sees no live row and gets InvitationNotValid)."""
    today = today or timezone.localdate()
    found = live_code(code=code, today=today)
    with transaction.atomic():
        used = InviteCode.objects.filter(pk=found.pk, used_on__isnull=True).update(used_on=today)
    if used != 1:
        raise InvitationNotValid
    return Redeemed(beat_id=found.beat_id, campaign_id=found.campaign_id)


def live_contact_invite(*, token: str, now: dt.datetime | None = None) -> ContactInvite:
    now = now or timezone.now()
    found = ContactInvite.objects.filter(
        token_hash=token_hash(token), used_on__isnull=True, expires_at__gt=now
    ).first()
    if found is None:
        raise InvitationNotValid
    return found


def redeem_contact_invite(*, invite: ContactInvite, now: dt.datetime | None = None) -> Redeemed:
    now = now or timezone.now()
    with transaction.atomic():
        used = ContactInvite.objects.filter(pk=invite.pk, used_on__isnull=True, expires_at__gt=now).update(
            used_on=timezone.localdate(now)
        )
    if used != 1:
        raise InvitationNotValid
    return Redeemed(beat_id=invite.beat_id, source=invite.source)


def open_link_campaign(*, token: str, today: dt.date | None = None) -> Campaign:
    today = today or timezone.localdate()
    found = Campaign.objects.running(today=today).filter(open_link_token=token).first()
    if found is None or not token:
        raise InvitationNotValid
    return found


def _save_free_text(
    *, kind: FreeTextKind, text: str, beat_id: int, campaign_id: int | None, day: dt.date, language: str
) -> None:
    text = text.strip()[:MAX_FREE_TEXT]
    if not text:
        return
    FreeText.objects.create(
        kind=kind,
        beat_id=beat_id,
        campaign_id=campaign_id,
        month=day,
        language=language,
        text_encrypted=field_cipher().encrypt(text, context=FREE_TEXT_CONTEXT),
    )


def save_contact_answer(
    *,
    redeemed: Redeemed,
    mode: Mode,
    items: dict[str, int | None],
    gender: str = "",
    age_band: str = "",
    started_by: str = "",
    free_text: str = "",
    language: str = "",
    day: dt.date | None = None,
) -> None:
    """Write one post-contact answer (and its free text, apart). `items` maps PJ_ITEMS to 1-5 or None
    ("prefer not to say"). Returns nothing: a caller holding the new row's key could tie it to the
    invitation it just redeemed."""
    day = day or timezone.localdate()
    with transaction.atomic():
        response = ContactResponse(
            beat_id=redeemed.beat_id,
            source=redeemed.source or Source.CONTACT,
            mode=mode,
            answered_on=day,
            gender=gender,
            age_band=age_band,
            started_by=started_by,
            **items,
        )
        response.full_clean(exclude=["beat"])
        response.save(force_insert=True)
        _save_free_text(
            kind=FreeTextKind.IMPROVE,
            text=free_text,
            beat_id=redeemed.beat_id,
            campaign_id=None,
            day=day,
            language=language,
        )


def save_community_answer(
    *,
    beat_id: int,
    campaign_id: int,
    mode: Mode,
    answers: dict[str, object],
    gender: str = "",
    age_band: str = "",
    top_issue: str = "",
    entered_by: User | None = None,
    language: str = "",
    day: dt.date | None = None,
) -> None:
    """Write one trust and safety answer (and its top issue, apart). `answers` maps the scored fields
    of CommunityResponse (COMMUNITY_SCALES, walk_day, walk_dark, knows_officer) to their values."""
    day = day or timezone.localdate()
    with transaction.atomic():
        response = CommunityResponse(
            beat_id=beat_id,
            campaign_id=campaign_id,
            mode=mode,
            entered_by=entered_by,
            answered_on=day,
            gender=gender,
            age_band=age_band,
            **answers,
        )
        response.full_clean(exclude=["beat", "campaign", "entered_by"])
        response.save(force_insert=True)
        _save_free_text(
            kind=FreeTextKind.TOP_ISSUE,
            text=top_issue,
            beat_id=beat_id,
            campaign_id=campaign_id,
            day=day,
            language=language,
        )


def may_invite_phone(*, phone: Phone, today: dt.date | None = None) -> bool:
    """At most one survey invitation per phone per PHONE_INVITE_GAP_DAYS, none after STOP, and none
    while the phone is answering a survey by SMS."""
    if phone.opted_out:
        return False
    today = today or timezone.localdate()
    last = PhoneInvited.objects.filter(phone=phone).values_list("last_invited_on", flat=True).first()
    if last is not None and (today - last).days < PHONE_INVITE_GAP_DAYS:
        return False
    return not SmsSurveySession.objects.filter(phone=phone, started=True).exists()


def invite_by_sms(
    *,
    phone: Phone,
    body: str,
    kind: SurveyKind,
    beat_id: int,
    expires_at: dt.datetime,
    campaign_id: int | None = None,
    source: str = "",
    invite: ContactInvite | None = None,
    today: dt.date | None = None,
) -> None:
    """Send one invitation and wait for the reply that starts the survey (sms.py). The caller has
    checked may_invite_phone. An invitation still waiting for this phone is replaced."""
    with transaction.atomic():
        SmsSurveySession.objects.filter(phone=phone).delete()
        SmsSurveySession.objects.create(
            phone=phone,
            kind=kind,
            beat_id=beat_id,
            campaign_id=campaign_id,
            source=source,
            invite=invite,
            language=invite.language if invite is not None else phone.language,
            expires_at=expires_at,
        )
        PhoneInvited.objects.update_or_create(
            phone=phone, defaults={"last_invited_on": today or timezone.localdate()}
        )
        outbound.queue_sms(phone=phone, body=body, purpose=Purpose.NOTIFICATION)


def beat_of(beat_id: int) -> Beat:
    return Beat.objects.select_related("station__district").get(pk=beat_id)
