"""Two-way tracking (issue #12, point 5): from the tracking page and by SMS a resident adds words or a
photo, says "not fixed" to reopen a resolved report within 30 days, and sees who handles it (never
for a conduct complaint); every addition tells the assignee; nothing about the sender is kept."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from rabta.core import outbox
from rabta.core.models import EmailPurpose, OutboundEmail
from rabta.messaging.models import InboundMessage
from rabta.reports import services, tracking
from rabta.reports.lifecycle import (
    RESIDENT_REOPEN_DAYS,
    RESIDENT_TRANSITIONS,
    IllegalTransition,
    Status,
    allowed,
)
from rabta.reports.models import Photo, Report, ReportUpdate
from rabta.reports.photos import process_upload
from tests import factories
from tests.conftest import World
from tests.paths import url_for
from tests.sms_fixtures import Sms, console_channel
from tests.test_reports_core_photos import gps_jpeg

pytestmark = pytest.mark.django_db

HANDLE = re.compile(r'name="handle" value="([^"]+)"')


@pytest.fixture
def filed(world: World) -> Any:
    """A web report of Gulabad assigned to the beat officer (first name Bilal), and its credentials."""
    submission = factories.report(beat_obj=world.beat_a)
    world.beat_officer.first_name = "Bilal"
    world.beat_officer.email = "bilal@police.example"
    world.beat_officer.save(update_fields=["first_name", "email"])
    submission.report.assign(to=world.beat_officer, by=world.station_head)
    return submission


def _resolve(report: Report, officer: Any, *, at: dt.datetime | None = None) -> None:
    report.acknowledge(by=officer)
    report.refresh_from_db()
    with time_machine.travel(at or timezone.now(), tick=False):
        report.resolve(by=officer, note="The light was repaired.")


def _page(client: Client, token: str, lang: str = "en") -> str:
    response = client.get(url_for("reports:track", token, lang=lang))
    assert response.status_code == 200
    return response.content.decode()


def _handle(body: str) -> str:
    found = HANDLE.search(body)
    assert found
    return found.group(1)


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str


def _activity_emails() -> list[Email]:
    rows = OutboundEmail.objects.filter(purpose=EmailPurpose.REPORT_ACTIVITY).order_by("pk")
    return [
        Email(
            to=outbox._decrypt(row.to_encrypted, "to"),
            subject=outbox._decrypt(row.subject_encrypted, "subject"),
            body=outbox._decrypt(row.body_encrypted, "body"),
        )
        for row in rows
    ]


def test_add_information_from_the_tracking_page(
    world: World, client: Client, filed: Any, django_capture_on_commit_callbacks: Any
) -> None:
    body = _page(client, filed.token)
    assert "Add information" in body and "Bilal, Constable" in body
    assert filed.code not in body  # the page's forms carry a signed handle, never the code
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url_for("reports:track_add"),
            {"handle": _handle(body), "text": "It is dark from 7 pm; two girls were followed."},
        )
    assert response.status_code == 200
    assert "will read what you added" in response.content.decode()
    added = ReportUpdate.objects.get(report=filed.report, from_resident=True)
    assert added.note.startswith("It is dark") and added.author is None and not added.public
    assert "You added information." in response.content.decode()
    assert "two girls" not in response.content.decode()  # the words are for the officers only
    [email] = _activity_emails()
    assert email.to == "bilal@police.example" and filed.report.public_id in email.subject
    assert "two girls" not in email.body
    report = Report.objects.get(pk=filed.report.pk)
    assert report.contact_phone_encrypted == "" and report.anonymous  # contact untouched

    # A double tap adds once and tells the officer once.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url_for("reports:track_add"),
            {"handle": _handle(body), "text": "It is dark from 7 pm; two girls were followed."},
        )
    assert ReportUpdate.objects.filter(report=filed.report, from_resident=True).count() == 1
    assert len(_activity_emails()) == 1


def test_add_a_photo_from_the_page_in_pashto(world: World, client: Client, filed: Any) -> None:
    body = _page(client, filed.token, lang="ps")
    photo = SimpleUploadedFile("p.jpg", gps_jpeg(), content_type="image/jpeg")
    response = client.post(url_for("reports:track_add", lang="ps"), {"handle": _handle(body), "photo": photo})
    assert response.status_code == 200
    assert Photo.objects.filter(report=filed.report).count() == 1
    assert ReportUpdate.objects.filter(report=filed.report, from_resident=True, note="").count() == 1
    # The same photo sent again (a double tap) is kept once.
    again = SimpleUploadedFile("p.jpg", gps_jpeg(), content_type="image/jpeg")
    client.post(url_for("reports:track_add", lang="ps"), {"handle": _handle(body), "photo": again})
    assert Photo.objects.filter(report=filed.report).count() == 1


def test_empty_addition_and_bad_handles_are_clear_4xx(world: World, client: Client, filed: Any) -> None:
    body = _page(client, filed.token)
    empty = client.post(url_for("reports:track_add"), {"handle": _handle(body), "text": "  "})
    assert empty.status_code == 400 and "Write something or choose a photo." in empty.content.decode()
    forged = client.post(url_for("reports:track_add"), {"handle": "x" + _handle(body), "text": "hello"})
    assert forged.status_code == 400 and "Enter your code again" in forged.content.decode()
    missing = client.post(url_for("reports:track_not_fixed"), {"reason": "still broken"})
    assert missing.status_code == 400
    later = timezone.now() + dt.timedelta(seconds=tracking.TRACK_HANDLE_SECONDS + 60)
    handle = _handle(body)
    with time_machine.travel(later):
        expired = client.post(url_for("reports:track_add"), {"handle": handle, "text": "hello there"})
    assert expired.status_code == 400
    assert not ReportUpdate.objects.filter(from_resident=True).exists()


def test_a_closed_report_takes_nothing(world: World, client: Client, filed: Any) -> None:
    filed.report.close(by=world.beat_officer, reason="Resolved by the council")
    body = _page(client, filed.token)
    assert "Add information" not in body and "Not fixed?" not in body
    with pytest.raises(services.AdditionRefused):
        services.add_information(report=filed.report, text="more")


def test_not_fixed_reopens_a_resolved_report_with_a_fresh_deadline(
    world: World, client: Client, filed: Any, django_capture_on_commit_callbacks: Any
) -> None:
    report = filed.report
    _resolve(report, world.beat_officer, at=timezone.now() - dt.timedelta(days=RESIDENT_REOPEN_DAYS - 1))
    body = _page(client, filed.token, lang="ur")
    assert 'action="/ur/track/not-fixed/"' in body
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url_for("reports:track_not_fixed", lang="ur"),
            {"handle": _handle(body), "reason": "The light went out again after two days."},
        )
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.status == Status.IN_PROGRESS and report.reopened_at is not None
    assert report.resolution_due is not None and report.resolution_due > timezone.now()
    move = report.updates.get(from_resident=True)
    assert (move.from_status, move.to_status) == (Status.RESOLVED, Status.IN_PROGRESS)
    assert move.note.startswith("The light went out") and move.author is None and not move.public
    [email] = _activity_emails()
    assert "not fixed" in email.subject
    # The same again (double tap) is a no-op, not an error.
    again = client.post(
        url_for("reports:track_not_fixed", lang="ur"),
        {"handle": _handle(body), "reason": "The light went out again after two days."},
    )
    assert again.status_code == 200 and report.updates.filter(from_resident=True).count() == 1


def test_not_fixed_after_30_days_is_refused(world: World, client: Client, filed: Any) -> None:
    report = filed.report
    _resolve(report, world.beat_officer, at=timezone.now() - dt.timedelta(days=RESIDENT_REOPEN_DAYS + 1))
    body = _page(client, filed.token)
    assert "Not fixed?" not in body
    response = client.post(
        url_for("reports:track_not_fixed"), {"handle": _handle(body), "reason": "Still broken, sadly."}
    )
    assert response.status_code == 409 and "more than 30 days ago" in response.content.decode()
    report.refresh_from_db()
    assert report.status == Status.RESOLVED
    with pytest.raises(IllegalTransition, match="30 days"):
        report.not_fixed(reason="still broken")


def test_not_fixed_on_a_report_that_is_not_resolved_is_refused(
    world: World, client: Client, filed: Any
) -> None:
    body = _page(client, filed.token)
    assert "Not fixed?" not in body
    response = client.post(
        url_for("reports:track_not_fixed"), {"handle": _handle(body), "reason": "Nobody came at all."}
    )
    assert (
        response.status_code == 409 and "Only a resolved report can be reopened" in response.content.decode()
    )
    assert Report.objects.get(pk=filed.report.pk).status == Status.NEW
    with pytest.raises(IllegalTransition):
        filed.report.not_fixed(reason="nobody came")
    filed.report.acknowledge(by=world.beat_officer)
    filed.report.resolve(by=world.beat_officer)
    with pytest.raises(IllegalTransition, match="what is still wrong"):
        filed.report.not_fixed(reason="  ")


def test_a_conduct_complaint_never_names_an_officer(world: World, client: Client) -> None:
    submission = factories.report("police_conduct", beat_obj=world.beat_a, subject_officer=world.beat_officer)
    world.oversight.first_name = "Samina"
    world.oversight.save(update_fields=["first_name"])
    submission.report.assign(to=world.oversight, by=world.oversight)
    body = _page(client, submission.token)
    assert "Samina" not in body and "Handled by" not in body


def test_unassigned_report_names_nobody_and_tells_nobody(
    world: World, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    submission = factories.report(beat_obj=world.beat_a)
    body = _page(client, submission.token)
    assert "Handled by" not in body
    with django_capture_on_commit_callbacks(execute=True):
        services.add_information(report=submission.report, text="The pole is leaning too.")
    assert _activity_emails() == []


def test_officer_name_in_the_readers_script(world: World, client: Client, filed: Any) -> None:
    profile = world.beat_officer.officer_profile
    profile.display_name_ps = "بلال خان"
    profile.save(update_fields=["display_name_ps"])
    assert "بلال" in _page(client, filed.token, lang="ps")
    assert "Bilal" in _page(client, filed.token, lang="en")


def test_staff_see_the_residents_words_marked_as_theirs(world: World, filed: Any) -> None:
    from tests.conftest import verified_client

    services.add_information(report=filed.report, text="A second light is out by the shop.")
    page = verified_client(world.beat_officer).get(url_for("reports:staff_detail", filed.report.public_id))
    body = page.content.decode()
    assert "A second light is out by the shop." in body and "Resident" in body


# ---- by SMS --------------------------------------------------------------------------------------


@pytest.fixture
def sms(world: World) -> Sms:
    return Sms(console_channel(), number="+923009998887")


@pytest.mark.parametrize(
    "word",
    ["ADD", "mazeed", "مزید", "نور", "اضافه"],
)
def test_add_by_sms_in_three_languages(
    world: World, sms: Sms, filed: Any, word: str, django_capture_on_commit_callbacks: Any
) -> None:
    grouped = tracking.format_code(filed.code)
    with django_capture_on_commit_callbacks(execute=True):
        [reply] = sms.send(f"{word} {grouped.replace('-', ' ')} it happens every night near the school")
    assert grouped in reply
    added = ReportUpdate.objects.get(report=filed.report, from_resident=True)
    assert added.note == "it happens every night near the school" and added.author is None
    assert len(_activity_emails()) == 1
    report = Report.objects.get(pk=filed.report.pk)
    assert report.contact_phone_index == "" and report.anonymous  # the phone is not tied to it
    inbound = InboundMessage.objects.get()
    assert inbound.report_id is None
    assert filed.code[:7] not in re.sub(r"\D", "", inbound.body)  # only the last digits are kept


@pytest.mark.parametrize("words", ["NOT FIXED", "notfixed", "theek nahi", "ٹھیک نہیں", "سم نه دی"])
def test_not_fixed_by_sms_in_three_languages(world: World, sms: Sms, filed: Any, words: str) -> None:
    _resolve(filed.report, world.beat_officer)
    [reply] = sms.send(f"{words} {filed.code} still dark at night")
    assert tracking.format_code(filed.code) in reply
    report = Report.objects.get(pk=filed.report.pk)
    assert report.status == Status.IN_PROGRESS
    assert report.updates.get(from_resident=True).note == "still dark at night"


def test_sms_abuse_wrong_code_and_refusals(world: World, sms: Sms, filed: Any) -> None:
    wrong = "1" * 10 if filed.code != "1" * 10 else "2" * 10
    assert "No report has that code" in sms.send(f"ADD {wrong} hello there")[0]
    assert "cannot be reopened" in sms.send(f"NOT FIXED {filed.code} still broken")[0]
    _resolve(filed.report, world.beat_officer, at=timezone.now() - dt.timedelta(days=40))
    assert "more than 30 days" in sms.send(f"NOT FIXED {filed.code} still broken")[0]
    assert Report.objects.get(pk=filed.report.pk).status == Status.RESOLVED
    assert "Send ADD, your code" in sms.send(f"ADD {filed.code}")[0]
    assert not ReportUpdate.objects.filter(from_resident=True).exists()


def test_a_sentence_starting_with_the_words_is_not_a_command(world: World, sms: Sms) -> None:
    """'مزید' and 'نور' are everyday words: without a code after them, nothing is added."""
    reply = sms.send("نور بند دی په کوڅه کې")[0]
    assert "482 177 3015" in reply  # how ADD is used; nothing was done
    assert not ReportUpdate.objects.filter(from_resident=True).exists()


def test_status_of_a_resolved_report_offers_not_fixed(world: World, sms: Sms, filed: Any) -> None:
    _resolve(filed.report, world.beat_officer)
    replies = sms.send(f"STATUS {filed.code}")
    assert len(replies) == 2 and "NOT FIXED" in replies[1]


def test_the_residents_move_is_in_the_lifecycle_table() -> None:
    for current, wanted in RESIDENT_TRANSITIONS.items():
        assert allowed(current, wanted)


def test_later_photos_are_capped(world: World, filed: Any) -> None:
    def photo() -> Any:
        return process_upload(io.BytesIO(gps_jpeg()))

    for n in range(services.MAX_PHOTOS + services.MAX_LATER_PHOTOS):
        services.add_information(report=filed.report, text=f"photo {n}", photo=photo())
    with pytest.raises(services.AdditionRefused):
        services.add_information(report=filed.report, text="one too many", photo=photo())
    total = services.MAX_PHOTOS + services.MAX_LATER_PHOTOS
    assert Photo.objects.filter(report=filed.report).count() == total
