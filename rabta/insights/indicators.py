"""The indicators, from one place's Measure rows for one period (docs/insights.md, "Indicators").

Django-free: `figures(cells, population, ...)` takes the rows as {(metric, group): (n, value)} and the
place's residents by group, and returns every indicator the rows support. An indicator without data is
absent, never zero. Each Figure carries its n; proportions with n < 100 carry a Wilson 95% interval;
indicators measured by group carry a breakdown by gender and by age band.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from rabta.insights.metrics import ALL, MEN, OLDER_BANDS, WOMEN, YOUTH, Metric
from rabta.lib import stats
from rabta.places.models import AGE_BANDS, GENDERS

Cells = Mapping[tuple[str, str], tuple[int, float]]


class Area(enum.StrEnum):
    PRESENCE = "presence"
    RESPONSIVENESS = "responsiveness"
    INCLUSION = "inclusion"
    FAIRNESS = "fairness"
    TRUST = "trust"
    SAFETY = "safety"
    FOLLOW_THROUGH = "follow_through"
    ACTIVITY = "activity"


class Unit(enum.StrEnum):
    COUNT = "count"
    SHARE = "share"  # 0-1, shown as a percentage
    PER_1000 = "per_1000"
    HOURS = "hours"
    DAYS = "days"
    RATIO = "ratio"  # representation: 1.0 is parity
    SCORE_5 = "score_5"  # 1-5
    SCORE_10 = "score_10"  # 0-10
    SCORE_100 = "score_100"  # 0-100
    POINTS_5 = "points_5"  # a gap between two 1-5 means


class Indicator(enum.StrEnum):
    PROACTIVE_PER_1000 = "proactive_per_1000"
    PROACTIVE_VS_TARGET = "proactive_vs_target"
    NIGHT_SHARE = "night_share"
    DAYS_SINCE_PROACTIVE = "days_since_proactive"
    MEDIAN_ACK_HOURS = "median_ack_hours"
    ON_TIME = "on_time"
    WOMEN_ATTENDEES = "women_attendees"
    YOUTH_ATTENDEES = "youth_attendees"
    WOMEN_REPORTERS = "women_reporters"
    YOUTH_REPORTERS = "youth_reporters"
    WOMEN_RESPONDENTS = "women_respondents"
    YOUTH_RESPONDENTS = "youth_respondents"
    DESK_STAFFED = "desk_staffed"
    PJ = "pj"
    PJ_GAP_GENDER = "pj_gap_gender"
    PJ_GAP_AGE = "pj_gap_age"
    PJ_ALL_AGREE = "pj_all_agree"
    TRUST = "trust"
    TRUST_WEIGHTED = "trust_weighted"
    SAFETY = "safety"
    UNSAFE_DARK = "unsafe_dark"
    AVOID_DARK = "avoid_dark"
    UNSAFE_DAY = "unsafe_day"
    KNOWS_OFFICER = "knows_officer"
    WILLINGNESS = "willingness"
    ACTIONS_ON_TIME = "actions_on_time"
    COMMITTEE_MEETINGS = "committee_meetings"
    FOLLOW_UPS = "follow_ups"
    REPORTS = "reports"
    PRIORITIES = "priorities"
    ACTIONS_DONE = "actions_done"
    MEETINGS_HELD = "meetings_held"
    ATTENDEES = "attendees"
    CONTACTS = "contacts"


@dataclass(frozen=True)
class Spec:
    area: Area
    unit: Unit
    higher_is_better: bool | None = True  # None: neither (a count of activity)


SPECS: dict[Indicator, Spec] = {
    Indicator.PROACTIVE_PER_1000: Spec(Area.PRESENCE, Unit.PER_1000),
    Indicator.PROACTIVE_VS_TARGET: Spec(Area.PRESENCE, Unit.SHARE),
    Indicator.NIGHT_SHARE: Spec(Area.PRESENCE, Unit.SHARE),
    Indicator.DAYS_SINCE_PROACTIVE: Spec(Area.PRESENCE, Unit.DAYS, False),
    Indicator.MEDIAN_ACK_HOURS: Spec(Area.RESPONSIVENESS, Unit.HOURS, False),
    Indicator.ON_TIME: Spec(Area.RESPONSIVENESS, Unit.SHARE),
    Indicator.WOMEN_ATTENDEES: Spec(Area.INCLUSION, Unit.RATIO),
    Indicator.YOUTH_ATTENDEES: Spec(Area.INCLUSION, Unit.RATIO),
    Indicator.WOMEN_REPORTERS: Spec(Area.INCLUSION, Unit.RATIO),
    Indicator.YOUTH_REPORTERS: Spec(Area.INCLUSION, Unit.RATIO),
    Indicator.WOMEN_RESPONDENTS: Spec(Area.INCLUSION, Unit.RATIO),
    Indicator.YOUTH_RESPONDENTS: Spec(Area.INCLUSION, Unit.RATIO),
    Indicator.DESK_STAFFED: Spec(Area.INCLUSION, Unit.SHARE),
    Indicator.PJ: Spec(Area.FAIRNESS, Unit.SCORE_5),
    Indicator.PJ_GAP_GENDER: Spec(Area.FAIRNESS, Unit.POINTS_5, None),
    Indicator.PJ_GAP_AGE: Spec(Area.FAIRNESS, Unit.POINTS_5, None),
    Indicator.PJ_ALL_AGREE: Spec(Area.FAIRNESS, Unit.SHARE),
    Indicator.TRUST: Spec(Area.TRUST, Unit.SCORE_100),
    Indicator.TRUST_WEIGHTED: Spec(Area.TRUST, Unit.SCORE_100),
    Indicator.KNOWS_OFFICER: Spec(Area.TRUST, Unit.SHARE),
    Indicator.WILLINGNESS: Spec(Area.TRUST, Unit.SCORE_10),
    Indicator.SAFETY: Spec(Area.SAFETY, Unit.SCORE_10),
    Indicator.UNSAFE_DARK: Spec(Area.SAFETY, Unit.SHARE, False),
    Indicator.AVOID_DARK: Spec(Area.SAFETY, Unit.SHARE, False),
    Indicator.UNSAFE_DAY: Spec(Area.SAFETY, Unit.SHARE, False),
    Indicator.ACTIONS_ON_TIME: Spec(Area.FOLLOW_THROUGH, Unit.SHARE),
    Indicator.COMMITTEE_MEETINGS: Spec(Area.FOLLOW_THROUGH, Unit.SHARE),
    Indicator.FOLLOW_UPS: Spec(Area.FOLLOW_THROUGH, Unit.SHARE),
    Indicator.REPORTS: Spec(Area.ACTIVITY, Unit.COUNT, None),
    Indicator.PRIORITIES: Spec(Area.ACTIVITY, Unit.COUNT, None),
    Indicator.ACTIONS_DONE: Spec(Area.ACTIVITY, Unit.COUNT, None),
    Indicator.MEETINGS_HELD: Spec(Area.ACTIVITY, Unit.COUNT, None),
    Indicator.ATTENDEES: Spec(Area.ACTIVITY, Unit.COUNT, None),
    Indicator.CONTACTS: Spec(Area.ACTIVITY, Unit.COUNT, None),
}

BREAKDOWN_GROUPS = (*GENDERS, *AGE_BANDS)


@dataclass(frozen=True)
class Figure:
    indicator: Indicator
    value: float
    n: int
    interval: tuple[float, float] | None = None  # Wilson 95%, proportions with n < 100
    breakdown: dict[str, Figure] = field(default_factory=dict)  # by gender and by age band

    @property
    def spec(self) -> Spec:
        return SPECS[self.indicator]


def _cell(cells: Cells, metric: Metric, group: str = ALL) -> tuple[int, float] | None:
    return cells.get((metric.value, group))


def _proportion(
    indicator: Indicator, successes: float, n: int, breakdown: dict[str, Figure] | None = None
) -> Figure:
    ok = round(successes)
    interval = stats.wilson_interval(ok, n) if n < stats.INTERVAL_BELOW and 0 <= ok <= n else None
    return Figure(indicator, successes / n, n, interval, breakdown or {})


def _ratio_figure(indicator: Indicator, cells: Cells, metric: Metric) -> Figure | None:
    """successes / n of a RATIO metric, with its breakdown by group."""
    whole = _cell(cells, metric)
    if whole is None or whole[0] == 0:
        return None
    breakdown = {}
    for group in BREAKDOWN_GROUPS:
        part = _cell(cells, metric, group)
        if part is not None and part[0] > 0:
            breakdown[group] = _proportion(indicator, part[1], part[0])
    return _proportion(indicator, whole[1], whole[0], breakdown)


def _mean_figure(indicator: Indicator, cells: Cells, metric: Metric) -> Figure | None:
    """The mean of a SUM metric's answers, with its breakdown by group."""
    whole = _cell(cells, metric)
    if whole is None or whole[0] == 0:
        return None
    breakdown = {}
    for group in BREAKDOWN_GROUPS:
        part = _cell(cells, metric, group)
        if part is not None and part[0] > 0:
            breakdown[group] = Figure(indicator, part[1] / part[0], part[0])
    return Figure(indicator, whole[1] / whole[0], whole[0], None, breakdown)


