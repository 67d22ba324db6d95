"""The demo's presence data tells the field study's story: reactive and irregular at first, Gulabad
improving after the open talks, little after dark, the women's desk unstaffed on some days."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client, override_settings

from rabta.people.models import User
from rabta.places.models import Beat, PoliceStation
from rabta.presence.board import night_q, presence_board
from rabta.presence.desk import desk_summary
from rabta.presence.models import Contact, ContactChannel
from tests.conftest import verified_client
from tests.paths import url_for

SEED_DAY = dt.date(2025, 6, 2)
PKT = zoneinfo.ZoneInfo("Asia/Karachi")
# The morning after the seed day, so "yesterday" on the public page is the last seeded day.
AFTER = dt.datetime(2025, 6, 2, 10, 0, tzinfo=PKT)


@pytest.fixture
def demo(db: object) -> None:
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        call_command("seed_demo", "--today", SEED_DAY.isoformat(), stdout=io.StringIO())


def proactive_in(beat: Beat, first_day_ago: int, last_day_ago: int) -> int:
    lo = dt.datetime.combine(SEED_DAY - dt.timedelta(days=first_day_ago), dt.time.min, tzinfo=PKT)
    hi = dt.datetime.combine(SEED_DAY - dt.timedelta(days=last_day_ago), dt.time.min, tzinfo=PKT)
    return Contact.objects.for_beat(beat).proactive().filter(started_at__gte=lo, started_at__lt=hi).count()


def test_story_of_the_presence_demo(demo: None) -> None:
    contacts = Contact.objects.all()
    assert contacts.count() > 500 and set(contacts.values_list("channel", flat=True)) == {ContactChannel.DEMO}
    gul, shg = Beat.objects.get(code="GUL"), Beat.objects.get(code="SHG")
    # Mostly reactive in the first three months.
    early = contacts.filter(started_at__date__lt=SEED_DAY - dt.timedelta(days=90))
    assert early.filter(proactive=False).count() > early.filter(proactive=True).count()
    # Gulabad: far more proactive visits in the last three months than before; others stay irregular.
    assert proactive_in(gul, 90, 0) > 3 * proactive_in(gul, 180, 90)
    assert proactive_in(gul, 90, 0) > 2 * proactive_in(shg, 90, 0)
    # Little after dark.
    proactive = contacts.filter(proactive=True)
    assert proactive.filter(night_q()).count() < 0.12 * proactive.count()
    # Nothing in the future, nothing on the seed day itself.
    assert not contacts.filter(started_at__date__gte=SEED_DAY).exists()
    # The women's desk is unstaffed on some scheduled days.
    with time_machine.travel(AFTER, tick=False):
        summary = desk_summary(PoliceStation.objects.get(code="TMG"), days=90)
        assert 0 < summary.unstaffed_days < len(summary.days)
        assert summary.staffed_percent is not None and 40 < summary.staffed_percent < 100
        # The board puts Gulabad last among Timergara's beats: the one meeting its targets best.
        head = User.objects.get(username="station_head")
        rows = presence_board(user=head)
        assert rows[-1].beat.code == "GUL" or not rows[-1].falls_short
        page = verified_client(head).get(url_for("presence:board"))
        assert page.status_code == 200
        public = Client().get(url_for("site:beat", "GUL", lang="ur"))
        assert public.status_code == 200 and "<meter " in public.content.decode()
