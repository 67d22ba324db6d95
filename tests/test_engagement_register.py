"""The named register: only with consent, encrypted, seen only by staff who see the meeting, views logged."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.test import Client

from rabta.audit.models import AccessLog
from rabta.engagement import services
from rabta.engagement.models import RegisterEntry
from tests.conftest import World, verified_client
from tests.paths import url_for
from tests.test_engagement_support import action, held_meeting, priority

NAME = "Gul Bano Yousafzai"


@pytest.fixture
def with_register(world: World):  # type: ignore[no-untyped-def]
    m = held_meeting(world.beat_officer, [world.beat_a], {"women_15_29": 5, "men_60": 10})
    services.add_register_entry(
        meeting=m,
        by=world.beat_officer,
        name=NAME,
        phone="0301-1234567",
        consent_given=True,
        consent_method="verbal",
    )
    action(world.beat_officer, priority(world.beat_officer, world.beat_a, m=m))
    return m


def test_register_needs_consent(world: World, with_register) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        services.add_register_entry(
            meeting=with_register,
            by=world.beat_officer,
            name="X",
            consent_given=False,
            consent_method="verbal",
        )
    client = verified_client(world.beat_officer)
    response = client.post(
        url_for("engagement:meeting_register", with_register.pk),
        {"name": "No Consent", "consent_method": "verbal"},
    )
    assert response.status_code == 200 and "only when the person agrees" in response.content.decode()
    assert RegisterEntry.objects.count() == 1
    with pytest.raises(IntegrityError):  # the database refuses it too
        RegisterEntry.objects.create(
            meeting=with_register, name_encrypted="x", consent_given=False, consent_method="verbal"
        )


def test_names_are_encrypted_at_rest(world: World, with_register) -> None:  # type: ignore[no-untyped-def]
    entry = RegisterEntry.objects.get()
    assert NAME not in entry.name_encrypted and "0301" not in entry.phone_encrypted


def test_officer_of_the_beat_sees_register_and_the_view_is_logged(world: World, with_register) -> None:  # type: ignore[no-untyped-def]
    client = verified_client(world.beat_officer)
    before = AccessLog.objects.filter(action=AccessLog.Action.VIEW_REGISTER).count()
    body = client.get(url_for("engagement:meeting_register", with_register.pk)).content.decode()
    assert NAME in body and "0301-1234567" in body
    log = AccessLog.objects.filter(action=AccessLog.Action.VIEW_REGISTER).order_by("-pk").first()
    assert AccessLog.objects.filter(action=AccessLog.Action.VIEW_REGISTER).count() == before + 1
    assert log is not None and log.actor == world.beat_officer
    assert (log.object_type, log.object_id) == ("engagement.meeting", str(with_register.pk))


@pytest.mark.parametrize(
    "persona", ["station_head", "womens_desk_officer", "district_coordinator", "admin_user"]
)
def test_staff_in_scope_see_it(world: World, with_register, persona: str) -> None:  # type: ignore[no-untyped-def]
    body = verified_client(getattr(world, persona)).get(
        url_for("engagement:meeting_register", with_register.pk)
    )
    assert body.status_code == 200 and NAME in body.content.decode()
    assert AccessLog.objects.filter(
        actor=getattr(world, persona), action=AccessLog.Action.VIEW_REGISTER
    ).exists()
    # One row for the one view, naming the meeting.
    log = AccessLog.objects.get(action=AccessLog.Action.VIEW_REGISTER)
    assert log.actor == getattr(world, persona)
    assert (log.object_type, log.object_id) == ("engagement.meeting", str(with_register.pk))


@pytest.mark.parametrize("persona", ["other_beat_officer", "other_station_head"])
def test_staff_out_of_scope_get_404_and_no_log(world: World, with_register, persona: str) -> None:  # type: ignore[no-untyped-def]
    response = verified_client(getattr(world, persona)).get(
        url_for("engagement:meeting_register", with_register.pk)
    )
    assert response.status_code == 404
    assert not AccessLog.objects.filter(
        actor=getattr(world, persona), action=AccessLog.Action.VIEW_REGISTER
    ).exists()


def test_resident_and_anonymous_cannot_see_it(world: World, with_register, client: Client) -> None:  # type: ignore[no-untyped-def]
    logged = AccessLog.objects.count()  # the entry's own "added" row
    assert client.get(url_for("engagement:meeting_register", with_register.pk)).status_code == 302
    resident = Client()
    resident.force_login(world.resident)
    assert resident.get(url_for("engagement:meeting_register", with_register.pk)).status_code == 403
    planted = {"name": "Planted Name", "consent_given": "on", "consent_method": "verbal"}
    assert resident.post(url_for("engagement:meeting_register", with_register.pk), planted).status_code == 403
    assert RegisterEntry.objects.count() == 1
    assert AccessLog.objects.count() == logged


def test_names_never_on_public_pages(world: World, with_register, client: Client) -> None:  # type: ignore[no-untyped-def]
    for url in (
        url_for("site:beat", "GUL"),
        url_for("engagement:you_said_we_did", "GUL"),
        url_for("engagement:you_said_we_did", "GUL", lang="ur"),
        "/feeds/beats/GUL/meetings.ics",  # the subscribed URL, written out
    ):
        body = client.get(url).content.decode()
        assert NAME not in body and "0301" not in body, url


def test_meeting_detail_shows_count_not_names(world: World, with_register) -> None:  # type: ignore[no-untyped-def]
    client = verified_client(world.beat_officer)
    body = client.get(url_for("engagement:meeting", with_register.pk)).content.decode()
    assert "Named register (1 name, with consent)" in body
    assert NAME not in body
    assert not AccessLog.objects.filter(action=AccessLog.Action.VIEW_REGISTER).exists()
