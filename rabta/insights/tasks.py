"""The rollups' periodic refresh (registered in rabta.core.periodic; docs/insights.md)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from rabta.core.periodic import every
from rabta.core.tasks import schedule_next
from rabta.insights import rollup, suppression
from rabta.insights.models import RefreshState
from rabta.insights.sources import local_day

# Everything is rebuilt once a day, so records removed by retention leave the figures too.
FULL_REBUILD_EVERY = dt.timedelta(days=1)


def due_for_full_rebuild(now: dt.datetime) -> bool:
    last = RefreshState.objects.filter(pk=1).values_list("full_rebuild_at", flat=True).first()
    return last is None or now - last >= FULL_REBUILD_EVERY


@task()
def sweep_insights() -> dict[str, float | int | bool]:
    try:
        now = timezone.now()
        result = rollup.refresh(now=now, full=due_for_full_rebuild(now))
        decided = suppression.warm(local_day(now))
        return {
            "public_periods_decided": decided,
            "full": result.full,
            "periods": result.periods,
            "rows": result.rows,
            "seconds": result.seconds,
        }
    finally:
        schedule_next(sweep_insights, every(sweep_insights.module_path))
