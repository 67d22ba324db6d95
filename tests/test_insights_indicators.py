"""Every indicator and the health index on hand-built rollup rows, with the values worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from rabta.insights.health import COMPONENTS, MIN_N, Component, health
from rabta.insights.indicators import Figure, Indicator, figures, representation
from rabta.insights.metrics import Metric, population_groups

# A beat of 1,000 people: 500 women, 500 men; 300 aged 15-29 (150 women, 150 men).
POPULATION = population_groups(
    {
        ("women", "15_29"): 150,
        ("women", "30_44"): 200,
        ("women", "45_59"): 100,
        ("women", "60"): 50,
        ("men", "15_29"): 150,
        ("men", "30_44"): 200,
        ("men", "45_59"): 100,
        ("men", "60"): 50,
    }
)


def cells(**rows: tuple[int, float]) -> dict[tuple[str, str], tuple[int, float]]:
    """metric or metric__group -> (n, value)."""
    out = {}
    for key, value in rows.items():
        metric, _, group = key.partition("__")
        out[(Metric(metric).value, group)] = value
    return out


def test_presence():
    found = figures(
        cells(proactive=(20, 20), proactive_night=(5, 5), proactive_target=(28, 20.0), contacts=(30, 30)),
        POPULATION,
        today=dt.date(2026, 3, 18),
        last_proactive=dt.date(2026, 3, 15),
    )
    assert found[Indicator.PROACTIVE_PER_1000].value == 20.0
    assert found[Indicator.PROACTIVE_VS_TARGET].value == 1.0
    night = found[Indicator.NIGHT_SHARE]
    assert (night.value, night.n) == (0.25, 20)
    low, high = night.interval
    assert round(low, 4) == 0.1119 and round(high, 4) == 0.4687  # Wilson, 5 of 20
    assert found[Indicator.DAYS_SINCE_PROACTIVE].value == 3
    assert found[Indicator.CONTACTS].value == 30


def test_no_proactive_visit_against_a_target_scores_zero_not_missing():
    found = figures(cells(proactive_target=(7, 5.0)), POPULATION)
    assert found[Indicator.PROACTIVE_VS_TARGET].value == 0.0
    assert found[Indicator.PROACTIVE_VS_TARGET].n == 7
    assert Indicator.NIGHT_SHARE not in found  # no proactive contacts: no share at all


def test_responsiveness_and_the_interval_only_below_100():
    found = figures(cells(ack_hours=(9, 16.5), on_time=(40, 30)), POPULATION)
    assert found[Indicator.MEDIAN_ACK_HOURS].value == 16.5
    assert found[Indicator.ON_TIME].value == 0.75
    assert found[Indicator.ON_TIME].interval is not None
    many = figures(cells(on_time=(200, 150)), POPULATION)
    assert many[Indicator.ON_TIME].interval is None


def test_representation_of_women_and_youth_among_attendees():
    # 10 attendees: 2 women (20% of the room, 50% of the beat) -> 0.4; 6 aged 15-29 (60% vs 30%) -> 2.0.
    rows = cells(
        attendees=(10, 10),
        attendees__women=(2, 2),
        attendees__men=(8, 8),
        attendees__15_29=(6, 6),
        attendees__30_44=(4, 4),
    )
    found = figures(rows, POPULATION)
    assert found[Indicator.WOMEN_ATTENDEES].value == pytest.approx(0.4)
    assert found[Indicator.YOUTH_ATTENDEES].value == pytest.approx(2.0)
    assert found[Indicator.WOMEN_ATTENDEES].n == 10


def test_representation_among_reporters_counts_only_those_who_said():
    # 6 reporters said they were women, 9 men; others said nothing and are outside the comparison.
    rows = cells(reporters=(20, 20), reporters__women=(6, 6), reporters__men=(9, 9))
    fig = figures(rows, POPULATION)[Indicator.WOMEN_REPORTERS]
    assert fig.value == pytest.approx(0.8) and fig.n == 15
    assert Indicator.YOUTH_REPORTERS not in figures(rows, POPULATION)  # nobody gave an age


@pytest.mark.parametrize("women, men", [(3, 20), (20, 3)])
def test_a_small_group_of_reporters_is_not_given_away(women, men):
    rows = cells(
        reporters=(women + men, women + men), reporters__women=(women, women), reporters__men=(men, men)
    )
    assert Indicator.WOMEN_REPORTERS not in figures(rows, POPULATION)
    fig = representation(Indicator.WOMEN_REPORTERS, rows, Metric.REPORTERS, POPULATION, ("women", "men"))
    assert fig is not None  # the rule is for private groups; attendance is counted in the open
    none = cells(reporters=(20, 20), reporters__women=(0, 0), reporters__men=(20, 20))
    # No woman at all is about nobody, and the figure that matters most: shown.
    assert figures(none, POPULATION)[Indicator.WOMEN_REPORTERS].value == 0.0


def test_desk_staffed_share_of_scheduled_minutes():
    found = figures(cells(desk_scheduled=(1, 600.0), desk_staffed=(1, 450.0)), POPULATION)
    assert found[Indicator.DESK_STAFFED].value == 0.75
    assert found[Indicator.DESK_STAFFED].n == 10  # scheduled hours


def test_fairness_index_gaps_and_breakdown():
    rows = cells(
        pj=(10, 35.0),
        pj__women=(4, 12.0),  # mean 3.0
        pj__men=(6, 23.0),
        pj__15_29=(5, 15.0),  # mean 3.0
        pj__30_44=(3, 12.0),
        pj__60=(2, 8.0),  # older: 20 / 5 = 4.0
        pj_all_agree=(10, 4),
    )
    found = figures(rows, POPULATION)
    assert found[Indicator.PJ].value == 3.5
    assert found[Indicator.PJ].breakdown["women"].value == 3.0
    assert found[Indicator.PJ_GAP_GENDER].value == pytest.approx(3.0 - 23 / 6)
    assert found[Indicator.PJ_GAP_AGE].value == pytest.approx(-1.0)
    assert found[Indicator.PJ_GAP_AGE].n == 5
    assert found[Indicator.PJ_ALL_AGREE].value == 0.4


def test_trust_weighted_by_population_cells():
    # Young women answered 80 on average (2 of them), older men 40 (8 of them). Unweighted: 48.
    # Weighted over the two answered cells by population (150 and 50): (150 x 80 + 50 x 40) / 200 = 70.
    rows = cells(trust=(10, 480.0), trust__women_15_29=(2, 160.0), trust__men_60=(8, 320.0))
    found = figures(rows, POPULATION)
    assert found[Indicator.TRUST].value == 48.0
    assert found[Indicator.TRUST_WEIGHTED].value == 70.0
    assert found[Indicator.TRUST_WEIGHTED].n == 10


def test_safety_and_follow_through():
    rows = cells(
        unsafe_dark=(8, 2),
        avoid_dark=(10, 2),
        safety=(10, 65.0),
        knows_officer=(10, 3),
        willingness=(5, 40.0),
        actions_on_time=(4, 3),
        committee_meetings=(3, 2),
        follow_ups=(2, 1),
    )
    found = figures(rows, POPULATION)
    assert found[Indicator.UNSAFE_DARK].value == 0.25
    assert found[Indicator.AVOID_DARK].value == 0.2
    assert found[Indicator.SAFETY].value == 6.5
    assert found[Indicator.KNOWS_OFFICER].value == 0.3
    assert found[Indicator.WILLINGNESS].value == 8.0
    assert found[Indicator.ACTIONS_ON_TIME].value == 0.75
    assert found[Indicator.COMMITTEE_MEETINGS].value == pytest.approx(2 / 3)
    assert found[Indicator.FOLLOW_UPS].value == 0.5


def test_nothing_is_made_up_from_no_data():
    assert figures({}, POPULATION) == {}
    assert figures(cells(proactive=(3, 3)), {}).get(Indicator.PROACTIVE_PER_1000) is None


def test_health_is_the_mean_of_the_components_with_data():
    found = {
        Indicator.ON_TIME: Figure(Indicator.ON_TIME, 0.45, 40),  # half the 90% target: 50
        Indicator.TRUST: Figure(Indicator.TRUST, 70.0, 30),  # at target: 100
        Indicator.UNSAFE_DARK: Figure(Indicator.UNSAFE_DARK, 0.60, 30),  # (1 - 0.6) / (1 - 0.2): 50
        Indicator.PJ: Figure(Indicator.PJ, 4.5, 3),  # too few answers: left out
    }
    result = health(found)
    assert result.index == pytest.approx((50 + 100 + 50) / 3)
    assert {s.component.indicator for s in result.scored} == {
        Indicator.ON_TIME,
        Indicator.TRUST,
        Indicator.UNSAFE_DARK,
    }
    assert Indicator.PJ in {c.indicator for c in result.missing}
    assert [s.component.indicator for s in result.weakest()] == [Indicator.ON_TIME, Indicator.UNSAFE_DARK]
    assert health({}).index is None


def test_component_scores_are_clamped_and_work_both_ways():
    faster = Component(Indicator.MEDIAN_ACK_HOURS, floor=72, target=24)
    assert faster.score(12) == 100 and faster.score(48) == 50 and faster.score(100) == 0
    assert all(c.score(c.target) == 100 and c.score(c.floor) == 0 for c in COMPONENTS)
    assert MIN_N == 5
