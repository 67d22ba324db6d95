"""The board's day rows (BeatDay): kept by the logging service as a rebuild would make them, and a
board read from them equal to one counted from the contacts themselves."""

from __future__ import annotations

import datetime as dt
import random
import threading
import zoneinfo

import pytest
import time_machine
from django.db import connection, connections
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rabta.presence.board import NIGHT_WINDOW, WEEK, presence_board
from rabta.presence.models import BeatDay, Contact, ContactKind, is_night
from rabta.presence.rollup import rebuild_rollup
from rabta.presence.services import log_contact
from tests import factories

PKT = zoneinfo.ZoneInfo("Asia/Karachi")
# A Wednesday afternoon in Timergara.
NOW = dt.datetime(2026, 3, 11, 15, 7, tzinfo=PKT)

pytestmark = pytest.mark.django_db


def day_rows() -> list[tuple[int, dt.date, int, int, int, dt.datetime | None]]:
    return sorted(
        BeatDay.objects.values_list(
            "beat_id", "day", "contacts", "proactive", "proactive_night", "last_proactive_at"
        )
    )


def log(world, *, beats, at, kind=ContactKind.FOOT_PATROL, officer=None):
    return log_contact(
        officer=officer or world.station_head,
        kind=kind,
        beats=beats,
        started_at=at,
        ended_at=at + dt.timedelta(minutes=20),
    )


def test_logging_keeps_the_day_rows_equal_to_a_rebuild(world):
    a, b = world.beat_a, world.beat_b
    with time_machine.travel(NOW, tick=False):
        # Either side of local midnight (19:00 UTC) and of the night's edges, one beat and two,
        # proactive and reactive, and the same entry sent twice.
        moments = [
            dt.datetime(2026, 3, 10, 18, 59, tzinfo=dt.UTC),
            dt.datetime(2026, 3, 10, 19, 0, tzinfo=dt.UTC),
            dt.datetime(2026, 3, 9, 0, 59, tzinfo=dt.UTC),  # 05:59 local: night
            dt.datetime(2026, 3, 9, 1, 0, tzinfo=dt.UTC),  # 06:00 local: day
            dt.datetime(2026, 3, 9, 14, 0, tzinfo=dt.UTC),  # 19:00 local: night
            dt.datetime(2026, 3, 5, 8, 0, tzinfo=dt.UTC),
        ]
        for i, at in enumerate(moments):
            log(world, beats=[a], at=at)
            log(world, beats=[a, b], at=at + dt.timedelta(minutes=5 * i))
            log(world, beats=[b], at=at, kind=ContactKind.CALL_RESPONSE)
        first = log(world, beats=[a], at=moments[0])
        again = log_contact(
            officer=world.station_head,
            kind=ContactKind.FOOT_PATROL,
            beats=[a],
            started_at=moments[0],
            ended_at=moments[0] + dt.timedelta(minutes=20),
            client_id=first.contact.client_id,
        )
        assert not again.created
    logged = day_rows()
    assert sum(r[2] for r in logged) == Contact.beats.through.objects.count() == 6 * 4 + 1
    night = [r for r in logged if r[4]]
    assert night, "the night contacts counted"
    assert rebuild_rollup() == len(logged)
    assert day_rows() == logged
    # A local day, not a UTC one: 18:59 and 19:00 UTC fall on two days in Timergara.
    days_of_a = {r[1] for r in logged if r[0] == a.pk}
    assert {dt.date(2026, 3, 10), dt.date(2026, 3, 11)} <= days_of_a


def raw_board(beats, now):
    """The board's figures counted from the contacts, as it read them before the day rows."""
    through = Contact.beats.through
    since = now - NIGHT_WINDOW
    out = {}
    for beat in beats:
        links = through.objects.filter(beat_id=beat.pk, contact__proactive=True)
        window = links.filter(contact__started_at__gte=since, contact__started_at__lte=now)
        starts = [timezone.localtime(s) for s in window.values_list("contact__started_at", flat=True)]
        last = links.filter(contact__started_at__lte=now).aggregate(last=Max("contact__started_at"))["last"]
        out[beat.code] = (
            last,
            (timezone.localdate(now) - timezone.localdate(last)).days if last else None,
            sum(1 for s in starts if s >= now - WEEK),
            len(starts),
            sum(1 for s in starts if is_night(s)),
        )
    return out


@pytest.mark.parametrize("minute", [0, 7, 59])
def test_board_from_day_rows_equals_the_raw_count(world, minute):
    rng = random.Random(minute)
    now = NOW.replace(minute=minute)
    beats = [world.beat_a, world.beat_b, world.beat_c]
    for _ in range(120):
        # Every minute of 40 days, so the partial days at the window's and the week's edges hold
        # contacts on both sides of the boundary.
        at = now - dt.timedelta(minutes=rng.randint(1, 40 * 24 * 60))
        factories.contact(
            rng.choice(beats[:2]),
            at=at,
            kind=rng.choice([ContactKind.FOOT_PATROL, ContactKind.CALL_RESPONSE]),
        )
    for edge in (now - WEEK, now - NIGHT_WINDOW):
        for delta in (-1, 0, 1):
            factories.contact(world.beat_a, at=edge + dt.timedelta(seconds=delta))
    # beat_c: its only visit before the four weeks.
    factories.contact(world.beat_c, at=now - NIGHT_WINDOW - dt.timedelta(days=3))
    with time_machine.travel(now, tick=False):
        board = presence_board(user=world.admin_user, now=now)
    got = {
        r.beat.code: (r.last_visit, r.days_since, r.week_count, r.window_count, r.night_count) for r in board
    }
    assert got == raw_board(beats, now)
    assert got["RBT"][1] == 31


def test_log_contact_queries(world):
    """Logging reads the client id, the officer's beats and writes: no query per beat it touches."""
    with time_machine.travel(NOW, tick=False):
        log(world, beats=[world.beat_a], at=NOW - dt.timedelta(hours=1))
        with CaptureQueriesContext(connection) as one:
            log(world, beats=[world.beat_a], at=NOW - dt.timedelta(hours=1))
        with CaptureQueriesContext(connection) as two:
            log(world, beats=[world.beat_a, world.beat_b], at=NOW - dt.timedelta(hours=1))
    assert len(two) == len(one)
    assert len(one) <= 8, [q["sql"] for q in one]


@pytest.mark.django_db(transaction=True)
def test_concurrent_logs_of_one_beat_lose_no_count(world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race is PostgreSQL's")
    n, errors = 8, []
    start = timezone.now() - dt.timedelta(hours=1)

    def one(i: int) -> None:
        try:
            log(world, beats=[world.beat_a], at=start + dt.timedelta(seconds=i))
        except Exception as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    row = BeatDay.objects.get(beat=world.beat_a, day=timezone.localdate(start))
    assert row.contacts == n
    assert row.proactive == Contact.objects.filter(proactive=True).count() == n
    assert BeatDay.objects.filter(beat=world.beat_a).count() == 1
