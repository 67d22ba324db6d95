"""Periodic sweeps, run by the ordinary task worker (`manage.py db_worker`), without cron.

Each sweep is an argument-free task that reschedules itself when it finishes (see `schedule_next`),
so exactly one run of it is waiting at any time. `manage.py schedule_sweeps` (run after every
`migrate`, and by `make demo`) starts any sweep that has no run waiting; running it again changes
nothing. The sweeps are safety nets and clocks, not the main path: reports are flagged overdue by
them, inbound SMS missed by a crashed worker are picked up, queued replies whose sender died are
sent, and personal data past its retention period is erased.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.module_loading import import_string
from django_tasks.base import Task

from rabta.core.tasks import enqueue_now, waiting


@dataclass(frozen=True)
class Sweep:
    task_path: str
    every: dt.timedelta
    why: str
    kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def task(self) -> Task[..., Any]:
        task = import_string(self.task_path)
        if not isinstance(task, Task):
            raise TypeError(f"{self.task_path} is not a task")
        return task


SWEEPS: tuple[Sweep, ...] = (
    Sweep(
        "rabta.reports.tasks.sweep_overdue",
        dt.timedelta(minutes=5),
        "flag reports past a deadline and tell the station head",
    ),
    Sweep(
        "rabta.messaging.tasks.sweep_messages",
        dt.timedelta(minutes=1),
        "process inbound SMS and send replies that a stopped worker left behind",
    ),
    Sweep(
        "rabta.core.outbox_tasks.sweep_emails",
        dt.timedelta(minutes=1),
        "send e-mails whose retry a stopped worker missed, or whose sender died mid-send",
    ),
    Sweep(
        "rabta.core.worker_tasks.sweep_abandoned_tasks",
        dt.timedelta(minutes=1),
        "mark tasks a killed worker left RUNNING as failed (abandoned) and restart a sweep that died",
    ),
    Sweep(
        "rabta.engagement.tasks.sweep_action_items",
        dt.timedelta(days=1),
        "remind owners of action items due soon and escalate overdue ones",
        {"reschedule": True},  # it keeps its own clock: 09:00 local each day
    ),
    Sweep(
        "rabta.feedback.tasks.sweep_invitations",
        dt.timedelta(minutes=15),
        "invite residents to the post-contact survey; forget unfinished SMS surveys",
    ),
    Sweep(
        "rabta.insights.tasks.sweep_insights",
        dt.timedelta(minutes=15),
        "bring the indicator rollups up to date (the periods that changed; everything once a day)",
    ),
    Sweep(
        "rabta.site.tasks.sweep_purge",
        dt.timedelta(days=1),
        "erase reporter contact, SMS bodies, registers and old access log rows past their retention period",
    ),
)


def every(task_path: str) -> dt.timedelta:
    return next(s.every for s in SWEEPS if s.task_path == task_path)


def ensure_scheduled() -> list[str]:
    """Queue a run of every sweep that has none waiting; returns the task paths it queued."""
    started = []
    for sweep in SWEEPS:
        task = sweep.task
        if not waiting(task):
            enqueue_now(task, **sweep.kwargs)
            started.append(sweep.task_path)
    return started


def restart_sweeps(task_paths: set[str]) -> list[str]:
    """Queue a run of each sweep among `task_paths` that has none waiting; returns those queued."""
    started = []
    for sweep in SWEEPS:
        if sweep.task_path in task_paths and not waiting(sweep.task):
            enqueue_now(sweep.task, **sweep.kwargs)
            started.append(sweep.task_path)
    return started
