"""Beat lookup by point, from an in-memory index (rabta.lib.geo.BeatIndex) kept per process.

The index is rebuilt when beats change: at once in the process that saved or deleted the beat
(the post_save and post_delete receivers below; the GeoJSON importer invalidates again when its
transaction commits), and within RECHECK_SECONDS in every other process, which compares a cheap
fingerprint of the beats table (count, latest update, highest id) before answering. Code that
writes beats without Beat.save (bulk_update, QuerySet.update) must set updated_at itself and
call beat_index.invalidate(), or other processes only notice a change of count or id.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from rabta.lib.geo import BeatIndex, GeometryError, polygon_from_geojson
from rabta.places.models import Beat

logger = logging.getLogger(__name__)

RECHECK_SECONDS = 5.0


class CachedBeatIndex:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: BeatIndex[int] | None = None
        self._fingerprint: tuple[object, ...] | None = None
        self._checked_at = 0.0

    def invalidate(self) -> None:
        with self._lock:
            self._index = None
            self._fingerprint = None

    @staticmethod
    def current_fingerprint() -> tuple[object, ...]:
        """Changes whenever a beat is added, saved (updated_at) or deleted."""
        agg = Beat.objects.aggregate(n=Count("pk"), latest=Max("updated_at"), top=Max("pk"))
        return (agg["n"], agg["latest"], agg["top"])

    @staticmethod
    def _build() -> BeatIndex[int]:
        items = []
        for pk, code, boundary in Beat.objects.values_list("pk", "code", "boundary").iterator():
            try:
                items.append((pk, polygon_from_geojson(boundary)))
            except GeometryError as exc:
                # One broken boundary (written around Beat.clean) must not take lookup down for all.
                logger.error("beat %s left out of the lookup index: %s", code, exc)
        return BeatIndex(items)

    def index(self) -> BeatIndex[int]:
        now = time.monotonic()
        with self._lock:
            if self._index is not None and now - self._checked_at < RECHECK_SECONDS:
                return self._index
            # Fingerprint first, rows second: a change committed in between makes the next check
            # rebuild once more, never leaves the index older than its fingerprint.
            fingerprint = self.current_fingerprint()
            if self._index is None or fingerprint != self._fingerprint:
                self._index = self._build()
                self._fingerprint = fingerprint
            self._checked_at = now
            return self._index

    def beat_id_at(self, lat: float, lon: float) -> int | None:
        """The id of the beat containing the point, or None when no beat does (or lat/lon are not finite)."""
        return self.index().lookup(lat, lon)

    def beat_ids_at(self, lats: list[float], lons: list[float]) -> list[int | None]:
        """Many points at once (imports, rollups): one answer per point, as beat_id_at would give."""
        return self.index().lookup_many(lats, lons)

    def beat_at(self, lat: float, lon: float) -> Beat | None:
        pk = self.beat_id_at(lat, lon)
        if pk is None:
            return None
        return Beat.objects.select_related("station").filter(pk=pk).first()


beat_index = CachedBeatIndex()


# Connected when this module is first imported, which is before any index exists to go stale.
@receiver(post_save, sender=Beat, dispatch_uid="rabta.places.lookup.saved")
@receiver(post_delete, sender=Beat, dispatch_uid="rabta.places.lookup.deleted")
def _beat_changed(sender: type[Beat], **kwargs: Any) -> None:
    beat_index.invalidate()  # this process sees a new or moved boundary at once
