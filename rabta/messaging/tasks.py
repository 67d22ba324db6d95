"""Background tasks (django-tasks, database backend; run `manage.py db_worker`).

Each task calls one service function, and nothing below imports this module: the services queue
these tasks by name through rabta.messaging.jobs.
"""

from django_tasks import task

from rabta.core.periodic import every
from rabta.core.tasks import schedule_next
from rabta.messaging import broadcasts, inbound, outbound


@task()
def drain_inbound() -> int:
    """Handle every waiting inbound SMS (woken by the webhooks; see inbound.receive_inbound)."""
    return inbound.process_pending_inbound()


@task()
def send_outbound(outbound_id: int) -> str:
    return outbound.send_outbound_message(outbound_id)


@task()
def dispatch_broadcast(broadcast_id: int) -> int:
    return broadcasts.dispatch_broadcast_now(broadcast_id)


@task()
def sweep_messages() -> dict[str, int]:
    try:
        return inbound.sweep_messages()
    finally:
        schedule_next(sweep_messages, every(sweep_messages.module_path))
