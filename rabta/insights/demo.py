"""Demo insights: the year behind the dashboards, then every rollup at once.

The other demo modules seed the last six months. A dashboard draws twelve, so this module adds the
six months before them, and a year of reports that say who sent them, shaped like the field study:

- before: reactive work and irregular patrols everywhere, monthly beat meetings of elders (older
  men; hardly a woman or a young person), the women's desk at Timergara unstaffed one scheduled day
  in three, staffed late and left early on the others;
- a year of reports whose reporters answered the form's optional gender and age question (most
  do): women and young people seldom report, except in Gulabad once ASI Ali Khan's weekly open
  talks and the women's sessions began (rabta.engagement.demo), where they come forward and more
  people report;
- Balambat answers late: its first contact often comes after a day or two, so its on-time rate lags
  Timergara's and Talash's in every month.

Shares that the story rests on (on time; women and youth among reporters) are dealt out in order
of arrival rather than drawn, so each month holds them whatever the seed day.

Trust comes from the survey rounds (rabta.feedback.demo): the first just before the talks, the
second after them. Everything is bulk-inserted and drawn from ctx.rng, dated from ctx.today; the
records go with the rest of the district's when the other apps' demo data is reset.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from shapely.geometry import Point

from rabta.core.demo import DemoContext
from rabta.engagement.demo import OTHER_BEATS
from rabta.engagement.models import Attendance, Meeting, MeetingKind, MeetingStatus
from rabta.insights import rollup, suppression
from rabta.insights.models import HexCount, Measure, Population, PublicHidden, RefreshState, Scope
from rabta.lib.geo import snap_to_grid
from rabta.people.models import Gender, OfficerProfile, Role, User
from rabta.places.models import AGE_BANDS, Beat, District, PoliceStation
from rabta.presence import rollup as presence_rollup
from rabta.presence.demo import DAYS, PATROLS, PLACES, REACTIVE, TALKS_START_DAYS_AGO
from rabta.presence.models import Contact, ContactChannel, DeskShift, is_proactive_kind
from rabta.reports import tracking
from rabta.reports.demo import TEXTS
from rabta.reports.models import Category, Channel, Period, Report, ReportUpdate, Status

DISTRICT_CODE = "LDIR-DEMO"
FOCUS_BEAT = "GUL"
LAGGING_STATION = "BLB"
YEAR = 365
# Reports a day per 1,000 adults; Gulabad's double once the talks have run three months.
REPORT_RATE = 0.25
FOCUS_REPORT_GROWTH = 2.0
# Reports received in the last days are left to rabta.reports.demo: these all have their outcome.
NEWEST_DAYS_AGO = 4
ON_TIME_SHARE = {"TMG": 0.85, "TLS": 0.82, LAGGING_STATION: 0.4}
SAYS_WHO = 0.7  # reporters who answer the optional gender and age question
WOMEN_REPORTERS = (0.2, 0.5)  # women's share of those, before the talks and three months on
YOUTH_REPORTERS = (0.15, 0.45)
OLDER_BAND_WEIGHTS = (0.4, 0.35, 0.25)  # 30-44, 45-59, 60+ among the other reporters
DESK_UNSTAFFED = 0.33
CATEGORIES = (
    "theft",
    "drugs",
    "youth_violence",
    "public_nuisance",
    "traffic_danger",
    "street_lighting",
    "neighbour_dispute",
)
# Of the reports women send in the women's desk station's beats: street harassment, for a woman officer.
HARASSMENT_SHARE = 0.3


def _district() -> District | None:
    return District.objects.filter(code=DISTRICT_CODE).first()


def _progress(days_ago: int) -> float:
    """How far Gulabad has come since the talks began: 0 before, 1 three months on."""
    return min(1.0, max(0.0, (TALKS_START_DAYS_AGO - days_ago) / 90))


def _between(low: float, high: float, progress: float) -> float:
    return low + (high - low) * progress


@dataclass
class _People:
    """Who does the work in each beat, read once."""

    beat_officers: dict[int, list[int]] = field(default_factory=dict)
    station_heads: dict[int, int] = field(default_factory=dict)
    desk_officers: dict[int, list[int]] = field(default_factory=dict)

    @classmethod
    def load(cls, beats: list[Beat]) -> _People:
        people = cls(beat_officers={b.pk: [] for b in beats})
        through = OfficerProfile.beats.through
        rows = through.objects.filter(beat__in=beats, officerprofile__on_womens_desk=False)
        for beat_id, user_id in rows.order_by("beat_id", "officerprofile__user__username").values_list(
            "beat_id", "officerprofile__user_id"
        ):
            people.beat_officers[beat_id].append(user_id)
        heads = User.objects.filter(role=Role.STATION_HEAD, scope_station__in={b.station_id for b in beats})
        people.station_heads = dict(heads.order_by("-pk").values_list("scope_station_id", "pk"))
        desk = OfficerProfile.objects.filter(station__in={b.station_id for b in beats}, on_womens_desk=True)
        for station_id, user_id in desk.order_by("user__username").values_list("station_id", "user_id"):
            people.desk_officers.setdefault(station_id, []).append(user_id)
        return people

    def officer(self, beat: Beat, days_ago: int) -> int | None:
        ids = self.beat_officers.get(beat.pk) or []
        return ids[days_ago % len(ids)] if ids else self.station_heads.get(beat.station_id)


# ---- presence and the women's desk, the six months before ----------------------------------------


def _seed_contacts(ctx: DemoContext, beats: list[Beat], people: _People) -> int:
    """Reactive work and irregular patrols, as everywhere before the talks (rabta.presence.demo)."""
    rng = ctx.rng
    contacts: list[Contact] = []
    beats_of: list[Beat] = []
    for beat in beats:
        for days_ago in range(YEAR, DAYS, -1):
            officer = people.officer(beat, days_ago)
            if officer is None:
                break
            kinds = []
            if rng.random() < 0.45:
                kinds.append((rng.choice(REACTIVE), False))
            if (days_ago // 9) % 3 == 0 and rng.random() < 0.4:
                kinds.append((rng.choice(PATROLS), rng.random() < 0.04))
            for kind, night in kinds:
                hour = rng.choice((19, 20, 21, 22, 5)) if night else rng.randint(8, 17)
                started = ctx.local_datetime(days_ago, hour, rng.choice((0, 15, 30, 45)))
                minutes = rng.randint(10, 25) if kind in REACTIVE else rng.randint(20, 90)
                contacts.append(
                    Contact(
                        officer_id=officer,
                        station_id=beat.station_id,
                        kind=kind,
                        proactive=is_proactive_kind(kind),
                        started_at=started,
                        ended_at=started + dt.timedelta(minutes=minutes),
                        place=rng.choice(PLACES),
                        met_men_30_44=rng.randint(0, 4),
                        channel=ContactChannel.DEMO,
                        client_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                        recorded_by_id=officer,
                    )
                )
                beats_of.append(beat)
    Contact.objects.bulk_create(contacts, batch_size=500)
    through = Contact.beats.through
    through.objects.bulk_create(
        [through(contact_id=c.pk, beat_id=b.pk) for c, b in zip(contacts, beats_of, strict=True)],
        batch_size=1000,
    )
    return len(contacts)


def _seed_desk(ctx: DemoContext, station: PoliceStation, officers: list[int]) -> int:
    """Shifts on the desk's scheduled days; a third of the days nobody comes. Returns the shifts."""
    if not (officers and station.womens_desk_opens and station.womens_desk_closes):
        return 0
    rng = ctx.rng
    opens, closes = station.womens_desk_opens, station.womens_desk_closes
    weekdays = set(station.womens_desk_weekdays)
    shifts = []
    for days_ago in range(YEAR, DAYS, -1):
        if (ctx.today - dt.timedelta(days=days_ago)).isoweekday() not in weekdays:
            continue
        if rng.random() < DESK_UNSTAFFED:
            continue
        officer = officers[days_ago % len(officers)]
        start = ctx.local_datetime(days_ago, opens.hour, opens.minute) + dt.timedelta(
            minutes=rng.randint(0, 90)
        )
        end = ctx.local_datetime(days_ago, closes.hour, closes.minute) - dt.timedelta(
            minutes=rng.randint(0, 150)
        )
        shifts.append(
            DeskShift(
                station=station, officer_id=officer, started_at=start, ended_at=end, recorded_by_id=officer
            )
        )
    DeskShift.objects.bulk_create(shifts)
    return len(shifts)


