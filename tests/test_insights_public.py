"""Public transparency pages: exact figures on hand-built records, small numbers hidden within a place
and across places, only complete periods, the same figures as the open-data files, and a fixed cost.

The world (tests/conftest.py): station_a (women's desk) has beat_a (Gulabad) and beat_b, station_b has
beat_c. Today is Wednesday 8 April 2026, so March is the last complete month and the week of 30 March the
last complete week.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.core.cache import cache

from rabta.engagement.models import (
    ActionItem,
    ActionStatus,
    Attendance,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Priority,
    RaisedBy,
)
from rabta.feedback.models import Campaign, CommunityResponse, Mode, WalkSafety
from rabta.insights import public, rollup, suppression
from rabta.insights.public import Why
from rabta.lib import stats
from rabta.presence.models import DeskShift
from rabta.reports.lifecycle import Status
from rabta.reports.models import Report
from tests import factories
from tests.paths import url_for
from tests.queries import assert_constant_queries

PKT = zoneinfo.ZoneInfo("Asia/Karachi")
TODAY = dt.datetime(2026, 4, 8, 12, 0, tzinfo=PKT)
MARCH = dt.date(2026, 3, 1)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_decisions() -> Any:
    # Decisions are cached by the rows' ids; a rolled-back test may reuse the ids of another.
    cache.clear()
    yield
    cache.clear()


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=PKT)


def report(beat: Any, created: dt.datetime, *, late: bool = False) -> Report:
    r = factories.report(beat_obj=beat).report
    Report.objects.filter(pk=r.pk).update(
        created_at=created,
        updated_at=created,
        first_contact_due=created + dt.timedelta(hours=24),
        resolution_due=created + dt.timedelta(hours=72),
        acknowledged_at=created + dt.timedelta(hours=30 if late else 2),
        resolved_at=created + dt.timedelta(hours=40),
        status=Status.RESOLVED,
    )
    return r


def refresh() -> None:
    with time_machine.travel(TODAY, tick=False):
        rollup.refresh(full=True)


def transparency_world(world: Any) -> None:
    """Gulabad's March, worked out by hand (the expected figures are in test_the_beat_page_...)."""
    a = world.beat_a
    # Six reports: five contacted in 2 hours, one in 30 (late). Median 2 h; on time 5 of 6.
    for day in (2, 3, 4, 5, 6):
        report(a, at(3, day))
    report(a, at(3, 7), late=True)
    # One open talk: 3 young women, 12 men aged 30-44 and 8 aged 45-59.
    meeting = Meeting.objects.create(
        kind=MeetingKind.OPEN_TALK,
        starts_at=at(3, 14, 16),
        ends_at=at(3, 14, 17),
        venue="Gulabad school",
        status=MeetingStatus.HELD,
    )
    meeting.beats.add(a)
    Attendance.objects.create(meeting=meeting, women_15_29=3, men_30_44=12, men_45_59=8)
    # Five problems raised; their five actions were due on 20 March, four done by then, one late.
    for k in range(5):
        priority = Priority.objects.create(
            beat=a, issue=f"Issue {k}", raised_by=RaisedBy.WOMEN, raised_on=dt.date(2026, 3, 3)
        )
        ActionItem.objects.create(
            priority=priority,
            action=f"Action {k}",
            owner_officer=world.beat_officer,
            due_on=dt.date(2026, 3, 20),
            status=ActionStatus.DONE,
            done_on=dt.date(2026, 3, 25 if k == 4 else 15),
        )
    # The women's desk of station a opens Monday to Saturday 9:00-17:00: 26 days, 208 hours in March.
    # Staffed all day on 13 of them: 104 hours, half.
    days = [d for d in range(2, 17) if dt.date(2026, 3, d).isoweekday() != 7][:13]
    for d in days:
        DeskShift.objects.create(
            station=world.station_a,
            officer=world.womens_desk_officer,
            started_at=at(3, d, 9),
            ended_at=at(3, d, 17),
        )
    # Seven survey answers: five women trusting 80 and feeling unsafe after dark, two men trusting 40.
    campaign = Campaign.objects.create(name="Round 1", opens_on=MARCH, closes_on=dt.date(2026, 3, 31))
    campaign.beats.add(a)
    for k in range(7):
        woman = k < 5
        CommunityResponse.objects.create(
            campaign=campaign,
            beat=a,
            mode=Mode.PAPER,
            answered_on=dt.date(2026, 3, 12),
            trust_respect=8 if woman else 4,
            trust_listen=8 if woman else 4,
            walk_dark=WalkSafety.BIT_UNSAFE if woman else WalkSafety.VERY_SAFE,
            gender="woman" if woman else "man",
            age_band="30_44",
        )
    # Proactive visits: two in the week of 30 March, one on Monday 6 April.
    for moment in (at(3, 31), at(4, 1), at(4, 6)):
        factories.contact(a, at=moment, kind="foot_patrol")
    refresh()


