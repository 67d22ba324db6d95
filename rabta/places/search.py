"""Finding a beat by what a resident typed: the one matcher for the web search and for SMS.

Names and areas are compared folded and without spaces (rabta.lib.text.fold_compact), against the
key stored on each beat (Beat.search_key), so "Gul abad", "گل اباد", "ګل آباد" and "گلاباد" are one
spelling and a search is one query for the keys that contain it and one for the beats shown. When
nothing contains what was typed, the nearest spellings are offered: the names and areas that keep
most of the text's runs of three letters (from an index of the stored terms kept in memory) are
scored with difflib's ratio, and only close ones are kept, so an unrelated word finds nothing
rather than whatever is least far.
"""

from __future__ import annotations

import enum
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from django.db.models import Case, Value, When
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from rabta.lib.text import fold_compact, key_terms
from rabta.places.lookup import RECHECK_SECONDS, CachedBeatIndex
from rabta.places.models import MAX_SEARCH_LENGTH, Beat

# Beats read and ranked for a text that many contain ("bazaar"); more than any list shows.
MAX_CANDIDATES = 200
# Similar spellings: at least this many letters typed, at least this difflib ratio. One letter
# wrong, missing or doubled in a six-letter name passes ("Gulabd", "Timergara bazar"); a
# five-letter word with two letters swapped does not ("rabta" is not "Rabat").
MIN_SIMILAR_LENGTH = 4
MIN_SIMILARITY = 0.82
# Runs of three letters looked up for similar spellings; a long text is sampled.
MAX_TRIGRAMS = 24


class Fit(enum.IntEnum):
    """How a beat matched, best first."""

    NAME = 0  # the text is its code or one of its names
    AREA = 1  # the text is one of its areas
    NAME_START = 2  # one of its names starts with the text
    AREA_START = 3
    NAME_PART = 4  # the text is inside one of its names
    AREA_PART = 5
    SIMILAR = 6  # nothing contains the text; a name or area is spelled much like it

    @property
    def exact(self) -> bool:
        return self in (Fit.NAME, Fit.AREA)


@dataclass(frozen=True)
class BeatMatches:
    """The beats found for a text, best first (each with its station), and whether more matched."""

    beats: list[Beat] = field(default_factory=list)
    fits: list[Fit] = field(default_factory=list)
    more: bool = False

    @property
    def similar(self) -> bool:
        """Nothing matched as typed: these are the nearest spellings."""
        return bool(self.fits) and self.fits[0] is Fit.SIMILAR

    def best(self) -> list[Beat]:
        """The beats one short message most likely means: those that match exactly when some do
        (an exact name before an exact area), else all of them."""
        if self.fits and self.fits[0].exact:
            return [beat for beat, fit in zip(self.beats, self.fits, strict=True) if fit is self.fits[0]]
        return list(self.beats)


def match_beats(text: str, *, limit: int, similar: bool = True) -> BeatMatches:
    """Up to `limit` beats a resident may mean by `text`, best first; with `similar`, the nearest
    spellings when nothing contains it."""
    needle = fold_compact(text[:MAX_SEARCH_LENGTH])
    if not needle:
        return BeatMatches()
    # Keys first (small), ranked here; then only the beats shown are loaded. Exact names and areas
    # come first from the database too, so a cut at MAX_CANDIDATES never loses one.
    exact_first = Case(When(search_key__contains=f"|{needle}|", then=Value(0)), default=Value(1))
    rows = (
        Beat.objects.filter(search_key__contains=needle)
        .order_by(exact_first, "station__name", "name")
        .values_list("pk", "search_key")
    )
    ranked: list[tuple[Fit, float, int]] = sorted(
        (_fit(needle, key), n, pk) for n, (pk, key) in enumerate(rows[:MAX_CANDIDATES])
    )
    if not ranked and similar and len(needle) >= MIN_SIMILAR_LENGTH:
        ranked = _similar(needle)
    if not ranked:
        return BeatMatches()
    loaded = (
        Beat.objects.select_related("station").defer("boundary").in_bulk([pk for *_, pk in ranked[:limit]])
    )
    # A beat deleted between the two queries is left out.
    shown = [(fit, loaded[pk]) for fit, _, pk in ranked[:limit] if pk in loaded]
    return BeatMatches([beat for _, beat in shown], [fit for fit, _ in shown], len(ranked) > limit)