def _count_figure(indicator: Indicator, cells: Cells, metric: Metric) -> Figure | None:
    whole = _cell(cells, metric)
    if whole is None:
        return None
    breakdown = {}
    for group in BREAKDOWN_GROUPS:
        part = _cell(cells, metric, group)
        if part is not None:
            breakdown[group] = Figure(indicator, part[1], part[0])
    return Figure(indicator, whole[1], whole[0], None, breakdown)


def representation(
    indicator: Indicator,
    cells: Cells,
    metric: Metric,
    population: Mapping[str, int],
    groups: tuple[str, ...],
    *,
    min_cell: int = 0,
) -> Figure | None:
    """The first of `groups`' share among those of `metric` whose group is known, over its share of the
    population: 1.0 means they came (reported, answered) at their weight in the beat.

    `groups` is the dimension the group is part of (women and men; the age bands): a person who said
    neither, or another gender, is outside the comparison, as the population counts only these.

    With `min_cell`, no figure when the group or the rest of the dimension numbers 1 to min_cell - 1:
    with n shown beside it, the ratio would give that small count away."""
    counts = [(_cell(cells, metric, g) or (0, 0.0))[0] for g in groups]
    known = sum(counts)
    if any(0 < c < min_cell for c in (counts[0], known - counts[0])):
        return None
    people = [population.get(g, 0) for g in groups]
    if known == 0 or people[0] == 0:
        return None
    ratio = stats.representation_ratio(counts[0], known, people[0], sum(people))
    return None if ratio is None else Figure(indicator, ratio, known)


