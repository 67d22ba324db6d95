"""What presence erases on time: a resident's phone kept for one feedback message, 30 days after the
contact (or at once when the message is sent: services.use_feedback_consent). The consent row stays,
without the number, so feedback response rates can still be counted."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from rabta.core.retention import Purge
from rabta.presence.models import FeedbackConsent

FEEDBACK_PHONE = "feedback consent phone"


def purges(now: dt.datetime) -> list[Purge]:
    def erase(batch: QuerySet[FeedbackConsent]) -> int:
        return batch.update(phone_encrypted="", erased_at=now)

    expired = FeedbackConsent.objects.filter(expires_at__lt=now).exclude(phone_encrypted="")
    return [Purge(FEEDBACK_PHONE, expired, erase)]
