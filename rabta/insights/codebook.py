"""The codebook of the exports: every column of the analysts' measures CSV and the researchers' report
file, every metric (its kind, what n and value hold, the derived indicator and the instruments' formula),
every group and the codes the research file uses.

One source for three readers: the columns the export views write (MEASURE_COLUMNS, RESEARCH_COLUMNS),
`codebook.csv` in the reader's language, and the Markdown section of docs/research-export.md (the same
text in English, kept equal by a test).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from rabta.insights.metrics import GROUPS, KINDS, Kind, Metric
from rabta.places.models import AGE_BAND_LABELS

Text = str | Promise


class StatusGroup(enum.StrEnum):
    """A report's status, coarsened for the research file."""

    OPEN = "open"
    RESOLVED = "resolved"
    REFERRED = "referred"
    CLOSED = "closed"


class OnTime(enum.StrEnum):
    """Whether a report met both deadlines, as the on-time rate counts it."""

    YES = "yes"
    NO = "no"
    UNDECIDED = "undecided"


class Derive(enum.Enum):
    """How the measures CSV's `indicator` column is worked out from a row's n and value."""

    VALUE = "value"  # the value itself (a count, minutes, a median)
    SHARE = "share"  # value / n, a proportion 0-1
    MEAN = "mean"  # value / n, the mean answer
    DAY = "day"  # the ISO date whose ordinal the value is


@dataclass(frozen=True)
class MetricEntry:
    metric: Metric
    description: Text
    n: Text
    value: Text
    derive: Derive
    formula: Text

    @property
    def kind(self) -> Kind:
        return KINDS[self.metric]