def _gap(
    indicator: Indicator, cells: Cells, metric: Metric, first: tuple[str, ...], second: tuple[str, ...]
) -> Figure | None:
    """Mean of `first`'s answers minus mean of `second`'s; n is the smaller side's answers."""
    sides = []
    for groups in (first, second):
        n = sum((_cell(cells, metric, g) or (0, 0.0))[0] for g in groups)
        total = sum((_cell(cells, metric, g) or (0, 0.0))[1] for g in groups)
        if n == 0:
            return None
        sides.append((n, total / n))
    return Figure(indicator, sides[0][1] - sides[1][1], min(sides[0][0], sides[1][0]))


def weighted_mean(cells: Cells, metric: Metric, population: Mapping[str, int]) -> Figure | None:
    """Post-stratified mean over gender x age-band cells: sum_g pop_g x mean_g / sum_g pop_g over the
    cells that have answers (the respondent weights w_g = population share / respondent share give
    exactly this). Cells without answers are missing, not imputed; n is the answers in weighted cells."""
    total = weight = 0.0
    n = 0
    for gender in GENDERS:
        for band in AGE_BANDS:
            group = f"{gender}_{band}"
            found = _cell(cells, metric, group)
            people = population.get(group, 0)
            if found is None or found[0] == 0 or people == 0:
                continue
            total += people * found[1] / found[0]
            weight += people
            n += found[0]
    if weight == 0:
        return None
    return Figure(Indicator.TRUST_WEIGHTED, total / weight, n)


