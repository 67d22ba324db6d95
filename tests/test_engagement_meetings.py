"""Meetings: planned and recorded on staff pages, scoped by beat, with representation against the beat."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from rabta.audit.models import AccessLog
from rabta.engagement import services
from rabta.engagement.models import (
    Attendance,
    Facilitator,
    Meeting,
    MeetingAnnouncement,
    MeetingKind,
    MeetingStatus,
)
from rabta.engagement.representation import pooled_population, representation
from rabta.people.models import Gender, Role
from tests import factories
from tests.conftest import World, verified_client
from tests.paths import url_for
from tests.queries import BEAT_PAGE
from tests.test_engagement_support import at, held_meeting, meeting

MEN_ELDERS = {"men_45_59": 12, "men_60": 14, "men_30_44": 4}


def form_data(world: World, **kw: Any) -> dict[str, Any]:
    day = timezone.localdate() + dt.timedelta(days=5)
    data = {
        "kind": MeetingKind.OPEN_TALK,
        "title": "Street lighting and safety at night",
        "beats": [world.beat_a.pk],
        "starts_at": f"{day:%Y-%m-%d}T16:00",
        "ends_at": f"{day:%Y-%m-%d}T17:30",
        "venue": "Gulabad Chowk",
        "facilitators": [world.beat_officer.pk],
    }
    data.update(kw)
    return data


def test_officer_plans_a_meeting_on_staff_page(world: World) -> None:
    client = verified_client(world.beat_officer)
    assert client.get(url_for("engagement:meeting_new")).status_code == 200
    response = client.post(url_for("engagement:meeting_new"), form_data(world))
    m = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == url_for("engagement:meeting", m.pk)
    assert list(m.beats.all()) == [world.beat_a]
    assert m.created_by == world.beat_officer
    assert m.status == MeetingStatus.SCHEDULED
    # Stored in UTC, entered in Karachi time (UTC+5).
    assert m.starts_at.astimezone(dt.UTC).hour == 11


def test_officer_cannot_plan_for_a_beat_outside_scope(world: World) -> None:
    client = verified_client(world.beat_officer)
    response = client.post(url_for("engagement:meeting_new"), form_data(world, beats=[world.beat_b.pk]))
    assert response.status_code == 200
    assert not Meeting.objects.exists()


def test_womens_session_without_woman_facilitator_is_refused(world: World) -> None:
    client = verified_client(world.beat_officer)
    response = client.post(
        url_for("engagement:meeting_new"), form_data(world, kind=MeetingKind.WOMENS_SESSION)
    )
    assert response.status_code == 200
    assert "needs at least one woman facilitator" in response.content.decode()
    assert not Meeting.objects.exists()
    with pytest.raises(ValidationError):
        meeting(world.beat_officer, [world.beat_a], kind=MeetingKind.WOMENS_SESSION)
    assert not Meeting.objects.exists()


def test_womens_session_with_woman_officer_or_flagged_facilitator(world: World) -> None:
    client = verified_client(world.beat_officer)
    data = form_data(world, kind=MeetingKind.WOMENS_SESSION, facilitators=[world.womens_desk_officer.pk])
    assert client.post(url_for("engagement:meeting_new"), data).status_code == 302
    planned = Meeting.objects.get()
    assert planned.kind == MeetingKind.WOMENS_SESSION
    assert list(planned.facilitators.all()) == [world.womens_desk_officer]
    # A lady health worker with a user account but no officer profile, flagged as a woman.
    lhw = factories.user(Role.VOLUNTEER, username="lhw", first_name="Shamim", last_name="Akhtar")
    Facilitator.objects.create(user=lhw, gender=Gender.WOMAN, organisation="Health department")
    m = meeting(
        world.beat_officer,
        [world.beat_a],
        kind=MeetingKind.WOMENS_SESSION,
        facilitators=[world.beat_officer, lhw],
    )
    assert m.kind == MeetingKind.WOMENS_SESSION
    # Editing away the only woman facilitator is refused too.
    with pytest.raises(ValidationError):
        services.update_meeting(
            meeting=m, by=world.beat_officer, changes={}, facilitators=[world.beat_officer]
        )


def test_other_beat_officer_gets_404_everywhere(world: World) -> None:
    m = held_meeting(world.beat_officer, [world.beat_a], MEN_ELDERS)
    client = verified_client(world.other_beat_officer)
    for name in ["meeting", "meeting_edit", "meeting_record", "meeting_cancel", "meeting_register"]:
        assert client.get(url_for(f"engagement:{name}", m.pk)).status_code == 404, name
    assert client.get(url_for("engagement:priority_new", m.pk)).status_code == 404
    assert client.post(url_for("engagement:meeting_announce", m.pk)).status_code == 404
    assert not MeetingAnnouncement.objects.exists()
    # The register's 404 is no view of it.
    assert not AccessLog.objects.filter(action=AccessLog.Action.VIEW_REGISTER).exists()
    assert (
        url_for("engagement:meeting", m.pk) not in client.get(url_for("engagement:meetings")).content.decode()
    )
    # The station head of beat_a's station sees it.
    assert verified_client(world.station_head).get(url_for("engagement:meeting", m.pk)).status_code == 200
    assert (
        verified_client(world.other_station_head).get(url_for("engagement:meeting", m.pk)).status_code == 404
    )


def test_residents_and_anonymous_cannot_reach_staff_pages(world: World, client: Client) -> None:
    assert client.get(url_for("engagement:meetings"))["Location"].startswith(url_for("people:login"))
    resident = Client()
    resident.force_login(world.resident)
    assert resident.get(url_for("engagement:meetings")).status_code == 403


def test_record_attendance_shows_under_representation(world: World) -> None:
    m = meeting(world.beat_officer, [world.beat_a], days=-1)
    client = verified_client(world.beat_officer)
    data = {
        name: 0
        for name in ("women_15_29", "women_30_44", "women_45_59", "women_60", "men_15_29", "men_30_44")
    }
    data.update({"men_45_59": 12, "men_60": 14, "women_60": 2, "men_15_29": 2})
    data.update(
        {"officers_present": [world.beat_officer.pk], "minutes": "Streetlights discussed.", "decisions": ""}
    )
    response = client.post(url_for("engagement:meeting_record", m.pk), data)
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.status == MeetingStatus.HELD and m.sequence == 1
    attendance = Attendance.objects.get(meeting=m)
    assert attendance.total == 30 and list(attendance.officers_present.all()) == [world.beat_officer]
    body = client.get(url_for("engagement:meeting", m.pk)).content.decode()
    # Women: 2/30 of the room against 3000/6220 of the beat -> 0.138; youth: 2/30 vs 2500/6220 -> 0.166.
    assert "representation ratio 0.14" in body
    assert "representation ratio 0.17" in body
    assert "Women came at less than half their share" in body
    assert "Hold a youth session" in body
    assert f"?kind=womens_session&amp;beat={world.beat_a.pk}" in body


def test_recording_a_future_or_cancelled_meeting_is_refused(world: World) -> None:
    future = meeting(world.beat_officer, [world.beat_a], days=2)
    with pytest.raises(ValidationError):
        services.record_meeting(meeting=future, by=world.beat_officer, counts={"men_60": 3})
    past = meeting(world.beat_officer, [world.beat_a], days=-2)
    services.cancel_meeting(meeting=past, by=world.beat_officer, reason="Funeral in the village")
    with pytest.raises(ValidationError):
        services.record_meeting(meeting=past, by=world.beat_officer, counts={"men_60": 3})


def test_representation_pools_populations_of_several_beats(world: World) -> None:
    world.beat_b.population_women_15_29 = (
        200  # beat_b: women 2000, youth 1500 of 4220 (factory defaults changed)
    )
    world.beat_b.save()
    m = held_meeting(
        world.station_head,  # a station head sees both beats
        [world.beat_a, world.beat_b],
        {"women_15_29": 6, "women_30_44": 4, "men_15_29": 4, "men_45_59": 10, "men_60": 16},
        facilitators=[world.womens_desk_officer],
    )
    beats = list(m.beats.all())
    assert pooled_population(beats) == 6220 + 5220
    assert pooled_population(beats, gender="women") == 3000 + 2000
    assert pooled_population(beats, band="15_29") == 2500 + 1500
    women, youth = representation(m.attendance, beats)
    # Women 10 of 40 attendees; 5000 of 11440 residents: (10 * 11440) / (40 * 5000) = 0.572 exactly.
    assert women.ratio == 0.572
    assert not women.under_represented
    # Youth 10 of 40; 4000 of 11440: (10 * 11440) / (40 * 4000) = 0.715.
    assert youth.ratio == 0.715


def test_cancel_needs_a_reason_and_bumps_sequence(world: World) -> None:
    m = meeting(world.beat_officer, [world.beat_a])
    client = verified_client(world.beat_officer)
    assert client.post(url_for("engagement:meeting_cancel", m.pk), {"reason": ""}).status_code == 200
    m.refresh_from_db()
    assert m.status == MeetingStatus.SCHEDULED
    assert (
        client.post(url_for("engagement:meeting_cancel", m.pk), {"reason": "Flooded road"}).status_code == 302
    )
    m.refresh_from_db()
    assert (m.status, m.cancel_reason, m.sequence) == (MeetingStatus.CANCELLED, "Flooded road", 1)


def test_edit_changes_time_and_bumps_sequence_once(world: World) -> None:
    m = meeting(world.beat_officer, [world.beat_a])
    client = verified_client(world.beat_officer)
    day = timezone.localtime(m.starts_at).date()
    data = form_data(world, starts_at=f"{day:%Y-%m-%d}T17:00", ends_at=f"{day:%Y-%m-%d}T18:00", title="")
    assert client.post(url_for("engagement:meeting_edit", m.pk), data).status_code == 302
    m.refresh_from_db()
    assert m.sequence == 1 and timezone.localtime(m.starts_at).hour == 17
    # Saving the same values again is not a new revision.
    assert client.post(url_for("engagement:meeting_edit", m.pk), data).status_code == 302
    m.refresh_from_db()
    assert m.sequence == 1


def test_follow_up_missing_is_flagged_until_held(world: World) -> None:
    today = timezone.localdate()
    session = held_meeting(
        world.beat_officer,
        [world.beat_a],
        {"men_15_29": 10},
        kind=MeetingKind.AWARENESS_SESSION,
        days_ago=30,
        requires_follow_up=True,
        follow_up_due=today - dt.timedelta(days=2),
    )
    assert list(Meeting.objects.follow_up_missing(today)) == [session]
    client = verified_client(world.beat_officer)
    body = client.get(url_for("engagement:meetings")).content.decode()
    assert "Follow-up not held" in body and url_for("engagement:meeting", session.pk) in body
    assert "has not been held" in client.get(url_for("engagement:meeting", session.pk)).content.decode()
    # A follow-up planned from the session is linked to it; once held in time, the flag goes.
    follow = meeting(
        world.beat_officer, [world.beat_a], days=-4, kind=MeetingKind.AWARENESS_SESSION, follow_up_of=session
    )
    session.refresh_from_db()
    assert session.follow_up == follow
    assert list(Meeting.objects.follow_up_missing(today)) == [session]  # planned but not held
    services.record_meeting(meeting=follow, by=world.beat_officer, counts={"women_15_29": 8})
    assert list(Meeting.objects.follow_up_missing(today)) == []
    session.refresh_from_db()
    assert not session.follow_up_missing(today)


def test_announce_is_pending_until_handed_to_sms(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    m = meeting(world.station_head, [world.beat_a, world.beat_b], facilitators=[world.womens_desk_officer])
    calls: list[dict[str, Any]] = []
    while_handing_over: list[MeetingAnnouncement] = []

    class Sent:
        recipients = 7

    def fake_broadcast(**kw: Any) -> Sent:
        calls.append(kw)
        while_handing_over.append(MeetingAnnouncement.objects.filter(meeting=m).latest("pk"))
        return Sent()

    monkeypatch.setattr(services, "broadcast_to_beat", fake_broadcast)
    client = verified_client(world.station_head)
    assert client.post(url_for("engagement:meeting_announce", m.pk)).status_code == 302
    pending = while_handing_over[0]
    assert pending.status == "pending" and pending.sent_at is None
    assert MeetingAnnouncement.objects.get(meeting=m).status == "sent"

    calls.clear()
    sent = services.announce_meeting(meeting=m, by=world.station_head)
    assert sent.status == "sent" and sent.recipients == 14
    assert {c["beat"] for c in calls} == {world.beat_a, world.beat_b}
    assert "Open talk" in calls[0]["body_en"] and "Gulabad Chowk hujra" in calls[0]["body_en"]
    assert calls[0]["body_ur"] and calls[0]["body_ps"]


def test_cancelled_or_past_meeting_cannot_be_announced(world: World) -> None:
    m = meeting(world.beat_officer, [world.beat_a], days=-3)
    with pytest.raises(ValidationError):
        services.announce_meeting(meeting=m, by=world.beat_officer)


def test_meeting_list_query_count(world: World, django_assert_max_num_queries: Any) -> None:
    for i in range(6):
        meeting(world.beat_officer, [world.beat_a], days=i + 1)
        held_meeting(world.beat_officer, [world.beat_a], {"men_60": 5 + i}, days_ago=i + 1)
    client = verified_client(world.beat_officer)
    client.get(url_for("engagement:meetings"))  # warm the session and OTP device caches
    with django_assert_max_num_queries(12):
        response = client.get(url_for("engagement:meetings"))
    assert response.content.decode().count('class="chip held"') == 6


def test_meeting_detail_query_count(world: World, django_assert_max_num_queries: Any) -> None:
    m = held_meeting(world.beat_officer, [world.beat_a], MEN_ELDERS)
    from tests.test_engagement_support import action, priority

    for n in range(4):
        action(world.beat_officer, priority(world.beat_officer, world.beat_a, issue=f"Issue {n}", m=m))
    client = verified_client(world.beat_officer)
    client.get(url_for("engagement:meeting", m.pk))
    with django_assert_max_num_queries(20):
        body = client.get(url_for("engagement:meeting", m.pk)).content.decode()
    assert body.count("Municipality to repair 12 streetlights") == 4


def test_beat_page_lists_upcoming_meetings_and_feed_link(
    world: World, client: Client, django_assert_num_queries: Any
) -> None:
    soon = meeting(world.beat_officer, [world.beat_a], days=2, title="Night safety")
    cancelled = meeting(world.beat_officer, [world.beat_a], days=4, title="Cancelled talk")
    services.cancel_meeting(meeting=cancelled, by=world.beat_officer, reason="Rain")
    meeting(world.beat_officer, [world.beat_a], days=-5, title="Old talk")
    with django_assert_num_queries(BEAT_PAGE):
        body = client.get(url_for("site:beat", "GUL")).content.decode()
    assert '<link rel="alternate" type="text/calendar"' in body
    assert 'href="/feeds/beats/GUL/meetings.ics"' in body  # the stable URL calendar apps subscribe to
    assert "Night safety" in body and soon.venue in body
    assert "Cancelled talk" not in body and "Old talk" not in body
    assert url_for("engagement:you_said_we_did", "GUL") in body
    ur = client.get(url_for("site:beat", "GUL", lang="ur")).content.decode()
    assert 'href="/feeds/beats/GUL/meetings.ics?lang=ur"' in ur
    # Another beat's page does not list it.
    assert "Night safety" not in client.get(url_for("site:beat", "SHG")).content.decode()


def test_start_must_precede_end(world: World) -> None:
    day = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError):
        services.create_meeting(
            by=world.beat_officer,
            kind=MeetingKind.OPEN_TALK,
            beats=[world.beat_a],
            starts_at=at(day, 17),
            ends_at=at(day, 16),
            venue="x",
        )
