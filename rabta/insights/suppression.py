"""Which public cells are hidden, decided once per district and period and kept: the suppression of
rabta.insights.public.decide is too dear for a page view at province scale (a district's table is
thousands of cells), so the periodic refresh decides every published period whose rows changed
(`warm`) and keeps one PublicHidden row per place; a page reads its own place's rows (`place_hidden`),
the open-data files a district's (`decisions`). A period not decided yet is decided when first asked.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence

from django.core.cache import cache
from django.db.models import Count, Max, Sum

from rabta.insights.indicators import Cells
from rabta.insights.models import Measure, PublicHidden, Scope
from rabta.insights.public import (
    PERIODS,
    Hidden,
    PlaceKey,
    Tree,
    complete_starts,
    decide,
    district_cells,
    district_of,
    tree,
)
from rabta.insights.selectors import Place
from rabta.places.models import District


def versions(period: str, starts: Sequence[dt.date]) -> dict[dt.date, tuple[int, int, int]]:
    """What identifies the rows of each period: the refresh rewrites a period's rows all at once (new
    ids), and the province's rows are rewritten with every other row of it."""
    rows = (
        Measure.objects.filter(scope=Scope.PROVINCE, scope_id=0, period=period, start__in=list(starts))
        .values("start")
        .annotate(top=Max("pk"), rows=Count("pk"), total=Sum("n"))
        .order_by()
    )
    return {r["start"]: (r["top"], r["rows"], r["total"] or 0) for r in rows}


CACHE_SECONDS = 24 * 3600


def _cache_key(district_id: int, period: str, start: dt.date, version: tuple[int, int, int]) -> str:
    return f"insights:public:{district_id}:{period}:{start.isoformat()}:{_version_text(version)}"


def decisions(
    district_id: int,
    period: str,
    starts: Sequence[dt.date],
    *,
    cells: Mapping[dt.date, Mapping[PlaceKey, Cells]] | None = None,
    shape: Tree | None = None,
    known: Mapping[dt.date, tuple[int, int, int]] | None = None,
) -> dict[dt.date, Hidden]:
    """The hidden cells of a district in each period: from the cache when the period's rows are the
    ones decided before, else decided now (from `cells` and `shape` when the caller has read them;
    `known` are the periods' versions)."""
    if known is None:
        known = versions(period, starts)
    keys = {s: _cache_key(district_id, period, s, known[s]) for s in starts if s in known}
    cached = cache.get_many(list(keys.values())) if keys else {}
    out: dict[dt.date, Hidden] = {s: frozenset() for s in starts if s not in known}
    missing = []
    for start, key in keys.items():
        if key in cached:
            out[start] = cached[key]
        else:
            missing.append(start)
    if missing:
        out.update(_stored_or_decided(district_id, period, missing, known, cells=cells, shape=shape))
        cache.set_many({keys[s]: out[s] for s in missing}, CACHE_SECONDS)
    return out


def _version_text(version: tuple[int, int, int]) -> str:
    return "-".join(map(str, version))


def _stored_or_decided(
    district_id: int,
    period: str,
    starts: Sequence[dt.date],
    known: Mapping[dt.date, tuple[int, int, int]],
    *,
    cells: Mapping[dt.date, Mapping[PlaceKey, Cells]] | None,
    shape: Tree | None,
) -> dict[dt.date, Hidden]:
    """The decisions kept in PublicHidden for these rows' versions; the others decided now and kept.
    A period counts as decided when its district's own row holds the current version."""
    stored = PublicHidden.objects.filter(district_id=district_id, period=period, start__in=list(starts))
    rows = list(stored.values_list("start", "scope", "scope_id", "version", "cells"))
    current = {
        start
        for start, scope, scope_id, version, _ in rows
        if (scope, scope_id) == (Scope.DISTRICT, district_id) and version == _version_text(known[start])
    }
    out: dict[dt.date, set[tuple[str, str, int, str]]] = {s: set() for s in current}
    for start, scope, scope_id, version, hidden in rows:
        if start in current and version == _version_text(known[start]):
            out[start].update((metric, scope, scope_id, group) for metric, group in hidden)
    decided: dict[dt.date, Hidden] = {s: frozenset(h) for s, h in out.items()}
    stale = [s for s in starts if s not in decided]
    if not stale:
        return decided
    found = cells if cells is not None else district_cells(district_id, period, stale)
    shape = shape or tree(district_id)
    fresh = {s: decide(shape, found.get(s, {})) for s in stale}
    _keep(district_id, period, shape, fresh, known)
    return {**decided, **fresh}


def _keep(
    district_id: int,
    period: str,
    shape: Tree,
    fresh: Mapping[dt.date, Hidden],
    known: Mapping[dt.date, tuple[int, int, int]],
) -> None:
    """One row per place of the district and period, with its own hidden cells (none is a row too)."""
    records: list[PublicHidden] = []
    for start, hidden in fresh.items():
        by_place: dict[PlaceKey, list[list[str]]] = defaultdict(list)
        for metric, scope, pk, group in sorted(hidden):
            by_place[(scope, pk)].append([metric, group])
        records.extend(
            PublicHidden(
                district_id=district_id,
                scope=scope,
                scope_id=pk,
                period=period,
                start=start,
                version=_version_text(known[start]),
                cells=by_place.get((scope, pk), []),
            )
            for scope, pk in shape.places()
        )
    PublicHidden.objects.bulk_create(
        records,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["scope", "scope_id", "period", "start"],
        update_fields=["district_id", "version", "cells"],
    )


def place_hidden(place: Place, period: str, starts: Sequence[dt.date]) -> dict[dt.date, Hidden]:
    """The hidden cells of one place in each period, reading only its own rows (a public page's cost
    does not grow with its district); a period not decided yet is decided for the whole district."""
    known = versions(period, starts)
    out: dict[dt.date, Hidden] = {s: frozenset() for s in starts if s not in known}
    kept = PublicHidden.objects.filter(
        scope=place.scope, scope_id=place.pk, period=period, start__in=list(known)
    ).values_list("start", "version", "cells")
    for start, version, hidden in kept:
        if version == _version_text(known[start]):
            out[start] = frozenset((metric, place.scope, place.pk, group) for metric, group in hidden)
    stale = [s for s in known if s not in out]
    if stale:
        whole = decisions(district_of(place), period, stale, known=known)
        for start in stale:
            out[start] = frozenset(c for c in whole[start] if (c[1], c[2]) == (place.scope, place.pk))
    return out


def warm(today: dt.date) -> int:
    """Decide the hidden cells of every district's published periods whose rows changed since they were
    last decided (the periodic refresh calls this after writing), so public pages only read them.
    Returns how many district periods were decided."""
    decided = 0
    for period in PERIODS:
        starts = complete_starts(period, today)
        known = versions(period, starts)
        if not known:
            continue
        for district_id in District.objects.order_by("pk").values_list("pk", flat=True):
            kept = PublicHidden.objects.filter(
                scope=Scope.DISTRICT, scope_id=district_id, period=period, start__in=list(known)
            )
            fresh = set(kept.values_list("start", "version"))
            stale = [s for s, v in known.items() if (s, _version_text(v)) not in fresh]
            if stale:
                _stored_or_decided(district_id, period, stale, known, cells=None, shape=None)
                decided += len(stale)
    return decided
