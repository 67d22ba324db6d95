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
