"""A province-sized data set for bench/insights.py: places, people and 12 months of records, by COPY.

Every table is loaded by COPY from rows made here with a seeded generator, ids given explicitly (so links
are written in the same pass) and the sequences moved past them afterwards. The large tables' secondary
indexes and unique constraints are dropped for their load and rebuilt from their own definitions after
it, and foreign-key triggers are off for the session (the rows are made consistent here): this is a
scratch database only. What the figures look like:

- places: districts of ~7 stations of 10 beats, each beat a square polygon with a census population by
  gender and age band; a third of the stations have a women's desk (Monday to Saturday, 09:00-17:00);
- reports: busier and quieter beats, mostly by day; first contact usually within hours, some late
  (more at a few slow stations), about 1 % never acknowledged and 2 % never finished; whatever is still
  in the future at `now` is still open; 45 % of reporters give their gender, half their age band;
- contacts: 60 % proactive, mostly by day (some at night), one beat or two, head counts by group; then
  the presence board's day sums (rabta.presence.rollup.rebuild_rollup);
- meetings: open talks, beat meetings, women's and youth sessions, committee meetings and awareness
  sessions on one or two beats; 88 % of the past ones held, the rest cancelled; attendance by gender x
  age band shaped by the kind; some need a follow-up, most get one; priorities and action items raised
  at some of them; a committee on 60 % of the beats;
- survey answers: 60 % post-contact (procedural justice), 40 % community (trust and safety) in four
  quarterly campaigns, 5 % of those through the open link; each beat has its own level of trust.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import random
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

BEATS_PER_STATION = 10
DAYS = 365
NULL = "\\N"
CHUNK = 5000
# Reports by local hour of the day (0-23): mostly by day.
REPORT_HOURS = (1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8, 8, 8, 8, 8, 8, 7, 7, 6, 5, 4, 3, 2)
# Proactive contacts: patrols by day, some at night (19:00-06:00 is about 15 % of them).
PROACTIVE_HOURS = (1, 1, 1, 1, 1, 1, 2, 4, 8, 10, 10, 10, 9, 8, 9, 10, 10, 9, 6, 3, 2, 2, 1, 1)
AGE_BANDS = ("15_29", "30_44", "45_59", "60")
BAND_SHARES = (0.45, 0.30, 0.16, 0.09)
CATEGORY_WEIGHTS = {
    "theft": 20,
    "neighbour_dispute": 12,
    "street_harassment": 10,
    "street_lighting": 10,
    "public_nuisance": 10,
    "other": 10,
    "traffic_danger": 8,
    "drugs": 6,
    "violence_against_women": 5,
    "youth_violence": 5,
    "police_conduct": 2,
}


@dataclass
class World:
    """What the load made that the benchmark reuses: ids, beat codes and per-place traits."""

    districts: list[int] = field(default_factory=list)
    stations: list[int] = field(default_factory=list)
    beats: list[tuple[int, int, float, float]] = field(default_factory=list)  # id, station, lon, lat
    beat_codes: list[str] = field(default_factory=list)
    officer_of: dict[int, int] = field(default_factory=dict)
    coordinators: list[tuple[int, int]] = field(default_factory=list)  # user id, district id
    province_user: int = 0
    desk_stations: list[int] = field(default_factory=list)
    committee_of: dict[int, int] = field(default_factory=dict)  # beat -> committee
    slowness: dict[int, float] = field(default_factory=dict)  # station -> delay factor
    trust: dict[int, float] = field(default_factory=dict)  # beat -> mean answer (1-5)


def ts(moment: dt.datetime | None) -> str:
    return NULL if moment is None else moment.isoformat()


def text(value: Any) -> str:
    if value is None:
        return NULL
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)


def columns(names: str) -> list[str]:
    return names.split()


def copy_lines(cur: Any, table: str, columns: Sequence[str], lines: Iterable[str]) -> int:
    """COPY already-formatted tab-separated lines (no value here needs escaping)."""
    count = 0
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        buffer: list[str] = []
        for line in lines:
            buffer.append(line)
            if len(buffer) >= CHUNK:
                copy.write("\n".join(buffer) + "\n")
                count += len(buffer)
                buffer = []
        if buffer:
            copy.write("\n".join(buffer) + "\n")
            count += len(buffer)
    return count


def copy_rows(cur: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    return copy_lines(cur, table, columns, ("\t".join(map(text, row)) for row in rows))


def move_sequence(cur: Any, table: str) -> None:
    cur.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT max(id) FROM {table}), 1))"
    )


def drop_indexes(cur: Any, table: str) -> list[str]:
    """Drop a table's secondary indexes and unique constraints; the statements that rebuild them."""
    cur.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
        "AND contype = 'u'",
        [table],
    )
    constraints = cur.fetchall()
    cur.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('p', 'u'))",
        [table, table],
    )
    indexes = cur.fetchall()
    for name, _ in constraints:
        cur.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    for name, _ in indexes:
        cur.execute(f"DROP INDEX {name}")
    return [f"ALTER TABLE {table} ADD CONSTRAINT {n} {d}" for n, d in constraints] + [d for _, d in indexes]