def get(client: Any, url: str, **query: Any) -> Any:
    with time_machine.travel(TODAY, tick=False):
        return client.get(url, query)


def page_url(scope: str, code: str, lang: str = "en") -> str:
    return url_for("insights:public", scope, code, lang=lang)


def table_after(html: str, heading: str) -> str:
    """The first table after a heading's text."""
    rest = html.split(heading, 1)[1]
    return rest[: rest.index("</table>")]


def cell_texts(table: str) -> dict[str, str]:
    """Row label -> value cell of a figures table."""
    rows = re.findall(r'<th scope="row">(.*?)</th><td>(.*?)</td>', table, re.S)
    return {re.sub(r"<[^>]+>", "", k): re.sub(r"<small>.*", "", v) for k, v in rows}


def test_the_beat_page_shows_gulabads_march_as_counted_by_hand(world, client):
    transparency_world(world)
    response = get(client, page_url("beat", "GUL"))
    assert response.status_code == 200
    assert response["Cache-Control"] in ("public, max-age=3600", "max-age=3600, public")
    page = response.context["page"]
    assert page.current.start == MARCH and page.period == "month"
    f = page.current.figures
    assert (f["reports"].text, f["reports"].why) == ("6", Why.SHOWN)
    assert (f["median_ack_hours"].text, f["median_ack_hours"].n) == ("2.0", 6)
    assert (f["on_time"].text, f["on_time"].n) == ("83%", 6)
    assert f["on_time"].interval_text == "44%\u2060–\u206097%"  # Wilson 95% for 5 of 6
    assert (f["priorities"].text, f["actions_done"].text) == ("5", "5")
    assert (f["actions_on_time"].text, f["actions_on_time"].n) == ("80%", 5)
    assert f["meetings_held"].why == Why.FEWER_THAN_5  # one meeting: a count under 5
    # Who came: 23 in all; 3 women is too few, and the 20 men would give them away (23 - 20).
    assert f["attendees"].text == "23"
    assert (f["attendees_women"].text, f["attendees_women"].why) == ("fewer than 5", Why.FEWER_THAN_5)
    assert (f["attendees_men"].text, f["attendees_men"].why) == ("–", Why.PROTECTED)
    # By age: the 3 aged 15-29 hidden, and the smallest other group (8 aged 45-59) to protect them.
    assert f["attendees_15_29"].why == Why.FEWER_THAN_5
    assert f["attendees_45_59"].why == Why.PROTECTED
    assert (f["attendees_30_44"].text, f["attendees_60"].text) == ("12", "0")
    # The women's desk of station a: 104 of 208 hours.
    assert (f["desk_staffed"].text, f["desk_staffed"].n) == ("50%", 208)
    # Trust (80 x 5 + 40 x 2) / 7 = 68.6; the 2 men are too few and the 5 women would give them away.
    assert (f["trust"].text, f["trust"].n) == ("69", 7)
    assert f["trust_men"].why == Why.FEWER_THAN_5 and f["trust_women"].why == Why.PROTECTED
    assert (f["unsafe_dark"].text, f["unsafe_dark"].n) == ("71%", 7)
    assert f["unsafe_dark"].interval_text == "36%\u2060–\u206092%"
    assert (f["avoid_dark"].text, f["avoid_dark"].n) == ("0%", 7)
    assert f["trust_30_44"].text == "69" and f["trust_15_29"].why == Why.NO_DATA
    # Presence: the last 8 complete weeks, the newest with its two visits; the last visit on 6 April.
    assert [w for w, _ in page.weeks][-1] == dt.date(2026, 3, 30) and len(page.weeks) == 8
    assert page.weeks[-1][1] == 2 and sum(v for _, v in page.weeks) == 2
    assert page.days_since_visit == 2

    html = response.content.decode()
    who = cell_texts(table_after(html, "Who came"))
    assert who == {
        "Everyone": "23",
        "Women": "fewer than 5",
        "Men": "–",
        "15-29": "fewer than 5",
        "30-44": "12",
        "45-59": "–",
        "60+": "0",
    }
    assert not {"3", "20", "8"} & set(re.findall(r"\d+", table_after(html, "Who came").split("</thead>")[1]))
    assert "Last visit: 2 days ago." in html
    assert "<script" not in html and "<svg" in html
    # The two trends, each under its figure's name.
    trends = html.split('id="trend-h"', 1)[1]
    assert re.findall(r"<h3>(.*?)</h3>\n<div class=\"chart\">", trends) == [
        "Reports handled on time",
        "Trust score (0-100)",
    ]
    assert world.beat_officer.get_full_name() not in html and "Gulabad school" not in html


