"""Issue 9 points 9a and 13: duplicate suggestions give distance bands, never metres, and work
without map points (same category, same beat, 14 days).

The attack of point 9a: an officer files three decoy reports at known points and reads, on each
decoy's page or in the API, how far the victim's report is. With exact metres that trilaterates the
reporter; with bands and a date order, moving the victim's point inside its bands changes nothing
anyone can read.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import pytest
from django.utils import timezone

from rabta.reports.models import Channel, Report
from rabta.reports.selectors import Nearness, duplicate_candidates
from tests import factories
from tests.conftest import World, verified_client
from tests.paths import url_for

pytestmark = pytest.mark.django_db

CENTRE = (34.805, 71.805)  # inside beat_a
M_LAT = 1 / 111_320
M_LON = 1 / (111_320 * math.cos(math.radians(CENTRE[0])))


def at(north_m: float = 0, east_m: float = 0) -> tuple[float, float]:
    return CENTRE[0] + north_m * M_LAT, CENTRE[1] + east_m * M_LON


def make(
    point: tuple[float, float] | None = None, *, code: str = "street_lighting", days_ago: float = 0, **kw: Any
) -> Report:
    if point is not None:
        kw.update(lat=point[0], lon=point[1])
    else:
        kw.setdefault("beat_obj", None)
    report = factories.report(code, **kw).report
    if days_ago:
        Report.objects.filter(pk=report.pk).update(created_at=timezone.now() - dt.timedelta(days=days_ago))
        report.refresh_from_db()
    return report


def suggestions_html(client: Any, report: Report) -> str:
    page = client.get(url_for("reports:staff_detail", report.public_id)).content.decode()
    found = re.search(r"<h2 id=\"dup-h\">.*?</form>|<h2 id=\"dup-h\">.*?</p>", page, re.S)
    assert found, "no duplicate section"
    return re.sub(r'<input type="hidden" name="csrfmiddlewaretoken"[^>]*>', "", found.group(0))


def suggestions_json(client: Any, report: Report) -> list[dict[str, Any]]:
    response = client.get(url_for("api:report-duplicate-suggestions", report.public_id))
    assert response.status_code == 200
    return list(response.json())


def test_bands_not_metres_on_page_and_api(world: World) -> None:
    report = make(at())
    very_near = make(at(north_m=60), days_ago=2)
    near = make(at(east_m=240), days_ago=1)
    make(at(east_m=320))  # beyond 300 m: not offered
    found = duplicate_candidates(world.beat_officer, report)
    assert [(r, band) for r, band in found] == [(very_near, Nearness.UNDER_100), (near, Nearness.UP_TO_300)]
    client = verified_client(world.beat_officer)
    html = suggestions_html(client, report)
    assert "under 100 m" in html and "100-300 m" in html
    # Public ids are random hex and may hold "60" by chance: look at the page without them.
    words = re.sub(r"[0-9a-f]{16}", "", html)
    assert not re.search(r"\b\d+ m away", words) and "60" not in words and "240" not in words
    api = suggestions_json(client, report)
    assert [(s["public_id"], s["nearness"]) for s in api] == [
        (very_near.public_id, "under_100m"),
        (near.public_id, "100_300m"),
    ]
    assert all(set(s) == {"public_id", "nearness", "nearness_label", "created_at", "status"} for s in api)


def test_three_decoys_cannot_trilaterate_a_reporter(world: World) -> None:
    victim = make(at(), description="A gang meets behind my house every night")
    decoys = [make(at(north_m=150)), make(at(east_m=150)), make(at(north_m=-120, east_m=-80))]
    client = verified_client(world.beat_officer)

    def observe() -> list[Any]:
        return [(suggestions_html(client, d), suggestions_json(client, d)) for d in decoys]

    before = observe()
    # Move the victim's precise point by tens of metres, staying in the same band for each decoy.
    for north, east in [(25, 0), (0, 30), (-20, 20), (15, -25)]:
        Report.objects.filter(pk=victim.pk).update(lat=at(north, east)[0], lon=at(north, east)[1])
        assert observe() == before, (north, east)
    for html, api in before:
        assert victim.public_id in html
        assert [s["nearness"] for s in api if s["public_id"] == victim.public_id] == ["100_300m"]


def test_order_within_a_band_follows_dates_not_distance(world: World) -> None:
    report = make(at())
    closer_older = make(at(north_m=110), days_ago=3)
    farther_newer = make(at(north_m=290), days_ago=1)
    client = verified_client(world.beat_officer)
    ids = [s["public_id"] for s in suggestions_json(client, report)]
    assert ids == [farther_newer.public_id, closer_older.public_id]
    # Swap their places: the order stays the same, so it says nothing about which is nearer.
    Report.objects.filter(pk=closer_older.pk).update(lat=at(north_m=290)[0])
    Report.objects.filter(pk=farther_newer.pk).update(lat=at(north_m=110)[0])
    assert [s["public_id"] for s in suggestions_json(client, report)] == ids
    html = suggestions_html(client, report)
    assert html.index(farther_newer.public_id) < html.index(closer_older.public_id)


def test_reports_without_a_pin_are_matched_in_the_same_beat(world: World) -> None:
    sms = make(beat_obj=world.beat_a, channel=Channel.SMS, description="Lights out near the bus stand")
    pinned = make(at(north_m=400), days_ago=2)  # in beat_a, far from nothing measurable
    listed = make(beat_obj=world.beat_a, days_ago=5)
    make(beat_obj=world.beat_b)  # another beat
    make(beat_obj=world.beat_a, code="theft")  # another category
    make(beat_obj=world.beat_a, days_ago=20)  # too old for all of them
    closed = make(beat_obj=world.beat_a)
    closed.acknowledge(by=world.beat_officer)
    closed.close(by=world.beat_officer, reason="fixed")
    found = duplicate_candidates(world.beat_officer, sms)
    assert [(r, band) for r, band in found] == [(pinned, Nearness.SAME_BEAT), (listed, Nearness.SAME_BEAT)]
    html = suggestions_html(verified_client(world.beat_officer), sms)
    assert "same neighbourhood, no map point" in html
    # A pinned report is offered the unpinned ones of its beat, but pinned ones only by distance.
    from_pinned = duplicate_candidates(world.beat_officer, pinned)
    assert {r for r, _ in from_pinned} == {sms, listed}
    far_pinned = make(at(north_m=-400))  # 800 m from `pinned`, same beat: measured, too far
    assert far_pinned not in {r for r, _ in duplicate_candidates(world.beat_officer, pinned)}
    # Scoped by visible_to: the officer of beat_b is offered nothing.
    assert duplicate_candidates(world.other_beat_officer, sms) == []


def test_marking_a_pinless_duplicate_on_the_page_and_in_the_api(world: World) -> None:
    first = make(beat_obj=world.beat_a, channel=Channel.SMS, days_ago=1)
    second = make(beat_obj=world.beat_a, channel=Channel.SMS)
    third = make(beat_obj=world.beat_a)
    client = verified_client(world.beat_officer)
    response = client.post(url_for("reports:staff_duplicate", second.public_id), {"of": first.public_id})
    assert response.status_code == 302
    second.refresh_from_db()
    assert (second.status, second.duplicate_of) == ("duplicate", first)
    data = client.post(
        url_for("api:report-duplicate", third.public_id),
        {"of": first.public_id},
        content_type="application/json",
    ).json()
    assert (data["status"], data["duplicate_of"]) == ("duplicate", first.public_id)
    # Out of scope: the same request from the officer of beat_b finds nothing to mark.
    fourth = make(beat_obj=world.beat_a)
    outsider = verified_client(world.other_beat_officer)
    assert (
        outsider.post(
            url_for("reports:staff_duplicate", fourth.public_id), {"of": first.public_id}
        ).status_code
        == 404
    )
    fourth.refresh_from_db()
    assert fourth.status == "new"
