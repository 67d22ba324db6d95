"""Post-contact invitations: one SMS after a report is resolved or a consented contact is logged.

The periodic sweep (tasks.py) finds what has not had its chance yet and makes one ContactInvite for
each, sent or held back, so nothing is ever invited twice. The rules, in order:
- a report must have a phone, no "do not contact me by SMS", and its contact not erased; a
  women's-desk or conduct report (or one for a woman officer only) only when the reporter asked
  for the survey (Report.survey_wanted); an ordinary one unless the reporter said no;
- a contact must have the resident's consent with a phone still held (the phone is erased as the
  message is queued: presence.services.use_feedback_consent);
- the phone must not have sent STOP, and must not have been invited in the last 30 days;
- the message goes out between INVITE_HOURS only; what is found at night waits for the morning.
The wording says nothing of the police or a report on a discreet phone, for a report that asked for
neutral wording, and for anything sensitive. Links carry a one-use token kept only as a hash, and
the stored SMS has the token masked once it is sent (rabta.lib.text.mask_codes).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rabta.feedback import services
from rabta.feedback.models import INVITE_DAYS, ContactInvite, SmsSurveySession, Source, SurveyKind
from rabta.messaging.models import Phone
from rabta.messaging.phones import phone_id_for
from rabta.presence import services as presence_services
from rabta.presence.models import Contact, FeedbackConsent
from rabta.reports.contact import decrypt_contact
from rabta.reports.lifecycle import Status
from rabta.reports.models import Report
from rabta.reports.querysets import Sensitivity

log = logging.getLogger("rabta.feedback")

# Local hours in which invitations are sent: from 09:00 to before 20:00.
INVITE_HOURS = (9, 20)
LANGUAGES = {"en", "ur", "ps"}


@dataclass
class SweepResult:
    sent: int = 0
    held_back: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def hold(self, reason: str) -> None:
        self.held_back += 1
        self.reasons[reason] = self.reasons.get(reason, 0) + 1


def in_sending_hours(now: dt.datetime) -> bool:
    return INVITE_HOURS[0] <= timezone.localtime(now).hour < INVITE_HOURS[1]


def reports_due(now: dt.datetime) -> list[Report]:
    """Resolved in the last INVITE_DAYS, with a beat, never invited, and allowed by the reporter."""
    invited = ContactInvite.objects.filter(report=OuterRef("pk"))
    ordinary = Q(category__sensitivity=Sensitivity.ORDINARY, woman_officer_only=False)
    return list(
        Report.objects.filter(
            status=Status.RESOLVED,
            resolved_at__gte=now - dt.timedelta(days=INVITE_DAYS),
            beat__isnull=False,
        )
        .filter(Q(survey_wanted=True) | (Q(survey_wanted__isnull=True) & ordinary))
        .exclude(Exists(invited))
        .select_related("category")
        .order_by("resolved_at")[:500]
    )


def consents_due(now: dt.datetime) -> list[FeedbackConsent]:
    invited = ContactInvite.objects.filter(contact=OuterRef("contact_id"))
    return list(
        FeedbackConsent.objects.filter(used_at__isnull=True, erased_at__isnull=True, expires_at__gt=now)
        .exclude(phone_encrypted="")
        .exclude(Exists(invited))
        .select_related("contact")
        .prefetch_related("contact__beats")
        .order_by("created_at")[:500]
    )


def invitation_text(*, link: str, discreet: bool) -> str:
    if discreet:
        return _(
            "Rabta: a short survey about a recent visit. Reply 1 to answer by SMS, 0 for no. Or: %(link)s"
        ) % {"link": link}
    return _(
        "Rabta: how did the police treat you? Reply 1 to answer 9 short questions, 0 for no. Or: %(link)s"
    ) % {"link": link}


def _link(token: str, language: str) -> str:
    with translation.override(language):
        path = reverse("feedback:contact_survey", kwargs={"token": token})
    return settings.RABTA_PUBLIC_URL.rstrip("/") + path


def _phone(e164: str) -> Phone:
    return Phone.objects.get(pk=phone_id_for(e164))


def _language(phone: Phone, fallback: str) -> str:
    language = phone.language if phone.language_chosen else fallback
    return language if language in LANGUAGES else "ur"


def _invite(
    *,
    result: SweepResult,
    source: Source,
    beat_id: int,
    e164: str,
    language: str,
    discreet: bool,
    today: dt.date,
    report: Report | None = None,
    contact: Contact | None = None,
) -> None:
    """One invitation, in one transaction: the ContactInvite row, the waiting SMS session, the SMS."""
    token = secrets.token_urlsafe(9)  # 72 bits: a one-use link that expires, behind a rate limit
    with transaction.atomic():
        invite = ContactInvite(
            source=source,
            report=report,
            contact=contact,
            beat_id=beat_id,
            token_hash=services.token_hash(token),
        )
        phone = _phone(e164) if e164 else None
        if phone is None or not services.may_invite_phone(phone=phone, today=today):
            invite.save()
            result.hold("no phone" if phone is None else "opted out, invited lately or answering")
            return
        invite.language = _language(phone, language)
        invite.by_sms = invite.sent = True
        invite.save()
        with translation.override(invite.language):
            body = invitation_text(link=_link(token, invite.language), discreet=discreet or phone.discreet)
        services.invite_by_sms(
            phone=phone,
            body=body,
            kind=SurveyKind.CONTACT,
            beat_id=beat_id,
            source=source,
            invite=invite,
            expires_at=invite.expires_at,
            today=today,
        )
    result.sent += 1


def send_due_invitations(*, now: dt.datetime | None = None) -> SweepResult:
    """Invite for every report and consented contact whose turn has come (see the module docstring)."""
    now = now or timezone.now()
    result = SweepResult()
    if not in_sending_hours(now):
        return result
    today = timezone.localdate(now)
    for report in reports_due(now):
        assert report.beat_id is not None
        allowed = not (report.no_sms or report.contact_erased_at)
        _invite(
            result=result,
            source=Source.REPORT,
            beat_id=report.beat_id,
            e164=decrypt_contact(report).phone if allowed else "",
            language=report.language,
            discreet=report.wants_neutral_wording or report.is_sensitive,
            today=today,
            report=report,
        )
    for consent in consents_due(now):
        beat_ids = [beat.pk for beat in consent.contact.beats.all()]
        if not beat_ids:
            continue
        linked = consent.contact.report_id is not None
        _invite(
            result=result,
            source=Source.CONTACT,
            beat_id=min(beat_ids),
            e164=presence_services.use_feedback_consent(consent=consent),
            language=consent.language,
            discreet=linked,
            today=today,
            contact=consent.contact,
        )
    if result.sent or result.held_back:
        log.info(
            "survey invitations: %d sent, %d held back %s", result.sent, result.held_back, result.reasons
        )
    return result


def forget_expired_sessions(*, now: dt.datetime | None = None) -> int:
    """Unfinished SMS surveys and unanswered invitations past their time: nothing of them is kept."""
    deleted, _rows = SmsSurveySession.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
