"""'Raised by' on a priority: no group chosen in advance, and a group nobody of which came is confirmed."""

from __future__ import annotations

import pytest

from rabta.engagement.models import Priority, RaisedBy
from rabta.engagement.representation import absent_groups
from rabta.engagement.selectors import attendance_of
from tests.conftest import World, verified_client
from tests.paths import url_for
from tests.test_engagement_support import held_meeting, meeting

pytestmark = pytest.mark.django_db

# The meeting of the issue: 24 men, no women, nobody under 30.
MEN_ONLY = {"men_30_44": 10, "men_45_59": 8, "men_60": 6}


def post(world: World, m_pk: int, **data: str) -> tuple[int, str]:
    payload = {"issue": "Drug selling near the bus stand", "beat": str(world.beat_a.pk), **data}
    response = verified_client(world.beat_officer).post(url_for("engagement:priority_new", m_pk), payload)
    return response.status_code, response.content.decode()


def test_the_form_preselects_no_group(world: World) -> None:
    m = held_meeting(world.beat_officer, [world.beat_a], MEN_ONLY)
    body = verified_client(world.beat_officer).get(url_for("engagement:priority_new", m.pk)).content.decode()
    assert '<option value="" selected>Choose who raised it</option>' in body
    assert 'value="women" selected' not in body
    # The confirmation box is not shown before a choice needs it.
    assert 'name="confirm_absent"' not in body

    status, body = post(world, m.pk)
    assert status == 200 and "Choose who raised it: the public page names the group." in body
    assert not Priority.objects.exists()


def test_a_group_absent_from_the_attendance_asks_for_confirmation(world: World) -> None:
    m = held_meeting(world.beat_officer, [world.beat_a], MEN_ONLY)
    status, body = post(world, m.pk, raised_by=RaisedBy.WOMEN)
    assert status == 200 and "No women were counted at this meeting." in body
    assert 'name="confirm_absent"' in body
    assert not Priority.objects.exists()

    status, _ = post(world, m.pk, raised_by=RaisedBy.WOMEN, confirm_absent="on")
    assert status == 302
    assert Priority.objects.get().raised_by == RaisedBy.WOMEN


def test_a_group_that_came_is_saved_at_once(world: World) -> None:
    m = held_meeting(world.beat_officer, [world.beat_a], MEN_ONLY)
    status, _ = post(world, m.pk, raised_by=RaisedBy.ELDERS)
    assert status == 302
    priority = Priority.objects.get()
    assert priority.raised_by == RaisedBy.ELDERS and priority.meeting == m
    # Groups the counts cannot tell apart are never questioned.
    assert post(world, m.pk, raised_by=RaisedBy.SHOPKEEPERS)[0] == 302
    assert Priority.objects.count() == 2


def test_youth_absent_when_nobody_under_30_came(world: World) -> None:
    m = held_meeting(world.beat_officer, [world.beat_a], MEN_ONLY)
    status, body = post(world, m.pk, raised_by=RaisedBy.YOUTH)
    assert status == 200 and "No one aged 15-29 was counted" in body
    assert not Priority.objects.exists()


def test_absent_groups_follow_the_counts(world: World) -> None:
    men = held_meeting(world.beat_officer, [world.beat_a], MEN_ONLY)
    assert absent_groups(attendance_of(men)) == {RaisedBy.WOMEN, RaisedBy.YOUTH}
    young_women = held_meeting(world.beat_officer, [world.beat_a], {"women_15_29": 9})
    assert absent_groups(attendance_of(young_women)) == {RaisedBy.ELDERS}
    # Before the attendance is recorded, nobody counts as absent.
    planned = meeting(world.beat_officer, [world.beat_a])
    assert absent_groups(attendance_of(planned)) == set()
    status, _ = post(world, planned.pk, raised_by=RaisedBy.WOMEN)
    assert status == 302
