"""The access log is kept longer than what it records, then deleted by the purge, and only by it.

Everywhere else the log is append-only (the model and its queryset refuse update and delete).
"""

from __future__ import annotations

import datetime as dt

from django.db import models

from rabta.audit.models import AccessLog
from rabta.core.retention import Purge, period

ACCESS_LOG = "access log entry"


def _delete(batch: models.QuerySet[AccessLog]) -> int:
    # The plain QuerySet.delete, which AccessLogQuerySet hides from every other caller.
    return models.QuerySet.delete(batch)[0]


def purges(now: dt.datetime) -> list[Purge]:
    rows = AccessLog.objects.filter(at__lt=now - period("access_log"))
    return [Purge(ACCESS_LOG, rows, _delete)]
