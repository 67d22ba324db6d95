"""How the SMS services queue background work, without importing the tasks that run it.

`tasks.py` is a thin layer over the services: each task calls one service function. So the services
cannot import the task objects (that import would close a cycle). They queue work through the
functions below, which find the task by its dotted path at the moment they queue it, as
rabta.core.periodic does for the sweeps. The paths are the tasks' stored names (django-tasks writes
them on every queued row), and tests/test_sms_worker.py checks that each one names a task.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.module_loading import import_string

from rabta.core.tasks import enqueue_now, wake

DRAIN_INBOUND = "rabta.messaging.tasks.drain_inbound"
SEND_OUTBOUND = "rabta.messaging.tasks.send_outbound"
DISPATCH_BROADCAST = "rabta.messaging.tasks.dispatch_broadcast"
PATHS = (DRAIN_INBOUND, SEND_OUTBOUND, DISPATCH_BROADCAST)


def _task(path: str) -> Any:
    return import_string(path)


def wake_inbound_drain() -> bool:
    """Queue one drain of the inbound messages unless one is waiting (rabta.core.tasks.wake)."""
    return wake(_task(DRAIN_INBOUND))


def send_outbound_now(outbound_id: int) -> None:
    enqueue_now(_task(SEND_OUTBOUND), outbound_id)


def send_outbound_at(outbound_id: int, when: dt.datetime) -> None:
    _task(SEND_OUTBOUND).using(run_after=when).enqueue(outbound_id)


def dispatch_broadcast_at(broadcast_id: int, when: dt.datetime | None) -> None:
    """Queue the sending of a broadcast at `when`, or at once when it is None."""
    if when:
        _task(DISPATCH_BROADCAST).using(run_after=when).enqueue(broadcast_id)
    else:
        enqueue_now(_task(DISPATCH_BROADCAST), broadcast_id)
