"""Open311 service codes to active categories, cached per process.

Every POST requests.json names a service code; reading the category row each time was one of the
largest costs of that path. Categories change rarely (admin edits), so each process keeps the active
ones in memory and re-reads them at most every REFRESH_SECONDS: an edit reaches the process that made
it at once (post_save/post_delete, and post_migrate for flushed test databases) and every other
process within REFRESH_SECONDS. Inside a transaction the cache is bypassed, so a state that may
still roll back (a test's transaction, an outer atomic block) is never cached.
"""

from __future__ import annotations

import threading
import time

from django.db import connection
from django.db.models.signals import post_delete, post_migrate, post_save

from rabta.reports.models import Category

REFRESH_SECONDS = 5.0


class ServiceCatalogue:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_code: dict[str, Category] | None = None
        self._loaded_at = 0.0

    def invalidate(self, **_signal: object) -> None:
        with self._lock:
            self._by_code = None

    def category(self, code: str) -> Category | None:
        """The active category with this Open311 service code, or None."""
        if connection.in_atomic_block:
            return Category.objects.filter(active=True, open311_service_code=code).first()
        now = time.monotonic()
        with self._lock:
            if self._by_code is None or now - self._loaded_at >= REFRESH_SECONDS:
                self._by_code = {c.open311_service_code: c for c in Category.objects.filter(active=True)}
                self._loaded_at = now
            return self._by_code.get(code)


catalogue = ServiceCatalogue()
post_save.connect(catalogue.invalidate, sender=Category, dispatch_uid="open311_catalogue_save")
post_delete.connect(catalogue.invalidate, sender=Category, dispatch_uid="open311_catalogue_delete")
post_migrate.connect(catalogue.invalidate, dispatch_uid="open311_catalogue_migrate")
