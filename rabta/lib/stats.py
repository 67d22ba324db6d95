"""Statistics for indicators. Django-free, so it can be tested and benchmarked alone."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, TypeVar

# The 97.5th percentile of the standard normal: a two-sided 95% interval.
Z_95 = 1.959963984540054


def representation_ratio(
    group_attendees: int, total_attendees: int, group_population: int, total_population: int
) -> float | None:
    """A group's share of attendees divided by its share of the population.

    1.0 means the room looked like the neighbourhood; 0.5 means the group came at half its
    weight. None when either share is undefined (nobody attended, or the group has no
    recorded population): a ratio there would be a made-up number.

    Computed as one division of integers, (g_a * P) / (A * g_p), so hand-checked values such as
    0.5 or 1.25 come out exactly rather than through two rounded shares.
    """
    for value in (group_attendees, total_attendees, group_population, total_population):
        if value < 0:
            raise ValueError("counts cannot be negative")
    if group_attendees > total_attendees or group_population > total_population:
        raise ValueError("a group cannot be larger than the whole")
    if total_attendees == 0 or group_population == 0:
        return None
    return (group_attendees * total_population) / (total_attendees * group_population)


def share(part: int, whole: int) -> float | None:
    if whole <= 0:
        return None
    return part / whole


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float] | None:
    """Wilson score interval for a proportion (shown beside an indicator when n < 100).

    Unlike the normal approximation it stays inside [0, 1] and behaves at 0 and n successes.
    None for n == 0.
    """
    if n < 0 or successes < 0 or successes > n:
        raise ValueError("need 0 <= successes <= n")
    if n == 0:
        return None
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = (z / denominator) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    low = max(0.0, centre - half)
    high = min(1.0, centre + half)
    # Exactly 0 or n successes: the bound on that side is the proportion itself.
    if successes == 0:
        low = 0.0
    if successes == n:
        high = 1.0
    return low, high


# Survey indicators (docs/feedback.md, "Results"). Items arrive as ints, or None for "prefer not to say"
# and unanswered; every function below leaves None out rather than counting it as a low score.

AGREE = frozenset({4, 5})
# Public and group cells with fewer respondents than this are hidden (docs/feedback.md).
MIN_CELL = 5
# Below this n a proportion is shown with its Wilson interval.
INTERVAL_BELOW = 100


def mean(values: Iterable[float | None]) -> float | None:
    answered = [v for v in values if v is not None]
    if not answered:
        return None
    return sum(answered) / len(answered)


def pj_index(pillars: Sequence[int | None]) -> float | None:
    """One respondent's contact PJ index (1-5): the mean of the four pillar items they answered.

    A pillar left at "prefer not to say" is left out of that respondent's mean, not scored; a
    respondent who answered none has no index. The published index is the mean of these."""
    return mean(pillars)


def agrees_with_all(pillars: Sequence[int | None]) -> bool | None:
    """Whether a respondent agreed (4 or 5) with every pillar; None (left out of the share's n)
    unless all four were answered: agreeing with three of three is not agreeing with all four."""
    if any(p is None for p in pillars):
        return None
    return all(p in AGREE for p in pillars)


def trust_score(items: Sequence[int | None]) -> float | None:
    """One respondent's trust score, 0-100: the mean of the trust items answered (0-10 each) x 10."""
    answered = mean(items)
    return None if answered is None else answered * 10


def unsafe_after_dark(answer: str, *, unsafe: Iterable[str], not_rated: Iterable[str]) -> bool | None:
    """Counted in "% unsafe" as True (a bit or very unsafe) or False (very or fairly safe); None
    for "never walk alone", "don't know" and no answer, which are outside its denominator."""
    if not answer or answer in set(not_rated):
        return None
    return answer in set(unsafe)


def avoids(answer: str, *, never: str) -> bool | None:
    """Counted in the avoidance rate: "never walk alone" over all answers (including "don't know");
    None when the item was not answered."""
    if not answer:
        return None
    return answer == never


def proportion(flags: Iterable[bool | None]) -> tuple[int, int]:
    """(successes, n) over the flags that are not None."""
    counted = [f for f in flags if f is not None]
    return sum(1 for f in counted if f), len(counted)


G = TypeVar("G", bound=Hashable)


@dataclass(frozen=True)
class Weights:
    """Post-stratification weights of a set of respondents (docs/feedback.md, "Weighting").

    `weights[g]` = population share of g / respondent share of g, over the respondents whose group
    is known (respondents of unknown group are in the unweighted figures only). `missing` lists the
    groups with population but no respondents: reported, not imputed. `covered` is the share of the
    population in groups that have respondents."""

    weights: dict[Any, float]
    missing: tuple[Any, ...]
    covered: float | None

    def of(self, group: Any) -> float | None:
        return self.weights.get(group)


def poststrat_weights(respondents: Mapping[G, int], population: Mapping[G, int]) -> Weights:
    """Weights w_g = (population of g / population) / (respondents in g / respondents).

    Both shares are over all groups with population: a group with no respondents gets no weight and
    is listed as missing, so the weighted figures stand for `covered` of the population. A group with
    respondents but no recorded population gets no weight either (nothing to weight it to)."""
    if any(v < 0 for v in (*respondents.values(), *population.values())):
        raise ValueError("counts cannot be negative")
    people = sum(population.values())
    weighted_groups = {g: k for g, k in respondents.items() if k > 0 and population.get(g, 0) > 0}
    answered = sum(weighted_groups.values())
    missing = tuple(g for g, p in population.items() if p > 0 and respondents.get(g, 0) == 0)
    if people == 0 or answered == 0:
        return Weights(weights={}, missing=missing, covered=None)
    weights = {g: (population[g] * answered) / (people * k) for g, k in weighted_groups.items()}
    covered = sum(population[g] for g in weighted_groups) / people
    return Weights(weights=weights, missing=missing, covered=covered)


def weighted_mean(pairs: Iterable[tuple[float | None, float | None]]) -> float | None:
    """sum(w x) / sum(w) over (value, weight) pairs with both present."""
    total = 0.0
    weight = 0.0
    for value, w in pairs:
        if value is None or w is None:
            continue
        total += w * value
        weight += w
    if weight == 0:
        return None
    return total / weight


def weighted_proportion(pairs: Iterable[tuple[bool | None, float | None]]) -> float | None:
    """The weighted share of True among (flag, weight) pairs with both present."""
    return weighted_mean((None if f is None else float(f), w) for f, w in pairs)


# Suppression. A table is a set of cells (key -> n respondents) and lines: a line is a total cell
# and the cells that add up to it, as (total_key, (part_keys...)). A reader who sees all but one member
# of a line works out the last by addition or subtraction, whether it is a part or the total itself (a
# hidden subtotal whose parts are all shown is their sum, and then a part of the line above it).


def _determined(hidden: list[Any], cells: Mapping[Any, int], lines: Sequence[Line]) -> set[Any]:
    """The hidden cells a reader can work out from the visible cells.

    Every line gives an equation over its hidden members: total - sum(parts) = 0, with the visible
    ones moved to the known side. A hidden cell is determined when its unit vector lies in the span
    of those equations, checked by exact elimination (tables here have a few dozen cells at most)."""
    index = {key: i for i, key in enumerate(hidden)}
    rows: list[list[Fraction]] = []
    for total, parts in lines:
        row = [Fraction(0)] * len(hidden)
        if total in index:
            row[index[total]] += 1
        for part in parts:
            if part in index:
                row[index[part]] -= 1
        if any(row):
            rows.append(row)
    basis = _echelon(rows, len(hidden))
    found = set()
    for key, i in index.items():
        unit = [Fraction(0)] * len(hidden)
        unit[i] = Fraction(1)
        if _in_span(unit, basis):
            found.add(key)
    return found


def _echelon(rows: list[list[Fraction]], width: int) -> list[tuple[int, list[Fraction]]]:
    basis: list[tuple[int, list[Fraction]]] = []  # (pivot column, row with 1 at the pivot)
    for row in rows:
        row = _reduce(list(row), basis)
        pivot = next((j for j in range(width) if row[j] != 0), None)
        if pivot is None:
            continue
        scale = row[pivot]
        row = [v / scale for v in row]
        basis = [(p, [a - b[p] * c for a, c in zip(b, row, strict=True)]) for p, b in basis]
        basis.append((pivot, row))
    return basis


def _reduce(row: list[Fraction], basis: list[tuple[int, list[Fraction]]]) -> list[Fraction]:
    for pivot, b in basis:
        if row[pivot] != 0:
            factor = row[pivot]
            row = [a - factor * c for a, c in zip(row, b, strict=True)]
    return row


def _in_span(vector: list[Fraction], basis: list[tuple[int, list[Fraction]]]) -> bool:
    return not any(_reduce(vector, basis))


Line = tuple[Any, tuple[Any, ...]]


def suppress(cells: Mapping[Any, int], lines: Sequence[Line] = (), *, threshold: int = MIN_CELL) -> set[Any]:
    """The cells to hide: primary (0 < n < threshold) and secondary.

    An empty cell (n = 0) is not hidden: it is about nobody, and a page shows it as "no answers".

    Secondary (docs/feedback.md, "Suppression"): while a hidden cell could be worked out by addition or
    subtraction, hide the smallest visible part of a line that gives it away (ties: the line's order).
    First the plain rule (no line, counting its total, has exactly one hidden member), then exact
    elimination for the chains across lines the plain rule misses. If a line has no visible part left
    to hide, its total goes."""
    order = {key: i for i, key in enumerate(cells)}
    hidden = {key for key, n in cells.items() if 0 < n < threshold}

    def members(line: Line) -> tuple[Any, ...]:
        return (line[0], *line[1])

    def hide_in(total: Any, parts: tuple[Any, ...]) -> None:
        visible = [p for p in parts if p not in hidden]
        if visible:
            # An empty sibling hides little (a reader would guess it), so it is taken last.
            hidden.add(min(visible, key=lambda p: (cells[p] == 0, cells[p], order[p])))
        else:
            hidden.add(total)

    while True:
        lone = next((line for line in lines if sum(1 for m in members(line) if m in hidden) == 1), None)
        if lone is not None:
            hide_in(*lone)
            continue
        ordered = sorted(hidden, key=lambda k: order[k])
        leaked = _determined(ordered, cells, lines)
        if not leaked:
            return hidden
        key = min(leaked, key=lambda k: order[k])
        # Hide in a line of the cell that still shows a member; failing that (the cell is known through
        # a chain of lines hidden throughout), in any line that mixes shown and hidden members.
        mixed = [
            line
            for line in lines
            if any(m in hidden for m in members(line)) and any(m not in hidden for m in members(line))
        ]
        if not mixed:
            return hidden  # every equation is over hidden cells alone: nothing more to learn
        giving = next((line for line in mixed if key in members(line)), mixed[0])
        hide_in(*giving)
