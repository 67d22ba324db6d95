"""Meetings, committees, priorities and action items, and survey answers for bench/insights.py (what
they look like: bench/insights_data.py)."""

from __future__ import annotations

import bisect
import datetime as dt
import random
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from insights_data import (
    AGE_BANDS,
    BAND_SHARES,
    DAYS,
    Picker,
    World,
    columns,
    copy_rows,
    day_starts,
    move_sequence,
    ts,
)

# Meeting kind -> (share, women's share of attendees, the youngest band's share, mean head count).
MEETING_KINDS = {
    "open_talk": (0.30, 0.20, 0.35, 28),
    "beat_meeting": (0.20, 0.25, 0.25, 18),
    "womens_session": (0.15, 0.92, 0.35, 22),
    "youth_session": (0.10, 0.30, 0.85, 25),
    "committee_meeting": (0.15, 0.15, 0.15, 10),
    "awareness_session": (0.05, 0.40, 0.40, 35),
    "awareness_walk": (0.05, 0.30, 0.45, 40),
}
WALK = ("very_safe", "fairly_safe", "bit_unsafe", "very_unsafe", "never", "dont_know")


def noon(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=tz)


# ---------------------------------------------------------------- engagement

MEETING_COLUMNS = columns(
    "id kind title title_ur title_ps starts_at ends_at venue status cancel_reason minutes "
    "decisions requires_follow_up follow_up_due follow_up_id sequence created_at updated_at "
    "held_recorded_at committee_id created_by_id"
)
ATTENDANCE_COLUMNS = columns(
    "meeting_id women_15_29 women_30_44 women_45_59 women_60 men_15_29 men_30_44 men_45_59 "
    "men_60 recorded_at recorded_by_id"
)


def load_committees(world: World, rng: random.Random, now: dt.datetime) -> int:
    from rabta.engagement.models import Committee

    chosen = [b for b in world.beats if rng.random() < 0.6]
    cadences = ("monthly",) * 7 + ("fortnightly",) * 2 + ("quarterly",)
    committees = Committee.objects.bulk_create(
        [
            Committee(
                name=f"Committee {b[0]}",
                cadence=rng.choice(cadences),
                started_on=(now - dt.timedelta(days=DAYS + 90)).date(),
                liaison_officer_id=world.officer_of[b[0]],
            )
            for b in chosen
        ],
        batch_size=1000,
    )
    Committee.beats.through.objects.bulk_create(
        [
            Committee.beats.through(committee_id=c.pk, beat_id=b[0])
            for c, b in zip(committees, chosen, strict=True)
        ],
        batch_size=1000,
    )
    world.committee_of = {b[0]: c.pk for c, b in zip(committees, chosen, strict=True)}
    return len(committees)


def _attendance(kind: str, rng: random.Random) -> list[int]:
    _, women_share, young_share, mean = MEETING_KINDS[kind]
    head_count = max(1, int(rng.gauss(mean, mean / 3)))
    rest = (1 - young_share) / (1 - BAND_SHARES[0]) if young_share < 1 else 0
    bands = (young_share, BAND_SHARES[1] * rest, BAND_SHARES[2] * rest, BAND_SHARES[3] * rest)
    out = []
    for share in (women_share, 1 - women_share):
        for band_share in bands:
            out.append(int(head_count * share * band_share * rng.uniform(0.6, 1.4) + 0.5))
    return out


