"""The Django admin by role and scope: who sees which rows, and what their writes can reach."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.test import Client
from PIL import Image

from rabta.audit.models import AccessLog, record_access
from rabta.people.models import OfficerProfile, Role, TrainingRecord, User
from rabta.places.models import AGE_BANDS, GENDERS, Beat, PoliceStation
from tests import factories
from tests.conftest import World, verified_client
from tests.paths import url_for
from tests.personas import all_but
from tests.queries import assert_constant_queries

ADMIN_SITE = ("admin_user", "district_coordinator", "station_head", "other_station_head")
PAGES = [
    "beats", "beat_a", "beat_c", "beat_add", "stations", "station_a", "station_b", "station_add",
    "district", "district_add", "profiles", "profile_a", "users", "user_officer_a", "user_sho_b",
    "user_admin", "accesslog",
]  # fmt: skip
NO_ADMIN = all_but(*ADMIN_SITE)


def urls(world: World) -> dict[str, str]:
    profile_a = world.beat_officer.officer_profile
    return {
        "beats": url_for("admin:places_beat_changelist"),
        "beat_a": url_for("admin:places_beat_change", world.beat_a.pk),
        "beat_c": url_for("admin:places_beat_change", world.beat_c.pk),
        "beat_add": url_for("admin:places_beat_add"),
        "stations": url_for("admin:places_policestation_changelist"),
        "station_a": url_for("admin:places_policestation_change", world.station_a.pk),
        "station_b": url_for("admin:places_policestation_change", world.station_b.pk),
        "station_add": url_for("admin:places_policestation_add"),
        "district": url_for("admin:places_district_change", world.district.pk),
        "district_add": url_for("admin:places_district_add"),
        "profiles": url_for("admin:people_officerprofile_changelist"),
        "profile_a": url_for("admin:people_officerprofile_change", profile_a.pk),
        "users": url_for("admin:people_user_changelist"),
        "user_officer_a": url_for("admin:people_user_change", world.beat_officer.pk),
        "user_sho_b": url_for("admin:people_user_change", world.other_station_head.pk),
        "user_admin": url_for("admin:people_user_change", world.admin_user.pk),
        "accesslog": url_for("admin:audit_accesslog_changelist"),
    }


# Expected status per persona and page. 404: the row is outside the scope (it "does not exist").
# 403: the page exists for this person's level but the action is not theirs.
MATRIX: dict[str, dict[str, int]] = {
    "admin_user": dict.fromkeys(PAGES, 200),
    "district_coordinator": {
        "beats": 200, "beat_a": 200, "beat_c": 200, "beat_add": 200,
        "stations": 200, "station_a": 200, "station_b": 200, "station_add": 200,
        "district": 200, "district_add": 403,
        "profiles": 200, "profile_a": 200,
        "users": 200, "user_officer_a": 200, "user_sho_b": 200, "user_admin": 404,
        "accesslog": 403,
    },
    "station_head": {
        "beats": 200, "beat_a": 200, "beat_c": 404, "beat_add": 200,
        "stations": 200, "station_a": 200, "station_b": 404, "station_add": 403,
        "district": 404, "district_add": 403,
        "profiles": 200, "profile_a": 200,
        "users": 200, "user_officer_a": 200, "user_sho_b": 404, "user_admin": 404,
        "accesslog": 403,
    },
    "other_station_head": {
        "beats": 200, "beat_a": 404, "beat_c": 200, "beat_add": 200,
        "stations": 200, "station_a": 404, "station_b": 200, "station_add": 403,
        "district": 404, "district_add": 403,
        "profiles": 200, "profile_a": 404,
        "users": 200, "user_officer_a": 404, "user_sho_b": 404, "user_admin": 404,
        "accesslog": 403,
    },
}  # fmt: skip


@pytest.mark.parametrize("persona", ADMIN_SITE)
def test_admin_site_matrix(world: World, persona: str) -> None:
    client = verified_client(getattr(world, persona))
    pages = urls(world)
    got = {name: client.get(pages[name]).status_code for name in MATRIX[persona]}
    assert got == MATRIX[persona]


@pytest.mark.parametrize("persona", NO_ADMIN)
def test_other_roles_have_no_admin(world: World, persona: str) -> None:
    user = getattr(world, persona)
    assert not user.is_staff
    client = verified_client(user)
    for name, url in urls(world).items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(url_for("admin:login"))
    # And the admin's login page does not let them in either.
    assert client.get(url_for("admin:login", query="next=/admin/")).status_code == 403


def changelist_rows(client: Client, url: str) -> set[str]:
    """The rows the changelist shows, by code / service number / username."""
    response = client.get(url)
    assert response.status_code == 200
    rows = response.context["cl"].result_list
    return {
        str(getattr(row, "code", None) or getattr(row, "service_number", None) or row.username)
        for row in rows
    }


def test_changelists_show_only_the_scope(world: World, django_assert_max_num_queries: Any) -> None:
    sho = verified_client(world.station_head)
    with django_assert_max_num_queries(15):
        assert changelist_rows(sho, url_for("admin:places_beat_changelist")) == {"GUL", "SHG"}
    assert changelist_rows(sho, url_for("admin:places_policestation_changelist")) == {"TMG"}
    # Officers of the station; not itself, the other station's head, or anyone above.
    assert changelist_rows(sho, url_for("admin:people_user_changelist")) == {"officer_a", "officer_b", "wdo"}
    with django_assert_max_num_queries(15):
        profiles = changelist_rows(sho, url_for("admin:people_officerprofile_changelist"))
    assert profiles == {p.service_number for p in OfficerProfile.objects.filter(station=world.station_a)}
    assert len(profiles) == 3

    coord = verified_client(world.district_coordinator)
    assert changelist_rows(coord, url_for("admin:places_beat_changelist")) == {"GUL", "SHG", "RBT"}
    assert changelist_rows(coord, url_for("admin:people_user_changelist")) == {
        "officer_a",
        "officer_b",
        "wdo",
        "sho_a",
        "sho_b",
    }
    # Another district is invisible to this coordinator.
    elsewhere = factories.station(factories.district(code="SWT", name="Swat"), code="MNG", name="Mingora")
    factories.beat(elsewhere, code="MNG1", name="Mingora 1")
    assert "MNG1" not in changelist_rows(coord, url_for("admin:places_beat_changelist"))
    assert "MNG" not in changelist_rows(coord, url_for("admin:places_policestation_changelist"))
    assert "MNG1" in changelist_rows(
        verified_client(world.admin_user), url_for("admin:places_beat_changelist")
    )


def test_changelist_query_count_does_not_grow_with_rows(
    world: World, django_assert_max_num_queries: Any
) -> None:
    for n in range(15):
        factories.officer(station_obj=world.station_a, beats=[world.beat_a], username=f"extra{n}")
    client = verified_client(world.admin_user)
    with django_assert_max_num_queries(15):
        changelist_rows(client, url_for("admin:people_officerprofile_changelist"))
    with django_assert_max_num_queries(15):
        changelist_rows(client, url_for("admin:people_user_changelist"))

    def more_officers(k: int) -> None:
        for _ in range(k):
            factories.officer(station_obj=world.station_a, beats=[world.beat_a])

    for url in (url_for("admin:people_officerprofile_changelist"), url_for("admin:people_user_changelist")):
        proof = assert_constant_queries(client, url, more_officers, n=5)
        assert proof.large.context["cl"].result_count - proof.small.context["cl"].result_count == 5


# --- writes --------------------------------------------------------------------------------------


def beat_data(beat: Beat, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "station": beat.station_id,
        "code": beat.code,
        "name": beat.name,
        "name_ur": beat.name_ur,
        "name_ps": beat.name_ps,
        "areas": beat.areas,
        "languages": json.dumps(beat.languages),
        "boundary": json.dumps(beat.boundary),
    }
    for g in GENDERS:
        for b in AGE_BANDS:
            data[f"population_{g}_{b}"] = getattr(beat, f"population_{g}_{b}")
    data.update(changes)
    return data


def test_station_head_cannot_change_another_stations_beat(world: World) -> None:
    client = verified_client(world.station_head)
    url = url_for("admin:places_beat_change", world.beat_c.pk)
    response = client.post(url, beat_data(world.beat_c, name="Hijacked"))
    assert response.status_code == 404
    world.beat_c.refresh_from_db()
    assert world.beat_c.name == "Rabat"


def test_station_head_changes_own_beat_but_cannot_move_it_away(world: World) -> None:
    client = verified_client(world.station_head)
    url = url_for("admin:places_beat_change", world.beat_a.pk)
    response = client.post(url, beat_data(world.beat_a, station=world.station_b.pk, name="Moved"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    world.beat_a.refresh_from_db()
    assert (world.beat_a.station_id, world.beat_a.name) == (world.station_a.pk, "Gulabad")

    response = client.post(url, beat_data(world.beat_a, name="Gulabad Bazaar"))
    assert response.status_code == 302
    world.beat_a.refresh_from_db()
    assert world.beat_a.name == "Gulabad Bazaar"


def test_beat_choices_are_limited_to_scope(world: World) -> None:
    client = verified_client(world.station_head)
    form = client.get(url_for("admin:places_beat_add")).context["adminform"].form
    assert list(form.fields["station"].queryset) == [world.station_a]


def test_station_head_cannot_delete_beats(world: World) -> None:
    client = verified_client(world.station_head)
    response = client.post(url_for("admin:places_beat_delete", world.beat_b.pk), {"post": "yes"})
    assert response.status_code == 403
    assert Beat.objects.filter(pk=world.beat_b.pk).exists()


def test_invalid_geojson_is_shown_as_a_form_error(world: World) -> None:
    client = verified_client(world.district_coordinator)
    url = url_for("admin:places_beat_change", world.beat_a.pk)
    before = world.beat_a.boundary
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[71.8, 34.8], [71.81, 34.81], [71.81, 34.8], [71.8, 34.81], [71.8, 34.8]]],
    }
    for bad in (json.dumps(bowtie), json.dumps({"type": "Point", "coordinates": [71.8, 34.8]}), "{not json"):
        response = client.post(url, beat_data(world.beat_a, boundary=bad))
        assert response.status_code == 200, bad
        errors = response.context["adminform"].form.errors
        assert "boundary" in errors, bad
    world.beat_a.refresh_from_db()
    assert world.beat_a.boundary == before


def test_coordinator_adds_stations_only_in_own_district(world: World) -> None:
    elsewhere = factories.district(code="SWT", name="Swat")
    client = verified_client(world.district_coordinator)
    data = {"code": "NEW", "name": "New Station", "phone": "0945-1", "womens_desk_days": ""}
    response = client.post(url_for("admin:places_policestation_add"), {**data, "district": elsewhere.pk})
    assert response.status_code == 200
    assert not PoliceStation.objects.filter(code="NEW").exists()
    response = client.post(url_for("admin:places_policestation_add"), {**data, "district": world.district.pk})
    assert response.status_code == 302
    assert PoliceStation.objects.get(code="NEW").district == world.district


def test_station_head_edits_own_desk_hours_but_not_code_or_district(world: World) -> None:
    client = verified_client(world.station_head)
    url = url_for("admin:places_policestation_change", world.station_a.pk)
    other = factories.district(code="SWT", name="Swat")
    response = client.post(
        url,
        {
            "district": other.pk,
            "code": "HACK",
            "name": "Timergara",
            "phone": "0945-111",
            "has_womens_desk": "on",
            "womens_desk_phone": "0945-222",
            "womens_desk_days": "12345",
            "womens_desk_opens": "10:00",
            "womens_desk_closes": "16:00",
        },
    )
    assert response.status_code == 302
    world.station_a.refresh_from_db()
    assert world.station_a.womens_desk_days == "12345"
    assert (world.station_a.code, world.station_a.district_id) == ("TMG", world.district.pk)


# --- accounts ------------------------------------------------------------------------------------


def user_add_data(**changes: Any) -> dict[str, Any]:
    data = {
        "username": "new_officer",
        "usable_password": "true",
        "password1": "a long enough passphrase 42",
        "password2": "a long enough passphrase 42",
        "first_name": "Nadia",
        "last_name": "Khan",
        "email": "",
        "role": Role.OFFICER,
        "scope_station": "",
        "scope_beat": "",
    }
    data.update(changes)
    return data


def test_station_head_creates_officers_in_own_station_only(world: World) -> None:
    client = verified_client(world.station_head)
    for bad in (
        user_add_data(role=Role.ADMIN, scope_station=world.station_a.pk),
        user_add_data(role=Role.STATION_HEAD, scope_station=world.station_a.pk),
        user_add_data(scope_beat=world.beat_c.pk),
        user_add_data(scope_station=world.station_b.pk),
        user_add_data(),  # an officer needs a beat or a station
    ):
        response = client.post(url_for("admin:people_user_add"), bad)
        assert response.status_code == 200, bad
        assert not User.objects.filter(username="new_officer").exists()
    response = client.post(url_for("admin:people_user_add"), user_add_data(scope_beat=world.beat_a.pk))
    assert response.status_code == 302
    created = User.objects.get(username="new_officer")
    assert (created.role, created.scope_beat, created.is_staff, created.is_superuser) == (
        Role.OFFICER,
        world.beat_a,
        False,
        False,
    )
    # It lands on a page the station head can open (inside the scope).
    assert client.get(response["Location"]).status_code == 200


def user_change_data(user: User, **changes: Any) -> dict[str, Any]:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "scope_station": user.scope_station_id or "",
        "scope_beat": user.scope_beat_id or "",
        "is_active": "on" if user.is_active else "",
    }
    data.update(changes)
    return data


def test_station_head_cannot_promote_or_rescope_beyond_own(world: World) -> None:
    client = verified_client(world.station_head)
    officer = world.beat_officer
    url = url_for("admin:people_user_change", officer.pk)
    for bad in (
        user_change_data(officer, role=Role.ADMIN),
        user_change_data(officer, role=Role.DISTRICT_COORDINATOR),
        user_change_data(officer, scope_beat=world.beat_c.pk),
        user_change_data(officer, is_superuser="on", role=Role.ADMIN),
    ):
        response = client.post(url, bad)
        assert response.status_code == 200, bad
    # Fields a station head is not shown are ignored even when posted.
    response = client.post(url, user_change_data(officer, is_superuser="on", first_name="Asad"))
    assert response.status_code == 302
    officer.refresh_from_db()
    assert (officer.role, officer.scope_beat, officer.is_superuser, officer.first_name) == (
        Role.OFFICER,
        world.beat_a,
        False,
        "Asad",
    )


def test_station_head_cannot_reset_passwords_outside_scope(world: World) -> None:
    client = verified_client(world.station_head)
    before = User.objects.get(pk=world.other_station_head.pk).password
    response = client.post(
        url_for("admin:auth_user_password_change", world.other_station_head.pk),
        {"password1": "another long passphrase 9", "password2": "another long passphrase 9"},
    )
    assert response.status_code == 404
    assert User.objects.get(pk=world.other_station_head.pk).password == before


def test_only_admins_set_a_colleagues_password_or_reset_address(world: World) -> None:
    """After a device reset, the person sets a new password through the reset e-mail: a manager who
    could set the password or change the address it goes to could pair their own authenticator."""
    officer = User.objects.get(pk=world.beat_officer.pk)
    before = (officer.password, officer.email)
    client = verified_client(world.station_head)
    response = client.post(
        url_for("admin:auth_user_password_change", officer.pk),
        {"password1": "another long passphrase 9", "password2": "another long passphrase 9"},
    )
    assert response.status_code == 403
    page = client.get(url_for("admin:people_user_change", officer.pk))
    assert page.status_code == 200
    assert 'name="email"' not in page.content.decode()
    officer.refresh_from_db()
    assert (officer.password, officer.email) == before

    admin = verified_client(world.admin_user)
    response = admin.post(
        url_for("admin:auth_user_password_change", officer.pk),
        {"password1": "another long passphrase 9", "password2": "another long passphrase 9"},
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password("another long passphrase 9")


def test_only_admins_delete_accounts(world: World) -> None:
    coord = verified_client(world.district_coordinator)
    response = coord.post(url_for("admin:people_user_delete", world.beat_officer.pk), {"post": "yes"})
    assert response.status_code == 403
    assert User.objects.filter(pk=world.beat_officer.pk).exists()


# --- officer profiles ----------------------------------------------------------------------------


def profile_data(profile: OfficerProfile, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "rank": profile.rank,
        "service_number": profile.service_number,
        "gender": profile.gender,
        "station": profile.station_id,
        "beats": [b.pk for b in profile.beats.all()],
        "languages": json.dumps(profile.languages),
        "public_bio": profile.public_bio,
        "duty_phone": profile.duty_phone,
        "is_public": "on",
        "training_records-TOTAL_FORMS": "0",
        "training_records-INITIAL_FORMS": "0",
        "training_records-MIN_NUM_FORMS": "0",
        "training_records-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def png_with_exif(size: tuple[int, int] = (1200, 800)) -> io.BytesIO:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretPhoneMaker"  # Make
    exif[0x010E] = "Taken at 34.8N 71.8E"  # ImageDescription
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    buffer.seek(0)
    buffer.name = "phone.jpg"
    return buffer


def test_profile_with_training_and_photo(world: World, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    profile = world.beat_officer.officer_profile
    client = verified_client(world.station_head)
    upload = png_with_exif()
    assert b"SecretPhoneMaker" in upload.getvalue()
    data = profile_data(
        profile,
        photo=upload,
        **{
            "training_records-TOTAL_FORMS": "1",
            "training_records-0-course": "Gender-sensitive policing",
            "training_records-0-completed_on": "2025-02-10",
            "training_records-0-provider": "KP Police Training College",
        },
    )
    response = client.post(url_for("admin:people_officerprofile_change", profile.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    profile.refresh_from_db()
    assert TrainingRecord.objects.get(officer=profile).course == "Gender-sensitive policing"
    stored = profile.photo.read()
    assert b"SecretPhoneMaker" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert max(image.size) == 512
        assert not image.getexif()


def test_profile_photo_must_be_an_image(world: World, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    profile = world.beat_officer.officer_profile
    client = verified_client(world.station_head)
    fake = io.BytesIO(b"<?php echo 'not a photo'; ?>")
    fake.name = "photo.jpg"
    response = client.post(
        url_for("admin:people_officerprofile_change", profile.pk), profile_data(profile, photo=fake)
    )
    assert response.status_code == 200
    assert "photo" in response.context["adminform"].form.errors
    profile.refresh_from_db()
    assert not profile.photo


def test_profile_beats_must_be_in_scope_and_station(world: World) -> None:
    profile = world.beat_officer.officer_profile
    sho = verified_client(world.station_head)
    url = url_for("admin:people_officerprofile_change", profile.pk)
    response = sho.post(url, profile_data(profile, beats=[world.beat_c.pk]))
    assert response.status_code == 200  # beat_c is not even a choice for this station head
    coord = verified_client(world.district_coordinator)
    response = coord.post(url, profile_data(profile, beats=[world.beat_c.pk]))
    assert response.status_code == 200
    assert "another station" in str(response.context["adminform"].form.errors["beats"])
    assert list(profile.beats.all()) == [world.beat_a]


def test_other_station_head_cannot_touch_profile(world: World) -> None:
    profile = world.beat_officer.officer_profile
    client = verified_client(world.other_station_head)
    response = client.post(
        url_for("admin:people_officerprofile_change", profile.pk), profile_data(profile, public_bio="edited")
    )
    assert response.status_code == 404
    profile.refresh_from_db()
    assert profile.public_bio == ""


# --- access log ----------------------------------------------------------------------------------


def test_access_log_is_read_only_for_admins(world: World) -> None:
    entry = record_access(actor=world.oversight, action=AccessLog.Action.VIEW_CONTACT, obj=world.beat_a)
    client = verified_client(world.admin_user)
    assert "view_contact" in client.get(url_for("admin:audit_accesslog_changelist")).content.decode() or (
        "viewed contact details" in client.get(url_for("admin:audit_accesslog_changelist")).content.decode()
    )
    change_url = url_for("admin:audit_accesslog_change", entry.pk)
    page = client.get(change_url)
    assert page.status_code == 200
    assert 'name="detail"' not in page.content.decode()  # shown, not editable
    assert client.post(change_url, {"detail": "tampered"}).status_code == 403
    assert client.get(url_for("admin:audit_accesslog_add")).status_code == 403
    assert client.post(url_for("admin:audit_accesslog_delete", entry.pk), {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.detail == ""
    assert AccessLog.objects.count() == 1