def test_places_above_hide_what_would_give_a_beat_away(world, client):
    transparency_world(world)
    # Beat b's two reports are too few; shown beside the station's 8, Gulabad's 6 would give them away.
    report(world.beat_b, at(3, 9))
    report(world.beat_b, at(3, 10))
    refresh()
    beat_b = get(client, page_url("beat", world.beat_b.code)).context["page"].current.figures
    gul = get(client, page_url("beat", "GUL")).context["page"].current.figures
    station = get(client, page_url("station", world.station_a.code)).context["page"].current.figures
    district = get(client, page_url("district", world.district.code)).context["page"].current.figures
    assert beat_b["reports"].why == Why.FEWER_THAN_5
    assert gul["reports"].why == Why.PROTECTED and gul["on_time"].why == Why.PROTECTED
    assert (station["reports"].text, district["reports"].text) == ("8", "8")
    # The station's and district's women at meetings are Gulabad's 3: hidden at every level, with men.
    for figures in (station, district):
        assert figures["attendees_women"].why == Why.FEWER_THAN_5
        assert figures["attendees_men"].why == Why.PROTECTED
        assert figures["attendees"].text == "23"
    # Beat b's empty cells stay shown: the station's men are hidden as well as Gulabad's.
    assert (beat_b["attendees_men"].text, beat_b["attendees"].text) == ("0", "0")
    # A district page lists its stations and their beats; a station page its beats.
    page = get(client, page_url("district", world.district.code)).context["page"]
    assert [(c.place.code, [b.place.code for b in c.children]) for c in page.children] == [
        ("BLB", ["RBT"]),
        ("TMG", ["GUL", "SHG"]),
    ]


def test_the_page_and_the_csv_say_the_same(world, client):
    transparency_world(world)
    figures = get(client, page_url("beat", "GUL")).context["page"].current.figures
    response = get(client, url_for("insights:open_data_csv"), period="month", scope="beat")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    row = next(r for r in rows if r["code"] == "GUL" and r["start"] == "2026-03-01")
    for shown in figures.values():
        for column, value in shown.record().items():
            expected = (
                ""
                if value is None
                else ("true" if value is True else "false" if value is False else str(value))
            )
            assert row[column] == expected, column
    assert (row["on_time"], row["on_time_n"], row["on_time_suppressed"]) == ("0.8333", "6", "false")
    assert (row["attendees"], row["attendees_suppressed"]) == ("23", "false")
    for column in ("attendees_women", "attendees_men", "trust_women", "trust_men"):
        assert (row[column], row[f"{column}_suppressed"]) == ("", "true"), column
    assert row.get("attendees_women_n") is None  # a count has no separate n
    assert (row["trust"], row["trust_n"]) == ("68.57", "7")