def figures(
    cells: Cells,
    population: Mapping[str, int],
    *,
    today: dt.date | None = None,
    last_proactive: dt.date | None = None,
) -> dict[Indicator, Figure]:
    """Every indicator these rows support. `last_proactive` is the latest proactive visit known (it may
    lie in an earlier period than the rows); `today` dates "days since"."""
    out: dict[Indicator, Figure | None] = {}
    residents = population.get(ALL, 0)
    proactive = _cell(cells, Metric.PROACTIVE)
    if proactive is not None and residents > 0:
        out[Indicator.PROACTIVE_PER_1000] = Figure(
            Indicator.PROACTIVE_PER_1000, proactive[1] / residents * 1000, int(proactive[1])
        )
    target = _cell(cells, Metric.PROACTIVE_TARGET)
    if target is not None and target[1] > 0:
        done = proactive[1] if proactive else 0
        # n is the days judged: no visit at all is a figure, not a gap.
        out[Indicator.PROACTIVE_VS_TARGET] = Figure(
            Indicator.PROACTIVE_VS_TARGET, done / target[1], target[0]
        )
    night = _cell(cells, Metric.PROACTIVE_NIGHT) or (0, 0.0)
    if proactive is not None and proactive[1] > 0:
        out[Indicator.NIGHT_SHARE] = _proportion(Indicator.NIGHT_SHARE, night[1], int(proactive[1]))
    if today is not None and last_proactive is not None:
        out[Indicator.DAYS_SINCE_PROACTIVE] = Figure(
            Indicator.DAYS_SINCE_PROACTIVE, float((today - last_proactive).days), 1
        )
    ack = _cell(cells, Metric.ACK_HOURS)
    if ack is not None and ack[0] > 0:
        out[Indicator.MEDIAN_ACK_HOURS] = Figure(Indicator.MEDIAN_ACK_HOURS, ack[1], ack[0])
    out[Indicator.ON_TIME] = _ratio_figure(Indicator.ON_TIME, cells, Metric.ON_TIME)

    genders, bands = (WOMEN, MEN), (YOUTH, *OLDER_BANDS)
    # Attendance is counted in the open, at the meeting; who reported and who answered a survey is
    # private, so their small groups are not given away (docs/privacy.md, "Reporter groups").
    for metric, women, youth, min_cell in (
        (Metric.ATTENDEES, Indicator.WOMEN_ATTENDEES, Indicator.YOUTH_ATTENDEES, 0),
        (Metric.REPORTERS, Indicator.WOMEN_REPORTERS, Indicator.YOUTH_REPORTERS, stats.MIN_CELL),
        (Metric.RESPONDENTS, Indicator.WOMEN_RESPONDENTS, Indicator.YOUTH_RESPONDENTS, stats.MIN_CELL),
    ):
        out[women] = representation(women, cells, metric, population, genders, min_cell=min_cell)
        out[youth] = representation(youth, cells, metric, population, bands, min_cell=min_cell)
    scheduled = _cell(cells, Metric.DESK_SCHEDULED)
    staffed = _cell(cells, Metric.DESK_STAFFED) or (0, 0.0)
    if scheduled is not None and scheduled[1] > 0:
        # Minutes, not people: a share of time, so no interval; n is the scheduled hours.
        share = min(staffed[1], scheduled[1]) / scheduled[1]
        out[Indicator.DESK_STAFFED] = Figure(Indicator.DESK_STAFFED, share, round(scheduled[1] / 60))

    out[Indicator.PJ] = _mean_figure(Indicator.PJ, cells, Metric.PJ)
    out[Indicator.PJ_GAP_GENDER] = _gap(Indicator.PJ_GAP_GENDER, cells, Metric.PJ, (WOMEN,), (MEN,))
    out[Indicator.PJ_GAP_AGE] = _gap(Indicator.PJ_GAP_AGE, cells, Metric.PJ, (YOUTH,), OLDER_BANDS)
    out[Indicator.PJ_ALL_AGREE] = _ratio_figure(Indicator.PJ_ALL_AGREE, cells, Metric.PJ_ALL_AGREE)
    out[Indicator.TRUST] = _mean_figure(Indicator.TRUST, cells, Metric.TRUST)
    out[Indicator.TRUST_WEIGHTED] = weighted_mean(cells, Metric.TRUST, population)
    out[Indicator.KNOWS_OFFICER] = _ratio_figure(Indicator.KNOWS_OFFICER, cells, Metric.KNOWS_OFFICER)
    out[Indicator.WILLINGNESS] = _mean_figure(Indicator.WILLINGNESS, cells, Metric.WILLINGNESS)
    out[Indicator.SAFETY] = _mean_figure(Indicator.SAFETY, cells, Metric.SAFETY)
    out[Indicator.UNSAFE_DARK] = _ratio_figure(Indicator.UNSAFE_DARK, cells, Metric.UNSAFE_DARK)
    out[Indicator.AVOID_DARK] = _ratio_figure(Indicator.AVOID_DARK, cells, Metric.AVOID_DARK)
    out[Indicator.UNSAFE_DAY] = _ratio_figure(Indicator.UNSAFE_DAY, cells, Metric.UNSAFE_DAY)
    out[Indicator.ACTIONS_ON_TIME] = _ratio_figure(Indicator.ACTIONS_ON_TIME, cells, Metric.ACTIONS_ON_TIME)
    out[Indicator.COMMITTEE_MEETINGS] = _ratio_figure(
        Indicator.COMMITTEE_MEETINGS, cells, Metric.COMMITTEE_MEETINGS
    )
    out[Indicator.FOLLOW_UPS] = _ratio_figure(Indicator.FOLLOW_UPS, cells, Metric.FOLLOW_UPS)
    for indicator, metric in (
        (Indicator.REPORTS, Metric.REPORTS),
        (Indicator.PRIORITIES, Metric.PRIORITIES),
        (Indicator.ACTIONS_DONE, Metric.ACTIONS_DONE),
        (Indicator.MEETINGS_HELD, Metric.MEETINGS_HELD),
        (Indicator.ATTENDEES, Metric.ATTENDEES),
        (Indicator.CONTACTS, Metric.CONTACTS),
    ):
        out[indicator] = _count_figure(indicator, cells, metric)
    return {k: v for k, v in out.items() if v is not None}
