"""Reads of the indicator rollups from a replica, when one is configured (docs/deploy.md).

Only the rollup tables (Measure, Population, HexCount) are read from the replica: they are rewritten by
the periodic refresh and read by dashboards and public pages, so a replica a few seconds behind shows
figures a few seconds older, which nobody can tell. Every other read stays on the primary, where a
resident who just sent a report must find it. Writes always go to the primary.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

REPLICA = "replica"
# The refresh's own bookkeeping (RefreshState) is read where it is written.
READ_FROM_REPLICA = frozenset({"insights.measure", "insights.population", "insights.hexcount"})


class ReplicaRouter:
    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if model._meta.label_lower in READ_FROM_REPLICA and REPLICA in settings.DATABASES:
            return REPLICA
        return None

    def db_for_write(self, model: type[Any], **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db == "default"
