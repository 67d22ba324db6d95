"""The presence API (contacts, targets) and the analysts' CSV export: scoped, audited, no personal data."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import Client

from rabta.audit.models import AccessLog
from rabta.presence.models import BeatTarget
from tests.conftest import World, verified_client
from tests.paths import url_for
from tests.personas import PERSONAS, STAFF_PERSONAS
from tests.queries import assert_constant_queries
from tests.test_presence_contact_log import SEES_BEAT_A, contact_on

CONTACTS = "/api/v1/presence/contacts/"
TARGETS = "/api/v1/presence/targets/"


def made(world: World) -> dict[int, str]:
    on = {
        "a": contact_on(world, lat=34.8, lon=71.8, note="secret note", place="behind the mosque"),
        "b": contact_on(world, world.beat_b, world.other_beat_officer),
        "c": contact_on(world, world.beat_c, world.other_station_head),
    }
    return {c.pk: key for key, c in on.items()}


SEES = {
    "beat_officer": {"a"},
    "other_beat_officer": {"b"},
    "womens_desk_officer": {"a", "b"},
    "station_head": {"a", "b"},
    "other_station_head": {"c"},
}


@pytest.mark.parametrize("persona", STAFF_PERSONAS)
def test_each_persona_lists_the_contacts_of_its_beats(world: World, persona: str) -> None:
    names = made(world)
    response = verified_client(getattr(world, persona)).get(CONTACTS)
    assert response.status_code == 200
    body = json.loads(response.content)
    assert {names[row["id"]] for row in body["results"]} == SEES.get(persona, {"a", "b", "c"})
    for row in body["results"]:
        assert "lat" not in row and "lon" not in row


def test_anonymous_and_residents_get_nothing(world: World) -> None:
    made(world)
    assert Client().get(CONTACTS).status_code == 403
    assert verified_client(world.resident).get(CONTACTS).status_code == 403


@pytest.mark.parametrize("persona", STAFF_PERSONAS)
def test_a_contact_out_of_scope_is_404(world: World, persona: str) -> None:
    contact = contact_on(world)
    response = verified_client(getattr(world, persona)).get(f"{CONTACTS}{contact.pk}/")
    assert response.status_code == (200 if persona in SEES_BEAT_A else 404)
    if response.status_code == 200:
        body = json.loads(response.content)
        assert body["beats"] == ["GUL"] and body["has_point"] is False and body["proactive"] is True


def test_filters_and_bad_filters(world: World) -> None:
    made(world)
    client = verified_client(world.admin_user)
    assert [r["beats"] for r in json.loads(client.get(CONTACTS, {"beat": "RBT"}).content)["results"]] == [
        ["RBT"]
    ]
    assert json.loads(client.get(CONTACTS, {"proactive": "false"}).content)["count"] == 0
    for bad in ({"since": "yesterday"}, {"kind": "dance"}, {"proactive": "maybe"}, {"limit": "-1"}):
        assert client.get(CONTACTS, bad).status_code == 400, bad


def test_reveal_point_is_logged(world: World) -> None:
    contact = contact_on(world, lat=34.81, lon=71.82)
    client = verified_client(world.station_head)
    response = client.post(f"{CONTACTS}{contact.pk}/reveal-point/")
    assert json.loads(response.content) == {"lat": 34.81, "lon": 71.82}
    assert response["Cache-Control"] == "no-store"
    log = AccessLog.objects.get()
    assert (log.action, log.object_id) == (AccessLog.Action.VIEW_LOCATION, str(contact.pk))
    assert (
        verified_client(world.other_station_head).post(f"{CONTACTS}{contact.pk}/reveal-point/").status_code
        == 404
    )
    assert AccessLog.objects.count() == 1


@pytest.mark.parametrize("persona", STAFF_PERSONAS)
def test_targets_are_scoped(world: World, persona: str) -> None:
    for beat in (world.beat_a, world.beat_b, world.beat_c):
        BeatTarget.objects.create(beat=beat, proactive_per_week=7)
    body = json.loads(verified_client(getattr(world, persona)).get(TARGETS).content)
    expected = {
        "beat_officer": {"GUL"},
        "other_beat_officer": {"SHG"},
        "womens_desk_officer": {"GUL", "SHG"},
        "station_head": {"GUL", "SHG"},
        "other_station_head": {"RBT"},
    }.get(persona, {"GUL", "SHG", "RBT"})
    assert {row["beat"] for row in body["results"]} == expected


def test_the_contacts_api_queries_do_not_grow_with_rows(world: World) -> None:
    client = verified_client(world.station_head)

    def make(n: int) -> None:
        for _ in range(n):
            contact_on(world, world.beat_b, world.station_head)

    proof = assert_constant_queries(client, CONTACTS, make)
    assert json.loads(proof.large.content)["count"] == 6


def test_the_schema_lists_the_presence_endpoints(world: World) -> None:
    schema = verified_client(world.station_head).get(url_for("api:schema"), HTTP_ACCEPT="application/json")
    paths = json.loads(schema.content)["paths"]
    assert {CONTACTS, f"{CONTACTS}{{id}}/", f"{CONTACTS}{{id}}/reveal-point/", TARGETS} <= set(paths)


# ---- the CSV export -----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_analysts_export(world: World, persona: str) -> None:
    made(world)
    response = verified_client(getattr(world, persona)).get(url_for("presence:contacts_export"))
    assert response.status_code == (200 if persona in ("analyst", "admin_user") else 403)
    logged = AccessLog.objects.filter(action=AccessLog.Action.EXPORT).count()
    assert logged == (1 if response.status_code == 200 else 0)


def test_the_export_has_no_personal_data_and_is_logged(world: World) -> None:
    made(world)
    response = verified_client(world.analyst).get(url_for("presence:contacts_export"))
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 3
    assert {r["beats"] for r in rows} == {"GUL", "SHG", "RBT"}
    for forbidden in ("lat", "lon", "note", "place", "phone", "officer", "report"):
        assert forbidden not in rows[0]
    assert "secret note" not in text and "mosque" not in text and "34.8" not in text
    log = AccessLog.objects.get()
    assert log.actor == world.analyst and log.object_type == "presence.contact"
    assert log.object_id == f"district:{world.district.pk}" and "3 rows" in log.detail


@pytest.mark.parametrize("query", ["start=2026-13-01", "end=yesterday", "start=2026-02-01&end=2026-01-01"])
def test_a_bad_period_is_a_400(world: World, query: str) -> None:
    response = verified_client(world.analyst).get(url_for("presence:contacts_export", query=query))
    assert response.status_code == 400
    assert not AccessLog.objects.exists()