def load_meetings(
    cur: Any, world: World, rng: random.Random, n: int, now: dt.datetime, tz: ZoneInfo
) -> dict[str, int]:
    """Meetings, their beats, attendance, priorities and action items; the row counts."""
    kinds = list(MEETING_KINDS)
    pick_kind = Picker(kinds, [MEETING_KINDS[k][0] for k in kinds], rng)
    pick_beat = Picker(world.beats, [rng.lognormvariate(0, 0.5) for _ in world.beats], rng)
    starts = day_starts(now, tz, DAYS)
    planned = []
    for _ in range(n):
        beat = pick_beat()
        kind = pick_kind()
        if kind == "committee_meeting" and beat[0] not in world.committee_of:
            kind = "beat_meeting"
        # 3 % still ahead (next 30 days), the rest in the last 12 months.
        if rng.random() < 0.03:
            start = starts[0] + dt.timedelta(days=rng.randint(1, 30), hours=rng.randint(10, 17))
        else:
            start = starts[rng.randrange(DAYS)] + dt.timedelta(hours=rng.randint(10, 17))
        planned.append((start, beat, kind))
    planned.sort(key=lambda p: p[0])
    by_beat: dict[int, list[int]] = {}
    for i, (_, beat, _) in enumerate(planned):
        by_beat.setdefault(beat[0], []).append(i)
    position = {i: k for ids in by_beat.values() for k, i in enumerate(ids)}
    held = [start < now and rng.random() < 0.88 for start, _, _ in planned]
    neighbours = {
        b[0]: world.beats[i + 1 if i + 1 < len(world.beats) else 0] for i, b in enumerate(world.beats)
    }
    meetings, links, attendance, priorities, actions = [], [], [], [], []
    priority_id = action_id = 0
    for i, (start, beat, kind) in enumerate(planned):
        mid = i + 1
        beat_id, station = beat[0], beat[1]
        officer = world.officer_of[beat_id]
        end = start + dt.timedelta(minutes=90)
        is_held = held[i]
        status = "held" if is_held else ("scheduled" if start >= now else "cancelled")
        follow_up = follow_up_id = None
        needs = is_held and kind in ("open_talk", "beat_meeting") and rng.random() < 0.15
        if needs:
            follow_up = (start.astimezone(tz) + dt.timedelta(days=21)).date()
            later = by_beat[beat_id][position[i] + 1 : position[i] + 4]
            kept = [j for j in later if held[j] and planned[j][0].astimezone(tz).date() <= follow_up]
            if kept and rng.random() < 0.8:
                follow_up_id = kept[0] + 1
        recorded = end + dt.timedelta(hours=rng.randint(1, 48)) if is_held else None
        if recorded is not None and recorded > now:
            recorded = now
        created = start - dt.timedelta(days=rng.randint(3, 14))
        committee = world.committee_of.get(beat_id) if kind == "committee_meeting" else None
        meetings.append(
            (
                mid,
                kind,
                "Bench meeting",
                "",
                "",
                ts(start),
                ts(end),
                "",
                status,
                "" if status != "cancelled" else "Bench",
                "",
                "",
                needs,
                follow_up,
                follow_up_id,
                0,
                ts(min(created, now)),
                ts(min(recorded or created, now)),
                ts(recorded),
                committee,
                officer,
            )
        )
        links.append((mid, beat_id))
        other = neighbours[beat_id]
        if rng.random() < 0.15 and other[1] == station:
            links.append((mid, other[0]))
        if is_held and rng.random() < 0.95:
            attendance.append((mid, *_attendance(kind, rng), ts(recorded), officer))
        raises = kind in ("open_talk", "beat_meeting", "womens_session", "committee_meeting")
        if is_held and raises and rng.random() < 0.2:
            priority_id += 1
            raised = start.astimezone(tz).date()
            raised_by = ("women", "youth", "elders", "shopkeepers", "other")[rng.randrange(5)]
            priorities.append(
                (priority_id, "Bench issue", "", "", raised_by, raised, ts(start), beat_id, officer, mid)
            )
            for _ in range(rng.choice((1, 1, 2))):
                action_id += 1
                due = raised + dt.timedelta(days=rng.choice((14, 30, 60)))
                r = rng.random()
                done_on = None
                if r < 0.6:
                    a_status = "done"
                    done_on = raised + dt.timedelta(days=rng.randint(1, (due - raised).days + 20))
                    if done_on > now.date():
                        a_status, done_on = "in_progress", None
                elif r < 0.9:
                    a_status = "open" if r < 0.75 else "in_progress"
                else:
                    a_status = "dropped"
                actions.append(
                    (
                        action_id,
                        priority_id,
                        "Bench action",
                        "",
                        "",
                        due,
                        a_status,
                        "" if a_status != "dropped" else "Bench",
                        "",
                        "",
                        "",
                        done_on,
                        ts(start),
                        ts(min(now, start if done_on is None else noon(done_on, tz))),
                        officer,
                        officer,
                    )
                )
    counts = {
        "meetings": copy_rows(cur, "engagement_meeting", MEETING_COLUMNS, meetings),
        "meeting_beats": copy_rows(cur, "engagement_meeting_beats", ("meeting_id", "beat_id"), links),
        "attendance": copy_rows(cur, "engagement_attendance", ATTENDANCE_COLUMNS, attendance),
        "priorities": copy_rows(
            cur,
            "engagement_priority",
            columns(
                "id issue issue_ur issue_ps raised_by raised_on created_at beat_id created_by_id meeting_id"
            ),
            priorities,
        ),
        "action_items": copy_rows(
            cur,
            "engagement_actionitem",
            columns(
                "id priority_id action action_ur action_ps due_on status drop_reason outcome outcome_ur "
                "outcome_ps done_on created_at updated_at created_by_id owner_officer_id"
            ),
            actions,
        ),
    }
    for table in ("engagement_meeting", "engagement_priority", "engagement_actionitem"):
        move_sequence(cur, table)
    return counts


