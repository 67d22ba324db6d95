"""What reports erase on time: the reporter's contact, a period after the report closed.

Everything the indicators count stays: category, beat, channel, status and every lifecycle date,
deadlines and overdue flags, the anonymity and women-officer flags, the reporter's optional gender
and age band (tied to no one once the contact is gone; docs/privacy.md#reporter-groups). The
tracking hashes stay too: they are not contact data, and the reporter can still follow the report
with the code.
"""

from __future__ import annotations

import datetime as dt
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from rabta.core.retention import Purge, period
from rabta.reports.lifecycle import OPEN_STATUSES, TIMESTAMP_FIELDS, Status
from rabta.reports.models import Report

CONTACT = "report contact"

# A closed report's closing date is the timestamp of the status it is in now.
CLOSED_STATUSES = tuple(s for s in Status if s not in OPEN_STATUSES)


def closed_before(cutoff: dt.datetime) -> Q:
    return reduce(or_, (Q(status=s, **{f"{TIMESTAMP_FIELDS[s]}__lt": cutoff}) for s in CLOSED_STATUSES))


HOLDS_CONTACT = (
    ~Q(contact_phone_encrypted="")
    | ~Q(contact_phone_index="")
    | ~Q(contact_email_encrypted="")
    | ~Q(contact_email_index="")
    | ~Q(safe_call_hours="")
    | Q(contact_consent=True)
)


def purges(now: dt.datetime) -> list[Purge]:
    rows = Report.objects.filter(closed_before(now - period("contact"))).filter(HOLDS_CONTACT)

    def erase(batch: QuerySet[Report]) -> int:
        # update() leaves updated_at alone: erasing is not a change anyone made to the report.
        return batch.update(
            contact_phone_encrypted="",
            contact_phone_index="",
            contact_email_encrypted="",
            contact_email_index="",
            safe_call_hours="",
            contact_consent=False,
            contact_erased_at=now,
        )

    return [Purge(CONTACT, rows, erase)]
