"""Demo presence: six months of contacts and women's desk shifts, shaped like the field study.

- At first presence is mostly reactive (call responses, report follow-ups) and irregular: proactive
  visits come in bursts with gaps of a week or more.
- In Gulabad, from the day ASI Ali Khan starts his weekly open talks (three months ago, as in
  rabta.engagement.demo), proactive visits become regular: foot patrols, door-to-door, shop visits,
  a check-in with the elders after each talk, and the women's desk officer's outreach visits.
- Little presence after dark anywhere (under one proactive visit in ten).
- The women's desk at Timergara is unstaffed on some scheduled days, more often in the first months.

Everything is bulk-inserted (contacts, their beats, shifts): the seed stays fast. The board's day
rows are then rebuilt from the contacts in one GROUP BY.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.urls import reverse
from django.utils import translation

from rabta.core.demo import DemoContext
from rabta.people.models import OfficerProfile
from rabta.places.models import Beat, District, PoliceStation
from rabta.presence import rollup
from rabta.presence.models import (
    BeatDay,
    BeatTarget,
    Contact,
    ContactChannel,
    ContactKind,
    DeskShift,
    is_proactive_kind,
)

DISTRICT_CODE = "LDIR-DEMO"
FOCUS_BEAT = "GUL"
DAYS = 182
# The open talks (rabta.engagement.demo) start 90 days before the seed day.
TALKS_START_DAYS_AGO = 90
REACTIVE = (ContactKind.CALL_RESPONSE, ContactKind.REPORT_FOLLOW_UP)
PATROLS = (ContactKind.FOOT_PATROL, ContactKind.VEHICLE_PATROL, ContactKind.SHOP_VISIT)
COMMUNITY = (ContactKind.DOOR_TO_DOOR, ContactKind.CHECK_IN, ContactKind.SCHOOL_VISIT)
PLACES = (
    "Main bazaar",
    "Chowk",
    "Near the girls' school",
    "Along the river road",
    "Bus stand",
    "Mohalla lanes",
)


def _district() -> District | None:
    return District.objects.filter(code=DISTRICT_CODE).first()


class _Builder:
    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.contacts: list[Contact] = []
        self.beats_of: list[Beat] = []

    def add(self, beat: Beat, officer_id: int, kind: str, days_ago: int, *, night: bool = False) -> None:
        rng = self.ctx.rng
        hour = rng.choice((19, 20, 21, 22, 23, 5)) if night else rng.randint(8, 17)
        started = self.ctx.local_datetime(days_ago, hour, rng.choice((0, 10, 20, 30, 40, 50)))
        minutes = rng.randint(10, 25) if kind in REACTIVE else rng.randint(20, 90)
        met = rng.randint(0, 6) if kind not in (ContactKind.VEHICLE_PATROL,) else 0
        women = kind == ContactKind.WOMENS_OUTREACH
        self.contacts.append(
            Contact(
                officer_id=officer_id,
                station_id=beat.station_id,
                kind=kind,
                proactive=is_proactive_kind(kind),
                started_at=started,
                ended_at=started + dt.timedelta(minutes=minutes),
                place=rng.choice(PLACES),
                met_women_30_44=met if women else 0,
                met_women_15_29=rng.randint(0, 3) if women else 0,
                met_men_30_44=0 if women else met,
                channel=ContactChannel.DEMO,
                client_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                recorded_by_id=officer_id,
            )
        )
        self.beats_of.append(beat)

    def save(self) -> int:
        Contact.objects.bulk_create(self.contacts, batch_size=500)
        through = Contact.beats.through
        through.objects.bulk_create(
            [
                through(contact_id=c.pk, beat_id=b.pk)
                for c, b in zip(self.contacts, self.beats_of, strict=True)
            ],
            batch_size=1000,
        )
        return len(self.contacts)


def _officers_by_beat(beats: list[Beat]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {b.pk: [] for b in beats}
    through = OfficerProfile.beats.through
    rows = through.objects.filter(beat__in=beats, officerprofile__on_womens_desk=False).values_list(
        "beat_id", "officerprofile__user_id"
    )
    for beat_id, user_id in rows.order_by("beat_id", "officerprofile__user__username"):
        out[beat_id].append(user_id)
    return out


def _seed_contacts(ctx: DemoContext, beats: list[Beat], desk_officers: list[int]) -> int:
    rng = ctx.rng
    build = _Builder(ctx)
    officers = _officers_by_beat(beats)
    for beat in beats:
        ids = officers[beat.pk] or desk_officers[:1]
        if not ids:
            continue
        focus = beat.code == FOCUS_BEAT
        for days_ago in range(DAYS, 0, -1):
            officer = ids[days_ago % len(ids)]
            # Reactive work every few days everywhere: calls come whatever the plan.
            if rng.random() < 0.45:
                build.add(beat, officer, rng.choice(REACTIVE), days_ago)
            improving = focus and days_ago <= TALKS_START_DAYS_AGO
            if improving:
                # Regular: most days a proactive visit, the day after the Monday talk a check-in.
                if rng.random() < 0.75:
                    kind = rng.choice(PATROLS + COMMUNITY)
                    build.add(beat, officer, kind, days_ago, night=rng.random() < 0.08)
                if ctx.local_datetime(days_ago, 12).isoweekday() == 2:
                    build.add(beat, officer, ContactKind.CHECK_IN, days_ago)
                if desk_officers and days_ago % 14 == 3:
                    build.add(beat, desk_officers[0], ContactKind.WOMENS_OUTREACH, days_ago)
            else:
                # Irregular: bursts of a few visits, then a week or more of nothing.
                burst = (days_ago // 9) % 3 == 0
                if burst and rng.random() < 0.4:
                    build.add(beat, officer, rng.choice(PATROLS), days_ago, night=rng.random() < 0.04)
    n = build.save()
    rollup.rebuild_rollup(beats=beats)
    return n


def _seed_desk(ctx: DemoContext, station: PoliceStation, officer_ids: list[int]) -> tuple[int, int]:
    """Shifts on the desk's scheduled days; some days nobody comes. Returns (shifts, unstaffed days)."""
    if not (officer_ids and station.womens_desk_opens and station.womens_desk_closes):
        return 0, 0
    rng = ctx.rng
    weekdays = set(station.womens_desk_weekdays)
    opens, closes = station.womens_desk_opens, station.womens_desk_closes
    shifts, unstaffed = [], 0
    for days_ago in range(DAYS, 0, -1):
        day = ctx.today - dt.timedelta(days=days_ago)
        if day.isoweekday() not in weekdays:
            continue
        # One scheduled day in four unstaffed at first, one in ten in the last three months.
        if rng.random() < (0.25 if days_ago > TALKS_START_DAYS_AGO else 0.1):
            unstaffed += 1
            continue
        officer = officer_ids[days_ago % len(officer_ids)]
        start = ctx.local_datetime(days_ago, opens.hour, opens.minute) + dt.timedelta(
            minutes=rng.randint(0, 60)
        )
        end = ctx.local_datetime(days_ago, closes.hour, closes.minute) - dt.timedelta(
            minutes=rng.randint(0, 120)
        )
        shifts.append(
            DeskShift(
                station=station, officer_id=officer, started_at=start, ended_at=end, recorded_by_id=officer
            )
        )
    DeskShift.objects.bulk_create(shifts)
    return len(shifts), unstaffed


