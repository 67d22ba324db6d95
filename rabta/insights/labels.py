"""What each indicator is called and how its value is written, in the reader's language."""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rabta.insights.indicators import Area, Figure, Indicator, Unit

AREAS = {
    Area.PRESENCE: _("Presence"),
    Area.RESPONSIVENESS: _("Responsiveness"),
    Area.INCLUSION: _("Inclusion"),
    Area.FAIRNESS: _("Fair treatment"),
    Area.TRUST: _("Trust"),
    Area.SAFETY: _("Feeling safe"),
    Area.FOLLOW_THROUGH: _("Follow-through"),
    Area.ACTIVITY: _("Activity"),
}

NAMES = {
    Indicator.PROACTIVE_PER_1000: _("Proactive contacts per 1,000 residents"),
    Indicator.PROACTIVE_VS_TARGET: _("Proactive contacts against target"),
    Indicator.NIGHT_SHARE: _("Proactive contacts after dark (19:00-06:00)"),
    Indicator.DAYS_SINCE_PROACTIVE: _("Days since the last proactive visit"),
    Indicator.MEDIAN_ACK_HOURS: _("Median hours to first contact"),
    Indicator.ON_TIME: _("Reports handled on time"),
    Indicator.WOMEN_ATTENDEES: _("Women at meetings (representation)"),
    Indicator.YOUTH_ATTENDEES: _("Young people (15-29) at meetings (representation)"),
    Indicator.WOMEN_REPORTERS: _("Women among reporters (representation)"),
    Indicator.YOUTH_REPORTERS: _("Young people among reporters (representation)"),
    Indicator.WOMEN_RESPONDENTS: _("Women among survey respondents (representation)"),
    Indicator.YOUTH_RESPONDENTS: _("Young people among survey respondents (representation)"),
    Indicator.DESK_STAFFED: _("Women's desk hours staffed"),
    Indicator.PJ: _("Fair treatment index (1-5)"),
    Indicator.PJ_GAP_GENDER: _("Fair treatment gap, women minus men"),
    Indicator.PJ_GAP_AGE: _("Fair treatment gap, young minus older"),
    Indicator.PJ_ALL_AGREE: _("Agreed they were treated fairly on all four"),
    Indicator.TRUST: _("Trust score (0-100)"),
    Indicator.TRUST_WEIGHTED: _("Trust score, weighted to the population"),
    Indicator.KNOWS_OFFICER: _("Know an officer by name or sight"),
    Indicator.WILLINGNESS: _("Would report a crime (0-10)"),
    Indicator.SAFETY: _("Feel safe from crime (0-10)"),
    Indicator.UNSAFE_DARK: _("Feel unsafe walking alone after dark"),
    Indicator.AVOID_DARK: _("Never walk alone after dark"),
    Indicator.UNSAFE_DAY: _("Feel unsafe walking alone by day"),
    Indicator.ACTIONS_ON_TIME: _("Promised actions done by their date"),
    Indicator.COMMITTEE_MEETINGS: _("Committee meetings held as due"),
    Indicator.FOLLOW_UPS: _("Sessions followed up as due"),
    Indicator.REPORTS: _("Reports received"),
    Indicator.PRIORITIES: _("Problems raised at meetings"),
    Indicator.ACTIONS_DONE: _("Actions done"),
    Indicator.MEETINGS_HELD: _("Meetings held"),
    Indicator.ATTENDEES: _("People at meetings"),
    Indicator.CONTACTS: _("Contacts logged"),
}

GROUPS = {
    "women": _("Women"),
    "men": _("Men"),
    "15_29": _("15-29"),
    "30_44": _("30-44"),
    "45_59": _("45-59"),
    "60": _("60+"),
}

FEWER_THAN_5 = _("fewer than 5")
NO_DATA = pgettext_lazy("indicator", "no data")


def value_text(unit: Unit, value: float) -> str:
    """An indicator's value as a reader sees it: percentages, hours, scores."""
    if unit == Unit.SHARE:
        return f"{number_format(round(value * 100))}%"
    if unit in (Unit.COUNT, Unit.DAYS):
        return number_format(round(value))
    if unit == Unit.RATIO:
        return number_format(round(value, 2), 2)
    if unit == Unit.SCORE_100:
        return number_format(round(value))
    if unit == Unit.POINTS_5:
        return ("+" if value > 0 else "") + number_format(round(value, 2), 2)
    return number_format(round(value, 1), 1)


def figure_text(figure: Figure) -> str:
    return value_text(figure.spec.unit, figure.value)


def interval_text(figure: Figure) -> str:
    if figure.interval is None:
        return ""
    low, high = figure.interval
    return f"{value_text(figure.spec.unit, low)}–{value_text(figure.spec.unit, high)}"
