"""The people of the test world, in one list: every "for each persona" test takes its names from here.

The `world` fixture (tests/conftest.py) builds one person per name in PERSONAS, in one small district:

    district "Lower Dir Test"
      station_a (women's desk) -> beat_a, beat_b
      station_b (no desk)      -> beat_c

A test parametrized over personas uses PERSONAS (everyone), STAFF_PERSONAS (everyone with a staff
role) or all_but(...); a test that needs a person the world lacks (another district, the province, a
volunteer) takes it from extra_personas(world). Adding a role means adding it here and to World.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rabta.people.models import Gender, Role, User
from tests import factories

if TYPE_CHECKING:
    from tests.conftest import World  # conftest imports this module

PERSONAS: tuple[str, ...] = (
    "resident",  # an account without a staff role
    "beat_officer",  # officer of beat_a; the officer named in the conduct complaints
    "other_beat_officer",  # officer of beat_b, same station
    "womens_desk_officer",  # a woman on station_a's women's desk, beats a and b
    "station_head",  # head of station_a (a man)
    "other_station_head",  # head of station_b
    "district_coordinator",  # the district's coordinator
    "oversight",  # the district's oversight member: conduct complaints only
    "analyst",  # the district's analyst
    "admin_user",  # a superuser
)
STAFF_PERSONAS: tuple[str, ...] = tuple(name for name in PERSONAS if name != "resident")


def all_but(*names: str) -> list[str]:
    """Every persona except `names`, in PERSONAS order (for "nobody else may" tests)."""
    unknown = set(names) - set(PERSONAS)
    assert not unknown, f"not personas: {sorted(unknown)}"
    return [name for name in PERSONAS if name not in names]


# People the world lacks, each a way a scope rule could leak.
EXTRA_PERSONAS: tuple[str, ...] = (
    "woman_beat_officer",  # a woman officer of beat_a who is not on the desk
    "far_desk_officer",  # on the women's desk of another district's station
    "far_oversight",  # oversight of another district
    "province_oversight",  # oversight with no district: the whole province
    "province_analyst",  # an analyst with no district
    "volunteer",  # a volunteer of beat_a
)


def extra_personas(world: World) -> dict[str, User]:
    """Build EXTRA_PERSONAS (and the other district they need) next to `world`."""
    other_district = factories.district(code="SW", name="Swat Test")
    far_station = factories.station(other_district, code="MNG", name="Mingora", has_womens_desk=True)
    far_beat = factories.beat(far_station, code="MNG1", lon=72.3, lat=34.7)
    people = {
        "woman_beat_officer": factories.officer(
            station_obj=world.station_a, beats=[world.beat_a], gender=Gender.WOMAN
        ),
        "far_desk_officer": factories.officer(
            station_obj=far_station,
            beats=[far_beat],
            gender=Gender.WOMAN,
            role=Role.WOMENS_DESK,
            on_womens_desk=True,
        ),
        "far_oversight": factories.user(Role.OVERSIGHT, scope_district=other_district),
        "province_oversight": factories.user(Role.OVERSIGHT),
        "province_analyst": factories.user(Role.ANALYST),
        "volunteer": factories.user(Role.VOLUNTEER, scope_beat=world.beat_a),
    }
    assert tuple(people) == EXTRA_PERSONAS
    return people
