"""The numbers the rollups keep, and how each adds up from beats to stations, districts and the province.

A metric's kind says what a Measure's (n, value) hold:
* COUNT: n = value = how many (reports received, proactive contacts, attendees).
* RATIO: value successes out of n (on-time reports out of reports whose deadlines are decided).
* SUM: value = the sum of n answers or amounts (PJ indexes, trust scores; minutes of a desk's hours).
* MEDIAN: value = the median of n values. Not additive: every level is computed from the records.
* LATEST: value = the ordinal of the latest day something happened; n how many times.
COUNT, RATIO and SUM add up; LATEST takes the maximum.

Groups break a metric down where the data says who: '' is everyone, 'women' and 'men' the answers whose
gender is known, an age band ('15_29' ...) those whose age is known, and 'women_15_29' ... both, kept
only for the metrics weighted by post-stratification (WEIGHTED). A person of another gender is counted
in '' only. Survey answers are broken down in months only: a beat's week holds a handful of answers,
too few for any group, and the breakdown rows would outnumber the rest of the table many times over.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from rabta.places.models import AGE_BANDS, GENDERS


class Kind(enum.Enum):
    COUNT = "count"
    RATIO = "ratio"
    SUM = "sum"
    MEDIAN = "median"
    LATEST = "latest"


class Metric(enum.StrEnum):
    # reports (by the day received)
    REPORTS = "reports"
    REPORTERS = "reporters"  # reports whose reporter said who they are, by group
    ACK_HOURS = "ack_hours"
    ON_TIME = "on_time"
    # engagement
    PRIORITIES = "priorities"
    ACTIONS_DONE = "actions_done"
    ACTIONS_ON_TIME = "actions_on_time"
    MEETINGS_HELD = "meetings_held"
    ATTENDEES = "attendees"
    COMMITTEE_MEETINGS = "committee_meetings"
    FOLLOW_UPS = "follow_ups"
    # presence
    CONTACTS = "contacts"
    PROACTIVE = "proactive"
    PROACTIVE_NIGHT = "proactive_night"
    LAST_PROACTIVE = "last_proactive"
    PROACTIVE_TARGET = "proactive_target"  # the station head's weekly target, pro rata for the days passed
    DESK_SCHEDULED = "desk_scheduled"  # minutes, stations only
    DESK_STAFFED = "desk_staffed"
    # post-contact survey
    PJ = "pj"
    PJ_ALL_AGREE = "pj_all_agree"
    PJ_RESPONDENTS = "pj_respondents"
    # community survey
    TRUST = "trust"
    SAFETY = "safety"
    UNSAFE_DARK = "unsafe_dark"
    AVOID_DARK = "avoid_dark"
    UNSAFE_DAY = "unsafe_day"
    KNOWS_OFFICER = "knows_officer"
    WILLINGNESS = "willingness"
    RESPONDENTS = "respondents"


KINDS: dict[Metric, Kind] = {
    Metric.REPORTS: Kind.COUNT,
    Metric.REPORTERS: Kind.COUNT,
    Metric.ACK_HOURS: Kind.MEDIAN,
    Metric.ON_TIME: Kind.RATIO,
    Metric.PRIORITIES: Kind.COUNT,
    Metric.ACTIONS_DONE: Kind.COUNT,
    Metric.ACTIONS_ON_TIME: Kind.RATIO,
    Metric.MEETINGS_HELD: Kind.COUNT,
    Metric.ATTENDEES: Kind.COUNT,
    Metric.COMMITTEE_MEETINGS: Kind.RATIO,
    Metric.FOLLOW_UPS: Kind.RATIO,
    Metric.CONTACTS: Kind.COUNT,
    Metric.PROACTIVE: Kind.COUNT,
    Metric.PROACTIVE_NIGHT: Kind.COUNT,
    Metric.LAST_PROACTIVE: Kind.LATEST,
    Metric.PROACTIVE_TARGET: Kind.SUM,
    Metric.DESK_SCHEDULED: Kind.SUM,
    Metric.DESK_STAFFED: Kind.SUM,
    Metric.PJ: Kind.SUM,
    Metric.PJ_ALL_AGREE: Kind.RATIO,
    Metric.PJ_RESPONDENTS: Kind.COUNT,
    Metric.TRUST: Kind.SUM,
    Metric.SAFETY: Kind.SUM,
    Metric.UNSAFE_DARK: Kind.RATIO,
    Metric.AVOID_DARK: Kind.RATIO,
    Metric.UNSAFE_DAY: Kind.RATIO,
    Metric.KNOWS_OFFICER: Kind.RATIO,
    Metric.WILLINGNESS: Kind.SUM,
    Metric.RESPONDENTS: Kind.COUNT,
}

ALL = ""
YOUTH = "15_29"
OLDER_BANDS = tuple(b for b in AGE_BANDS if b != YOUTH)
WOMEN, MEN = GENDERS


def groups_of(gender: str, band: str, *, cells: bool = True) -> tuple[str, ...]:
    """The groups one person counts in, given their gender as the population counts it ('women', 'men'
    or '') and their age band (or ''); with `cells`, their gender x age-band cell too."""
    out = [ALL]
    if gender:
        out.append(gender)
    if band:
        out.append(band)
    if cells and gender and band:
        out.append(f"{gender}_{band}")
    return tuple(out)


# Metrics shown weighted to the population: the only ones that keep gender x age-band cells.
WEIGHTED = frozenset({Metric.TRUST})


CELL_GROUPS = tuple(f"{g}_{b}" for g in GENDERS for b in AGE_BANDS)
GROUPS = (ALL, *GENDERS, *AGE_BANDS, *CELL_GROUPS)


def population_groups(counts: dict[tuple[str, str], int]) -> dict[str, int]:
    """A place's population by every group, from its (gender, band) counts."""
    out = dict.fromkeys(GROUPS, 0)
    for (gender, band), n in counts.items():
        for group in groups_of(gender, band):
            out[group] += n
    return out


def additive(metric: Metric) -> bool:
    return KINDS[metric] is not Kind.MEDIAN


def all_metrics() -> Iterable[Metric]:
    return iter(Metric)
