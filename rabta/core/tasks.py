"""Helpers for django-tasks with the database backend: immediate tasks, coalesced wake-ups, sweeps."""

from __future__ import annotations

import datetime as dt
from typing import Any, ParamSpec, TypeVar

from django.utils import timezone
from django_tasks.base import Task, TaskResult

READY = "READY"

P = ParamSpec("P")
T = TypeVar("T")


def enqueue_now(task: Task[P, T], *args: P.args, **kwargs: P.kwargs) -> TaskResult[T]:
    """Enqueue a task to run as soon as a worker is free.

    django-tasks-db stores "no run_after" as the largest possible date and orders ready tasks by
    run_after, so an undated task sorts *after* every deferred one (reminders, sweeps) and the
    worker's "next task" query walks the index past all of them. Dating it now puts it first.
    """
    return task.using(run_after=timezone.now()).enqueue(*args, **kwargs)


def waiting(task: Task[..., Any]) -> bool:
    """Whether a run of `task` is queued and not yet taken by a worker (one indexed query)."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status=READY, task_path=task.module_path).exists()


def wake(task: Task[[], Any]) -> bool:
    """Queue one run of an argument-free task unless one is already waiting; True when queued.

    For tasks that drain a table (inbound SMS): call it *after* the rows it should see have
    committed. A waiting run has not started, so it will see them; a run already under way may not,
    and then no run is waiting and a new one is queued. Two callers may both queue one at the same
    moment; the second run finds less or nothing to do, which is cheap and harmless.
    """
    if waiting(task):
        return False
    enqueue_now(task)
    return True


def schedule_next(task: Task[[], Any], every: dt.timedelta) -> bool:
    """Keep a periodic task going: queue its next run `every` from now unless one is waiting."""
    if waiting(task):
        return False
    task.using(run_after=timezone.now() + every).enqueue()
    return True


# A task RUNNING this long lost its worker (killed, out of memory, the machine restarted): the
# backend keeps no heartbeat, so time since it started is the only sign. Sweeps take seconds and
# run every few minutes, so theirs is short; anything else (a broadcast, a purge) gets longer.
ABANDONED_AFTER = dt.timedelta(minutes=15)
SWEEP_ABANDONED_AFTER = dt.timedelta(minutes=3)
# exception_class_path of a task marked abandoned, for the health page and the admin.
ABANDONED = "rabta.core.tasks.TaskAbandoned"
ABANDONED_MESSAGE = (
    "TaskAbandoned: this task was still RUNNING long after it started, so the worker running it "
    "was stopped or killed. It was not finished; marked FAILED by the periodic sweep."
)


class TaskAbandoned(Exception):
    """Stands for a worker that died mid-task (never raised: named in exception_class_path)."""


def mark_abandoned(*, sweep_paths: frozenset[str], now: dt.datetime | None = None) -> list[str]:
    """Mark tasks left RUNNING by a dead worker as FAILED (TaskAbandoned); returns their task paths.

    A conditional UPDATE, so a task that finishes at the same moment keeps its own result. If a
    task marked here was in fact still running, its own finish overwrites the mark.
    """
    from django.db.models import Q
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    sweeps = Q(task_path__in=sweep_paths)
    late = Q(sweeps, started_at__lt=now - SWEEP_ABANDONED_AFTER) | Q(
        ~sweeps, started_at__lt=now - ABANDONED_AFTER
    )
    running = DBTaskResult.objects.filter(late, status=TaskResultStatus.RUNNING)
    rows = list(running.values_list("pk", "task_path"))
    if not rows:
        return []
    DBTaskResult.objects.filter(pk__in=[pk for pk, _ in rows], status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path=ABANDONED,
        traceback=ABANDONED_MESSAGE,
        return_value=None,
    )
    import logging

    logging.getLogger("rabta.tasks").warning(
        "marked %d abandoned task(s) FAILED: %s", len(rows), ", ".join(sorted({path for _, path in rows}))
    )
    return [path for _, path in rows]
