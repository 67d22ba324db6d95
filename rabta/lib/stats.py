"""Statistics for indicators. Django-free, so it can be tested and benchmarked alone."""

from __future__ import annotations

import math

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
