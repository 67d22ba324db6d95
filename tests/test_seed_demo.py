"""The demo district: complete, plausible, deterministic, and safe to seed again."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from rabta.core.demo import DemoContext
from rabta.lib.geo import find_overlaps
from rabta.people.models import STAFF_ROLES, Gender, OfficerProfile, Role, TrainingRecord, User
from rabta.places.lookup import beat_index
from rabta.places.models import AGE_BANDS, Beat, District, PoliceStation
from rabta.site.demo import load_modules, reset_all, seed_all
from tests import factories
from tests.demo_cleanup import last_access_log_id, undo_demo
from tests.paths import url_for

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SEED_DAY = "2025-06-02"


def seed(*args: str) -> str:
    out = io.StringIO()
    with override_settings(PASSWORD_HASHERS=FAST_HASHER):
        call_command("seed_demo", "--today", SEED_DAY, *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "districts": District.objects.count(),
        "stations": PoliceStation.objects.count(),
        "beats": Beat.objects.count(),
        "users": User.objects.count(),
        "officers": OfficerProfile.objects.count(),
        "training": TrainingRecord.objects.count(),
        "devices": TOTPDevice.objects.count(),
    }


def snapshot() -> dict[str, Any]:
    """What should be identical between two seeds on the same day (primary keys aside)."""
    return {
        "beats": sorted(
            (
                b.code,
                b.name,
                b.name_ur,
                b.name_ps,
                str(b.boundary),
                tuple(b.languages),
                *(getattr(b, f"population_{g}_{a}") for g in ("women", "men") for a in AGE_BANDS),
            )
            for b in Beat.objects.all()
        ),
        "officers": sorted(
            (
                p.user.username,
                p.service_number,
                p.rank,
                p.gender,
                p.station.code,
                tuple(sorted(b.code for b in p.beats.all())),
            )
            for p in OfficerProfile.objects.select_related("user", "station").prefetch_related("beats")
        ),
        "training": sorted(
            (t.officer.service_number, t.course, t.completed_on.isoformat())
            for t in TrainingRecord.objects.select_related("officer")
        ),
    }


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[dict[str, Any]]:
    """Seed once for the module (PBKDF2 aside, seeding is the slow part) and clean up after."""
    path = tmp_path_factory.mktemp("demo") / "demo.txt"
    with django_db_blocker.unblock():
        logged_before = last_access_log_id()
        output = seed("--write", str(path))
        yield {"path": path, "output": output}
        # The demo queues deferred tasks (deadline checks, reminders) and writes access-log rows;
        # later tests count both.
        undo_demo(access_log_after=logged_before)
        assert not District.objects.filter(code="LDIR-DEMO").exists()


def demo_values(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines())


@pytest.mark.django_db
def test_the_demo_has_enough_places_and_people(demo: dict[str, Any]) -> None:
    stations = PoliceStation.objects.filter(district__code="LDIR-DEMO")
    beats = Beat.objects.filter(station__district__code="LDIR-DEMO")
    officers = OfficerProfile.objects.filter(station__district__code="LDIR-DEMO")
    assert stations.count() >= 3
    assert beats.count() >= 12
    assert officers.count() >= 20
    assert officers.filter(gender=Gender.WOMAN).count() >= 4
    desk = stations.get(has_womens_desk=True)
    assert desk.code == "TMG" and desk.womens_desk_phone and desk.womens_desk_days == "123456"
    assert officers.filter(station=desk, on_womens_desk=True, gender=Gender.WOMAN).count() >= 2
    assert not beats.filter(officers__isnull=True).exists(), "every beat has at least one officer"
    assert TrainingRecord.objects.filter(officer__in=officers).count() >= 10
    for beat in beats:
        assert beat.name_ur and beat.name_ps and beat.areas and beat.languages
        assert 1_000 < beat.population_total < 10_000
        for gender in ("women", "men"):
            young, old = beat.population(gender, "15_29"), beat.population(gender, "60")
            assert young > 2 * old > 0


@pytest.mark.django_db
def test_demo_beats_do_not_overlap_and_cover_the_district(demo: dict[str, Any]) -> None:
    beats = list(Beat.objects.filter(station__district__code="LDIR-DEMO"))
    assert find_overlaps([(b.code, b.geometry) for b in beats]) == []
    for beat in beats:
        # Around Timergara (34.83 N, 71.84 E), a few km across.
        assert 34.70 < beat.centroid_lat < 34.90 and 71.75 < beat.centroid_lon < 71.95
        assert beat_index.beat_id_at(beat.centroid_lat, beat.centroid_lon) == beat.pk


@pytest.mark.django_db
def test_demo_txt_has_every_key_and_its_point_lies_in_the_demo_beat(demo: dict[str, Any]) -> None:
    values = demo_values(demo["path"])
    for role in Role.values:
        assert values[f"login_{role}"] == role
        assert values[f"password_{role}"]
        assert (f"totp_secret_{role}" in values) == (role in STAFF_ROLES)
    code = values["demo_beat_path"].rstrip("/").rsplit("/", 1)[-1]
    assert values["demo_beat_path"] == url_for("site:beat", code)
    beat = beat_index.beat_at(float(values["demo_lat"]), float(values["demo_long"]))
    assert beat is not None and beat.code == code
    for line in demo["path"].read_text(encoding="utf-8").splitlines():
        assert line in demo["output"], "the command prints what it writes"


@pytest.mark.django_db
def test_every_role_can_log_in_and_staff_have_a_working_second_factor(demo: dict[str, Any]) -> None:
    values = demo_values(demo["path"])
    for role in Role.values:
        user = authenticate(username=values[f"login_{role}"], password=values[f"password_{role}"])
        assert user is not None and user.role == role
        user.full_clean()  # role and scope agree
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
        if role not in STAFF_ROLES:
            assert not devices.exists()
            continue
        out = io.StringIO()
        call_command("totp_code", role, stdout=out)
        code = out.getvalue().strip()
        assert len(code) == 6 and code.isdigit()
        assert devices.get().verify_token(code)
    assert User.objects.get(username=Role.ADMIN).is_superuser


@pytest.mark.django_db
def test_seeding_again_adds_nothing_and_rewrites_demo_txt(demo: dict[str, Any], tmp_path: Path) -> None:
    before = counts()
    again = tmp_path / "again.txt"
    output = seed("--write", str(again))
    assert "exists already" in output
    assert counts() == before
    assert again.read_text() == demo["path"].read_text(), "demo.txt is rewritten with the same lines"


@pytest.mark.django_db
def test_reset_removes_the_demo_and_the_same_day_rebuilds_the_same_places_and_people(
    demo: dict[str, Any],
) -> None:
    data, before = snapshot(), counts()
    demo_users = User.objects.filter(email__endswith="@demo.rabta.invalid")
    logins = demo_users.count()
    ctx = DemoContext(stdout=io.StringIO(), today=dt.date.fromisoformat(SEED_DAY))
    reset_all(ctx, load_modules())
    assert not District.objects.filter(code="LDIR-DEMO").exists()
    assert not demo_users.exists()
    # Accounts named in the append-only access log are kept, but can no longer do anything.
    for retired in User.objects.filter(username__startswith="retired-"):
        assert not retired.is_active and not retired.has_usable_password() and not retired.scope_kind
        assert not TOTPDevice.objects.filter(user=retired).exists()

    # Rebuilding only this app's part keeps the test quick; the command runs them all.
    with override_settings(PASSWORD_HASHERS=FAST_HASHER):
        seed_all(ctx, load_modules(("rabta.places.demo", "rabta.people.demo")))
    assert snapshot() == data, "the same day gives the same data"
    assert demo_users.count() == logins
    after = counts()
    for key in ("districts", "stations", "beats", "officers", "training", "devices"):
        assert after[key] == before[key], key


@pytest.mark.django_db
def test_a_real_user_with_a_demo_login_name_is_never_overwritten(demo: dict[str, Any]) -> None:
    account = User.objects.get(username="admin")
    account.email = "it@police.example"  # now it is somebody's real account, outside the demo district
    account.save(update_fields=["email"])
    with pytest.raises(CommandError, match="not part of the demo"):
        seed("--reset")
    # The command runs in one transaction: the failed rebuild took nothing away.
    account.refresh_from_db()
    assert account.is_active and account.check_password(demo_values(demo["path"])["password_admin"])
    assert Beat.objects.filter(station__district__code="LDIR-DEMO").count() == 14


@pytest.mark.django_db
def test_totp_code_refuses_a_user_without_a_device() -> None:
    factories.user(Role.OFFICER, username="no_device", scope_station=factories.station())
    with pytest.raises(CommandError, match="has no TOTP device"):
        call_command("totp_code", "no_device")
    with pytest.raises(CommandError, match="No user named"):
        call_command("totp_code", "nobody")
