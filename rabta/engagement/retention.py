"""What engagement erases on time: named meeting registers, a period after the meeting ended.

The register exists for follow-up with the people named; the attendance counts by gender and age on
the meeting (what representation and the indicators use) are separate and stay.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from rabta.core.retention import Purge, period
from rabta.engagement.models import RegisterEntry

REGISTER = "meeting register entry"


def _delete(batch: QuerySet[RegisterEntry]) -> int:
    return batch.delete()[0]


def purges(now: dt.datetime) -> list[Purge]:
    rows = RegisterEntry.objects.filter(meeting__ends_at__lt=now - period("register"))
    return [Purge(REGISTER, rows, _delete)]
