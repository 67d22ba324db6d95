"""Survey results by group, honest about uncertainty (issue 14, point 4; formulas in rabta.lib.stats,
how they are computed in docs/feedback.md, "Results").

Every figure is a cell: n beside it, a Wilson 95% interval for a proportion when n < 100, a weighted
value (post-stratified to the beat's population by gender x age band) beside the unweighted one, and a
`hidden` flag set by primary and secondary suppression. The columns are groups (everyone, by gender, by
age band, youth against older) joined by lines that add up, so that a hidden cell cannot be worked out
from a total and its siblings.

Reads fetch the few columns needed in one query for all the beats of an area, whatever their number,
and compute in Python: a district has many beats but a survey round only some thousands of answers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rabta.feedback.models import (
    NOT_RATED,
    PJ_PILLARS,
    POPULATION_GENDER,
    UNSAFE,
    AgeBand,
    Campaign,
    CommunityResponse,
    ContactResponse,
    Gender,
    Mode,
    WalkSafety,
    first_of_month,
)
from rabta.lib import stats
from rabta.places.models import Beat

Value = float | bool | None

# Column keys. "older" is 30+; "gender_other" gathers "other" and not stated (too few to show apart);
# "age_unknown" is age not stated.
ALL = "all"
WOMEN = Gender.WOMAN.value
MEN = Gender.MAN.value
GENDER_OTHER = "gender_other"
YOUTH = AgeBand.Y15_29.value
OLDER = "older"
AGE_UNKNOWN = "age_unknown"
OLDER_BANDS = (AgeBand.Y30_44.value, AgeBand.Y45_59.value, AgeBand.Y60.value)

GENDER_COLUMNS = (ALL, WOMEN, MEN, GENDER_OTHER)
STAFF_COLUMNS = (*GENDER_COLUMNS, YOUTH, OLDER, *OLDER_BANDS, AGE_UNKNOWN)
COLUMN_LABELS: dict[str, Promise | str] = {
    ALL: _("Everyone"),
    WOMEN: _("Women"),
    MEN: _("Men"),
    GENDER_OTHER: _("Other or not stated"),
    YOUTH: _("15-29"),
    OLDER: _("30 and over"),
    AgeBand.Y30_44.value: "30-44",
    AgeBand.Y45_59.value: "45-59",
    AgeBand.Y60.value: "60+",
    AGE_UNKNOWN: _("Age not stated"),
}
# A number with a sign, a range or a plus ("60+", "15-29", "(0-100)", "-6.0"). After an Urdu or Pashto
# letter the bidi algorithm turns its digits into Arabic numbers and shows "+60" or "100-0", so such
# numbers are isolated left to right wherever a label is shown.
SIGNED_NUMBER = re.compile(r"[+\-]?\d+(?:[.,]\d+)?(?:[-–]\d+(?:[.,]\d+)?)*\+?%?")


def isolate_numbers(text: str) -> SafeString:
    """`text`, escaped, with every number that carries a sign or a dash isolated left to right."""

    def wrap(match: re.Match[str]) -> str:
        number = match.group(0)
        return str(signed(number)) if not number.isdigit() else number

    return mark_safe(SIGNED_NUMBER.sub(wrap, str(conditional_escape(text))))  # noqa: S308


# The totals a reader sees and the cells that add up to each (stats.suppress).
GENDER_LINES: tuple[stats.Line, ...] = ((ALL, (WOMEN, MEN, GENDER_OTHER)),)
STAFF_LINES: tuple[stats.Line, ...] = (
    *GENDER_LINES,
    (ALL, (YOUTH, OLDER, AGE_UNKNOWN)),
    (OLDER, OLDER_BANDS),
)


@dataclass(frozen=True)
class Answer:
    """One response reduced to what the figures read: where, who (group), and each figure's value."""

    beat_id: int
    gender: str
    age_band: str
    values: dict[str, Value]

    def columns(self) -> tuple[str, ...]:
        gender = self.gender if self.gender in (WOMEN, MEN) else GENDER_OTHER
        if self.age_band == YOUTH:
            age: tuple[str, ...] = (YOUTH,)
        elif self.age_band in OLDER_BANDS:
            age = (OLDER, self.age_band)
        else:
            age = (AGE_UNKNOWN,)
        return (ALL, gender, *age)

    def stratum(self) -> tuple[int, str, str] | None:
        """The population group the answer is weighted by; None when gender or age is not known
        (or a gender the census does not count): such answers count unweighted only."""
        gender = POPULATION_GENDER.get(Gender(self.gender)) if self.gender in Gender.values else None
        if gender is None or self.age_band not in AgeBand.values:
            return None
        return (self.beat_id, gender, self.age_band)


