"""Issue 9 point 4: nothing on a shared phone or inbox reveals a report.

With neutral wording (the reporter's choice on the web form, in Open311 or by asking staff; always
for women's-desk and conduct categories) every message says only "Rabta: news" / "There is news about
your message...": no category, status, agency or public note.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from rabta.reports import notify
from rabta.reports.models import Report, Status
from rabta.reports.services import add_note, change_status
from tests import factories
from tests.conftest import World, verified_client
from tests.paths import url_for
from tests.tasks_helper import send_queued_emails
from tests.test_open311_conformance import INSIDE_A, api_key, parse  # noqa: F401  (api_key: a fixture)
from tests.test_reports_public_form import form_data

pytestmark = pytest.mark.django_db

# Open311 paths are written out, not reversed: partner apps hard-code them (GeoReport v2).
SUBJECT = "Rabta: news"
BODY = "There is news about your message. Follow it with your private tracking link or code."
AGENCY = "Dispute Resolution Council Timergara"
NOTE = "We spoke to your brother-in-law"


def _walk(report: Report, officer: Any, on_commit: Any) -> None:
    """Every kind of news after "received": status with a note, a public note, a referral.
    Each step commits (and so sends) before the next, as in real use."""
    with on_commit(execute=True):
        change_status(report=report, by=officer, to=Status.ACKNOWLEDGED, note=NOTE)
    with on_commit(execute=True):
        add_note(report=report, by=officer, note=NOTE + " again", public=True)
    with on_commit(execute=True):
        change_status(report=report, by=officer, to=Status.REFERRED, referred_to=AGENCY)


def _revealing_words(report: Report) -> list[str]:
    return [
        report.category.name,
        report.category.name_ur,
        "Acknowledged",
        "Referred",
        "New",
        AGENCY,
        "brother-in-law",
        "report",
    ]


@pytest.mark.parametrize(
    ("code", "flag"),
    [
        ("street_lighting", True),  # chosen by the reporter
        ("violence_against_women", False),  # women's desk: neutral regardless
        ("police_conduct", False),  # conduct: neutral regardless
    ],
)
def test_every_email_is_neutral(
    world: World, django_capture_on_commit_callbacks: Any, code: str, flag: bool
) -> None:
    officer = world.oversight if code == "police_conduct" else world.womens_desk_officer
    with django_capture_on_commit_callbacks(execute=True):
        report = factories.report(
            code, beat_obj=world.beat_a, email="shared@example.org", neutral_wording=flag
        ).report
    _walk(report, officer, django_capture_on_commit_callbacks)
    assert report.wants_neutral_wording
    send_queued_emails()  # the worker sends the queued e-mail
    assert len(mail.outbox) == 4
    for message in mail.outbox:
        assert (message.subject, message.body) == (SUBJECT, BODY)
        for word in _revealing_words(report):
            assert word not in message.subject + message.body, word


def test_compose_is_neutral_in_urdu_too(world: World) -> None:
    report = factories.report("street_lighting", beat_obj=world.beat_a, neutral_wording=True, language="ur")
    subject, body = notify.compose(report=report.report, event="status")
    from django.utils import translation
    from django.utils.translation import gettext

    with translation.override("ur"):
        assert (subject, body) == (gettext(SUBJECT), gettext(BODY))


def test_ordinary_reports_without_the_choice_keep_the_informative_wording(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        report = factories.report("street_lighting", beat_obj=world.beat_a, email="me@example.org").report
    _walk(report, world.beat_officer, django_capture_on_commit_callbacks)
    assert not report.wants_neutral_wording
    send_queued_emails()  # the worker sends the queued e-mail
    assert "Acknowledged" in mail.outbox[1].body and NOTE in mail.outbox[1].body
    assert AGENCY in mail.outbox[3].body


def test_web_form_offers_and_stores_the_choice(
    world: World, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    page = client.get(url_for("reports:new")).content.decode()
    assert 'name="neutral_wording"' in page
    assert "Neutral wording in messages (for a shared phone or inbox)" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url_for("reports:new"), form_data(world, email="family@example.org", neutral_wording="on")
        )
        client.post(
            url_for("reports:new"), form_data(world, email="mine@example.org", idempotency_key="m" * 32)
        )
    chosen, plain = Report.objects.order_by("created_at", "pk")
    assert chosen.neutral_wording and not plain.neutral_wording
    # The "received" e-mail of the neutral one already says nothing.
    send_queued_emails()  # the worker sends the queued e-mail
    neutral = [m for m in mail.outbox if m.to == ["family@example.org"]]
    assert [(m.subject, m.body) for m in neutral] == [(SUBJECT, BODY)]


@pytest.mark.parametrize("value", ["yes", "true"])
def test_open311_post_accepts_neutral_wording(
    world: World,
    client: Client,
    api_key: str,  # noqa: F811
    value: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    data = {
        "api_key": api_key,
        "service_code": "streetlight",
        **INSIDE_A,
        "description": "Dark lane by the girls' school",
        "email": "shared@example.org",
        "attribute[neutral_wording]": value,
    }
    with django_capture_on_commit_callbacks(execute=True):
        item = parse(client.post("/open311/v2/requests.json", data), "json")[0]
    report = Report.objects.get(public_id=item["service_request_id"])
    assert report.neutral_wording
    send_queued_emails()  # the worker sends the queued e-mail
    assert [(m.subject, m.body) for m in mail.outbox] == [(SUBJECT, BODY)]
    definition = parse(client.get("/open311/v2/services/streetlight.json"), "json")
    attribute = next(a for a in definition["attributes"] if a["code"] == "neutral_wording")
    assert attribute["datatype"] == "singlevaluelist" and attribute["required"] is False


def test_open311_post_without_it_stays_informative(
    world: World,
    client: Client,
    api_key: str,  # noqa: F811
) -> None:
    data = {"api_key": api_key, "service_code": "streetlight", **INSIDE_A, "description": "Dark lane"}
    item = parse(client.post("/open311/v2/requests.json", data), "json")[0]
    assert not Report.objects.get(public_id=item["service_request_id"]).neutral_wording


def test_staff_can_switch_it_on_but_never_off(world: World) -> None:
    report = factories.report("street_lighting", beat_obj=world.beat_a, phone="03001234567").report
    api = verified_client(world.beat_officer)
    url = url_for("api:report-neutral-wording", report.public_id)
    assert api.post(url, {"neutral_wording": False}, content_type="application/json").status_code == 400
    report.refresh_from_db()
    assert not report.neutral_wording
    data = api.post(url, {}, content_type="application/json").json()
    assert data["neutral_wording"] is True
    report.refresh_from_db()
    assert report.neutral_wording
    # The triage page does the same without JavaScript, and then only says it is on.
    other = factories.report("theft", beat_obj=world.beat_a, phone="03007654321").report
    page = api.get(url_for("reports:staff_detail", other.public_id)).content.decode()
    assert "Use neutral wording in messages" in page
    api.post(url_for("reports:staff_neutral", other.public_id))
    other.refresh_from_db()
    assert other.neutral_wording
    page = api.get(url_for("reports:staff_detail", other.public_id)).content.decode()
    assert "Use neutral wording in messages" not in page and "say only that there is news" in page
    # Out of scope: 404, nothing changes.
    third = factories.report("theft", beat_obj=world.beat_a, phone="03007654322").report
    outsider = verified_client(world.other_beat_officer)
    assert outsider.post(url_for("reports:staff_neutral", third.public_id)).status_code == 404
    assert outsider.post(url_for("api:report-neutral-wording", third.public_id)).status_code == 404
    third.refresh_from_db()
    assert not third.neutral_wording
