"""Erasing personal data on time, in bounded batches (docs/privacy.md#retention).

Each app says what it erases as a list of `Purge`s in its own `retention.py`; `rabta.site.retention`
runs them all (the daily sweep and `manage.py purge`). A purge's `rows` are the rows that still hold
data past their period, so erasing a batch takes it out of `rows`: running again finds nothing, and
a run stopped half-way resumes where it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models, transaction

# Rows per statement: bounded memory and short locks on a table the intake writes to.
BATCH_SIZE = 1000


def period(kind: str) -> dt.timedelta:
    """The configured retention period of `kind` (settings.RABTA_RETENTION, read from the environment)."""
    return dt.timedelta(days=settings.RABTA_RETENTION[kind])


@dataclass(frozen=True)
class Purge:
    kind: str  # what the counts are labelled with, e.g. "report contact"
    rows: models.QuerySet[Any]  # rows still holding data that is past its period
    erase: Callable[[models.QuerySet[Any]], int]  # erases one batch (a subset of rows); returns how many


def run(purge: Purge, *, dry_run: bool = False, batch_size: int = BATCH_SIZE) -> int:
    """Erase every row of `purge.rows`, `batch_size` at a time, each batch in its own transaction.

    With dry_run, only count them. The batch is re-filtered by `rows` inside its statement, so a row
    that changed since it was picked (a report reopened) is left alone.
    """
    if dry_run:
        return purge.rows.count()
    total = 0
    while True:
        with transaction.atomic():
            ids = list(purge.rows.order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not ids:
                return total
            total += purge.erase(purge.rows.filter(pk__in=ids))
