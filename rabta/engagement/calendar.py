"""Per-beat iCalendar feed (RFC 5545) of meetings, built with the icalendar library."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import get_language
from icalendar import Calendar, Event

from rabta.core.localized import local_text, reader_language
from rabta.engagement.models import Meeting, MeetingStatus
from rabta.places.models import Beat

PRODID = "-//Rabta//Community meetings//EN"


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)


def beat_calendar(beat: Beat, meetings: Iterable[Meeting], *, base_url: str = "") -> bytes:
    """The feed in the active language: kinds, beat name and topics (each topic's version in that
    language where staff wrote one, see rabta.core.localized)."""
    language = reader_language(get_language())
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"Rabta: {beat.local_name}")
    cal.add("x-wr-timezone", "UTC")
    now = _utc(timezone.now())
    for meeting in meetings:
        event = Event()
        event.add("uid", meeting.uid)
        # DTSTAMP: when this copy of the event was made (the feed is generated on request).
        event.add("dtstamp", now)
        event.add("last-modified", _utc(meeting.updated_at))
        event.add("created", _utc(meeting.created_at))
        event.add("dtstart", _utc(meeting.starts_at))
        event.add("dtend", _utc(meeting.ends_at))
        event.add("sequence", meeting.sequence)
        summary = str(meeting.get_kind_display())
        title = local_text(meeting, "title")
        if title:
            summary = f"{summary}: {title}"
        event.add("summary", summary, parameters={"LANGUAGE": language})
        event.add("location", meeting.venue)
        if meeting.status == MeetingStatus.CANCELLED:
            event.add("status", "CANCELLED")
            event.add("description", meeting.cancel_reason)
        else:
            event.add("status", "CONFIRMED")
        if base_url:
            event.add("url", base_url)
        cal.add_component(event)
    return cal.to_ical()