def test_a_period_not_yet_complete_is_not_shown(world, client):
    transparency_world(world)
    report(world.beat_a, at(4, 2))  # April is still running
    refresh()
    page = get(client, page_url("beat", "GUL")).context["page"]
    assert page.starts[-1] == MARCH and len(page.starts) == 12
    assert get(client, page_url("beat", "GUL"), start="2026-04-01").status_code == 404
    weeks = get(client, page_url("beat", "GUL"), period="week").context["page"]
    assert weeks.starts[-1] == dt.date(2026, 3, 30) and len(weeks.starts) == 8
    assert weeks.current.figures["proactive_visits"].text == "2"
    assert get(client, page_url("beat", "GUL"), period="week", start="2026-04-06").status_code == 404
    body = b"".join(get(client, url_for("insights:open_data_csv"), period="month").streaming_content)
    assert b"2026-04-01" not in body and b"2026-03-01" in body
    body = b"".join(get(client, url_for("insights:open_data_csv"), period="week").streaming_content)
    assert b"2026-04-06" not in body and b"2026-03-30" in body


def test_unknown_places_are_404_and_unreadable_choices_400(world, client):
    refresh()
    assert get(client, page_url("beat", "GUL")).status_code == 200
    for scope, code in (("county", "LD"), ("province", "LD"), ("beat", "NOPE"), ("station", "GUL")):
        assert get(client, page_url(scope, code)).status_code == 404, (scope, code)
    assert get(client, page_url("district", "LD")).status_code == 200
    for query in ({"period": "year"}, {"start": "yesterday"}):
        response = get(client, page_url("beat", "GUL"), **query)
        assert response.status_code == 400 and b"could not be read" in response.content
    assert get(client, url_for("insights:public_home")).status_code == 200


def test_the_beat_page_links_to_its_transparency_page(world, client):
    refresh()
    html = client.get(url_for("site:beat", "GUL")).content.decode()
    assert f'href="{page_url("beat", "GUL")}"' in html
    home = get(client, url_for("insights:public_home")).content.decode()
    assert f'href="{page_url("district", "LD")}"' in home


@pytest.mark.parametrize("scope", ["beat", "station", "district"])
def test_page_queries_do_not_grow_with_the_beats(world, client, settings, scope):
    # Without a cache every render reads the decisions the refresh made (the deciding itself is counted
    # in test_cached_decisions_cost_no_more_queries).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    made: list[Any] = []

    def more_beats(k: int) -> None:
        for _ in range(k):
            beat = factories.beat(
                world.station_a, code=f"X{len(made)}", lon=71.7 + len(made) * 0.011, lat=34.7
            )
            made.append(beat)
            for day in (2, 3, 4, 5, 6):
                report(beat, at(3, day))
        refresh()
        suppression.warm(TODAY.date())

    code = {"beat": "GUL", "station": world.station_a.code, "district": world.district.code}[scope]
    with time_machine.travel(TODAY, tick=False):
        proof = assert_constant_queries(client, page_url(scope, code), more_beats)
    assert proof.large.context["page"].current.figures["reports"].why != Why.NO_DATA


def test_cached_decisions_cost_no_more_queries(world, client):
    transparency_world(world)
    from tests.queries import render_queries

    url = page_url("district", world.district.code)
    with time_machine.travel(TODAY, tick=False):
        _, cold = render_queries(client, url)
        _, warm = render_queries(client, url)
        cache.clear()  # another worker process: its own cache, the decisions kept in the database
        _, other_worker = render_queries(client, url)
    # The district's rows and its stations and beats are read, and the decisions written, only when a
    # period was not decided yet; after that a page reads its own place's decisions, in any process.
    assert len(cold) == len(warm) + 5
    assert len(other_worker) == len(warm)


