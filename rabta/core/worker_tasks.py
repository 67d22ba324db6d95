"""The sweep that finds tasks a killed worker left RUNNING (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task

from rabta.core.periodic import SWEEPS, every, restart_sweeps
from rabta.core.tasks import mark_abandoned, schedule_next


@task()
def sweep_abandoned_tasks() -> int:
    try:
        abandoned = mark_abandoned(sweep_paths=frozenset(s.task_path for s in SWEEPS))
        # A sweep killed mid-run never queued its next run: start it again now.
        restart_sweeps(set(abandoned))
        return len(abandoned)
    finally:
        schedule_next(sweep_abandoned_tasks, every(sweep_abandoned_tasks.module_path))