# ---- meetings of elders, the six months before ---------------------------------------------------


def _elders(ctx: DemoContext) -> dict[str, int]:
    """Head counts of an elders' meeting: older men, a young man or two, no more than a woman."""
    rng = ctx.rng
    men = rng.randint(16, 26)
    young = rng.randint(0, 2)
    counts = dict.fromkeys((f"{g}_{b}" for g in ("women", "men") for b in AGE_BANDS), 0)
    counts["women_45_59"] = int(rng.random() < 0.3)
    counts["men_15_29"] = young
    counts["men_30_44"] = round((men - young) * 0.15)
    counts["men_45_59"] = round((men - young) * 0.4)
    counts["men_60"] = men - young - counts["men_30_44"] - counts["men_45_59"]
    return counts


def _seed_meetings(ctx: DemoContext, beats: dict[str, Beat], people: _People) -> int:
    held = 0
    for code in (FOCUS_BEAT, *OTHER_BEATS):
        beat = beats.get(code)
        facilitator = people.officer(beat, 0) if beat else None
        if beat is None or facilitator is None:
            continue
        for month in range(6):
            starts = ctx.local_datetime(
                YEAR - 8 - month * 30 - ctx.rng.randint(0, 5), ctx.rng.choice((10, 11, 15))
            )
            meeting = Meeting.objects.create(
                kind=MeetingKind.BEAT_MEETING,
                starts_at=starts,
                ends_at=starts + dt.timedelta(minutes=90),
                venue=f"{beat.name} hujra",
                status=MeetingStatus.HELD,
                minutes="Elders raised land disputes, water channels and bazaar encroachments.",
                sequence=1,
                created_by_id=facilitator,
                held_recorded_at=starts + dt.timedelta(hours=2),
            )
            meeting.beats.set([beat])
            meeting.facilitators.set([facilitator])
            attendance = Attendance.objects.create(
                meeting=meeting, recorded_by_id=facilitator, **_elders(ctx)
            )
            attendance.officers_present.set([facilitator])
            held += 1
    return held


