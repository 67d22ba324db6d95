"""The demo's engagement data tells the field study's story, and the loop shows on its pages."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client, override_settings

from rabta.engagement.cadence import held_against_due
from rabta.engagement.models import ActionItem, Committee, Meeting, MeetingKind, MeetingStatus
from rabta.engagement.representation import representation
from rabta.places.models import Beat
from tests.paths import url_for

SEED_DAY = dt.date(2025, 6, 2)


@pytest.fixture
def demo(db: object) -> None:
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        call_command("seed_demo", "--today", SEED_DAY.isoformat(), stdout=io.StringIO())


def women_ratio(meetings: list[Meeting]) -> float:
    ratios = [representation(m.attendance, list(m.beats.all()))[0].ratio or 0.0 for m in meetings]
    return sum(ratios) / len(ratios)


def test_story_of_the_demo(demo: None) -> None:
    gul = Beat.objects.get(code="GUL")
    held = Meeting.objects.for_beat(gul).filter(status=MeetingStatus.HELD).select_related("attendance")
    first = list(held.filter(starts_at__date__lt=SEED_DAY - dt.timedelta(days=120)))
    last = list(
        held.filter(starts_at__date__gte=SEED_DAY - dt.timedelta(days=45)).exclude(
            kind=MeetingKind.COMMITTEE_MEETING
        )
    )
    assert first and last
    # Early meetings dominated by older men; later ones, with women's and youth sessions, much less so.
    assert all(m.attendance.count(gender="women") <= 2 for m in first if m.kind == MeetingKind.BEAT_MEETING)
    assert women_ratio(first) < 0.5 < women_ratio(last)
    assert (
        held.filter(kind=MeetingKind.WOMENS_SESSION).exists()
        and held.filter(kind=MeetingKind.YOUTH_SESSION).exists()
    )
    # The span is six months.
    all_held = Meeting.objects.filter(status=MeetingStatus.HELD).order_by("starts_at")
    assert (SEED_DAY - all_held.first().starts_at.date()).days >= 170  # type: ignore[union-attr]
    # A streetlight priority done by the municipality, with a public outcome.
    lights = ActionItem.objects.get(action__icontains="streetlights", owner_agency__kind="municipality")
    assert lights.status == "done" and lights.outcome
    # Some items overdue; one committee misses its cadence, the other keeps it.
    assert ActionItem.objects.overdue(SEED_DAY).count() >= 2
    missed = {}
    for c in Committee.objects.all():
        days = [m.starts_at.date() for m in c.meetings.filter(status=MeetingStatus.HELD)]
        report = held_against_due(c.cadence, c.started_on, SEED_DAY - dt.timedelta(days=150), SEED_DAY, days)
        missed[c.name] = len(report.missed)
    assert sorted(missed.values())[0] == 0 and sorted(missed.values())[-1] >= 2
    # An awareness session whose follow-up never came.
    assert Meeting.objects.follow_up_missing(SEED_DAY).count() == 1


def test_demo_pages_show_the_loop(demo: None, client: Client) -> None:
    body = client.get(url_for("engagement:you_said_we_did", "GUL", lang="ur")).content.decode()
    # The demo's outcomes have Urdu and Pashto versions; the agency keeps its own name.
    assert "14 نئی ایل ای ڈی اسٹریٹ لائٹس" in body and "TMA Timergara" in body
    english = client.get(url_for("engagement:you_said_we_did", "GUL")).content.decode()
    assert "14 new LED streetlights" in english
    pashto = client.get(url_for("engagement:you_said_we_did", "GUL", lang="ps")).content.decode()
    assert "14 نوي ایل ای ډي څراغونه" in pashto
    # One action is left in English only: it carries the "in English" label.
    assert 'lang="en" dir="auto">Education office to approve' in pashto and "in-lang" in pashto
    # The demo officers have their names in Pashto script and introductions in Pashto.
    beat_ps = client.get(url_for("site:beat", "GUL", lang="ps")).content.decode()
    assert '<bdi lang="ps" dir="rtl">علي خان</bdi>' in beat_ps
    assert "له 2023 راهیسې په ګل اباد کې ستاسو د بیټ افسر یم۔" in beat_ps
    assert "Haji Sher Zaman" not in body and "Shabana" not in body
    # Seeded "as of" SEED_DAY: look at the beat page on that day.
    with time_machine.travel(
        dt.datetime(2025, 6, 2, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=5))), tick=False
    ):
        beat_page = client.get(url_for("site:beat", "GUL")).content.decode()
    assert "Weekly open talk" in beat_page
