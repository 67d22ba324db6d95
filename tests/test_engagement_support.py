"""Builders shared by the engagement tests (no tests here)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from rabta.engagement import services
from rabta.engagement.models import ActionItem, Committee, Meeting, MeetingKind, PartnerAgency, Priority
from rabta.people.models import User
from rabta.places.models import Beat

KARACHI = dt.timezone(dt.timedelta(hours=5))


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=KARACHI)


def meeting(
    by: User,
    beats: list[Beat],
    *,
    kind: str = MeetingKind.OPEN_TALK,
    days: int = 3,
    hour: int = 16,
    facilitators: list[User] | None = None,
    **kw: Any,
) -> Meeting:
    day = timezone.localdate() + dt.timedelta(days=days)
    return services.create_meeting(
        by=by,
        kind=kind,
        beats=beats,
        starts_at=at(day, hour),
        ends_at=at(day, hour + 1, 30),
        venue=kw.pop("venue", "Gulabad Chowk hujra"),
        facilitators=facilitators if facilitators is not None else [by],
        **kw,
    )


def held_meeting(
    by: User, beats: list[Beat], counts: dict[str, int], *, days_ago: int = 2, **kw: Any
) -> Meeting:
    m = meeting(by, beats, days=-days_ago, **kw)
    services.record_meeting(meeting=m, by=by, counts=counts, officers_present=[by])
    m.refresh_from_db()
    return m


def agency(**kw: Any) -> PartnerAgency:
    kw.setdefault("name", "TMA Timergara")
    kw.setdefault("kind", "municipality")
    kw.setdefault("contact_name", "Mr Municipal Engineer")
    kw.setdefault("contact_email", "engineer@tma.example")
    return PartnerAgency.objects.create(**kw)


def priority(
    by: User, beat: Beat, *, issue: str = "Streetlights broken in Bagh Mohalla", m: Meeting | None = None
) -> Priority:
    return services.add_priority(
        by=by,
        beat=beat,
        meeting=m,
        issue=issue,
        raised_by="women",
        raised_on=timezone.localdate() - dt.timedelta(days=20),
    )


def action(by: User, p: Priority, *, due_in: int = 10, **owner: Any) -> ActionItem:
    if not owner:
        owner = {"owner_officer": by}
    return services.add_action_item(
        by=by,
        priority=p,
        action="Municipality to repair 12 streetlights",
        due_on=timezone.localdate() + dt.timedelta(days=due_in),
        **owner,
    )


def committee(beats: list[Beat], liaison: User | None = None, **kw: Any) -> Committee:
    kw.setdefault("name", "Gulabad Mohalla Committee")
    kw.setdefault("cadence", "monthly")
    kw.setdefault("started_on", timezone.localdate() - dt.timedelta(days=200))
    c = Committee.objects.create(liaison_officer=liaison, **kw)
    c.beats.set(beats)
    return c


def demo_loop(world: Any) -> None:
    """Priorities with a done, a late and an open action on world.beat_a (once, however often called)."""
    if Priority.objects.filter(beat=world.beat_a, issue__startswith="[loop]").exists():
        return
    officer = world.beat_officer
    tma = agency()
    lights = priority(
        officer, world.beat_a, issue="[loop] Streetlights broken in Bagh Mohalla; women avoid the lane"
    )
    done = action(officer, lights, due_in=-20, owner_agency=tma)
    services.update_action_item(
        item=done,
        by=officer,
        status="done",
        outcome="14 new LED streetlights installed on the Bagh Mohalla lane.",
    )
    school = priority(
        officer, world.beat_a, issue="[loop] Girls harassed near the school gate at closing time"
    )
    action(officer, school, due_in=-3)
    action(officer, school, due_in=12, owner_agency=tma)