def number(value: float) -> str:
    """A value as the CSV writes it: whole numbers without a decimal point, others in full."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def indicator(derive: Derive, n: int, value: float) -> str:
    """The derived figure of one row, as the CSV writes it ('' when n is 0 for a share or mean)."""
    if derive is Derive.DAY:
        return dt.date.fromordinal(int(value)).isoformat() if value >= 1 else ""
    if derive in (Derive.SHARE, Derive.MEAN):
        return "" if n == 0 else f"{value / n:.4f}"
    return number(value)


DERIVE_TEXT: dict[Derive, Text] = {
    Derive.VALUE: _("value"),
    Derive.SHARE: _("value / n (a share, 0-1)"),
    Derive.MEAN: _("value / n (the mean answer)"),
    Derive.DAY: _("the date whose day number is value (ISO 8601)"),
}
KIND_TEXT: dict[Kind, Text] = {
    Kind.COUNT: _("count: n and value are both how many"),
    Kind.RATIO: _("ratio: value successes out of n"),
    Kind.SUM: _("sum: value is the sum of n answers or amounts"),
    Kind.MEDIAN: _("median: value is the median of n values; not additive"),
    Kind.LATEST: _("latest: value is the day number (proleptic ordinal) of the latest day; n how many"),
}

_REPORTS = _("reports received (duplicates left out)")
_ANSWERS = _("answers to the item")
_SUM_OF_ANSWERS = _("the sum of those answers")

METRICS: tuple[MetricEntry, ...] = (
    MetricEntry(
        Metric.REPORTS,
        _("Reports received, on their beat, in the period of the local day received"),
        _REPORTS,
        _REPORTS,
        Derive.VALUE,
        _("count"),
    ),
    MetricEntry(
        Metric.REPORTERS,
        _("Reports whose reporter said their gender or age band, by group"),
        _("such reports"),
        _("such reports"),
        Derive.VALUE,
        _("representation ratio of G = G's share of reporters / G's share of the population"),
    ),
    MetricEntry(
        Metric.ACK_HOURS,
        _("Hours from receipt to first contact, computed at every level from the reports"),
        _("reports contacted"),
        _("median hours to first contact"),
        Derive.VALUE,
        _("median(acknowledged_at - created_at)"),
    ),
    MetricEntry(
        Metric.ON_TIME,
        _("Reports handled within both deadlines of their category, once the outcome is known"),
        _("reports whose outcome is known (on time, or a deadline missed)"),
        _("reports first contacted and done by their deadlines"),
        Derive.SHARE,
        _("on-time rate = share of reports acknowledged and resolved within their category's deadlines"),
    ),
    MetricEntry(
        Metric.PRIORITIES,
        _("Problems residents raised at meetings"),
        _("problems raised"),
        _("problems raised"),
        Derive.VALUE,
        _("count"),
    ),
    MetricEntry(
        Metric.ACTIONS_DONE,
        _("Action items done, in the period they were done"),
        _("action items done"),
        _("action items done"),
        Derive.VALUE,
        _("count"),
    ),
    MetricEntry(
        Metric.ACTIONS_ON_TIME,
        _("Action items due in the period, once done or past due (dropped items left out)"),
        _("action items due"),
        _("done by their due date"),
        Derive.SHARE,
        _("action items done on time = done by due date / due in period"),
    ),
    MetricEntry(
        Metric.MEETINGS_HELD,
        _("Meetings held, on each of their beats"),
        _("meetings held"),
        _("meetings held"),
        Derive.VALUE,
        _("count"),
    ),
    MetricEntry(
        Metric.ATTENDEES,
        _("People at the meetings held, by group"),
        _("attendees"),
        _("attendees"),
        Derive.VALUE,
        _("representation ratio of G = G's share of attendees / G's share of the population"),
    ),
    MetricEntry(
        Metric.COMMITTEE_MEETINGS,
        _("Committee meetings due by the committee's cadence in periods that ended"),
        _("meetings due"),
        _("due meetings held"),
        Derive.SHARE,
        _("committee meetings held vs due = held / due by cadence"),
    ),
    MetricEntry(
        Metric.FOLLOW_UPS,
        _("Programme sessions that require a follow-up, in the period the follow-up was due"),
        _("sessions requiring a follow-up"),
        _("followed up by the due date"),
        Derive.SHARE,
        _("follow-ups done = sessions with follow-up held / sessions requiring one"),
    ),
    MetricEntry(
        Metric.CONTACTS,
        _("Contacts logged (patrols, visits, check-ins, call responses), on each of their beats"),
        _("contacts"),
        _("contacts"),
        Derive.VALUE,
        _("count"),
    ),
    MetricEntry(
        Metric.PROACTIVE,
        _("Proactive contacts (not answering a call or a report)"),
        _("proactive contacts"),
        _("proactive contacts"),
        Derive.VALUE,
        _("proactive contacts per 1,000 residents = proactive contacts / population x 1000"),
    ),
    MetricEntry(
        Metric.PROACTIVE_NIGHT,
        _("Proactive contacts between 19:00 and 06:00 local time"),
        _("proactive contacts at night"),
        _("proactive contacts at night"),
        Derive.VALUE,
        _("night share = proactive contacts 19:00-06:00 local / all proactive contacts"),
    ),
    MetricEntry(
        Metric.LAST_PROACTIVE,
        _("The latest day with a proactive contact"),
        _("proactive contacts"),
        _("day number of the latest proactive contact"),
        Derive.DAY,
        _("days since last proactive visit = today - last proactive contact date"),
    ),
    MetricEntry(
        Metric.PROACTIVE_TARGET,
        _("The station head's weekly proactive target, pro rata for the days of the period begun"),
        _("days of the period judged"),
        _("proactive contacts expected in those days"),
        Derive.VALUE,
        _("proactive contacts against target = proactive contacts / target"),
    ),
    MetricEntry(
        Metric.DESK_SCHEDULED,
        _("Minutes a women's desk should have been staffed (stations and above only)"),
        _("women's desks counted (1 per station and period)"),
        _("minutes scheduled"),
        Derive.VALUE,
        _("women's desk staffed hours = hours staffed / hours it should have been"),
    ),
    MetricEntry(
        Metric.DESK_STAFFED,
        _("Minutes a women's desk was staffed within its scheduled hours"),
        _("women's desks counted (1 per station and period)"),
        _("minutes staffed"),
        Derive.VALUE,
        _("women's desk staffed hours = hours staffed / hours it should have been"),
    ),
    MetricEntry(
        Metric.PJ,
        _("Post-contact survey: each respondent's procedural-justice index (1-5)"),
        _("respondents who answered at least one of the four pillar items"),
        _("the sum of their indexes"),
        Derive.MEAN,
        _("contact PJ index = mean of the four pillar items (1-5); gap = difference between groups"),
    ),
    MetricEntry(
        Metric.PJ_ALL_AGREE,
        _("Post-contact survey: respondents agreeing (4 or 5) with all four pillar items"),
        _("respondents who answered all four"),
        _("those who agreed with all four"),
        Derive.SHARE,
        _("share agreeing (4 or 5) with all four pillar items"),
    ),
    MetricEntry(
        Metric.PJ_RESPONDENTS,
        _("Post-contact survey answers"),
        _("respondents"),
        _("respondents"),
        Derive.VALUE,
        _("count"),
    ),
    MetricEntry(
        Metric.TRUST,
        _("Community survey: each respondent's trust score (0-100)"),
        _("respondents who answered a trust item"),
        _("the sum of their scores"),
        Derive.MEAN,
        _("trust score 0-100 = mean of the two trust items x 10"),
    ),
    MetricEntry(
        Metric.SAFETY,
        _("Community survey: how safe from crime the respondent feels (0-10)"),
        _ANSWERS,
        _SUM_OF_ANSWERS,
        Derive.MEAN,
        _("mean of the answers (0-10)"),
    ),
    MetricEntry(
        Metric.UNSAFE_DARK,
        _("Community survey: feels a bit or very unsafe walking alone after dark"),
        _("answers other than 'never walk alone' and 'don't know'"),
        _("a bit or very unsafe"),
        Derive.SHARE,
        _("% unsafe = (a bit + very unsafe) / answers excluding 'never' and 'don't know'"),
    ),
    MetricEntry(
        Metric.AVOID_DARK,
        _("Community survey: never walks alone after dark"),
        _("all answers to the item"),
        _("'I never walk alone'"),
        Derive.SHARE,
        _("avoidance rate = 'never' / all answers"),
    ),
    MetricEntry(
        Metric.UNSAFE_DAY,
        _("Community survey: feels a bit or very unsafe walking alone by day"),
        _("answers other than 'never walk alone' and 'don't know'"),
        _("a bit or very unsafe"),
        Derive.SHARE,
        _("% unsafe = (a bit + very unsafe) / answers excluding 'never' and 'don't know'"),
    ),
    MetricEntry(
        Metric.KNOWS_OFFICER,
        _("Community survey: knows a police officer here by name or by sight"),
        _("answers yes or no"),
        _("yes"),
        Derive.SHARE,
        _("share answering yes"),
    ),
    MetricEntry(
        Metric.WILLINGNESS,
        _("Community survey: how likely to report a crime seen here (0-10)"),
        _ANSWERS,
        _SUM_OF_ANSWERS,
        Derive.MEAN,
        _("mean of the answers (0-10)"),
    ),
    MetricEntry(
        Metric.RESPONDENTS,
        _("Community survey answers (answers through a campaign's open link left out)"),
        _("respondents"),
        _("respondents"),
        Derive.VALUE,
        _("count"),
    ),
)
BY_METRIC = {entry.metric: entry for entry in METRICS}

MEASURE_COLUMNS: tuple[tuple[str, Text], ...] = (
    ("scope", _("The level of the place: beat, station, district or province")),
    ("place_code", _("The place's code (blank for the province)")),
    ("place_name", _("The place's name in English (blank for the province)")),
    ("district", _("Code of the district the place is in (blank for the province)")),
    ("station", _("Code of the police station a beat or station is (blank above stations)")),
    ("period", _("week (ISO, from Monday) or month (calendar month), in local time")),
    ("start", _("The local date the period starts (ISO 8601)")),
    ("end", _("The local date the period ends (ISO 8601)")),
    ("metric", _("What the row counts: one of the metrics below")),
    ("kind", _("The metric's kind: count, ratio, sum, median or latest")),
    ("group", _("Who the row is about: blank for everyone, else one of the groups below")),
    ("n", _("How many records the row rests on; what they are depends on the metric")),
    ("value", _("The row's number; what it is depends on the metric's kind")),
    ("indicator", _("The figure derived from n and value, as each metric below says")),
    ("small_n", _("1 when n is 1 to 4: the row may point at a person and must not be published")),
)

_GENDER_NAMES: dict[str, Text] = {"women": _("women"), "men": _("men")}


def group_text(group: str) -> Text:
    if not group:
        return _("everyone (whoever said their group or not)")
    gender, _sep, band = group.partition("_") if group[0].isalpha() else ("", "", group)
    if not gender:
        return _("aged %(band)s") % {"band": AGE_BAND_LABELS[band]}
    if not band:
        return _GENDER_NAMES[gender]
    return _("%(gender)s aged %(band)s") % {"gender": _GENDER_NAMES[gender], "band": AGE_BAND_LABELS[band]}


RESEARCH_COLUMNS: tuple[tuple[str, Text], ...] = (
    ("district", _("Code of the district of the report's beat")),
    ("station", _("Code of the police station of the report's beat")),
    ("beat", _("Code of the beat the report was received for")),
    ("period", _("week, or month where a week would have held fewer than k reports of a category")),
    (
        "period_start",
        _("The Monday the period starts; a month is made of the whole ISO weeks whose Thursday is in it"),
    ),
    ("period_end", _("The Sunday the period ends")),
    ("period_label", _("The ISO week (2026-W11) or the month (2026-03)")),
    (
        "category",
        _(
            "The category's code, or other: the category Other and categories with fewer than k reports in "
            "that beat and month"
        ),
    ),
    (
        "status",
        _("open (new, acknowledged or in progress), resolved, referred, closed; or withheld"),
    ),
    (
        "first_contact",
        _("Hours from receipt to first contact: <24h, 24-72h, >72h, none (not yet contacted); or withheld"),
    ),
    (
        "on_time",
        _(
            "yes (both deadlines met), no (a deadline missed), undecided (no deadline missed, not yet "
            "done); or withheld"
        ),
    ),
)
OUTCOME_COLUMNS = ("status", "first_contact", "on_time")

CODEBOOK_HEADER = ("entry", "file", "name", "kind", "description", "n", "value", "indicator", "formula")


def rows() -> Iterator[list[str]]:
    """The codebook as CSV rows, in the active language."""
    yield list(CODEBOOK_HEADER)
    for name, text in MEASURE_COLUMNS:
        yield ["column", "measures", name, "", str(text), "", "", "", ""]
    for e in METRICS:
        yield [
            "metric",
            "measures",
            e.metric.value,
            e.kind.value,
            str(e.description),
            str(e.n),
            str(e.value),
            str(DERIVE_TEXT[e.derive]),
            str(e.formula),
        ]
    for group in GROUPS:
        yield ["group", "measures", group, "", str(group_text(group)), "", "", "", ""]
    for name, text in RESEARCH_COLUMNS:
        yield ["column", "research", name, "", str(text), "", "", "", ""]


def _cell(text: Text) -> str:
    return str(text).replace("|", "\\|")


def markdown() -> str:
    """The codebook as the Markdown of docs/research-export.md, in the active language."""
    out = ["### Measures CSV: columns", "", "| column | meaning |", "|---|---|"]
    out += [f"| `{name}` | {_cell(text)} |" for name, text in MEASURE_COLUMNS]
    out += ["", "### Measures CSV: kinds", "", "| kind | n and value |", "|---|---|"]
    out += [f"| `{kind.value}` | {_cell(text)} |" for kind, text in KIND_TEXT.items()]
    out += [
        "",
        "### Measures CSV: metrics",
        "",
        "| metric | kind | what | n | value | indicator | formula (instruments) |",
        "|---|---|---|---|---|---|---|",
    ]
    out += [
        f"| `{e.metric.value}` | {e.kind.value} | {_cell(e.description)} | {_cell(e.n)} | {_cell(e.value)} "
        f"| {_cell(DERIVE_TEXT[e.derive])} | {_cell(e.formula)} |"
        for e in METRICS
    ]
    out += ["", "### Measures CSV: groups", "", "| group | who |", "|---|---|"]
    out += [f"| {f'`{group}`' if group else '(blank)'} | {_cell(group_text(group))} |" for group in GROUPS]
    out += ["", "### Research CSV: columns", "", "| column | meaning |", "|---|---|"]
    out += [f"| `{name}` | {_cell(text)} |" for name, text in RESEARCH_COLUMNS]
    return "\n".join(out) + "\n"
