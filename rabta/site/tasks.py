"""The daily retention purge as a periodic sweep (registered in rabta.core.periodic)."""

from __future__ import annotations

from django_tasks import task

from rabta.core.periodic import every
from rabta.core.tasks import schedule_next
from rabta.site.retention import purge


@task()
def sweep_purge() -> dict[str, int]:
    try:
        return purge()
    finally:
        schedule_next(sweep_purge, every(sweep_purge.module_path))
