"""The retention purge over every app: each app lists what it erases (`<app>/retention.py`), this
runs them in order and returns counts per kind, never contents (docs/privacy.md#retention)."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone

from rabta.audit import retention as audit_retention
from rabta.core import retention
from rabta.engagement import retention as engagement_retention
from rabta.messaging import retention as messaging_retention
from rabta.presence import retention as presence_retention
from rabta.reports import retention as reports_retention

logger = logging.getLogger(__name__)


def all_purges(now: dt.datetime) -> list[retention.Purge]:
    return [
        *reports_retention.purges(now),
        *messaging_retention.purges(now),
        *engagement_retention.purges(now),
        *presence_retention.purges(now),
        # Last: the log of who saw the data above outlives it.
        *audit_retention.purges(now),
    ]


def purge(
    *, dry_run: bool = False, now: dt.datetime | None = None, batch_size: int = retention.BATCH_SIZE
) -> dict[str, int]:
    """Erase (or with dry_run, count) everything past its period; {kind: rows} in a fixed order."""
    now = now or timezone.now()
    counts = {p.kind: retention.run(p, dry_run=dry_run, batch_size=batch_size) for p in all_purges(now)}
    if not dry_run:
        logger.info("retention purge: %s", ", ".join(f"{k}={n}" for k, n in counts.items()))
    return counts
