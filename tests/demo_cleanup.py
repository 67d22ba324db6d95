"""Undo a module-wide demo seed completely, for the tests that seed once per module outside a test's
transaction: the demo's rows, the tasks it queued, and the access-log rows its seed wrote (the log
is append-only for the application, so they go by SQL, before the demo's users are removed)."""

from __future__ import annotations

import io

from django.db import connection

from rabta.audit.models import AccessLog
from rabta.core.demo import DemoContext
from rabta.site.demo import load_modules, reset_all


def last_access_log_id() -> int:
    return AccessLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def undo_demo(*, access_log_after: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AccessLog._meta.db_table} WHERE id > %s", [access_log_after])
    reset_all(DemoContext(stdout=io.StringIO()), load_modules())
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()
