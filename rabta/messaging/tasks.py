"""Background tasks (django-tasks, database backend; run `manage.py db_worker`)."""

from django_tasks import task

from rabta.messaging import services


@task()
def drain_inbound() -> int:
    """Handle every waiting inbound SMS (woken by the webhooks; see services.receive_inbound)."""
    return services.process_pending_inbound()


@task()
def process_inbound(inbound_id: int) -> None:
    # Kept so that rows queued before the drain existed still run.
    services.process_inbound_message(inbound_id)


@task()
def send_outbound(outbound_id: int) -> str:
    return services.send_outbound_message(outbound_id)


@task()
def dispatch_broadcast(broadcast_id: int) -> int:
    from rabta.messaging.broadcasts import dispatch_broadcast_now

    return dispatch_broadcast_now(broadcast_id)


@task()
def sweep_messages() -> dict[str, int]:
    from rabta.core.periodic import every
    from rabta.core.tasks import schedule_next

    try:
        return services.sweep_messages()
    finally:
        schedule_next(sweep_messages, every(sweep_messages.module_path))