# ---- a year of reports ---------------------------------------------------------------------------


def _point_in(ctx: DemoContext, beat: Beat) -> tuple[float, float]:
    geom = beat.geometry
    minx, miny, maxx, maxy = geom.bounds
    for _ in range(100):
        lon, lat = ctx.rng.uniform(minx, maxx), ctx.rng.uniform(miny, maxy)
        if geom.contains(Point(lon, lat)):
            return lat, lon
    point = geom.representative_point()
    return point.y, point.x


class _Shares:
    """Yes or no for each of a run of records in order, so that the yeses keep to a share: the
    running total of the share decides, not a draw. Each month then shows the share it should, on
    any seed day, which is what the dashboards' month-by-month story needs."""

    def __init__(self) -> None:
        self.credit: dict[str, float] = defaultdict(lambda: 0.5)

    def take(self, key: str, share: float) -> bool:
        self.credit[key] += share
        if self.credit[key] >= 1:
            self.credit[key] -= 1
            return True
        return False


def _reporter(ctx: DemoContext, shares: _Shares, beat: Beat, days_ago: int) -> tuple[str, str]:
    """The gender and age band a reporter gave on the form ('' when they skipped the question)."""
    rng = ctx.rng
    if rng.random() >= SAYS_WHO:
        return "", ""
    progress = _progress(days_ago) if beat.code == FOCUS_BEAT else 0.0
    if rng.random() < 0.02:
        gender = Gender.OTHER
    elif shares.take(f"women:{beat.code}", _between(*WOMEN_REPORTERS, progress)):
        gender = Gender.WOMAN
    else:
        gender = Gender.MAN
    if shares.take(f"youth:{beat.code}", _between(*YOUTH_REPORTERS, progress)):
        return gender, "15_29"
    return gender, rng.choices(AGE_BANDS[1:], weights=OLDER_BAND_WEIGHTS)[0]


def _arrivals(ctx: DemoContext, beats: list[Beat]) -> list[tuple[dt.datetime, Beat, int]]:
    """When each report came in, in order: (received, beat, days ago)."""
    rng = ctx.rng
    out = []
    for beat in beats:
        base = beat.population_total / 1000 * REPORT_RATE
        for days_ago in range(YEAR, NEWEST_DAYS_AGO - 1, -1):
            rate = base
            if beat.code == FOCUS_BEAT:
                rate *= _between(1.0, FOCUS_REPORT_GROWTH, _progress(days_ago))
            for _ in range(int(rate) + (rng.random() < rate % 1)):
                received = ctx.local_datetime(days_ago, rng.randint(7, 21), rng.randrange(60))
                out.append((received, beat, days_ago))
    out.sort(key=lambda item: (item[0], item[1].code))
    return out


