"""The per-beat iCalendar feed, parsed back with the icalendar library (RFC 5545)."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from icalendar import Calendar

from rabta.engagement import services
from tests.conftest import World
from tests.test_engagement_support import meeting


# Feed URLs are written out: a calendar app subscribes to one URL, which must never move.
def parse(client: Client, url: str = "/feeds/beats/GUL/meetings.ics") -> Calendar:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(cal: Calendar) -> dict[str, object]:
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_feed_lists_meetings_with_stable_uids_and_utc_times(world: World, client: Client) -> None:
    m = meeting(world.beat_officer, [world.beat_a], days=3, hour=16, title="Night safety")
    other = meeting(world.other_beat_officer, [world.beat_b], days=3)
    cal = parse(client)
    assert str(cal["VERSION"]) == "2.0" and "Rabta" in str(cal["PRODID"])
    found = events(cal)
    assert set(found) == {f"meeting-{m.pk}@rabta"}  # beat_b's meeting is not in beat_a's feed
    assert f"meeting-{other.pk}@rabta" not in found
    event = found[f"meeting-{m.pk}@rabta"]
    start = event.decoded("DTSTART")  # type: ignore[attr-defined]
    end = event.decoded("DTEND")  # type: ignore[attr-defined]
    assert start == m.starts_at and end == m.ends_at
    assert start.utcoffset() == dt.timedelta(0)  # written in UTC ("...Z")
    assert start.hour == 11  # 16:00 in Karachi
    assert b"DTSTART:" in event.to_ical() and event.to_ical().count(b"Z\r\n") >= 2  # type: ignore[attr-defined]
    assert event.decoded("DTSTAMP").tzinfo is not None  # type: ignore[attr-defined]
    assert int(event["SEQUENCE"]) == 0  # type: ignore[index]
    assert str(event["STATUS"]) == "CONFIRMED"  # type: ignore[index]
    assert str(event["SUMMARY"]) == "Open talk: Night safety"  # type: ignore[index]
    assert str(event["LOCATION"]) == "Gulabad Chowk hujra"  # type: ignore[index]


def test_uid_is_stable_across_edits_and_sequence_rises(world: World, client: Client) -> None:
    m = meeting(world.beat_officer, [world.beat_a], days=3)
    before = events(parse(client))[m.uid]
    services.update_meeting(
        meeting=m,
        by=world.beat_officer,
        changes={
            "starts_at": m.starts_at + dt.timedelta(hours=1),
            "ends_at": m.ends_at + dt.timedelta(hours=1),
        },
    )
    after = events(parse(client))
    assert list(after) == [m.uid]
    event = after[m.uid]
    assert int(event["SEQUENCE"]) == int(before["SEQUENCE"]) + 1  # type: ignore[index]
    assert event.decoded("DTSTART") == before.decoded("DTSTART") + dt.timedelta(hours=1)  # type: ignore[attr-defined]


def test_cancelled_meeting_stays_in_feed_as_cancelled(world: World, client: Client) -> None:
    m = meeting(world.beat_officer, [world.beat_a], days=3)
    services.cancel_meeting(meeting=m, by=world.beat_officer, reason="Jirga called in the village")
    event = events(parse(client))[m.uid]
    assert str(event["STATUS"]) == "CANCELLED"  # type: ignore[index]
    assert int(event["SEQUENCE"]) == 1  # type: ignore[index]
    assert "Jirga called" in str(event["DESCRIPTION"])  # type: ignore[index]


def test_feed_in_urdu_and_unknown_beat(world: World, client: Client) -> None:
    meeting(world.beat_officer, [world.beat_a], days=3)
    ur = client.get("/feeds/beats/GUL/meetings.ics?lang=ur")
    assert ur.status_code == 200
    Calendar.from_ical(ur.content)  # parses whatever the language
    assert client.get("/feeds/beats/NOPE/meetings.ics").status_code == 404
    # A strange language falls back to English rather than failing.
    assert client.get("/feeds/beats/GUL/meetings.ics?lang=xx").status_code == 200
