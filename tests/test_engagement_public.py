"""The public "you said, we did" page: priorities, actions, status and dates; nobody named; small; RTL."""

from __future__ import annotations

import datetime as dt
import gzip
from typing import Any

from django.test import Client
from django.utils import timezone

from rabta.engagement import services
from rabta.engagement.models import CommitteeMember
from tests.conftest import World
from tests.paths import url_for
from tests.queries import YOU_SAID_WE_DID
from tests.test_engagement_support import action, agency, committee, held_meeting, priority

MEMBER = "Haji Sher Zaman"


def build(world: World) -> dict[str, Any]:
    m = held_meeting(world.beat_officer, [world.beat_a], {"men_60": 12, "women_15_29": 3})
    c = committee([world.beat_a], liaison=world.beat_officer)
    member = CommitteeMember.objects.create(committee=c, name=MEMBER, role="chair")
    lights = priority(world.beat_officer, world.beat_a, m=m)
    done = action(world.beat_officer, lights, owner_agency=agency())
    services.update_action_item(
        item=done,
        by=world.beat_officer,
        status="done",
        outcome="12 streetlights repaired on Bagh Mohalla road",
        today=timezone.localdate() - dt.timedelta(days=1),
    )
    harassment = services.add_priority(
        by=world.beat_officer,
        beat=world.beat_a,
        meeting=m,
        issue="Harassment near the girls' school at closing time",
        raised_by="youth",
        raised_on=timezone.localdate() - dt.timedelta(days=10),
    )
    late = action(world.beat_officer, harassment, due_in=-3, owner_member=member)
    services.update_action_item(item=late, by=world.beat_officer, note=f"{MEMBER} will talk to the school")
    other_beat = priority(world.other_beat_officer, world.beat_b, issue="Shagai water dispute")
    return {"meeting": m, "done": done, "late": late, "other": other_beat}


def test_page_lists_priorities_actions_status_dates(world: World, client: Client) -> None:
    data = build(world)
    response = client.get(url_for("engagement:you_said_we_did", "GUL"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Streetlights broken in Bagh Mohalla" in body
    assert "12 streetlights repaired on Bagh Mohalla road" in body
    assert "TMA Timergara" in body  # an agency is named, a resident never
    done_on = (timezone.localdate() - dt.timedelta(days=1)).strftime("%-d %B %Y")
    assert f"done on <bdi>{done_on}</bdi>" in body  # the date isolated from the words around it
    assert "Raised by Women on" in body and "Raised by Youth on" in body
    assert "late" in body and "neighbourhood committee" in body
    assert "Shagai water dispute" not in body
    assert data["late"].action in body


def test_nobody_is_named(world: World, client: Client) -> None:
    build(world)
    for language in ("en", "ur", "ps"):
        body = client.get(url_for("engagement:you_said_we_did", "GUL", lang=language)).content.decode()
        assert MEMBER not in body  # not the committee member who owns an action, nor the note about them
        assert "Mr Municipal Engineer" not in body
        assert world.beat_officer.get_full_name() not in body  # not even the officer who recorded it
        assert "Streetlights discussed" not in body  # minutes stay inside


def test_page_is_small_fast_and_right_to_left(
    world: World, client: Client, django_assert_num_queries: Any
) -> None:
    build(world)
    p = priority(world.beat_officer, world.beat_a, issue="Another issue " + "x" * 200)
    for _ in range(3):
        action(world.beat_officer, p)
    with django_assert_num_queries(YOU_SAID_WE_DID):
        response = client.get(url_for("engagement:you_said_we_did", "GUL", lang="ur"))
    body = response.content.decode()
    assert '<html lang="ur" dir="rtl">' in body
    assert "<script" not in body
    assert len(gzip.compress(response.content)) < 14 * 1024
    assert (
        '<html lang="ps" dir="rtl">'
        in client.get(url_for("engagement:you_said_we_did", "GUL", lang="ps")).content.decode()
    )


def test_unknown_beat_is_404_and_empty_beat_invites(world: World, client: Client) -> None:
    assert client.get(url_for("engagement:you_said_we_did", "NOPE")).status_code == 404
    assert (
        "Come to the next meeting"
        in client.get(url_for("engagement:you_said_we_did", "RBT")).content.decode()
    )
