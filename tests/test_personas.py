"""The persona list (tests/personas.py) and the world (tests/conftest.py) name the same people."""

from __future__ import annotations

import dataclasses

import pytest

from rabta.people.models import Role
from tests.conftest import World
from tests.personas import PERSONAS, STAFF_PERSONAS, all_but, extra_personas


def test_every_person_of_the_world_is_a_persona(world: World) -> None:
    people = [f.name for f in dataclasses.fields(World) if f.type in ("User", "User | None")]
    assert tuple(people) == PERSONAS
    assert list(world.personas()) == list(PERSONAS)
    assert len({user.pk for user in world.personas().values()}) == len(PERSONAS)


def test_staff_personas_are_the_staff_roles(world: World) -> None:
    staff = {name for name, user in world.personas().items() if user.is_staff_role}
    assert staff == set(STAFF_PERSONAS)
    assert world.resident.role == Role.RESIDENT


def test_all_but_keeps_the_order_and_refuses_unknown_names() -> None:
    assert all_but("resident") == list(STAFF_PERSONAS)
    with pytest.raises(AssertionError, match="not personas"):
        all_but("sheriff")


def test_extra_personas_are_outside_the_world(world: World) -> None:
    extra = extra_personas(world)
    assert not {user.pk for user in extra.values()} & {user.pk for user in world.personas().values()}