class Picker:
    """Weighted choice by bisecting cumulative weights (random.choices, one at a time, is slower)."""

    def __init__(self, items: Sequence[Any], weights: Sequence[float], rng: random.Random) -> None:
        self.items = list(items)
        self.cum = list(itertools.accumulate(weights))
        self.total = self.cum[-1]
        self.rng = rng

    def __call__(self) -> Any:
        return self.items[bisect.bisect(self.cum, self.rng.random() * self.total)]


def day_starts(now: dt.datetime, tz: ZoneInfo, days: int) -> list[dt.datetime]:
    """Local midnight of today and each day before it, as aware datetimes in UTC."""
    today = now.astimezone(tz).date()
    return [
        dt.datetime.combine(today - dt.timedelta(days=k), dt.time.min, tzinfo=tz).astimezone(dt.UTC)
        for k in range(days)
    ]


def ascending(
    rng: random.Random, n: int, starts: Sequence[dt.datetime], now: dt.datetime, pick: Callable[[], Any]
) -> Iterator[tuple[dt.datetime, Any]]:
    """n moments over the days of `starts` (oldest first, a few more each month: use grows), each at
    the local hour `pick()` gives with a tag, in time order, as records are written in production: the
    tables' physical order follows time, which is what the planner's index choices depend on."""
    days = len(starts)
    weights = [0.8 + 0.4 * (days - 1 - k) / max(1, days - 1) for k in range(days)]
    total, cumulative, made = sum(weights), 0.0, 0
    for k in range(days - 1, -1, -1):
        cumulative += weights[k]
        m = round(n * cumulative / total) - made
        made += m
        day, end = starts[k], min(now, starts[k] + dt.timedelta(days=1))
        moments = []
        for _ in range(m):
            hour, tag = pick()
            moment = day + dt.timedelta(seconds=(hour + rng.random()) * 3600)
            if moment >= end:
                moment = day + (end - day) * rng.random()
            moments.append((moment, tag))
        moments.sort(key=lambda m: m[0])
        yield from moments


# ---------------------------------------------------------------- places and people