# ---------------------------------------------------------------- feedback


def _likert(mean: float, rng: random.Random, missing: float = 0.05) -> int | None:
    if rng.random() < missing:
        return None
    return min(5, max(1, round(rng.gauss(mean, 1.0))))


def _person(rng: random.Random) -> tuple[str, str]:
    r = rng.random()
    gender = "woman" if r < 0.32 else ("man" if r < 0.9 else ("other" if r < 0.92 else ""))
    band = "" if rng.random() < 0.1 else AGE_BANDS[bisect.bisect((0.38, 0.68, 0.88), rng.random())]
    return gender, band


def load_answers(
    cur: Any, world: World, rng: random.Random, n: int, now: dt.datetime, tz: ZoneInfo
) -> dict[str, int]:
    """Post-contact answers (60 %) and community answers in four quarterly campaigns (40 %)."""
    from rabta.feedback.models import Campaign

    today = now.astimezone(tz).date()
    pick_beat = Picker(world.beats, [rng.lognormvariate(0, 0.6) for _ in world.beats], rng)
    n_contact = n * 6 // 10
    contact_rows = []
    for _ in range(n_contact):
        beat_id = pick_beat()[0]
        mean = world.trust[beat_id]
        gender, band = _person(rng)
        contact_rows.append(
            (
                uuid.UUID(int=rng.getrandbits(128), version=4),
                "report" if rng.random() < 0.4 else "contact",
                "sms" if rng.random() < 0.6 else "web",
                today - dt.timedelta(days=rng.randrange(1, DAYS)),
                *(_likert(mean, rng) for _ in range(5)),
                gender,
                band,
                "resident" if rng.random() < 0.5 else "police",
                beat_id,
            )
        )
    contact_rows.sort(key=lambda r: r[3])  # in the order they came in, as in production
    contacts = copy_rows(
        cur,
        "feedback_contactresponse",
        columns(
            "id source mode answered_on voice neutrality respect motives overall gender age_band "
            "started_by beat_id"
        ),
        contact_rows,
    )
    campaigns = []
    for q in range(4):
        opens = today - dt.timedelta(days=DAYS - 1 - q * 91)
        campaigns.append(
            Campaign.objects.create(
                name=f"Trust and safety Q{q + 1}",
                opens_on=opens,
                closes_on=min(today, opens + dt.timedelta(days=90)),
                open_link_token=f"bench{q}",
            )
        )
    copy_rows(
        cur,
        "feedback_campaign_beats",
        ("campaign_id", "beat_id"),
        ((c.pk, b[0]) for c in campaigns for b in world.beats),
    )
    community_rows = []
    for _ in range(n - n_contact):
        beat_id = pick_beat()[0]
        mean = world.trust[beat_id]
        gender, band = _person(rng)
        campaign = campaigns[rng.randrange(4)]
        span = (campaign.closes_on - campaign.opens_on).days
        r = rng.random()
        mode = "paper" if r < 0.5 else ("web" if r < 0.8 else ("sms" if r < 0.95 else "open_link"))
        # Women feel less safe after dark; the shares move with the beat's level of trust.
        unsafe = (0.45 if gender == "woman" else 0.25) * (4.5 - mean) / 1.5
        dark = "never" if gender == "woman" and rng.random() < 0.2 else _walk(unsafe, rng)
        community_rows.append(
            (
                uuid.UUID(int=rng.getrandbits(128), version=4),
                mode,
                campaign.opens_on + dt.timedelta(days=rng.randint(0, span)),
                _likert(mean, rng),
                _likert(mean - 0.2, rng),
                _likert(mean + 0.1, rng),
                _likert(mean + 0.3, rng),
                _walk(unsafe / 3, rng),
                dark,
                None if rng.random() < 0.05 else rng.random() < (mean - 2) / 3,
                gender,
                band,
                beat_id,
                campaign.pk,
            )
        )
    community_rows.sort(key=lambda r: r[2])
    community = copy_rows(
        cur,
        "feedback_communityresponse",
        columns(
            "id mode answered_on trust_respect trust_listen safety willingness walk_day walk_dark "
            "knows_officer gender age_band beat_id campaign_id"
        ),
        community_rows,
    )
    return {"contact_responses": contacts, "community_responses": community, "campaigns": len(campaigns)}


def _walk(unsafe: float, rng: random.Random) -> str:
    r = rng.random()
    if r < 0.04:
        return "dont_know"
    if r < 0.04 + unsafe:
        return WALK[2] if rng.random() < 0.6 else WALK[3]
    return WALK[0] if rng.random() < 0.45 else WALK[1]