@dataclass(frozen=True)
class Figure:
    key: str
    label: Promise | str
    proportion: bool = False
    # Means are shown to one decimal; the 0-100 trust score and percentages as whole numbers.
    scale: int = 1

    @property
    def shown_label(self) -> SafeString:
        return isolate_numbers(str(self.label))


COMMUNITY_FIGURES = (
    Figure("trust", _("Trust score (0-100)")),
    Figure("safety", _("Feeling safe from crime (0-10)")),
    Figure("unsafe_dark", _("Unsafe walking alone after dark"), proportion=True),
    Figure("avoid_dark", _("Never walk alone after dark"), proportion=True),
    Figure("unsafe_day", _("Unsafe walking alone in the day"), proportion=True),
    Figure("avoid_day", _("Never walk alone in the day"), proportion=True),
    Figure("knows_officer", _("Knows an officer by name or sight"), proportion=True),
    Figure("willingness", _("Would report a crime (0-10)")),
)
CONTACT_FIGURES = (
    Figure("pj_index", _("Fair treatment: PJ index (1-5)")),
    Figure("all_four", _("Agreed with all four: voice, neutrality, respect, motives"), proportion=True),
)
PUBLIC_COMMUNITY = ("trust", "unsafe_dark", "avoid_dark")
PUBLIC_CONTACT = ("pj_index",)


def community_values(row: dict[str, Any]) -> dict[str, Value]:
    dark, day = row["walk_dark"], row["walk_day"]
    return {
        "trust": stats.trust_score((row["trust_respect"], row["trust_listen"])),
        "safety": row["safety"],
        "unsafe_dark": stats.unsafe_after_dark(dark, unsafe=UNSAFE, not_rated=NOT_RATED),
        "avoid_dark": stats.avoids(dark, never=WalkSafety.NEVER),
        "unsafe_day": stats.unsafe_after_dark(day, unsafe=UNSAFE, not_rated=NOT_RATED),
        "avoid_day": stats.avoids(day, never=WalkSafety.NEVER),
        "knows_officer": row["knows_officer"],
        "willingness": row["willingness"],
    }


def contact_values(row: dict[str, Any]) -> dict[str, Value]:
    pillars = tuple(row[p] for p in PJ_PILLARS)
    return {"pj_index": stats.pj_index(pillars), "all_four": stats.agrees_with_all(pillars)}


COMMUNITY_COLUMNS = (
    "beat_id",
    "gender",
    "age_band",
    "trust_respect",
    "trust_listen",
    "safety",
    "walk_day",
    "walk_dark",
    "knows_officer",
    "willingness",
)
CONTACT_COLUMNS = ("beat_id", "gender", "age_band", *PJ_PILLARS)


def to_answers(
    rows: Iterable[dict[str, Any]], values: Callable[[dict[str, Any]], dict[str, Value]]
) -> list[Answer]:
    return [Answer(r["beat_id"], r["gender"], r["age_band"], values(r)) for r in rows]


@dataclass
class Cell:
    n: int = 0
    value: float | None = None
    successes: int = 0
    interval: tuple[float, float] | None = None
    weighted: float | None = None
    weighted_n: int = 0
    hidden: bool = False

    @property
    def empty(self) -> bool:
        return self.n == 0


