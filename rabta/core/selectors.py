"""Reads of core's own tables and of the task backend's, for the health page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from rabta.core.tasks import ABANDONED


def abandoned_tasks(*, since: dt.datetime | None = None) -> QuerySet[DBTaskResult[..., Any]]:
    """Tasks a dead worker left RUNNING, since marked FAILED by the sweep; newest first.

    Rows hold the task's path and times; its arguments (args_kwargs) may name a report or a
    message, so a page shows the path, started_at and finished_at only.
    """
    rows = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED, exception_class_path=ABANDONED)
    if since is not None:
        rows = rows.filter(finished_at__gte=since)
    return rows.order_by("-finished_at")
