"""Background tasks (django-tasks, database backend; run `manage.py db_worker`)."""

from django_tasks import task

from rabta.messaging import services


@task()
def process_inbound(inbound_id: int) -> None:
    services.process_inbound_message(inbound_id)


@task()
def send_outbound(outbound_id: int) -> str:
    return services.send_outbound_message(outbound_id)


@task()
def dispatch_broadcast(broadcast_id: int) -> int:
    return services.dispatch_broadcast_now(broadcast_id)