@dataclass
class Row:
    """One figure across the columns, with the gaps between groups."""

    figure: Figure
    cells: dict[str, Cell]
    missing: tuple[Any, ...] = ()
    covered: float | None = None
    view: list[Shown] = field(default_factory=list)

    def gap(self, a: str, b: str, *, weighted: bool = False) -> float | None:
        """a minus b (women - men, youth - older), only when both cells are shown."""
        first, second = self.cells.get(a), self.cells.get(b)
        if not first or not second or first.hidden or second.hidden:
            return None
        x, y = (first.weighted, second.weighted) if weighted else (first.value, second.value)
        if x is None or y is None:
            return None
        return x - y

    @property
    def gender_gap(self) -> str:
        return gap_text(self.gap(WOMEN, MEN), self.figure)

    @property
    def age_gap(self) -> str:
        return gap_text(self.gap(YOUTH, OLDER), self.figure)

    # A dash when the groups are shown but their answers could not be weighted (no gender or age).
    @property
    def gender_gap_weighted(self) -> str:
        return gap_text(self.gap(WOMEN, MEN, weighted=True), self.figure) or HIDDEN

    @property
    def age_gap_weighted(self) -> str:
        return gap_text(self.gap(YOUTH, OLDER, weighted=True), self.figure) or HIDDEN

    @property
    def answered(self) -> bool:
        """Anyone answered the item: a table of dashes would say nothing."""
        return self.cells[ALL].n > 0

    @property
    def missing_groups(self) -> int:
        return len(self.missing)

    @property
    def covered_percent(self) -> int | None:
        return None if self.covered is None else round(self.covered * 100)


def population_of(beats: Iterable[Beat]) -> dict[tuple[int, str, str], int]:
    return {
        (beat.pk, gender, band): beat.population(gender, band)
        for beat in beats
        for gender in POPULATION_GENDER.values()
        for band in AgeBand.values
    }


def figure_row(
    figure: Figure,
    answers: Sequence[Answer],
    population: dict[tuple[int, str, str], int],
    *,
    columns: Sequence[str],
    lines: Sequence[stats.Line],
) -> Row:
    """One figure over `columns`, weighted by the respondents who answered this item, suppressed."""
    answered = [a for a in answers if a.values.get(figure.key) is not None]
    strata = Counter(s for a in answered if (s := a.stratum()) is not None)
    weights = stats.poststrat_weights(strata, population)
    by_column: dict[str, list[Answer]] = {c: [] for c in columns}
    for answer in answered:
        for column in answer.columns():
            if column in by_column:
                by_column[column].append(answer)
    cells = {c: _cell(figure, group, weights) for c, group in by_column.items()}
    hidden = stats.suppress({c: cell.n for c, cell in cells.items()}, lines)
    for column in hidden:
        cells[column].hidden = True
    return Row(figure=figure, cells=cells, missing=weights.missing, covered=weights.covered)


def _cell(figure: Figure, group: list[Answer], weights: stats.Weights) -> Cell:
    values = [a.values[figure.key] for a in group]
    pairs = [(_number(v), w) for v, a in zip(values, group, strict=True) if (w := _weight(a, weights))]
    cell = Cell(n=len(group), weighted_n=len(pairs), weighted=stats.weighted_mean(pairs))
    if figure.proportion:
        cell.successes, _n = stats.proportion(bool(v) for v in values)
        cell.value = stats.share(cell.successes, cell.n)
        if 0 < cell.n < stats.INTERVAL_BELOW:
            cell.interval = stats.wilson_interval(cell.successes, cell.n)
    else:
        cell.value = stats.mean(_number(v) for v in values)
    return cell


def _number(value: Value) -> float | None:
    return None if value is None else float(value)


def _weight(answer: Answer, weights: stats.Weights) -> float | None:
    stratum = answer.stratum()
    return None if stratum is None else weights.of(stratum)


@dataclass
class BeatRow:
    beat: Beat
    cells: dict[str, Cell]
    # (figure label, value or a dash, n or 0 when hidden)
    view: list[tuple[SafeString, str, int]] = field(default_factory=list)


@dataclass
class Results:
    """What an area's page shows for one campaign or one month."""

    rows: list[Row]
    respondents: int
    beat_rows: list[BeatRow] = field(default_factory=list)
    beat_figures: tuple[Figure, ...] = ()
    open_link: int = 0
    # A round not yet closed, or a month not yet over: the answers are counted, no figure is shown.
    # Figures that move as each answer arrives would let whoever handed out a code, or made the
    # contact, read that person's answers by comparing the page before and after.
    still_open: bool = False

    @property
    def published(self) -> bool:
        return self.respondents > 0 and not self.still_open


