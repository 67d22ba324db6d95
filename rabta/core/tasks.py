"""Helpers for django-tasks with the database backend."""

from __future__ import annotations

from typing import Any

from django.utils import timezone


def enqueue_now(task: Any, *args: Any, **kwargs: Any) -> Any:
    """Enqueue a task to run as soon as a worker is free.

    django-tasks-db stores "no run_after" as the largest possible date and orders ready tasks by
    run_after, so an undated task sorts *after* every deferred one (deadline checks, reminders) and
    the worker's "next task" query walks the index past all of them. Dating it now puts it first.
    """
    return task.using(run_after=timezone.now()).enqueue(*args, **kwargs)
