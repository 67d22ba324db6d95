"""Persona fixtures: one small district where every role has a person.

district "Lower Dir Test"
  station_a (women's desk) -> beat_a, beat_b
  station_b (no desk)      -> beat_c
The personas, who each one is, and the helpers that parametrize tests over them are in tests/personas.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from rabta.people.models import Gender, Role, User
from rabta.places.models import Beat, District, PoliceStation
from tests import factories
from tests.personas import PERSONAS


@dataclass
class World:
    district: District
    station_a: PoliceStation
    station_b: PoliceStation
    beat_a: Beat
    beat_b: Beat
    beat_c: Beat
    resident: User
    beat_officer: User
    other_beat_officer: User
    womens_desk_officer: User
    station_head: User
    other_station_head: User
    district_coordinator: User
    oversight: User
    analyst: User
    admin_user: User

    def personas(self) -> dict[str, User]:
        return {name: getattr(self, name) for name in PERSONAS}


@pytest.fixture
def world(db: Any) -> World:
    d = factories.district(code="LD", name="Lower Dir Test", name_ur="لوئر دیر", name_ps="لوئر دیر")
    sa = factories.station(d, code="TMG", name="Timergara", has_womens_desk=True)
    sb = factories.station(d, code="BLB", name="Balambat")
    ba = factories.beat(sa, code="GUL", name="Gulabad", lon=71.80, lat=34.80, areas="Gulabad bazaar, Khungai")
    bb = factories.beat(sa, code="SHG", name="Shagai", lon=71.81, lat=34.80)
    bc = factories.beat(sb, code="RBT", name="Rabat", lon=71.82, lat=34.80)
    return World(
        district=d,
        station_a=sa,
        station_b=sb,
        beat_a=ba,
        beat_b=bb,
        beat_c=bc,
        resident=factories.user(Role.RESIDENT, username="resident"),
        beat_officer=factories.officer(station_obj=sa, beats=[ba], username="officer_a"),
        other_beat_officer=factories.officer(station_obj=sa, beats=[bb], username="officer_b"),
        womens_desk_officer=factories.officer(
            station_obj=sa,
            beats=[ba, bb],
            gender=Gender.WOMAN,
            role=Role.WOMENS_DESK,
            on_womens_desk=True,
            username="wdo",
        ),
        station_head=factories.user(Role.STATION_HEAD, username="sho_a", scope_station=sa),
        other_station_head=factories.user(Role.STATION_HEAD, username="sho_b", scope_station=sb),
        district_coordinator=factories.user(Role.DISTRICT_COORDINATOR, username="coord", scope_district=d),
        oversight=factories.user(Role.OVERSIGHT, username="oversight", scope_district=d),
        analyst=factories.user(Role.ANALYST, username="analyst", scope_district=d),
        admin_user=factories.user(Role.ADMIN, username="admin", is_superuser=True),
    )


def verified_client(user: User) -> Client:
    """A client logged in as `user` with a confirmed TOTP device verified in the session."""
    device = factories.totp_device(user)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def staff_client() -> Any:
    return verified_client


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # PBKDF2's deliberate slowness protects real passwords; in tests it only slows the suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_media(settings: Any, tmp_path: Any) -> None:
    # Report photos go to private storage (rabta.reports.storage); never the checkout's var/.
    settings.RABTA_PRIVATE_MEDIA_ROOT = tmp_path / "private-media"


@pytest.fixture(autouse=True)
def _english_between_tests() -> Any:
    # A request to /ps/... leaves Pashto active in this thread; each test starts in English.
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def _empty_cache_between_tests() -> Any:
    # Pages keep what they drew until the data change (dashboards, density maps, beat maps); a test's
    # rolled-back rows may reuse the ids and frozen times of another's, so no test sees another's cache.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