def _hours_after(
    ctx: DemoContext, category: Category, on_time: bool, available: float
) -> tuple[float, float]:
    """Hours from receipt to first contact and to the outcome; `available` is how long ago it came.

    Late means first contact after its deadline, or (when there was time for it) an outcome after its
    resolution deadline. Everything lies before now, so every outcome is known."""
    rng = ctx.rng
    first, resolution = category.first_contact_hours, category.resolution_hours
    if on_time:
        ack = rng.uniform(0.5, first * 0.8)
        done = rng.uniform(ack + 1, resolution * 0.9)
    elif rng.random() < 0.35 and resolution * 1.5 < available - 1:
        ack = rng.uniform(2, first * 0.9)
        done = rng.uniform(resolution * 1.05, resolution * 1.5)
    else:
        ack = rng.uniform(first * 1.1, first * 3.3)
        done = rng.uniform(ack + 1, max(ack + 2, resolution * 1.2))
    ceiling = available - 1
    if done > ceiling:  # a recent report: done sooner, still after first contact
        done = rng.uniform(ack + (ceiling - ack) * 0.3, ceiling)
    return ack, done


def _report_for(
    ctx: DemoContext, beat: Beat, received: dt.datetime, category: Category, reporter: tuple[str, str]
) -> Report:
    rng = ctx.rng
    woman_only = category.code == "street_harassment"
    language = rng.choices(["ps", "ur", "en"], weights=[5, 3, 2])[0]
    lat, lon = _point_in(ctx, beat)
    public_lat, public_lon = snap_to_grid(lat, lon)
    hour = received.hour
    # Nobody holds a link or code to these reports: the hashes only have to be unique, and the code's
    # is not a code's hash (those are keyed), so no code typed in ever finds one.
    token = f"demo-insights-{rng.getrandbits(96):024x}"
    report = Report(
        public_id=f"{rng.getrandbits(64):016x}",
        tracking_token_hash=tracking.hash_token(token),
        tracking_code_hash=hashlib.sha256(("code:" + token).encode()).hexdigest(),
        category=category,
        beat=beat,
        lat=lat,
        lon=lon,
        public_lat=public_lat,
        public_lon=public_lon,
        description=rng.choice(TEXTS[category.code][language]),
        occurred_on=received.date(),
        occurred_period=Period.EVENING if 17 <= hour < 21 else Period.NIGHT if hour >= 21 else "",
        channel=rng.choice([Channel.WEB, Channel.WEB, Channel.SMS, Channel.DESK]),
        language=language,
        woman_officer_only=woman_only,
        reporter_gender=reporter[0],
        reporter_age_band=reporter[1],
        created_at=received,
    )
    report.set_deadlines()
    return report


