"""Inviting phones to a running campaign by SMS: staff type the numbers residents gave them (at a
meeting, on a committee list); each phone gets one message and, if it replies 1, the survey by SMS
(sms.py). The numbers are kept only as the messaging app keeps any number (encrypted), never beside
the campaign: the waiting session is deleted when answered, declined or expired."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rabta.feedback import services
from rabta.feedback.models import INVITE_DAYS, Campaign, SurveyKind
from rabta.lib.phones import InvalidPhoneNumber, normalise
from rabta.messaging.models import Phone
from rabta.messaging.phones import phone_id_for
from rabta.places.models import Beat

MAX_NUMBERS = 200


@dataclass(frozen=True)
class Invited:
    sent: int
    held_back: int
    unreadable: list[str]


def invitation_text(*, beat: Beat, discreet: bool) -> str:
    if discreet:
        return _("Rabta: a short survey about your neighbourhood. Reply 1 to answer by SMS, 0 for no.")
    return _(
        "Rabta: a survey about the police and safety in %(beat)s, 10 short questions, anonymous. "
        "Reply 1 to start, 0 for no."
    ) % {"beat": beat.local_name}


def split_numbers(text: str) -> list[str]:
    raw = [part.strip() for line in text.splitlines() for part in line.replace(";", ",").split(",")]
    return [part for part in raw if part][:MAX_NUMBERS]


def invite_numbers(
    *, campaign: Campaign, beat: Beat, numbers: list[str], today: dt.date | None = None
) -> Invited:
    """One SMS per readable number not invited in the last 30 days and not opted out."""
    today = today or timezone.localdate()
    expires = min(
        timezone.now() + dt.timedelta(days=INVITE_DAYS),
        timezone.make_aware(dt.datetime.combine(campaign.closes_on + dt.timedelta(days=1), dt.time())),
    )
    sent = held = 0
    unreadable: list[str] = []
    for raw in dict.fromkeys(numbers):
        try:
            e164 = normalise(raw)
        except InvalidPhoneNumber:
            unreadable.append(raw[:32])
            continue
        with transaction.atomic():
            phone = Phone.objects.select_for_update().get(pk=phone_id_for(e164))
            if not services.may_invite_phone(phone=phone, today=today):
                held += 1
                continue
            with translation.override(phone.language):
                body = invitation_text(beat=beat, discreet=phone.discreet)
            services.invite_by_sms(
                phone=phone,
                body=body,
                kind=SurveyKind.COMMUNITY,
                beat_id=beat.pk,
                campaign_id=campaign.pk,
                expires_at=expires,
                today=today,
            )
            sent += 1
    return Invited(sent=sent, held_back=held, unreadable=unreadable)
