"""Demo engagement: six months of meetings in the demo district, shaped like the field study.

- Early meetings everywhere are held by elders: older men fill the room, women and youth are absent.
- In Gulabad (the demo beat) the beat officer starts weekly open talks (Case-01) and the women's desk
  officer starts women's and youth sessions (Case-02); the share of women and youth rises.
- Women raise broken streetlights; it becomes an action item owned by the municipality, done, with a
  public outcome on "you said, we did".
- Some action items are overdue (escalated by the reminder sweep); one committee misses its cadence;
  one awareness session never got its follow-up.

Beats and officers are read from the database (seeded by places and people before this module).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import translation

from rabta.core.demo import DemoContext
from rabta.engagement.demo_versions import add_versions
from rabta.engagement.models import (
    ActionItem,
    ActionStatus,
    AgencyKind,
    Attendance,
    Cadence,
    Committee,
    CommitteeMember,
    ConsentMethod,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MemberRole,
    PartnerAgency,
    Priority,
    RaisedBy,
)
from rabta.engagement.services import add_register_entry
from rabta.engagement.tasks import schedule_reminders
from rabta.people.models import Gender, OfficerProfile, Role, User
from rabta.places.models import Beat, District

DISTRICT_CODE = "LDIR-DEMO"
FOCUS_BEAT = "GUL"
OTHER_BEATS = ("TMB", "SHG", "BBZ", "TLB")
DAYS = 182

AGENCIES = (
    (
        "TMA Timergara (Tehsil Municipal Administration)",
        AgencyKind.MUNICIPALITY,
        "Municipal engineer",
        "0945-9250500",
    ),
    ("PESCO Timergara sub-division", AgencyKind.ELECTRICITY, "Sub-divisional officer", "0945-9250510"),
    (
        "District Education Office, Lower Dir",
        AgencyKind.EDUCATION,
        "Deputy district education officer",
        "0945-9250520",
    ),
    ("DHQ Hospital Timergara", AgencyKind.HEALTH, "Medical superintendent's office", "0945-9250530"),
    ("Sarhad Rural Support Programme", AgencyKind.NGO, "Community organiser", "0945-9250540"),
)


def _district() -> District | None:
    return District.objects.filter(code=DISTRICT_CODE).first()


def _officers(beat: Beat) -> list[User]:
    profiles = OfficerProfile.objects.filter(beats=beat).select_related("user").order_by("user__username")
    return [p.user for p in profiles]


def _woman_officer(beat: Beat) -> User | None:
    profile = (
        OfficerProfile.objects.filter(gender=Gender.WOMAN)
        .filter(Q(beats=beat) | Q(station=beat.station, on_womens_desk=True))
        .select_related("user")
        .order_by("-on_womens_desk", "user__username")
        .first()
    )
    return profile.user if profile else None


def _counts(ctx: DemoContext, *, total: int, women: float, youth: float) -> dict[str, int]:
    """Head counts for a room of about `total` with given shares of women and of people aged 15-29."""
    rng = ctx.rng
    total = max(4, round(total * rng.uniform(0.8, 1.2)))
    n_women = round(total * women * rng.uniform(0.8, 1.2))
    n_women = min(n_women, total)
    counts = {}
    for gender, n in (("women", n_women), ("men", total - n_women)):
        n_youth = min(n, round(n * youth * rng.uniform(0.85, 1.15)))
        rest = n - n_youth
        # Elders-heavy among the rest: 30-44 few, 45-59 and 60+ many (the pattern the study saw).
        a = round(rest * 0.2)
        b = round(rest * 0.35)
        counts[f"{gender}_15_29"] = n_youth
        counts[f"{gender}_30_44"] = a
        counts[f"{gender}_45_59"] = b
        counts[f"{gender}_60"] = rest - a - b
    return counts


class _Seeder:
    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.now = ctx.now

    def meeting(
        self,
        *,
        kind: str,
        beats: list[Beat],
        days_ago: int,
        hour: int,
        venue: str,
        facilitators: list[User],
        title: str = "",
        committee: Committee | None = None,
        counts: dict[str, int] | None = None,
        officers: list[User] | None = None,
        status: str | None = None,
        cancel_reason: str = "",
        minutes: str = "",
        **extra: Any,
    ) -> Meeting:
        starts = self.ctx.local_datetime(days_ago, hour)
        if status is None:
            status = MeetingStatus.HELD if starts < self.now else MeetingStatus.SCHEDULED
        m = Meeting.objects.create(
            kind=kind,
            title=title,
            committee=committee,
            starts_at=starts,
            ends_at=starts + dt.timedelta(minutes=90),
            venue=venue,
            status=status,
            cancel_reason=cancel_reason,
            minutes=minutes if status == MeetingStatus.HELD else "",
            sequence=1 if status != MeetingStatus.SCHEDULED else 0,
            created_by=facilitators[0] if facilitators else None,
            held_recorded_at=starts + dt.timedelta(hours=2) if status == MeetingStatus.HELD else None,
            **extra,
        )
        m.beats.set(beats)
        m.facilitators.set(facilitators)
        if status == MeetingStatus.HELD and counts is not None:
            attendance = Attendance.objects.create(
                meeting=m, recorded_by=facilitators[0] if facilitators else None, **counts
            )
            attendance.officers_present.set(officers or facilitators)
        return m

    def priority(self, beat: Beat, meeting: Meeting | None, issue: str, raised_by: str, by: User) -> Priority:
        day = (meeting.starts_at.astimezone(meeting.starts_at.tzinfo)).date() if meeting else self.ctx.today
        return Priority.objects.create(
            beat=beat, meeting=meeting, issue=issue, raised_by=raised_by, raised_on=day, created_by=by
        )

    def action(
        self,
        priority: Priority,
        action: str,
        *,
        due_days_ago: int,
        by: User,
        status: str = ActionStatus.OPEN,
        done_days_ago: int | None = None,
        outcome: str = "",
        **owner: Any,
    ) -> ActionItem:
        today = self.ctx.today
        return ActionItem.objects.create(
            priority=priority,
            action=action,
            due_on=today - dt.timedelta(days=due_days_ago),
            status=status,
            done_on=today - dt.timedelta(days=done_days_ago) if done_days_ago is not None else None,
            outcome=outcome,
            created_by=by,
            **owner,
        )


def seed(ctx: DemoContext) -> None:
    district = _district()
    if district is None:
        ctx.say("engagement: no demo district, nothing seeded")
        return
    beats = {b.code: b for b in Beat.objects.filter(station__district=district).select_related("station")}
    focus = beats.get(FOCUS_BEAT) or next(iter(beats.values()))
    others = [beats[c] for c in OTHER_BEATS if c in beats and c != focus.code]
    s = _Seeder(ctx)

    agencies = {
        kind: PartnerAgency.objects.create(
            name=name,
            kind=kind,
            district=district,
            contact_name=contact,
            contact_phone=phone,
            contact_email=f"{kind}@agencies.rabta.invalid",
        )
        for name, kind, contact, phone in AGENCIES
    }

    officers = _officers(focus)
    beat_officer = next((u for u in officers if u.role == Role.OFFICER), officers[0] if officers else None)
    woman = _woman_officer(focus)
    if beat_officer is None or woman is None:
        ctx.say("engagement: the demo beat has no officers, nothing seeded")
        return

    # Committees: Gulabad's meets monthly and keeps to it; Balambat's traders' committee misses months.
    gul_committee = Committee.objects.create(
        name=f"{focus.name} Mohalla Committee",
        liaison_officer=beat_officer,
        cadence=Cadence.MONTHLY,
        started_on=ctx.today - dt.timedelta(days=DAYS + 20),
    )
    gul_committee.beats.set([focus])
    members = [
        CommitteeMember.objects.create(committee=gul_committee, name=n, role=r, gender=g, age_band=a)
        for n, r, g, a in (
            ("Haji Sher Zaman", MemberRole.CHAIR, Gender.MAN, "60"),
            ("Malik Anwar Khan", MemberRole.VICE_CHAIR, Gender.MAN, "45_59"),
            ("Shabana Bibi", MemberRole.MEMBER, Gender.WOMAN, "30_44"),
            ("Irfan Ullah", MemberRole.SECRETARY, Gender.MAN, "15_29"),
            ("Rahima Gul", MemberRole.MEMBER, Gender.WOMAN, "15_29"),
        )
    ]
    for month in range(6):
        s.meeting(
            kind=MeetingKind.COMMITTEE_MEETING,
            beats=[focus],
            committee=gul_committee,
            days_ago=DAYS - 10 - month * 30,
            hour=15,
            venue="Gulabad Chowk hujra",
            facilitators=[beat_officer],
            counts=_counts(ctx, total=9, women=0.1 + 0.04 * month, youth=0.1 + 0.03 * month),
            minutes="Committee reviewed open action items with the beat officer.",
        )
    lagging: Committee | None = None
    traders_beat = beats.get("BBZ") or (others[0] if others else None)
    if traders_beat is not None:
        traders_officers = _officers(traders_beat) or [beat_officer]
        lagging = Committee.objects.create(
            name=f"{traders_beat.name} Traders' Committee",
            liaison_officer=traders_officers[0],
            cadence=Cadence.MONTHLY,
            started_on=ctx.today - dt.timedelta(days=DAYS + 20),
        )
        lagging.beats.set([traders_beat])
        CommitteeMember.objects.create(
            committee=lagging, name="Haji Gul Rehman", role=MemberRole.CHAIR, gender=Gender.MAN, age_band="60"
        )
        CommitteeMember.objects.create(
            committee=lagging, name="Fazal Wahid", role=MemberRole.MEMBER, gender=Gender.MAN, age_band="45_59"
        )
        for days_ago in (DAYS - 12, DAYS - 40, DAYS - 75):  # then it stopped meeting: months missed since
            s.meeting(
                kind=MeetingKind.COMMITTEE_MEETING,
                beats=[traders_beat],
                committee=lagging,
                days_ago=days_ago,
                hour=11,
                venue="Balambat traders' association office",
                facilitators=[traders_officers[0]],
                counts=_counts(ctx, total=8, women=0.0, youth=0.05),
            )

    # Beat meetings in the other beats: monthly, elders only, all six months.
    for beat in others:
        facilitator = (_officers(beat) or [beat_officer])[0]
        for month in range(6):
            s.meeting(
                kind=MeetingKind.BEAT_MEETING,
                beats=[beat],
                days_ago=DAYS - 5 - month * 30 - ctx.rng.randint(0, 5),
                hour=ctx.rng.choice((10, 11, 15)),
                venue=f"{beat.name} hujra",
                facilitators=[facilitator],
                counts=_counts(ctx, total=22, women=0.02, youth=0.06),
                minutes="Elders raised land disputes and bazaar encroachments.",
            )

    # Gulabad: three months of elders-only beat meetings, then weekly open talks, women's and youth sessions.
    early = []
    for month in range(3):
        early.append(
            s.meeting(
                kind=MeetingKind.BEAT_MEETING,
                beats=[focus],
                days_ago=DAYS - 3 - month * 30,
                hour=11,
                venue="Gulabad Chowk hujra",
                facilitators=[beat_officer],
                counts=_counts(ctx, total=24, women=0.0, youth=0.05),
                minutes="Attended by elders of the mohalla.",
            )
        )
    talks = []
    for week in range(13):
        days_ago = 90 - week * 7
        progress = week / 12
        talks.append(
            s.meeting(
                kind=MeetingKind.OPEN_TALK,
                beats=[focus],
                title="Open talk with shopkeepers, youth and families",
                days_ago=days_ago,
                hour=16,
                venue="Gulabad Chowk",
                facilitators=[beat_officer],
                counts=_counts(
                    ctx, total=20 + week, women=0.05 + 0.25 * progress, youth=0.15 + 0.2 * progress
                ),
            )
        )
    womens = []
    for fortnight in range(6):
        womens.append(
            s.meeting(
                kind=MeetingKind.WOMENS_SESSION,
                beats=[focus],
                title="Women's safety session",
                days_ago=86 - fortnight * 14,
                hour=10,
                venue="Girls High School Gulabad",
                facilitators=[woman],
                counts=_counts(ctx, total=14 + 3 * fortnight, women=1.0, youth=0.35),
            )
        )
    youth = []
    for month in range(3):
        youth.append(
            s.meeting(
                kind=MeetingKind.YOUTH_SESSION,
                beats=[focus],
                title="Youth session: volunteer group",
                days_ago=75 - month * 30,
                hour=17,
                venue="Gulabad cricket ground",
                facilitators=[woman, beat_officer],
                counts=_counts(ctx, total=18 + 4 * month, women=0.15, youth=0.9),
            )
        )
    walk = s.meeting(
        kind=MeetingKind.AWARENESS_WALK,
        beats=[focus],
        title="Awareness walk: peaceful coexistence",
        days_ago=20,
        hour=16,
        venue="From Gulabad Chowk to the bazaar",
        facilitators=[woman, beat_officer],
        counts=_counts(ctx, total=35, women=0.3, youth=0.55),
    )
    s.meeting(
        kind=MeetingKind.AWARENESS_SESSION,
        beats=[focus],
        title="Awareness session: street harassment",
        days_ago=45,
        hour=11,
        venue="Girls High School Gulabad",
        facilitators=[woman],
        counts=_counts(ctx, total=30, women=0.8, youth=0.5),
        requires_follow_up=True,
        follow_up_due=ctx.today - dt.timedelta(days=15),
        follow_up=walk,
    )
    # An awareness session elsewhere whose follow-up never happened (the teacher's complaint, T-2).
    if others:
        far = others[-1]
        s.meeting(
            kind=MeetingKind.AWARENESS_SESSION,
            beats=[far],
            title="Awareness session: drugs and young people",
            days_ago=60,
            hour=11,
            venue=f"{far.name} Government High School",
            facilitators=[(_officers(far) or [beat_officer])[0]],
            counts=_counts(ctx, total=40, women=0.0, youth=0.8),
            requires_follow_up=True,
            follow_up_due=ctx.today - dt.timedelta(days=30),
        )

    # Coming up: next open talk, a women's session, and a cancelled meeting (shown as CANCELLED in calendars).
    s.meeting(
        kind=MeetingKind.OPEN_TALK,
        beats=[focus],
        title="Weekly open talk",
        days_ago=-4,
        hour=16,
        venue="Gulabad Chowk",
        facilitators=[beat_officer],
    )
    s.meeting(
        kind=MeetingKind.WOMENS_SESSION,
        beats=[focus],
        title="Women's safety session",
        days_ago=-9,
        hour=10,
        venue="Girls High School Gulabad",
        facilitators=[woman],
    )
    s.meeting(
        kind=MeetingKind.BEAT_MEETING,
        beats=[focus],
        days_ago=-6,
        hour=11,
        venue="Gulabad Chowk hujra",
        facilitators=[beat_officer],
        status=MeetingStatus.CANCELLED,
        cancel_reason="Postponed: a funeral in the mohalla. The next open talk goes ahead.",
    )

    # A named register kept with consent at one women's session (staff-only, encrypted, audited).
    for name in ("Shabana Bibi", "Nasreen Akhtar", "Gul Bano"):
        add_register_entry(
            meeting=womens[1], by=woman, name=name, consent_given=True, consent_method=ConsentMethod.VERBAL
        )

    # What residents said, and what was done.
    lights = s.priority(
        focus,
        womens[0],
        "Streetlights on the Bagh Mohalla lane have been dark for a year; "
        "women avoid the lane after Maghrib.",
        RaisedBy.WOMEN,
        woman,
    )
    s.action(
        lights,
        "TMA to install new streetlights on the Bagh Mohalla lane",
        due_days_ago=40,
        by=beat_officer,
        status=ActionStatus.DONE,
        done_days_ago=44,
        owner_agency=agencies[AgencyKind.MUNICIPALITY],
        outcome="14 new LED streetlights installed on the Bagh Mohalla lane; the committee checks them.",
    )
    s.action(
        lights,
        "PESCO to restore the feeder that powers the lane's lights",
        due_days_ago=55,
        by=beat_officer,
        status=ActionStatus.DONE,
        done_days_ago=58,
        owner_agency=agencies[AgencyKind.ELECTRICITY],
        outcome="Feeder repaired; the lights now stay on all night.",
    )
    snatching = s.priority(
        focus,
        talks[1],
        "Mobile phones snatched near Gulabad Chowk after Isha.",
        RaisedBy.SHOPKEEPERS,
        beat_officer,
    )
    s.action(
        snatching,
        "Evening foot patrol at Gulabad Chowk, 19:00 to 22:00",
        due_days_ago=60,
        by=beat_officer,
        status=ActionStatus.DONE,
        done_days_ago=62,
        owner_officer=beat_officer,
        outcome="Foot patrol every evening since; shopkeepers report no snatching in the last six weeks.",
    )
    school = s.priority(
        focus, womens[2], "Girls are harassed near the school gate at closing time.", RaisedBy.WOMEN, woman
    )
    s.action(
        school,
        "A woman officer at the girls' school gate at closing time, twice a week",
        due_days_ago=12,
        by=woman,
        status=ActionStatus.IN_PROGRESS,
        owner_officer=woman,
    )  # overdue
    ground = s.priority(
        focus,
        youth[0],
        "Young people have nowhere to play; they gather at the bus stand at night.",
        RaisedBy.YOUTH,
        beat_officer,
    )
    s.action(
        ground,
        "Committee to ask the school for its ground for evening cricket",
        due_days_ago=-2,
        by=beat_officer,
        owner_member=members[3],
    )  # due in two days: a reminder goes out
    s.action(
        ground,
        "Education office to approve evening use of the school ground",
        due_days_ago=-25,
        by=beat_officer,
        owner_agency=agencies[AgencyKind.EDUCATION],
    )
    drains = s.priority(
        focus, early[1], "Blocked drains flood the street in the rain.", RaisedBy.ELDERS, beat_officer
    )
    s.action(
        drains,
        "Clean the drains of the main street",
        due_days_ago=70,
        by=beat_officer,
        status=ActionStatus.DROPPED,
        owner_agency=agencies[AgencyKind.MUNICIPALITY],
        drop_reason="Merged into the TMA's district drainage scheme.",
    )
    for beat in others[:2]:
        encroach = s.priority(
            beat,
            None,
            "Encroachments block the bazaar road for ambulances.",
            RaisedBy.ELDERS,
            (_officers(beat) or [beat_officer])[0],
        )
        s.action(
            encroach,
            "TMA to clear encroachments from the bazaar road",
            due_days_ago=20,
            by=beat_officer,
            owner_agency=agencies[AgencyKind.MUNICIPALITY],
        )  # overdue

    add_versions(district)
    for item in ActionItem.objects.still_open().filter(priority__beat__station__district=district):
        schedule_reminders(item)
    n_meetings = Meeting.objects.filter(beats__station__district=district).distinct().count()
    ctx.say(
        f"engagement: {n_meetings} meetings, "
        f"{Priority.objects.filter(beat__station__district=district).count()} priorities"
    )
    describe(ctx)


def describe(ctx: DemoContext) -> None:
    with translation.override("ur"):
        ctx.values["you_said_we_did_path"] = reverse(
            "engagement:you_said_we_did", kwargs={"code": FOCUS_BEAT}
        )
    with translation.override("en"):
        ctx.values["staff_meetings_path"] = reverse("engagement:meetings")
    ctx.values["meetings_feed_path"] = reverse("engagement_feeds:beat_meetings", kwargs={"code": FOCUS_BEAT})


def reset(ctx: DemoContext) -> None:
    district = _district()
    if district is None:
        return
    beats = Beat.objects.filter(station__district=district)
    ActionItem.objects.filter(priority__beat__in=beats).delete()
    Priority.objects.filter(beat__in=beats).delete()
    Meeting.objects.filter(beats__in=beats).delete()
    CommitteeMember.objects.filter(committee__beats__in=beats).delete()
    Committee.objects.filter(beats__in=beats).delete()
    PartnerAgency.objects.filter(district=district).delete()
