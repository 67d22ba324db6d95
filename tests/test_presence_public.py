"""The public beat page's presence: visits per week and "last visit N days ago", never today, never a
time of day or a place; the women's desk open now and its staffed share. Frozen time throughout."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
import time_machine
from django.test import Client

from rabta.presence.models import DeskShift
from rabta.presence.public import public_presence
from tests import factories
from tests.paths import url_for

PKT = zoneinfo.ZoneInfo("Asia/Karachi")
# Wednesday 11 March 2026, 15:00 in Timergara.
NOW = dt.datetime(2026, 3, 11, 15, 0, tzinfo=PKT)

pytestmark = pytest.mark.django_db


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=PKT)


def beat_page(code: str = "GUL", lang: str = "en") -> str:
    response = Client().get(url_for("site:beat", code, lang=lang))
    assert response.status_code == 200
    return response.content.decode()


def test_a_visit_today_shows_only_from_tomorrow(world):
    with time_machine.travel(NOW, tick=False):
        factories.contact(world.beat_a, at=at(11, 10, 15), place="Behind the Jamia mosque")
        summary = public_presence(world.beat_a)
        page = beat_page()
    assert summary.days_since_last is None and summary.total == 0
    assert "Last visit" not in page
    with time_machine.travel(at(12, 0, 5), tick=False):
        summary = public_presence(world.beat_a)
        page = beat_page()
    assert summary.days_since_last == 1
    assert summary.weeks[-1].visits == 1  # the week of Monday 9 March
    assert "Last visit: 1 day ago." in page
    # Never the time of day, the place, nor the officer.
    assert "10:15" not in page and "mosque" not in page.lower()
    assert world.beat_officer.last_name not in page.split('id="presence-h"')[1].split("</section>")[0]


def test_a_visit_late_last_night_counts_as_yesterday(world):
    with time_machine.travel(NOW, tick=False):
        factories.contact(world.beat_a, at=at(10, 23, 40))
        summary = public_presence(world.beat_a)
        page = beat_page()
    assert summary.days_since_last == 1
    assert "23:40" not in page and "11:40" not in page


def test_eight_calendar_weeks_of_proactive_visits(world):
    with time_machine.travel(NOW, tick=False):
        # Week of Monday 2 March: two visits; week of 19 January (the first of the eight): one; 18 January:
        # too old. A call response is not a visit.
        factories.contact(world.beat_a, at=at(2, 9))
        factories.contact(world.beat_a, at=at(8, 21))
        factories.contact(world.beat_a, at=dt.datetime(2026, 1, 19, 8, tzinfo=PKT))
        factories.contact(world.beat_a, at=dt.datetime(2026, 1, 18, 8, tzinfo=PKT))
        factories.contact(world.beat_a, at=at(10, 9), kind="call_response")
        # Another beat's patrol is not this beat's.
        factories.contact(world.beat_b, at=at(10, 9))
        summary = public_presence(world.beat_a)
        page = beat_page()
        # Urdu and Pashto pages say it too.
        assert "<meter " in beat_page(lang="ur") and "<meter " in beat_page(lang="ps")
    starts = [w.starts_on for w in summary.weeks]
    assert (starts[0], starts[-1]) == (dt.date(2026, 1, 19), dt.date(2026, 3, 9))
    assert [w.visits for w in summary.weeks] == [1, 0, 0, 0, 0, 0, 1 + 1, 0]
    assert summary.days_since_last == 3
    assert "Last visit: 3 days ago." in page
    assert len(re.findall(r"<meter ", page)) == 8


def test_beat_without_visits_says_so(world):
    with time_machine.travel(NOW, tick=False):
        page = beat_page()
    assert "No police visits recorded here yet." in page
    assert "<meter " not in page


def test_desk_open_now_and_staffed_share(world):
    officer = world.womens_desk_officer
    # Last Monday to Tuesday staffed 8 of 8 hours; today, open since 09:00.
    DeskShift.objects.create(
        station=world.station_a, officer=officer, started_at=at(9, 9), ended_at=at(9, 17)
    )
    DeskShift.objects.create(station=world.station_a, officer=officer, started_at=at(11, 9))
    with time_machine.travel(NOW, tick=False):
        page = beat_page()
    assert "Open now." in page
    assert re.search(r"Staffed \d+% of its opening hours in the last 30 days\.", page)
    # Rabat's station has no desk: its page shows Timergara's desk, open too.
    with time_machine.travel(NOW, tick=False):
        assert "Open now." in beat_page("RBT")
    # After closing time it says closed.
    with time_machine.travel(at(11, 18), tick=False):
        assert "Closed now." in beat_page()
