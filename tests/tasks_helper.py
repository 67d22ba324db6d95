"""Run queued django-tasks rows the way `manage.py db_worker` does, inside the test's transaction."""

from __future__ import annotations

from django_tasks_db.models import DBTaskResult

from rabta.core.outbox import SEND_EMAIL


def run_ready_tasks(max_rounds: int = 20) -> int:
    """Run every task that is ready now (run_after passed), including ones those tasks enqueue."""
    ran = 0
    for _ in range(max_rounds):
        batch = list(DBTaskResult.objects.ready().order_by("enqueued_at"))
        if not batch:
            break
        for row in batch:
            row.claim("tests")
            task = row.task
            result = row.task_result
            try:
                value = task.call(*result.args, **result.kwargs)
            except Exception as exc:
                row.set_failed(exc)
                raise
            row.set_successful(value)
            ran += 1
    return ran


def queued(task_name: str) -> list[DBTaskResult]:
    return [row for row in DBTaskResult.objects.ready() if row.task_path.endswith(task_name)]


def send_queued_emails() -> int:
    """Run the worker's e-mail sends that are due (rabta.core.outbox), and nothing else."""
    ran = 0
    for row in DBTaskResult.objects.ready().filter(task_path=SEND_EMAIL).order_by("enqueued_at"):
        row.claim("tests")
        result = row.task_result
        row.set_successful(row.task.call(*result.args, **result.kwargs))
        ran += 1
    return ran
