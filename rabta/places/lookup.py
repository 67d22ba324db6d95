"""Beat lookup by point, from an in-memory STRtree kept per process.

The index is rebuilt when beats change: at once in the process that saved the beat
(Beat.save calls invalidate), and within RECHECK_SECONDS in every other process, which
compares a cheap fingerprint of the beats table (count and latest update) before answering.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from django.db.models import Count, Max

from rabta.lib.geo import BeatIndex

if TYPE_CHECKING:
    from rabta.places.models import Beat

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
    def _current_fingerprint() -> tuple[object, ...]:
        from rabta.places.models import Beat

        agg = Beat.objects.aggregate(n=Count("pk"), latest=Max("updated_at"), top=Max("pk"))
        return (agg["n"], agg["latest"], agg["top"])

    def index(self) -> BeatIndex[int]:
        from rabta.places.models import Beat

        now = time.monotonic()
        with self._lock:
            if self._index is not None and now - self._checked_at < RECHECK_SECONDS:
                return self._index
            fingerprint = self._current_fingerprint()
            if self._index is None or fingerprint != self._fingerprint:
                rows = Beat.objects.values_list("pk", "boundary")
                from rabta.lib.geo import polygon_from_geojson

                self._index = BeatIndex((pk, polygon_from_geojson(boundary)) for pk, boundary in rows)
                self._fingerprint = fingerprint
            self._checked_at = now
            return self._index

    def beat_id_at(self, lat: float, lon: float) -> int | None:
        return self.index().lookup(lat, lon)

    def beat_at(self, lat: float, lon: float) -> Beat | None:
        from rabta.places.models import Beat

        pk = self.beat_id_at(lat, lon)
        if pk is None:
            return None
        return Beat.objects.select_related("station").filter(pk=pk).first()


beat_index = CachedBeatIndex()