def _fit(needle: str, key: str) -> Fit:
    names, areas = key_terms(key)
    if needle in names:
        return Fit.NAME
    if needle in areas:
        return Fit.AREA
    if any(term.startswith(needle) for term in names):
        return Fit.NAME_START
    if any(term.startswith(needle) for term in areas):
        return Fit.AREA_START
    if any(needle in term for term in names):
        return Fit.NAME_PART
    return Fit.AREA_PART


def _trigrams(needle: str) -> list[str]:
    grams = list(dict.fromkeys(needle[i : i + 3] for i in range(len(needle) - 2)))
    if len(grams) <= MAX_TRIGRAMS:
        return grams
    step = len(grams) / MAX_TRIGRAMS
    return [grams[int(i * step)] for i in range(MAX_TRIGRAMS)]


class _TermIndex:
    """Every stored name and area term with the runs of three letters in it, kept per process.

    Only the near-spelling stage reads it: which terms keep enough of the text's runs is a lookup
    here, where a database would compare every row's key. Built from the stored keys (no folding),
    it follows the beats table as the point index does (rabta.places.lookup): rebuilt at once in
    the process that saved or deleted a beat, within RECHECK_SECONDS in every other."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._terms: list[tuple[int, str]] = []  # (beat id, term)
        self._postings: dict[str, list[int]] = {}  # run of three letters -> positions in _terms
        self._fingerprint: tuple[object, ...] | None = None
        self._checked_at = -RECHECK_SECONDS

    def invalidate(self) -> None:
        with self._lock:
            self._fingerprint = None

    def current(self) -> tuple[list[tuple[int, str]], dict[str, list[int]]]:
        now = time.monotonic()
        with self._lock:
            if self._fingerprint is not None and now - self._checked_at < RECHECK_SECONDS:
                return self._terms, self._postings
            fingerprint = CachedBeatIndex.current_fingerprint()
            if fingerprint != self._fingerprint:
                terms: list[tuple[int, str]] = []
                postings: dict[str, list[int]] = defaultdict(list)
                for pk, key in Beat.objects.order_by("pk").values_list("pk", "search_key").iterator():
                    names, areas = key_terms(key)
                    for term in dict.fromkeys((*names, *areas)):
                        for gram in {term[i : i + 3] for i in range(len(term) - 2)}:
                            postings[gram].append(len(terms))
                        terms.append((pk, term))
                self._terms, self._postings, self._fingerprint = terms, dict(postings), fingerprint
            self._checked_at = now
            return self._terms, self._postings


term_index = _TermIndex()


@receiver(post_save, sender=Beat, dispatch_uid="rabta.places.search.saved")
@receiver(post_delete, sender=Beat, dispatch_uid="rabta.places.search.deleted")
def _beat_changed(sender: type[Beat], **kwargs: Any) -> None:
    term_index.invalidate()


def _similar(needle: str) -> list[tuple[Fit, float, int]]:
    """Beats with a name or area spelled much like `needle`, closest first, as (fit, -score, pk)."""
    # A spelling this close keeps most of the text's runs of three letters: each letter wrong,
    # missing or added breaks at most three, and a close spelling has one wrong in ten letters.
    # Only terms that keep enough of them are scored by difflib.
    grams = _trigrams(needle)
    enough = max(1, len(grams) - 3 * (1 + len(needle) // 10))
    terms, postings = term_index.current()
    kept = Counter(position for gram in grams for position in postings.get(gram, ()))
    matcher = SequenceMatcher(autojunk=False)
    matcher.set_seq2(needle)  # difflib caches what it learns about the second sequence
    best: dict[int, float] = {}
    for position, count in kept.items():
        if count < enough:
            continue
        pk, term = terms[position]
        matcher.set_seq1(term)
        if matcher.real_quick_ratio() < MIN_SIMILARITY or matcher.quick_ratio() < MIN_SIMILARITY:
            continue
        score = matcher.ratio()
        if score >= MIN_SIMILARITY and score > best.get(pk, 0.0):
            best[pk] = score
    # Closest first; between equals, by id (the same order every time).
    return sorted((Fit.SIMILAR, -score, pk) for pk, score in best.items())