def build(
    answers: Sequence[Answer],
    beats: Sequence[Beat],
    figures: Sequence[Figure],
    *,
    columns: Sequence[str] = STAFF_COLUMNS,
    lines: Sequence[stats.Line] = STAFF_LINES,
    per_beat: Sequence[str] = (),
) -> Results:
    population = population_of(beats)
    rows = [figure_row(f, answers, population, columns=columns, lines=lines) for f in figures]
    for row in rows:
        row.view = shown(row, columns)
    results = Results(rows=rows, respondents=len(answers))
    if per_beat and len(beats) > 1:
        results.beat_figures = tuple(f for f in figures if f.key in per_beat)
        results.beat_rows = beat_rows(answers, beats, results.beat_figures, population)
    return results


def beat_rows(
    answers: Sequence[Answer],
    beats: Sequence[Beat],
    figures: Sequence[Figure],
    population: dict[tuple[int, str, str], int],
) -> list[BeatRow]:
    """Each beat's figures for everyone, suppressed together: the area's total n and the beats' n add
    up, so a small beat hides a sibling too."""
    by_beat: dict[int, list[Answer]] = {b.pk: [] for b in beats}
    for answer in answers:
        by_beat.setdefault(answer.beat_id, []).append(answer)
    rows = [BeatRow(beat=b, cells={}) for b in beats]
    for figure in figures:
        whole = figure_row(figure, answers, population, columns=(ALL,), lines=())
        cells = {
            b.pk: figure_row(figure, by_beat[b.pk], population, columns=(ALL,), lines=()).cells[ALL]
            for b in beats
        }
        keys: dict[Any, int] = {ALL: whole.cells[ALL].n, **{pk: c.n for pk, c in cells.items()}}
        for pk in stats.suppress(keys, ((ALL, tuple(cells)),)):
            if pk in cells:
                cells[pk].hidden = True
        for row in rows:
            cell = row.cells[figure.key] = cells[row.beat.pk]
            hide = cell.hidden or cell.empty
            row.view.append(
                (figure.shown_label, HIDDEN, 0)
                if hide
                else (figure.shown_label, number(cell.value, figure), cell.n)
            )
    return rows


# Reads. Staff pass querysets already scoped by visible_to; the public passes `public=True`.


def area_beats(beats: QuerySet[Beat]) -> list[Beat]:
    return list(beats.select_related("station__district").order_by("station__name", "name"))


def campaigns_for(
    beats: Sequence[Beat], *, public: bool = False, today: dt.date | None = None
) -> list[Campaign]:
    """Campaigns run in any of these beats, newest first; the public sees closed ones only."""
    found = Campaign.objects.filter(beats__in=[b.pk for b in beats]).distinct()
    if public:
        found = found.closed(today=today)
    return list(found.order_by("-closes_on", "name"))


def community_results(
    *,
    responses: QuerySet[CommunityResponse],
    beats: Sequence[Beat],
    campaign: Campaign,
    public: bool = False,
    today: dt.date | None = None,
) -> Results:
    closed = campaign.is_closed(today)
    if public and not closed:
        return Results(rows=[], respondents=0)
    rows = list(
        responses.filter(campaign=campaign, beat__in=[b.pk for b in beats]).values("mode", *COMMUNITY_COLUMNS)
    )
    # Anyone could answer through an open link: those answers are counted apart, not mixed in.
    invited = [r for r in rows if r["mode"] != Mode.OPEN_LINK]
    if not closed:
        return Results(rows=[], respondents=len(invited), open_link=len(rows) - len(invited), still_open=True)
    figures = [f for f in COMMUNITY_FIGURES if f.key in PUBLIC_COMMUNITY] if public else COMMUNITY_FIGURES
    results = build(
        to_answers(invited, community_values),
        beats,
        figures,
        columns=GENDER_COLUMNS if public else STAFF_COLUMNS,
        lines=GENDER_LINES if public else STAFF_LINES,
        per_beat=() if public else ("trust", "safety", "unsafe_dark", "avoid_dark"),
    )
    results.open_link = len(rows) - len(invited)
    return results


