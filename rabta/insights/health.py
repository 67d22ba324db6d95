"""The health index, 0-100: the mean of the components that have data, each scaled against a target.

A component's score is where its value lies between a floor (scores 0) and its target (scores 100),
clamped to 0-100: score = 100 x (value - floor) / (target - floor). For an indicator where lower is
better the floor is above the target and the same formula holds. A component without data is left
out of the mean, never counted as zero; the page shows which were used.

The targets are stated here, once, and shown on every dashboard with the formula (docs/insights.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rabta.insights.indicators import Figure, Indicator


@dataclass(frozen=True)
class Component:
    indicator: Indicator
    floor: float
    target: float

    def score(self, value: float) -> float:
        raw = 100 * (value - self.floor) / (self.target - self.floor)
        return max(0.0, min(100.0, raw))


# Each area of the instruments' table has at most two components, so no area outweighs the others
# by having more indicators.
COMPONENTS: tuple[Component, ...] = (
    Component(Indicator.PROACTIVE_VS_TARGET, floor=0.0, target=1.0),  # the station head's own target
    Component(Indicator.NIGHT_SHARE, floor=0.0, target=0.20),  # the default share after dark
    Component(Indicator.ON_TIME, floor=0.0, target=0.90),
    Component(Indicator.MEDIAN_ACK_HOURS, floor=72.0, target=24.0),  # first contact within a day
    Component(Indicator.WOMEN_ATTENDEES, floor=0.0, target=1.0),
    Component(Indicator.YOUTH_ATTENDEES, floor=0.0, target=1.0),
    Component(Indicator.PJ, floor=1.0, target=4.0),  # "agree" on the 1-5 scale
    Component(Indicator.TRUST, floor=0.0, target=70.0),
    Component(Indicator.UNSAFE_DARK, floor=1.0, target=0.20),
    Component(Indicator.ACTIONS_ON_TIME, floor=0.0, target=0.90),
    Component(Indicator.DESK_STAFFED, floor=0.0, target=0.90),
)
BY_INDICATOR = {c.indicator: c for c in COMPONENTS}
# A component resting on fewer records than this is left out: one answer is not a neighbourhood.
MIN_N = 5


@dataclass(frozen=True)
class Scored:
    component: Component
    figure: Figure
    score: float


@dataclass(frozen=True)
class Health:
    index: float | None  # None when no component has data
    scored: tuple[Scored, ...]
    missing: tuple[Component, ...]  # no data, or fewer than MIN_N records

    def weakest(self, count: int = 3, below: float = 60.0) -> tuple[Scored, ...]:
        """The components pulling the index down most: the reasons a place needs attention."""
        low = sorted((s for s in self.scored if s.score < below), key=lambda s: s.score)
        return tuple(low[:count])


def health(figures: Mapping[Indicator, Figure]) -> Health:
    usable = {i: f for i, f in figures.items() if i in BY_INDICATOR and f.n >= MIN_N}
    scored = tuple(
        Scored(c, usable[c.indicator], c.score(usable[c.indicator].value))
        for c in COMPONENTS
        if c.indicator in usable
    )
    missing = tuple(c for c in COMPONENTS if c.indicator not in usable)
    index = sum(s.score for s in scored) / len(scored) if scored else None
    return Health(index=index, scored=scored, missing=missing)
