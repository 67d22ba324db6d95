"""Who sees which engagement rows: the five `visible_to` share one staff rule, each with its own reach."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import QuerySet

from rabta.engagement.models import ActionItem, Committee, Meeting, PartnerAgency, Priority
from tests import factories
from tests.conftest import World
from tests.test_engagement_support import action, agency, committee, meeting, priority

A, C, ANYWHERE, DISTRICT, ELSEWHERE = "a", "c", "anywhere", "district", "elsewhere"

# Rows on beat_a (station_a) and beat_c (station_b); agencies with no district, the world's
# district and another district.
SEES: dict[str, tuple[set[str], set[str]]] = {
    "resident": (set(), set()),
    "beat_officer": ({A}, {ANYWHERE, DISTRICT}),
    "other_beat_officer": (set(), {ANYWHERE, DISTRICT}),
    "womens_desk_officer": ({A}, {ANYWHERE, DISTRICT}),
    "station_head": ({A}, {ANYWHERE, DISTRICT}),
    "other_station_head": ({C}, {ANYWHERE, DISTRICT}),
    "district_coordinator": ({A, C}, {ANYWHERE, DISTRICT}),
    "oversight": ({A, C}, {ANYWHERE, DISTRICT}),
    "analyst": ({A, C}, {ANYWHERE, DISTRICT}),
    "admin_user": ({A, C}, {ANYWHERE, DISTRICT, ELSEWHERE}),
}


def rows(world: World) -> dict[str, dict[Any, str]]:
    by = world.admin_user
    meetings = {A: meeting(by, [world.beat_a]), C: meeting(by, [world.beat_c])}
    committees = {A: committee([world.beat_a]), C: committee([world.beat_c], name="Rabat Committee")}
    priorities = {A: priority(by, world.beat_a), C: priority(by, world.beat_c)}
    actions = {key: action(by, p) for key, p in priorities.items()}
    agencies = {
        ANYWHERE: agency(name="Provincial NGO"),
        DISTRICT: agency(district=world.district),
        ELSEWHERE: agency(name="Swat TMA", district=factories.district(code="SWT", name="Swat")),
    }
    return {
        "meetings": {m.pk: key for key, m in meetings.items()},
        "committees": {c.pk: key for key, c in committees.items()},
        "priorities": {p.pk: key for key, p in priorities.items()},
        "actions": {i.pk: key for key, i in actions.items()},
        "agencies": {a.pk: key for key, a in agencies.items()},
    }


def keys(queryset: QuerySet[Any], names: dict[Any, str]) -> set[str]:
    return {names[pk] for pk in queryset.values_list("pk", flat=True)}


@pytest.mark.parametrize("persona", sorted(SEES))
def test_each_persona_sees_its_beats_rows_and_its_districts_agencies(world: World, persona: str) -> None:
    made = rows(world)
    user = getattr(world, persona)
    beat_rows, agencies = SEES[persona]
    assert keys(Meeting.objects.visible_to(user), made["meetings"]) == beat_rows
    assert keys(Committee.objects.visible_to(user), made["committees"]) == beat_rows
    assert keys(Priority.objects.visible_to(user), made["priorities"]) == beat_rows
    assert keys(ActionItem.objects.visible_to(user), made["actions"]) == beat_rows
    assert keys(PartnerAgency.objects.visible_to(user), made["agencies"]) == agencies


def test_a_meeting_on_two_beats_is_seen_from_either(world: World) -> None:
    both = meeting(world.admin_user, [world.beat_a, world.beat_c])
    for persona in ("beat_officer", "other_station_head"):
        assert list(Meeting.objects.visible_to(getattr(world, persona))) == [both], persona
    assert not Meeting.objects.visible_to(world.other_beat_officer).exists()


@pytest.mark.parametrize("persona", ["beat_officer", "admin_user"])
def test_a_deactivated_account_sees_nothing(world: World, persona: str) -> None:
    rows(world)
    user = getattr(world, persona)
    user.is_active = False
    user.save(update_fields=["is_active"])
    for model in (Meeting, Committee, Priority, ActionItem, PartnerAgency):
        assert not model.objects.visible_to(user).exists(), model.__name__
