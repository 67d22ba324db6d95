"""Issue 9 point 2: a reporter's contact is revealed to staff only when the reporter agreed.

An SMS report whose sender did not say yes keeps the number (encrypted) to answer STATUS and carry
updates; every staff reveal of it is refused and written to the access log as REFUSED, on the
triage page and in the staff API, for every role that can see the report.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from rabta.audit.models import AccessLog
from rabta.reports import notify
from rabta.reports.models import Channel, Report, Status
from rabta.reports.services import ContactRefused, change_status, reveal_contact
from tests import factories
from tests.conftest import World, verified_client
from tests.paths import url_for
from tests.personas import PERSONAS
from tests.tasks_helper import send_queued_emails
from tests.test_reports_public_form import form_data
from tests.test_reports_triage_access import SEES

pytestmark = pytest.mark.django_db

NUMBER = "03001234567"
SECRETS = ("+923001234567", "3001234567", "1234567")
# Everyone who can see an ordinary report of beat_a.
SEE_ORDINARY = [name for name in PERSONAS if name in SEES["ordinary"]]


def sms_report(world: World, *, consent: bool) -> Report:
    return factories.report(
        "theft",
        beat_obj=world.beat_a,
        channel=Channel.SMS,
        phone=NUMBER,
        contact_consent=consent,
        description="Motorbike stolen outside the bakery last night",
    ).report


@pytest.mark.parametrize("persona", SEE_ORDINARY)
def test_reveal_without_consent_is_refused_and_logged_for_every_role(world: World, persona: str) -> None:
    report = sms_report(world, consent=False)
    assert report.has_contact and not report.contact_consent and report.anonymous
    user = getattr(world, persona)
    with pytest.raises(ContactRefused) as refused:
        reveal_contact(report=report, viewer=user)
    assert "did not agree to be contacted" in str(refused.value)
    log = AccessLog.objects.get()
    assert (log.actor, log.action, log.object_id) == (user, AccessLog.Action.REFUSED, str(report.pk))
    assert "did not agree" in log.detail and not any(s in log.detail for s in SECRETS)
    assert not AccessLog.objects.filter(action=AccessLog.Action.VIEW_CONTACT).exists()


@pytest.mark.parametrize("persona", SEE_ORDINARY)
def test_triage_page_says_no_consent_and_a_refused_post_is_a_clear_403(world: World, persona: str) -> None:
    report = sms_report(world, consent=False)
    client = verified_client(getattr(world, persona))
    page = client.get(url_for("reports:staff_detail", report.public_id)).content.decode()
    assert "The reporter did not agree to be contacted" in page
    assert f"/staff/reports/{report.public_id}/contact/" not in page  # no reveal button
    assert "Show contact details" not in page
    assert not AccessLog.objects.exists()
    # A hand-made POST is still refused, logged and answered with the page and its reason.
    response = client.post(url_for("reports:staff_reveal_contact", report.public_id))
    body = response.content.decode()
    assert response.status_code == 403
    assert "did not agree to be contacted" in body and "was recorded" in body
    assert not any(s in body for s in SECRETS)
    assert "no-store" in response["Cache-Control"]
    assert list(AccessLog.objects.values_list("action", flat=True)) == [AccessLog.Action.REFUSED]


@pytest.mark.parametrize("persona", SEE_ORDINARY)
def test_api_reveal_without_consent_is_403_and_logged(world: World, persona: str) -> None:
    report = sms_report(world, consent=False)
    client = verified_client(getattr(world, persona))
    detail = client.get(url_for("api:report-detail", report.public_id)).json()
    assert detail["has_contact"] is True and detail["staff_may_contact"] is False
    response = client.post(url_for("api:report-reveal-contact", report.public_id))
    assert response.status_code == 403
    assert "did not agree to be contacted" in response.json()["detail"]
    assert not any(s in response.content.decode() for s in SECRETS)
    assert list(AccessLog.objects.values_list("action", flat=True)) == [AccessLog.Action.REFUSED]


def test_with_consent_the_reveal_works_and_is_logged(world: World) -> None:
    report = sms_report(world, consent=True)
    client = verified_client(world.beat_officer)
    page = client.get(url_for("reports:staff_detail", report.public_id)).content.decode()
    assert "Show contact details" in page and "did not agree" not in page
    assert (
        "+923001234567"
        in client.post(url_for("reports:staff_reveal_contact", report.public_id)).content.decode()
    )
    api = client.post(url_for("api:report-reveal-contact", report.public_id))
    assert api.status_code == 200 and api.json()["phone"] == "+923001234567"
    actions = list(AccessLog.objects.values_list("action", flat=True))
    assert actions == [AccessLog.Action.VIEW_CONTACT] * 2


def test_out_of_scope_reveal_stays_404_and_unlogged(world: World) -> None:
    report = sms_report(world, consent=False)
    client = verified_client(world.other_beat_officer)
    assert client.post(url_for("reports:staff_reveal_contact", report.public_id)).status_code == 404
    assert client.post(url_for("api:report-reveal-contact", report.public_id)).status_code == 404
    assert not AccessLog.objects.exists()


def test_web_form_gives_consent_when_a_contact_is_typed(world: World, client: Client) -> None:
    client.post(url_for("reports:new"), form_data(world, phone="0300 1234567"))
    client.post(url_for("reports:new"), form_data(world, idempotency_key="n" * 32))
    with_phone, without = Report.objects.order_by("created_at", "pk")
    assert with_phone.contact_consent and not with_phone.anonymous and with_phone.staff_may_contact
    assert not without.contact_consent and without.anonymous and not without.has_contact
    contact = reveal_contact(report=with_phone, viewer=world.beat_officer)
    assert contact.phone == "+923001234567"


def test_updates_still_reach_the_stored_contact_without_consent(
    world: World, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(notify, "_channels", dict(notify._channels))  # the real registry stays intact
    sent: list[dict[str, Any]] = []
    notify.register_channel("sms", lambda **kw: sent.append(kw) or True, address="phone", text_message=True)
    with django_capture_on_commit_callbacks(execute=True):
        report = factories.report(
            "theft", beat_obj=world.beat_a, phone=NUMBER, email="zainab@example.org", contact_consent=False
        ).report
        change_status(report=report, by=world.beat_officer, to=Status.ACKNOWLEDGED)
    assert not report.contact_consent
    send_queued_emails()  # the worker sends the queued e-mail
    assert [m.to for m in mail.outbox] == [["zainab@example.org"]] * 2
    assert {kw["contact"].phone for kw in sent} == {"+923001234567"}
    assert not AccessLog.objects.exists()  # carrying updates is not a staff view
