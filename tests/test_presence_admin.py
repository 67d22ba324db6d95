"""Presence in the admin: station heads see their station's contacts and register their officers' SMS
phones; nobody but an admin changes a contact; the GPS point is not in the admin."""

from __future__ import annotations

from rabta.presence.models import OfficerPhone
from tests.conftest import World, verified_client
from tests.paths import url_for
from tests.test_presence_contact_log import contact_on


def test_contacts_in_the_admin_are_scoped_and_read_only(world: World) -> None:
    mine, theirs = (
        contact_on(world, lat=34.8, lon=71.8),
        contact_on(world, world.beat_c, world.other_station_head),
    )
    sho = verified_client(world.station_head)
    listed = sho.get(url_for("admin:presence_contact_changelist"))
    assert {c.pk for c in listed.context["cl"].result_list} == {mine.pk}
    page = sho.get(url_for("admin:presence_contact_change", mine.pk))
    assert page.status_code == 200 and "34.8" not in page.content.decode()
    assert sho.get(url_for("admin:presence_contact_change", theirs.pk)).status_code == 404
    assert sho.post(url_for("admin:presence_contact_change", mine.pk), {"note": "x"}).status_code == 403


def test_a_station_head_registers_an_officers_phone(world: World) -> None:
    sho = verified_client(world.station_head)
    response = sho.post(
        url_for("admin:presence_officerphone_add"),
        {"officer": world.beat_officer.pk, "number": "0300 1112233"},
    )
    assert response.status_code == 302
    link = OfficerPhone.objects.get()
    assert link.officer == world.beat_officer and link.registered_by == world.station_head
    assert link.phone.number == "+923001112233"
    # Another station's officer cannot be chosen, and a number cannot be given to two officers.
    other = verified_client(world.other_station_head)
    refused = other.post(
        url_for("admin:presence_officerphone_add"),
        {"officer": world.beat_officer.pk, "number": "0300 2223344"},
    )
    assert refused.status_code == 200 and refused.context["adminform"].form.errors
    twice = sho.post(
        url_for("admin:presence_officerphone_add"),
        {"officer": world.other_beat_officer.pk, "number": "03001112233"},
    )
    assert twice.status_code == 200 and "number" in twice.context["adminform"].form.errors
    assert OfficerPhone.objects.count() == 1
    assert other.get(url_for("admin:presence_officerphone_change", link.pk)).status_code == 404
