"""The e-mail tasks (django-tasks, database backend; run `manage.py db_worker`).

Each calls one function of rabta.core.outbox, which queues `send_email` by its dotted path, so
nothing below imports this module.
"""

from __future__ import annotations

from django_tasks import task

from rabta.core.outbox import deliver, sweep_due
from rabta.core.periodic import every
from rabta.core.tasks import schedule_next


@task()
def send_email(email_id: int) -> str:
    return deliver(email_id)


@task()
def sweep_emails() -> int:
    try:
        return sweep_due()
    finally:
        schedule_next(sweep_emails, every(sweep_emails.module_path))