def finished_month(month: dt.date, today: dt.date | None = None) -> bool:
    return first_of_month(month) < first_of_month(today or timezone.localdate())


def month_end(month: dt.date) -> dt.date:
    return (first_of_month(month) + dt.timedelta(days=32)).replace(day=1)


def contact_results(
    *,
    responses: QuerySet[ContactResponse],
    beats: Sequence[Beat],
    month: dt.date,
    public: bool = False,
    today: dt.date | None = None,
) -> Results:
    finished = finished_month(month, today)
    if public and not finished:
        return Results(rows=[], respondents=0)
    start = first_of_month(month)
    rows = responses.filter(
        beat__in=[b.pk for b in beats], answered_on__gte=start, answered_on__lt=month_end(start)
    ).values(*CONTACT_COLUMNS)
    if not finished:
        return Results(rows=[], respondents=len(rows), still_open=True)
    figures = [f for f in CONTACT_FIGURES if f.key in PUBLIC_CONTACT] if public else CONTACT_FIGURES
    return build(
        to_answers(rows, contact_values),
        beats,
        figures,
        columns=GENDER_COLUMNS if public else STAFF_COLUMNS,
        lines=GENDER_LINES if public else STAFF_LINES,
        per_beat=() if public else ("pj_index", "all_four"),
    )


def contact_months(
    responses: QuerySet[ContactResponse],
    beats: Sequence[Beat],
    *,
    public: bool = False,
    today: dt.date | None = None,
) -> list[dt.date]:
    """Months with post-contact answers in these beats, newest first; the public sees finished ones."""
    found = responses.filter(beat__in=[b.pk for b in beats])
    if public:
        found = found.filter(answered_on__lt=first_of_month(today or timezone.localdate()))
    days = found.dates("answered_on", "month", order="DESC")
    return list(days)


def parse_month(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(f"{text[:7]}-01")
    except ValueError:
        return None


# Presentation: figures as text, so the templates stay plain. A hidden cell reads as a dash (the
# legend says why), never 0 and never "fewer than 5" (a cell hidden to protect a sibling may have more).
HIDDEN = "–"


def number(value: float | None, figure: Figure) -> str:
    if value is None:
        return ""
    if figure.proportion:
        return f"{round(value * 100)}%"
    if figure.key == "trust":
        return f"{round(value)}"
    return f"{value:.1f}"


def interval_text(cell: Cell) -> str:
    if cell.interval is None:
        return ""
    low, high = cell.interval
    # Word joiners keep the range on one line in a narrow column (a dash is a place to break).
    return f"{round(low * 100)}\u2060–\u2060{round(high * 100)}%"


def signed(text: str) -> SafeString:
    """A signed number, isolated left to right so an Urdu or Pashto page shows "-6.0", not "6.0-"."""
    return format_html('<bdi dir="ltr">{}</bdi>', text)


def gap_text(value: float | None, figure: Figure) -> str:
    if value is None:
        return ""
    if figure.proportion:
        # Only the number is isolated: the translated words around it keep the page's direction.
        words = conditional_escape(gettext("%(points)s percentage points"))
        return mark_safe(words % {"points": signed(f"{round(value * 100):+d}")})  # noqa: S308
    return signed(f"{value:+.0f}" if figure.key == "trust" else f"{value:+.1f}")


@dataclass(frozen=True)
class Shown:
    """One cell as a page shows it."""

    column: str
    label: Promise | str
    hidden: bool
    value: str
    interval: str
    weighted: str
    weighted_n: int
    n: int

    @property
    def shown_label(self) -> SafeString:
        return isolate_numbers(str(self.label))


def shown(row: Row, columns: Sequence[str]) -> list[Shown]:
    out = []
    for column in columns:
        cell = row.cells[column]
        out.append(
            Shown(
                column=column,
                label=COLUMN_LABELS[column],
                hidden=cell.hidden,
                value=HIDDEN if cell.hidden or cell.empty else number(cell.value, row.figure),
                interval="" if cell.hidden else interval_text(cell),
                weighted=HIDDEN if cell.hidden or cell.empty else number(cell.weighted, row.figure),
                weighted_n=0 if cell.hidden else cell.weighted_n,
                n=0 if cell.hidden else cell.n,
            )
        )
    return out