def load_places(n_beats: int, n_districts: int, rng: random.Random) -> World:
    from django.contrib.auth.hashers import make_password

    from rabta.people.models import OfficerProfile, Rank, Role, User
    from rabta.places.models import Beat, District, PoliceStation

    world = World()
    districts = District.objects.bulk_create(
        [
            District(code=f"D{d:02d}", name=f"District {d:02d}", province="Khyber Pakhtunkhwa")
            for d in range(n_districts)
        ]
    )
    n_stations = max(n_districts, math.ceil(n_beats / BEATS_PER_STATION))
    stations = []
    for s in range(n_stations):
        desk = s % 3 == 0
        stations.append(
            PoliceStation(
                district=districts[s * n_districts // n_stations],
                code=f"PS{s:04d}",
                name=f"Station {s:04d}",
                has_womens_desk=desk,
                womens_desk_days="123456" if desk else "",
                womens_desk_opens=dt.time(9) if desk else None,
                womens_desk_closes=dt.time(17) if desk else None,
            )
        )
    stations = PoliceStation.objects.bulk_create(stations)
    beats = []
    per_district: dict[int, int] = {}
    for i in range(n_beats):
        station = stations[i * n_stations // n_beats]
        d = districts.index(station.district)
        k = per_district[d] = per_district.get(d, -1) + 1
        lon = 70.0 + (d % 6) * 0.8 + (k % 20) * 0.02
        lat = 31.5 + (d // 6) * 0.8 + (k // 20) * 0.02
        people = rng.lognormvariate(math.log(20000), 0.5)
        adults = {"women": people * 0.6 * 0.49, "men": people * 0.6 * 0.51}
        population = {
            f"population_{g}_{b}": int(adults[g] * share * rng.uniform(0.85, 1.15))
            for g in ("women", "men")
            for b, share in zip(AGE_BANDS, BAND_SHARES, strict=True)
        }
        ring = [[lon, lat], [lon + 0.02, lat], [lon + 0.02, lat + 0.02], [lon, lat + 0.02], [lon, lat]]
        beats.append(
            Beat(
                station=station,
                code=f"B{i:04d}",
                name=f"Beat {i:04d}",
                boundary={"type": "Polygon", "coordinates": [ring]},
                centroid_lat=lat + 0.01,
                centroid_lon=lon + 0.01,
                **population,
            )
        )
    beats = Beat.objects.bulk_create(beats, batch_size=1000)
    password = make_password(None)
    officers = User.objects.bulk_create(
        [
            User(username=f"officer{i:04d}", password=password, role=Role.OFFICER, scope_beat=b)
            for i, b in enumerate(beats)
        ],
        batch_size=1000,
    )
    profiles = OfficerProfile.objects.bulk_create(
        [
            OfficerProfile(user=u, rank=Rank.CONSTABLE, service_number=f"BI{i:05d}", station_id=b.station_id)
            for i, (u, b) in enumerate(zip(officers, beats, strict=True))
        ],
        batch_size=1000,
    )
    OfficerProfile.beats.through.objects.bulk_create(
        [
            OfficerProfile.beats.through(officerprofile_id=p.pk, beat_id=b.pk)
            for p, b in zip(profiles, beats, strict=True)
        ],
        batch_size=1000,
    )
    coordinators = User.objects.bulk_create(
        [
            User(
                username=f"coordinator{d:02d}",
                password=password,
                role=Role.DISTRICT_COORDINATOR,
                scope_district=district,
            )
            for d, district in enumerate(districts)
        ]
    )
    province = User.objects.create(username="province", password=password, role=Role.OVERSIGHT)
    world.districts = [d.pk for d in districts]
    world.stations = [s.pk for s in stations]
    world.desk_stations = [s.pk for s in stations if s.has_womens_desk]
    world.beats = [(b.pk, b.station_id, b.centroid_lon - 0.01, b.centroid_lat - 0.01) for b in beats]
    world.beat_codes = [b.code for b in beats]
    world.officer_of = {b.pk: u.pk for b, u in zip(beats, officers, strict=True)}
    world.coordinators = [(u.pk, d.pk) for u, d in zip(coordinators, districts, strict=True)]
    world.province_user = province.pk
    # A few slow stations: the on-time rate that lags.
    world.slowness = {s.pk: rng.choice((0.7, 0.8, 1.0, 1.0, 1.2, 1.5, 3.0)) for s in stations}
    world.trust = {b.pk: rng.uniform(2.6, 4.2) for b in beats}
    return world


# ---------------------------------------------------------------- reports

REPORT_CONSTANT_COLUMNS = (
    "place_description",
    "description",
    "occurred_period",
    "contact_phone_encrypted",
    "contact_phone_index",
    "contact_email_encrypted",
    "contact_email_index",
    "no_sms",
    "safe_call_hours",
    "referred_to",
    "closed_reason",
    "contact_consent",
    "neutral_wording",
)
REPORT_CONSTANTS = "\t".join(("", "Bench report", "", "", "", "", "", "f", "", "", "", "f", "f"))
REPORT_COLUMNS = (
    "id",
    "public_id",
    "tracking_token_hash",
    "tracking_code_hash",
    *REPORT_CONSTANT_COLUMNS,
    "channel",
    "language",
    "anonymous",
    "woman_officer_only",
    "category_id",
    "beat_id",
    "lat",
    "lon",
    "public_lat",
    "public_lon",
    "reporter_gender",
    "reporter_age_band",
    "status",
    "created_at",
    "updated_at",
    "acknowledged_at",
    "started_at",
    "resolved_at",
    "referred_at",
    "duplicate_at",
    "closed_at",
    "first_contact_due",
    "resolution_due",
    "first_contact_overdue_at",
    "resolution_overdue_at",
)


def report_lines(
    world: World,
    rng: random.Random,
    *,
    n: int,
    first_id: int,
    now: dt.datetime,
    tz: ZoneInfo,
    days: int = DAYS,
    updated_now: bool = False,
) -> Iterator[str]:
    from rabta.reports.models import Category

    categories = list(Category.objects.values_list("pk", "code", "first_contact_hours", "resolution_hours"))
    pick_category = Picker(categories, [CATEGORY_WEIGHTS.get(c[1], 5) for c in categories], rng)
    pick_beat = Picker(world.beats, [rng.lognormvariate(0, 0.6) for _ in world.beats], rng)
    pick_hour = Picker(range(24), REPORT_HOURS, rng)
    pick_channel = Picker(("web", "sms", "api", "desk", "phone"), (45, 30, 10, 10, 5), rng)
    pick_language = Picker(("ur", "ps", "en"), (60, 30, 10), rng)
    pick_outcome = Picker(("resolved", "closed", "referred", "duplicate"), (68, 13, 14, 5), rng)
    pick_band = Picker(AGE_BANDS, (40, 32, 18, 10), rng)
    starts = day_starts(now, tz, days)
    hour = dt.timedelta(hours=1)
    rand, expo, uniform = rng.random, rng.expovariate, rng.uniform
    moments = ascending(rng, n, starts, now, lambda: (pick_hour(), None))
    for i, (created, _) in enumerate(moments, start=first_id):
        beat_id, station, lon0, lat0 = pick_beat()
        cat_id, cat_code, fc_hours, res_hours = pick_category()
        q = world.slowness[station]
        r = rand()
        if r < 0.01:
            ack_s = None
        elif r < 0.84:
            ack_s = expo(1 / (3 * 3600 * q))
        elif r < 0.96:
            ack_s = uniform(10, 30) * 3600 * q
        else:
            ack_s = uniform(1, 6) * 86400 * q
        done_s = None
        if ack_s is not None and rand() >= 0.02:
            if rand() < 0.88:
                done_s = ack_s + expo(1 / (res_hours * 3600 * 0.35 * q))
            else:
                done_s = ack_s + uniform(0.7, 2.0) * res_hours * 3600 * q
        fc_due = created + fc_hours * hour
        res_due = created + res_hours * hour
        ack_at = created + dt.timedelta(seconds=ack_s) if ack_s is not None else None
        if ack_at is not None and ack_at > now:
            ack_at = None
        outcome = pick_outcome()
        done_at = None
        if ack_at is not None and outcome == "duplicate":
            done_at = ack_at
        elif ack_at is not None and done_s is not None:
            done_at = created + dt.timedelta(seconds=done_s)
            if done_at > now:
                done_at = None
        started = resolved = referred = duplicate = closed = None
        if ack_at is None:
            status = "new"
        elif done_at is None:
            status = "in_progress" if rand() < 0.6 else "acknowledged"
            if status == "in_progress":
                started = ack_at
        else:
            status = outcome
            if outcome != "duplicate":
                started = ack_at
            if outcome == "resolved":
                resolved = done_at
            elif outcome == "referred":
                referred = done_at
            elif outcome == "closed":
                closed = done_at
            else:
                duplicate = done_at
        open_ = done_at is None
        fc_late = (ack_at is None and fc_due < now) or (ack_at is not None and ack_at > fc_due)
        res_late = (open_ and res_due < now) or (not open_ and status != "duplicate" and done_at > res_due)  # type: ignore[operator]
        updated = now if updated_now else max(m for m in (created, ack_at, done_at) if m is not None)
        has_point = rand() < 0.95
        lat = lat0 + rand() * 0.02 if has_point else None
        lon = lon0 + rand() * 0.02 if has_point else None
        gender = (
            "" if rand() < 0.55 else ("woman" if rand() < 0.35 else ("man" if rand() < 0.95 else "other"))
        )
        band = "" if rand() < 0.5 else pick_band()
        yield "\t".join(
            (
                str(i),
                f"BI{i:014d}",
                f"t{i}",
                f"c{i}",
                REPORT_CONSTANTS,
                pick_channel(),
                pick_language(),
                "t" if rand() < 0.3 else "f",
                "t" if cat_code == "violence_against_women" and rand() < 0.5 else "f",
                str(cat_id),
                str(beat_id),
                text(lat),
                text(lon),
                text(None if lat is None else round(lat, 2)),
                text(None if lon is None else round(lon, 2)),
                gender,
                band,
                status,
                ts(created),
                ts(updated),
                ts(ack_at),
                ts(started),
                ts(resolved),
                ts(referred),
                ts(duplicate),
                ts(closed),
                ts(fc_due),
                ts(res_due),
                ts(fc_due if fc_late else None),
                ts(res_due if res_late else None),
            )
        )


def load_reports(cur: Any, world: World, rng: random.Random, n: int, now: dt.datetime, tz: ZoneInfo) -> int:
    lines = report_lines(world, rng, n=n, first_id=1, now=now, tz=tz)
    count = copy_lines(cur, "reports_report", REPORT_COLUMNS, lines)
    move_sequence(cur, "reports_report")
    return count


# ---------------------------------------------------------------- presence

CONTACT_COLUMNS = columns(
    "id officer_id station_id kind proactive started_at ended_at place met_women_15_29 "
    "met_women_30_44 met_women_45_59 met_women_60 met_men_15_29 met_men_30_44 met_men_45_59 "
    "met_men_60 note channel client_id recorded_by_id created_at"
)
PROACTIVE_KINDS = (
    "foot_patrol",
    "vehicle_patrol",
    "door_to_door",
    "shop_visit",
    "check_in",
    "womens_outreach",
)
REACTIVE_KINDS = ("call_response", "report_follow_up")


def load_contacts(
    cur: Any, world: World, rng: random.Random, n: int, now: dt.datetime, tz: ZoneInfo
) -> tuple[int, int]:
    """Contacts and their beat links; (contacts, links)."""
    pick_beat = Picker(world.beats, [rng.lognormvariate(0, 0.7) for _ in world.beats], rng)
    # 60 % proactive, at their hours; the rest at any hour.
    hours = [(h, True) for h in range(24)] + [(h, False) for h in range(24)]
    weights = [0.6 * w / sum(PROACTIVE_HOURS) for w in PROACTIVE_HOURS] + [0.4 / 24] * 24
    pick_hour = Picker(hours, weights, rng)
    neighbours = {
        b[0]: world.beats[i + 1 if i + 1 < len(world.beats) else 0] for i, b in enumerate(world.beats)
    }
    starts = day_starts(now, tz, DAYS)
    rand, randint = rng.random, rng.randint
    links: list[tuple[int, int]] = []

    def lines() -> Iterator[str]:
        for i, (started, proactive) in enumerate(ascending(rng, n, starts, now, pick_hour), start=1):
            beat_id, station, _, _ = pick_beat()
            ended = min(now, started + dt.timedelta(minutes=randint(10, 60)))
            kind = PROACTIVE_KINDS[int(rand() * 6)] if proactive else REACTIVE_KINDS[int(rand() * 2)]
            women = kind == "womens_outreach"
            met = [randint(0, 3) if women else int(rand() < 0.15) for _ in range(4)]
            met += [0 if women else randint(0, 3) for _ in range(4)]
            officer = world.officer_of[beat_id]
            links.append((i, beat_id))
            other = neighbours[beat_id]
            if rand() < 0.1 and other[1] == station:
                links.append((i, other[0]))
            yield "\t".join(
                (
                    str(i),
                    str(officer),
                    str(station),
                    kind,
                    "t" if proactive else "f",
                    ts(started),
                    ts(ended),
                    "",
                    *map(str, met),
                    "",
                    "api",
                    str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    str(officer),
                    ts(min(now, ended + dt.timedelta(minutes=randint(0, 120)))),
                )
            )

    count = copy_lines(cur, "presence_contact", CONTACT_COLUMNS, lines())
    move_sequence(cur, "presence_contact")
    n_links = copy_rows(cur, "presence_contact_beats", ("contact_id", "beat_id"), links)
    return count, n_links


def load_desk_shifts(cur: Any, world: World, rng: random.Random, now: dt.datetime, tz: ZoneInfo) -> int:
    """Women's desk shifts at the desk stations, Monday to Saturday; some desks often unstaffed."""
    from rabta.people.models import Role, User

    officers = User.objects.bulk_create(
        [
            User(username=f"desk{s}", password="!", role=Role.WOMENS_DESK, scope_station_id=s)
            for s in world.desk_stations
        ]
    )
    staffed_share = {s: rng.choice((0.35, 0.6, 0.8, 0.9, 0.95)) for s in world.desk_stations}
    rows = []
    for start in reversed(day_starts(now, tz, DAYS)):
        local = start.astimezone(tz)
        if local.isoweekday() == 7:
            continue
        for station, officer in zip(world.desk_stations, officers, strict=True):
            if rng.random() >= staffed_share[station]:
                continue
            began = start + dt.timedelta(hours=9, minutes=rng.randint(-20, 60))
            ended = began + dt.timedelta(hours=rng.uniform(3, 8))
            if ended > now:
                continue
            rows.append((station, officer.pk, ts(began), ts(ended), officer.pk))
    return copy_rows(
        cur,
        "presence_deskshift",
        ("station_id", "officer_id", "started_at", "ended_at", "recorded_by_id"),
        rows,
    )


def timed(phases: dict[str, float], name: str, work: Callable[[], Any]) -> Any:
    began = time.perf_counter()
    out = work()
    phases[name] = round(time.perf_counter() - began, 1)
    print(f"  {name}: {phases[name]} s", flush=True)
    return out