def test_the_public_map_is_coarse_and_draws_no_cell_under_5(world, client):
    # Five reports in one place of Gulabad and four in Rabat (station b), all in March.
    for day in (2, 3, 4, 5, 6):
        Report.objects.filter(pk=report(world.beat_a, at(3, day)).pk).update(lat=34.8005, lon=71.8005)
    for day in (2, 3, 4, 5):
        Report.objects.filter(pk=report(world.beat_c, at(3, day)).pk).update(lat=34.8005, lon=71.8205)
    refresh()
    district = get(client, page_url("district", world.district.code)).context["page"].density
    assert district is not None and (district.resolution, district.cells) == (7, 1)
    assert district.area_km2 == "5" and "<title>5</title>" in district.markup
    station_b = get(client, page_url("station", world.station_b.code)).context["page"]
    assert station_b.density is None  # its 4 are too few to draw
    beat = get(client, page_url("beat", "GUL"))
    assert beat.context["page"].density is None and b"Where reports come from" not in beat.content
    html = get(client, page_url("district", world.district.code)).content.decode()
    assert "Where reports come from" in html and district.markup in html


def test_the_refresh_decides_every_published_period_so_pages_only_read(world, client, monkeypatch):
    from rabta.insights.models import PublicHidden

    transparency_world(world)
    before = get(client, page_url("beat", "GUL")).context["page"].current.figures
    PublicHidden.objects.all().delete()
    cache.clear()
    # The published periods that have rows: March, and the weeks of 2, 9, 16, 23 and 30 March.
    assert suppression.warm(TODAY.date()) == 6
    assert suppression.warm(TODAY.date()) == 0  # nothing changed since
    # A row per place of the district (the district, 2 stations, 3 beats) and period, its own cells only.
    assert PublicHidden.objects.filter(period="month", start=MARCH).count() == 6
    gulabad = PublicHidden.objects.get(scope="beat", scope_id=world.beat_a.pk, period="month", start=MARCH)
    assert ["attendees", "women"] in gulabad.cells

    def no_deciding(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a public page decided what to hide")

    monkeypatch.setattr(suppression, "decide", no_deciding)
    cache.clear()
    after = get(client, page_url("beat", "GUL")).context["page"].current.figures
    assert {k: (v.text, v.why) for k, v in after.items()} == {k: (v.text, v.why) for k, v in before.items()}
    # New records rewrite March's rows: its decision no longer matches them, and the next warm redoes it.
    monkeypatch.undo()
    report(world.beat_b, at(3, 9))
    refresh()
    assert suppression.warm(TODAY.date()) >= 1
    shagai = PublicHidden.objects.get(scope="beat", scope_id=world.beat_b.pk, period="month", start=MARCH)
    assert ["reports", ""] in shagai.cells


# Suppression -----------------------------------------------------------------------------------------


def random_table(rng: random.Random) -> tuple[dict[Any, int], list[stats.Line]]:
    """Places (a district, its stations, their beats) x groups, adding up both ways."""
    stations = [[f"b{s}{b}" for b in range(rng.randint(1, 3))] for s in range(rng.randint(1, 3))]
    groups = ("women", "men", "a", "b")
    cells: dict[Any, int] = {}
    lines: list[stats.Line] = []
    totals: dict[Any, int] = {}
    for beats in stations:
        for beat in beats:
            women, men = rng.choice([0, 1, 2, 3, 4, 6, 9, 15]), rng.choice([0, 1, 3, 5, 8, 20])
            a = rng.randint(0, women + men)
            values = {"women": women, "men": men, "a": a, "b": women + men - a}
            for g, v in values.items():
                cells[(beat, g)] = v
            cells[(beat, "all")] = women + men
    places = {f"s{s}": beats for s, beats in enumerate(stations)}
    for station, beats in places.items():
        for g in ("all", *groups):
            totals[(station, g)] = sum(cells[(b, g)] for b in beats)
            lines.append(((station, g), tuple((b, g) for b in beats)))
    for g in ("all", *groups):
        totals[("d", g)] = sum(totals[(s, g)] for s in places)
        lines.append((("d", g), tuple((s, g) for s in places)))
    cells.update(totals)
    for place in {k[0] for k in cells}:
        lines.append(((place, "all"), ((place, "women"), (place, "men"))))
        lines.append(((place, "all"), ((place, "a"), (place, "b"))))
    return cells, lines


def test_protect_hides_exactly_what_stats_suppress_hides():
    rng = random.Random(15)
    for _ in range(200):
        cells, lines = random_table(rng)
        assert public.protect(cells, lines) == stats.suppress(cells, lines)


def test_protect_finds_a_cell_the_plain_rule_misses():
    # Two 2x2 blocks of small cells joined by one more small cell: every row and column holds two or more
    # hidden cells, yet the joining cell is the sum of block A's rows less block A's columns.
    rows, cols = ("r1", "r2", "r3", "r4"), ("c1", "c2", "c3", "c4")
    small = {("r1", "c1"), ("r1", "c2"), ("r2", "c1"), ("r2", "c2"), ("r3", "c3"), ("r3", "c4")}
    small |= {("r4", "c3"), ("r4", "c4"), ("r1", "c3")}
    cells: dict[Any, int] = {(r, c): 2 if (r, c) in small else 10 for r in rows for c in cols}
    for r in rows:
        cells[(r, "all")] = sum(cells[(r, c)] for c in cols)
    for c in cols:
        cells[("all", c)] = sum(cells[(r, c)] for r in rows)
    cells[("all", "all")] = sum(cells[(r, "all")] for r in rows)
    lines: list[stats.Line] = [((r, "all"), tuple((r, c) for c in cols)) for r in rows]
    lines += [(("all", c), tuple((r, c) for r in rows)) for c in cols]
    lines.append((("all", "all"), tuple((r, "all") for r in rows)))
    lines.append((("all", "all"), tuple(("all", c) for c in cols)))
    assert public.determined(sorted(small), lines) == {("r1", "c3")}
    hidden = public.protect(cells, lines)
    assert hidden > small and public.determined(sorted(hidden), lines) == set()
    assert hidden == stats.suppress(cells, lines)


def test_last_visit_before_today_is_the_day_of_that_visit(world):
    # A visit on Monday 6 April and one today (Wednesday 8 April): "the latest proactive visit day ...
    # counting only days before today" is 6 April, as the beat page's presence section says (2 days ago).
    from rabta.insights import selectors
    from rabta.insights.models import Scope

    for moment in (at(4, 6), at(4, 8, 9)):
        factories.contact(world.beat_a, at=moment, kind="foot_patrol")
    refresh()
    found = selectors.last_proactive(Scope.BEAT, [world.beat_a.pk], before=TODAY.date())
    assert found[world.beat_a.pk] == dt.date(2026, 4, 6)


def recent_transparency_world(world: Any) -> None:
    """Figures in the last complete month before the real today, for the page budget (which renders
    pages at the real time): reports, a meeting with small groups, survey answers, visits."""
    from django.utils import timezone

    from rabta.insights.periods import previous_start, start_of

    month = previous_start("month", start_of("month", timezone.localdate()))

    def moment(day: int, hour: int = 10) -> dt.datetime:
        return dt.datetime(month.year, month.month, day, hour, tzinfo=PKT)

    for day in (2, 3, 4, 5, 6, 7):
        report(world.beat_a, moment(day), late=day == 7)
    meeting = Meeting.objects.create(
        kind=MeetingKind.OPEN_TALK,
        starts_at=moment(14, 16),
        ends_at=moment(14, 17),
        venue="School",
        status=MeetingStatus.HELD,
    )
    meeting.beats.add(world.beat_a)
    Attendance.objects.create(meeting=meeting, women_15_29=3, men_30_44=12, men_45_59=8)
    campaign = Campaign.objects.create(
        name="Round 1", opens_on=month, closes_on=month + dt.timedelta(days=27)
    )
    campaign.beats.add(world.beat_a)
    for k in range(7):
        CommunityResponse.objects.create(
            campaign=campaign,
            beat=world.beat_a,
            mode=Mode.PAPER,
            answered_on=month + dt.timedelta(days=10),
            trust_respect=8,
            trust_listen=7,
            walk_dark=WalkSafety.BIT_UNSAFE,
            gender="woman" if k < 5 else "man",
            age_band="30_44",
        )
    factories.contact(world.beat_a, at=moment(20), kind="foot_patrol")
    rollup.refresh(full=True)