def _seed_reports(ctx: DemoContext, beats: list[Beat], people: _People) -> int:
    rng = ctx.rng
    categories = {c.code: c for c in Category.objects.filter(code__in=(*CATEGORIES, "street_harassment"))}
    shares = _Shares()
    reports: list[Report] = []
    trails: list[list[tuple[dt.datetime, str, str, int | None, str]]] = []
    for received, beat, days_ago in _arrivals(ctx, beats):
        reporter = _reporter(ctx, shares, beat, days_ago)
        woman_only = (
            reporter[0] == Gender.WOMAN
            and beat.station_id in people.desk_officers
            and rng.random() < HARASSMENT_SHARE
            and "street_harassment" in categories
        )
        category = categories["street_harassment" if woman_only else rng.choice(CATEGORIES)]
        report = _report_for(ctx, beat, received, category, reporter)
        station = beat.station.code
        on_time = shares.take(f"on_time:{station}", ON_TIME_SHARE.get(station, 0.8))
        available = (ctx.now - received).total_seconds() / 3600
        ack_h, done_h = _hours_after(ctx, category, on_time, available)
        acked, done = received + dt.timedelta(hours=ack_h), received + dt.timedelta(hours=done_h)
        desk = people.desk_officers.get(beat.station_id) or []
        by = desk[days_ago % len(desk)] if woman_only and desk else people.officer(beat, days_ago)
        report.acknowledged_at = acked
        report.assignee_id = by
        if category.code == "neighbour_dispute":
            report.status, report.referred_at = Status.REFERRED, done
            report.referred_to = f"Dispute Resolution Council {beat.station.name}"
            outcome = "The council will call both families."
        else:
            report.status, report.resolved_at = Status.RESOLVED, done
            outcome = "Action taken; thank you for telling us."
        # The deadline sweep flags a miss when the deadline passes (rabta.reports.tasks).
        first_due, resolution_due = report.first_contact_due, report.resolution_due
        if first_due is not None and acked > first_due:
            report.first_contact_overdue_at = first_due
        if resolution_due is not None and done > resolution_due:
            report.resolution_overdue_at = resolution_due
        reports.append(report)
        trails.append(
            [
                (received, "", Status.NEW, None, ""),
                (acked, Status.NEW, Status.ACKNOWLEDGED, by, "An officer has your report and will call you."),
                (done, Status.ACKNOWLEDGED, report.status, by, outcome),
            ]
        )
    Report.objects.bulk_create(reports, batch_size=500)
    ReportUpdate.objects.bulk_create(
        [
            ReportUpdate(
                report=report,
                author_id=author,
                public=bool(note),
                note=note,
                from_status=before,
                to_status=after,
                created_at=at,
            )
            for report, trail in zip(reports, trails, strict=True)
            for at, before, after, author, note in trail
        ],
        batch_size=1000,
    )
    return len(reports)


# ---- the pipeline's hooks ------------------------------------------------------------------------


def seed(ctx: DemoContext) -> None:
    district = _district()
    if district is None:
        ctx.say("insights: no demo district, nothing seeded")
        return
    beats = list(Beat.objects.filter(station__district=district).select_related("station").order_by("code"))
    people = _People.load(beats)
    n_contacts = _seed_contacts(ctx, beats, people)
    presence_rollup.rebuild_rollup(beats=beats)
    n_shifts = sum(
        _seed_desk(ctx, station, people.desk_officers.get(station.pk, []))
        for station in PoliceStation.objects.filter(district=district, has_womens_desk=True).order_by("code")
    )
    n_meetings = _seed_meetings(ctx, {b.code: b for b in beats}, people)
    n_reports = _seed_reports(ctx, beats, people)
    result = rollup.refresh(now=ctx.now, full=True)
    suppression.warm(ctx.today)
    ctx.say(
        f"insights: a year of history ({n_reports} reports, {n_contacts} contacts, {n_shifts} desk shifts, "
        f"{n_meetings} meetings); rollups rebuilt, {result.rows} figures in {result.seconds:.1f} s"
    )
    describe(ctx)


def describe(ctx: DemoContext) -> None:
    district = _district()
    if district is None:
        return
    with translation.override("en"):
        ctx.values["dashboard_path"] = reverse(
            "insights:dashboard", kwargs={"scope": Scope.DISTRICT.value, "pk": district.pk}
        )
        ctx.values["transparency_path"] = reverse(
            "insights:public", kwargs={"scope": Scope.BEAT.value, "code": FOCUS_BEAT}
        )
        ctx.values["open_data_path"] = reverse("insights:open_data")


def reset(ctx: DemoContext) -> None:
    """Remove the district's figures and the province's (they include the demo's). The refresh
    state goes too, so the next periodic run rebuilds the province from what remains."""
    district = _district()
    if district is None:
        return
    beats = list(Beat.objects.filter(station__district=district).values_list("pk", flat=True))
    stations = list(PoliceStation.objects.filter(district=district).values_list("pk", flat=True))
    Measure.objects.filter(Q(district_id=district.pk) | Q(scope=Scope.PROVINCE)).delete()
    Population.objects.filter(
        Q(scope=Scope.BEAT, scope_id__in=beats)
        | Q(scope=Scope.STATION, scope_id__in=stations)
        | Q(scope=Scope.DISTRICT, scope_id=district.pk)
        | Q(scope=Scope.PROVINCE)
    ).delete()
    HexCount.objects.filter(district_id=district.pk).delete()
    PublicHidden.objects.filter(district_id=district.pk).delete()
    RefreshState.objects.all().delete()