def seed(ctx: DemoContext) -> None:
    district = _district()
    if district is None:
        ctx.say("presence: no demo district, nothing seeded")
        return
    beats = list(Beat.objects.filter(station__district=district).select_related("station").order_by("code"))
    desk = list(
        OfficerProfile.objects.filter(station__district=district, on_womens_desk=True)
        .order_by("user__username")
        .values_list("user_id", flat=True)
    )
    n_contacts = _seed_contacts(ctx, beats, desk)
    # Targets: the station head set Gulabad's after the talks began; other beats keep the defaults.
    focus = next((b for b in beats if b.code == FOCUS_BEAT), None)
    if focus is not None:
        BeatTarget.objects.create(
            beat=focus, proactive_per_week=6, night_share_percent=15, max_days_between=2
        )
    n_shifts, unstaffed = 0, 0
    for station in PoliceStation.objects.filter(district=district, has_womens_desk=True):
        on_desk = list(
            OfficerProfile.objects.filter(station=station, on_womens_desk=True)
            .order_by("user__username")
            .values_list("user_id", flat=True)
        )
        shifts, missed = _seed_desk(ctx, station, on_desk)
        n_shifts += shifts
        unstaffed += missed
    ctx.say(f"presence: {n_contacts} contacts, {n_shifts} desk shifts, {unstaffed} scheduled days unstaffed")
    describe(ctx)


def describe(ctx: DemoContext) -> None:
    with translation.override("en"):
        ctx.values["presence_board_path"] = reverse("presence:board")
        ctx.values["contact_log_path"] = reverse("presence:contact_log")


def reset(ctx: DemoContext) -> None:
    district = _district()
    if district is None:
        return
    Contact.objects.filter(station__district=district).delete()
    BeatDay.objects.filter(beat__station__district=district).delete()
    DeskShift.objects.filter(station__district=district).delete()
    BeatTarget.objects.filter(beat__station__district=district).delete()
