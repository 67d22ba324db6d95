"""Background work on the database queue (django-tasks; run `manage.py db_worker`).

Two ways in, both idempotent because reminders.py remembers what it sent:
- deferred tasks enqueued when an action item is created or its due date moves (a reminder
  `reminder_days()` before, an escalation the day after), so reminders go out even with no cron;
- `sweep_action_items`, run daily by `manage.py engagement_reminders` (cron) or re-enqueued by
  itself, which catches anything the deferred tasks missed (a worker that was down, an old item).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from rabta.core.tasks import waiting
from rabta.engagement import reminders
from rabta.engagement.models import ActionItem

SEND_AT = dt.time(9, 0)  # local time: a reminder read at the start of the working day


def _local_moment(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, SEND_AT, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def _item(item_id: int) -> ActionItem | None:
    return (
        ActionItem.objects.select_related(
            "priority__beat",
            "owner_officer",
            "owner_member__committee__liaison_officer",
            "owner_agency",
            "created_by",
        )
        .filter(pk=item_id)
        .first()
    )


@task()
def remind_action_item(item_id: int) -> bool:
    item = _item(item_id)
    return item is not None and reminders.send_due_soon(item, timezone.localdate())


@task()
def escalate_action_item(item_id: int) -> bool:
    item = _item(item_id)
    return item is not None and reminders.escalate_overdue(item, timezone.localdate())


@task()
def sweep_action_items(reschedule: bool = False) -> dict[str, list[int]]:
    result = reminders.sweep()
    if reschedule:
        schedule_next_sweep()
    return result.as_dict()


def schedule_next_sweep() -> None:
    """Keep one daily sweep queued (tomorrow 09:00 local) unless one is already waiting."""
    if not waiting(sweep_action_items):
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        sweep_action_items.using(run_after=_local_moment(tomorrow)).enqueue(reschedule=True)


def schedule_reminders(item: ActionItem) -> None:
    """Deferred reminder and escalation for this item's due date (earlier ones check and do nothing)."""
    now = timezone.now()
    remind_at = max(now, _local_moment(item.due_on - dt.timedelta(days=reminders.reminder_days())))
    escalate_at = _local_moment(item.due_on + dt.timedelta(days=1))
    remind_action_item.using(run_after=remind_at).enqueue(item.pk)
    escalate_action_item.using(run_after=max(now, escalate_at)).enqueue(item.pk)
