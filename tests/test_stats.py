"""rabta.lib.stats on hand-built numbers: exact where the arithmetic is exact."""

from __future__ import annotations

import pytest

from rabta.lib.stats import representation_ratio, share, wilson_interval


def test_representation_ratio_exact_values() -> None:
    # 10 women of 40 attendees (25%) in a beat where women are 50%: they came at half their weight.
    assert representation_ratio(10, 40, 500, 1000) == 0.5
    # A room that looks like the neighbourhood.
    assert representation_ratio(20, 40, 500, 1000) == 1.0
    # 15 youth of 30 attendees (50%) where youth are 40% of adults: over-represented by a quarter.
    assert representation_ratio(15, 30, 400, 1000) == 1.25
    # Nobody of the group came.
    assert representation_ratio(0, 25, 4000, 8520) == 0.0
    # 3 of 24 women (12.5%) where women are 3000 of 6220 adults: 0.125 / (3000/6220) = 0.25916...
    assert representation_ratio(3, 24, 3000, 6220) == pytest.approx(6220 / 24000, rel=1e-15)
    assert representation_ratio(3, 24, 3000, 6220) == 18660 / 72000


def test_representation_ratio_is_one_division() -> None:
    # Two rounded shares would give 0.30000000000000004 / 0.6 -> 0.5000000000000001; one division gives 0.5.
    assert representation_ratio(3, 10, 6, 10) == 0.5


def test_representation_ratio_undefined() -> None:
    assert representation_ratio(0, 0, 500, 1000) is None  # nobody came
    assert representation_ratio(0, 10, 0, 1000) is None  # no population recorded for the group


@pytest.mark.parametrize("args", [(-1, 10, 5, 10), (11, 10, 5, 10), (1, 10, 11, 10)])
def test_representation_ratio_rejects_impossible_counts(args: tuple[int, int, int, int]) -> None:
    with pytest.raises(ValueError):
        representation_ratio(*args)


def test_share() -> None:
    assert share(1, 4) == 0.25
    assert share(1, 0) is None


def test_wilson_interval_known_values() -> None:
    low, high = wilson_interval(5, 10)  # type: ignore[misc]
    assert low == pytest.approx(0.236593, abs=1e-6)
    assert high == pytest.approx(0.763407, abs=1e-6)
    assert low + high == pytest.approx(1.0)  # symmetric around one half


def test_wilson_interval_edges() -> None:
    low, high = wilson_interval(0, 10)  # type: ignore[misc]
    assert low == 0.0
    z2 = 1.959963984540054**2
    assert high == pytest.approx(z2 / (10 + z2), rel=1e-12)  # the closed form at zero successes
    assert wilson_interval(10, 10)[1] == 1.0  # type: ignore[index]
    assert wilson_interval(0, 0) is None
    with pytest.raises(ValueError):
        wilson_interval(11, 10)


def test_wilson_interval_narrows_with_n() -> None:
    small = wilson_interval(20, 100)
    large = wilson_interval(200, 1000)
    assert small is not None and large is not None
    assert (large[1] - large[0]) < (small[1] - small[0])
    assert small[0] < 0.2 < small[1]
