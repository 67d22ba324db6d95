"""Reads that span apps: the operational health shown by `manage.py health` and /staff/health/.

Health is counts only: no message text, no address, no phone number, so a coordinator can be shown
it without seeing anything about a resident.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import DatabaseError, connection
from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from rabta.core.errors import NotVisible
from rabta.core.models import EmailStatus, OutboundEmail
from rabta.core.selectors import abandoned_tasks
from rabta.messaging.models import OutboundMessage, OutboundStatus
from rabta.people.models import Role, User

# A task running this long, or waiting this long past its time, means a worker is stuck or down:
# the longest sweep takes seconds and every sweep runs at least daily.
STUCK_MINUTES = 15
FAILED_WINDOW = dt.timedelta(hours=24)
FAILED_SMS = (OutboundStatus.FAILED, OutboundStatus.UNDELIVERED)
# Those who answer for the whole installation or district; the page holds counts only.
HEALTH_ROLES = frozenset({Role.ADMIN, Role.DISTRICT_COORDINATOR})


@dataclass(frozen=True)
class Health:
    database: bool
    stuck_minutes: int
    tasks_running_too_long: int = 0
    tasks_overdue: int = 0
    tasks_abandoned: int = 0
    sms_failed: int = 0
    emails_failed: int = 0

    @property
    def needs_attention(self) -> bool:
        return not self.database or any(
            (
                self.tasks_running_too_long,
                self.tasks_overdue,
                self.tasks_abandoned,
                self.sms_failed,
                self.emails_failed,
            )
        )


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return False
    return True


def health(*, stuck_minutes: int = STUCK_MINUTES, now: dt.datetime | None = None) -> Health:
    """What needs an operator's attention now; with the database down, only that."""
    if not _database_answers():
        return Health(database=False, stuck_minutes=stuck_minutes)
    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=stuck_minutes)
    since = now - FAILED_WINDOW
    tasks = DBTaskResult.objects
    # A task enqueued without run_after carries the largest date the backend knows: it was due
    # when it was enqueued.
    overdue = Q(run_after__lt=cutoff) | Q(run_after=get_date_max(), enqueued_at__lt=cutoff)
    return Health(
        database=True,
        stuck_minutes=stuck_minutes,
        tasks_running_too_long=tasks.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff).count(),
        tasks_overdue=tasks.filter(overdue, status=TaskResultStatus.READY).count(),
        # Left RUNNING by a killed worker and marked failed by the sweep: the worker was killed.
        tasks_abandoned=abandoned_tasks(since=since).count(),
        sms_failed=OutboundMessage.objects.filter(status__in=FAILED_SMS, created_at__gte=since).count(),
        emails_failed=OutboundEmail.objects.filter(status=EmailStatus.FAILED, created_at__gte=since).count(),
    )


def may_see_health(user: User) -> bool:
    return bool(user.is_active and (user.is_superuser or user.role in HEALTH_ROLES))


def health_for(*, user: User) -> Health:
    """The health counts for an administrator or district coordinator; NotVisible for anyone else."""
    if not may_see_health(user):
        raise NotVisible
    return health()
