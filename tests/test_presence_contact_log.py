"""The contact log: an officer logs a patrol in one tap, once however often it is sent; who sees what."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from rabta.audit.models import AccessLog
from rabta.core.crypto import field_cipher
from rabta.presence.models import FEEDBACK_PHONE, Contact, ContactChannel, ContactKind, FeedbackConsent
from rabta.presence.services import log_contact
from rabta.site.retention import purge
from tests import factories
from tests.conftest import World, verified_client
from tests.paths import url_for
from tests.personas import PERSONAS
from tests.queries import assert_constant_queries

NOW = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)

# Who may open the log form: the people who patrol and visit.
CAN_LOG = {"beat_officer", "other_beat_officer", "womens_desk_officer", "station_head", "other_station_head"}
# Who sees a contact on beat_a (a page of it, or the API): its beat's officers, the station, the district.
SEES_BEAT_A = {
    "beat_officer",
    "womens_desk_officer",
    "station_head",
    "district_coordinator",
    "oversight",
    "analyst",
    "admin_user",
}


def post(client: Client, data: dict[str, Any], *, outbox: bool = False, lang: str = "en") -> Any:
    headers = {"HTTP_X_RABTA_OUTBOX": "1"} if outbox else {}
    return client.post(url_for("presence:contact_log", lang=lang), data, **headers)


def entry(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "client_id": str(uuid.uuid4()),
        "kind": ContactKind.FOOT_PATROL,
        "beats": [world.beat_a.pk],
        **extra,
    }


def contact_on(world: World, beat: Any = None, officer: Any = None, **kw: Any) -> Contact:
    officer = officer or world.beat_officer
    now = timezone.now()
    return log_contact(
        officer=officer,
        kind=kw.pop("kind", ContactKind.FOOT_PATROL),
        beats=[beat or world.beat_a],
        started_at=now - dt.timedelta(hours=1),
        ended_at=now,
        **kw,
    ).contact


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_open_the_log_form(world: World, persona: str) -> None:
    response = verified_client(getattr(world, persona)).get(url_for("presence:contact_log"))
    assert response.status_code == (200 if persona in CAN_LOG else 403)


def test_anonymous_is_sent_to_log_in() -> None:
    response = Client().get(url_for("presence:contact_log"))
    assert response.status_code == 302
    assert response["Location"].startswith(url_for("people:login"))


def test_the_form_starts_with_the_officers_beat_and_a_client_id(world: World) -> None:
    response = verified_client(world.beat_officer).get(url_for("presence:contact_log"))
    form = response.context["form"]
    assert [b.pk for b in form.initial["beats"]] == [world.beat_a.pk]
    assert isinstance(form.initial["client_id"], uuid.UUID)
    html = response.content.decode()
    assert 'name="client_id"' in html and "contact-outbox.js" in html
    # Beats outside the officer's scope are not offered.
    assert [b.pk for b in form.fields["beats"].queryset] == [world.beat_a.pk]


@time_machine.travel(NOW, tick=False)
def test_a_kind_and_send_is_enough(world: World) -> None:
    client = verified_client(world.beat_officer)
    response = post(client, entry(world))
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.officer == world.beat_officer and contact.recorded_by == world.beat_officer
    assert list(contact.beats.all()) == [world.beat_a] and contact.station == world.station_a
    assert contact.proactive is True
    assert contact.ended_at == NOW.replace(second=0)
    assert contact.ended_at - contact.started_at == dt.timedelta(minutes=60)  # a foot patrol's usual hour
    assert contact.channel == ContactChannel.WEB
    page = client.get(url_for("presence:contact_log"))
    assert "Contact saved" in page.content.decode()
    assert [c.pk for c in page.context["recent"]] == [contact.pk]


@time_machine.travel(NOW, tick=False)
def test_back_and_send_again_makes_one_contact(world: World) -> None:
    client = verified_client(world.beat_officer)
    data = entry(world)
    post(client, data)
    again = post(client, data)
    assert again.status_code == 302
    assert Contact.objects.count() == 1
    assert "already saved" in client.get(url_for("presence:contact_log")).content.decode()


@time_machine.travel(NOW, tick=False)
def test_the_outbox_gets_json_and_a_resend_returns_the_same_contact(world: World) -> None:
    client = verified_client(world.beat_officer)
    data = entry(world, ended_at="2026-11-20T12:00", minutes="20")  # local time (Asia/Karachi): 07:00 UTC
    first = post(client, data, outbox=True)
    assert first.status_code == 201
    body = json.loads(first.content)
    assert body["created"] is True and body["client_id"] == data["client_id"]
    second = post(client, data, outbox=True)
    assert second.status_code == 200
    assert json.loads(second.content) == {**body, "created": False}
    contact = Contact.objects.get()
    assert contact.channel == ContactChannel.OUTBOX
    assert contact.ended_at == dt.datetime(2026, 11, 20, 7, 0, tzinfo=dt.UTC)
    assert contact.started_at == dt.datetime(2026, 11, 20, 6, 40, tzinfo=dt.UTC)


def test_the_same_client_id_from_two_officers_is_two_contacts(world: World) -> None:
    data = entry(world, beats=[world.station_a.beats.get(code="GUL").pk])
    post(verified_client(world.beat_officer), data)
    post(verified_client(world.station_head), data)
    assert Contact.objects.count() == 2


def test_an_outbox_entry_with_errors_gets_them_as_json(world: World) -> None:
    response = post(verified_client(world.beat_officer), entry(world, kind="dance"), outbox=True)
    assert response.status_code == 400
    assert "kind" in json.loads(response.content)["errors"]
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    "extra",
    [
        {"beats": []},
        {"kind": ""},
        {"client_id": "not-a-uuid"},
        {"minutes": "0"},
        {"minutes": "99999"},
        {"ended_at": "2099-01-01T10:00"},
        {"ended_at": "2001-01-01T10:00"},
        {"ended_at": "0001-01-01T00:00"},
        {"met_women_15_29": "-1"},
        {"met_men_60": "100000000000000000000"},
        {"lat": "nan", "lon": "71.8"},
        {"lat": "1e400", "lon": "71.8"},
        {"report": "0123456789abcdef"},
        {"feedback_consent": "on"},
        {"feedback_consent": "on", "feedback_phone": "12"},
        {"feedback_phone": "03001234567"},
        {"meeting": "999999"},
        {"proactive": "maybe"},
    ],
)
def test_bad_input_is_a_400_on_the_form_and_nothing_is_written(world: World, extra: dict[str, Any]) -> None:
    response = post(verified_client(world.beat_officer), entry(world, **extra))
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not Contact.objects.exists() and not FeedbackConsent.objects.exists()


def test_a_beat_outside_the_officers_scope_is_refused(world: World) -> None:
    response = post(verified_client(world.beat_officer), entry(world, beats=[world.beat_b.pk]))
    assert response.status_code == 400
    assert not Contact.objects.exists()


def test_kind_decides_proactive_unless_the_officer_says_otherwise(world: World) -> None:
    client = verified_client(world.beat_officer)
    post(client, entry(world, kind=ContactKind.CALL_RESPONSE))
    post(client, entry(world, kind=ContactKind.CALL_RESPONSE, proactive="yes"))
    post(client, entry(world, kind=ContactKind.SCHOOL_VISIT, proactive="no"))
    post(client, entry(world, kind=ContactKind.SCHOOL_VISIT))
    got = list(Contact.objects.order_by("pk").values_list("kind", "proactive"))
    assert got == [
        (ContactKind.CALL_RESPONSE, False),
        (ContactKind.CALL_RESPONSE, True),
        (ContactKind.SCHOOL_VISIT, False),
        (ContactKind.SCHOOL_VISIT, True),
    ]


def test_counts_place_note_point_and_a_report_in_scope(world: World) -> None:
    report = factories.report(beat_obj=world.beat_a, description="Street light out").report
    data = entry(
        world,
        kind=ContactKind.DOOR_TO_DOOR,
        met_women_15_29="3",
        met_men_60="2",
        place="Lane behind the bazaar",
        note="Asked about the street light",
        lat="34.80123",
        lon="71.80456",
        report=report.public_id.upper(),
    )
    post(verified_client(world.beat_officer), data)
    contact = Contact.objects.get()
    assert (contact.met_women_15_29, contact.met_men_60, contact.people_met) == (3, 2, 5)
    assert (contact.lat, contact.lon) == (34.80123, 71.80456)
    assert contact.report == report and contact.place == "Lane behind the bazaar"


def test_a_report_on_another_beat_cannot_be_linked(world: World) -> None:
    report = factories.report(beat_obj=world.beat_c, description="Far away").report
    response = post(verified_client(world.beat_officer), entry(world, report=report.public_id))
    assert response.status_code == 400
    assert "report" in response.context["form"].errors


@time_machine.travel(NOW, tick=False)
def test_feedback_consent_keeps_the_phone_encrypted_for_30_days(world: World) -> None:
    data = entry(world, feedback_consent="on", feedback_phone="0300 1234567", feedback_language="ps")
    post(verified_client(world.beat_officer), data)
    consent = FeedbackConsent.objects.get()
    assert "1234567" not in consent.phone_encrypted
    assert field_cipher().decrypt(consent.phone_encrypted, context=FEEDBACK_PHONE) == "+923001234567"
    assert consent.language == "ps" and consent.expires_at == NOW + dt.timedelta(days=30)

    assert purge(dry_run=True, now=NOW + dt.timedelta(days=29))["feedback consent phone"] == 0
    later = NOW + dt.timedelta(days=31)
    assert purge(dry_run=True, now=later)["feedback consent phone"] == 1
    assert purge(now=later)["feedback consent phone"] == 1
    consent.refresh_from_db()
    assert consent.phone_encrypted == "" and consent.erased_at == later
    assert purge(dry_run=True, now=later)["feedback consent phone"] == 0


def test_a_used_consent_is_erased_at_once(world: World) -> None:
    from rabta.presence.services import use_feedback_consent

    contact = contact_on(world, feedback_phone="03001234567")
    assert use_feedback_consent(consent=contact.feedback_consent) == "+923001234567"
    consent = FeedbackConsent.objects.get()
    assert consent.phone_encrypted == "" and consent.used_at and consent.erased_at
    assert use_feedback_consent(consent=consent) == ""


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_sees_a_contact_page(world: World, persona: str) -> None:
    contact = contact_on(world)
    response = verified_client(getattr(world, persona)).get(url_for("presence:contact", contact.pk))
    expected = 200 if persona in SEES_BEAT_A else 403 if persona == "resident" else 404
    assert response.status_code == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_contact_list_is_scoped(world: World, persona: str) -> None:
    on_a, on_b, on_c = (
        contact_on(world),
        contact_on(world, world.beat_b, world.other_beat_officer),
        contact_on(world, world.beat_c, world.other_station_head),
    )
    response = verified_client(getattr(world, persona)).get(url_for("presence:contacts"))
    if persona == "resident":
        assert response.status_code == 403
        return
    seen = {c.pk for c in response.context["page"].object_list}
    expected = {
        "beat_officer": {on_a.pk},
        "other_beat_officer": {on_b.pk},
        "womens_desk_officer": {on_a.pk, on_b.pk},
        "station_head": {on_a.pk, on_b.pk},
        "other_station_head": {on_c.pk},
    }.get(persona, {on_a.pk, on_b.pk, on_c.pk})
    assert seen == expected


def test_recent_contacts_are_the_officers_own(world: World) -> None:
    mine = contact_on(world)
    contact_on(world, world.beat_a, world.womens_desk_officer)
    response = verified_client(world.beat_officer).get(url_for("presence:contact_log"))
    assert [c.pk for c in response.context["recent"]] == [mine.pk]


def test_the_point_is_shown_only_on_request_and_every_view_is_logged(world: World) -> None:
    contact = contact_on(world, lat=34.80123, lon=71.80456)
    client = verified_client(world.station_head)
    page = client.get(url_for("presence:contact", contact.pk)).content.decode()
    assert "34.80123" not in page and "Show the GPS point" in page
    assert not AccessLog.objects.exists()
    shown = client.post(url_for("presence:contact_point", contact.pk))
    assert "34.80123" in shown.content.decode()
    log = AccessLog.objects.get()
    assert (log.actor, log.action, log.object_type, log.object_id) == (
        world.station_head,
        AccessLog.Action.VIEW_LOCATION,
        "presence.contact",
        str(contact.pk),
    )
    # Out of scope: 404 and nothing logged.
    assert (
        verified_client(world.other_station_head)
        .post(url_for("presence:contact_point", contact.pk))
        .status_code
        == 404
    )
    assert AccessLog.objects.count() == 1


def test_contact_list_queries_do_not_grow_with_rows(world: World) -> None:
    client = verified_client(world.station_head)

    def make(n: int) -> None:
        for i in range(n):
            contact_on(world, world.beat_a if i % 2 else world.beat_b, world.station_head)

    proof = assert_constant_queries(client, url_for("presence:contacts"), make)
    assert len(proof.large.context["page"].object_list) == 6
    officer = verified_client(world.station_head)
    proof = assert_constant_queries(officer, url_for("presence:contact_log"), make)
    assert len(proof.large.context["recent"]) == 12


def test_the_log_page_in_urdu_and_pashto(world: World) -> None:
    client = verified_client(world.beat_officer)
    for lang in ("ur", "ps"):
        response = client.get(url_for("presence:contact_log", lang=lang))
        assert response.status_code == 200
        assert 'dir="rtl"' in response.content.decode()
