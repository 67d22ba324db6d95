"""Issue 15: the reporter's optional gender and age band, for the representation ratio only.

The web form asks them last, optional, "Prefer not to say" by default. They are stored and read by
counts only: never on the resident's pages, in Open311, the staff API, the triage pages or an SMS
(docs/privacy.md#reporter-groups). The contact purge leaves them: they identify nobody once the
contact is gone, and the indicators would lose their history if they went.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import connection
from django.forms import modelform_factory
from django.test import Client
from django.utils import timezone

from rabta.messaging.models import OutboundMessage, Purpose
from rabta.people.models import Gender
from rabta.places.models import AGE_BANDS
from rabta.reports.models import Category, Report
from rabta.reports.services import change_status
from rabta.site.retention import purge
from tests import factories
from tests.conftest import World, verified_client
from tests.paths import url_for
from tests.sms_fixtures import console_channel

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 10, 6, 0, tzinfo=dt.UTC)
# What a page would show of a report's groups: values, English labels, the fields' names.
TELLTALES = ("15_29", "15-29", "reporter_gender", "reporter_age_band", "Prefer not to say", "age band")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def form_data(world: World, **extra: Any) -> dict[str, Any]:
    data = {
        "idempotency_key": "g" * 32,
        "category": Category.objects.get(code="street_lighting").pk,
        "beat": world.beat_a.code,
        "description": "The street light has been broken for two weeks; the lane is dark.",
    }
    data.update(extra)
    return data


def groups(report: Report) -> tuple[str, str]:
    """The stored columns, read past the ORM."""
    table = connection.ops.quote_name(Report._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT reporter_gender, reporter_age_band FROM {table} WHERE id = %s", [report.pk])
        row = cursor.fetchone()
    assert row is not None
    return row[0], row[1]


# ---- the form --------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ur", "ps"])
def test_form_asks_last_with_prefer_not_to_say_checked(world: World, client: Client, lang: str) -> None:
    body = client.get(url_for("reports:new", lang=lang), {"beat": "GUL"}).content.decode()
    about = body.index('name="reporter_gender"')
    # At the end: after the contact questions, before the button.
    assert body.index('name="survey_wanted"') < about < body.index('name="reporter_age_band"')
    assert body.index('name="reporter_age_band"') < body.index('<button type="submit">')
    for name in ("reporter_gender", "reporter_age_band"):
        checked = re.findall(rf'<input type="radio" name="{name}" value="([^"]*)"[^>]*\bchecked\b', body)
        assert checked == [""], name
        assert re.search(rf'name="{name}"[^>]*\brequired\b', body) is None
    values = re.findall(r'name="reporter_age_band" value="([^"]*)"', body)
    assert values == ["", *AGE_BANDS]
    assert re.findall(r'name="reporter_gender" value="([^"]*)"', body) == ["", *Gender.values]
    if lang == "en":
        assert "About you (optional)" in body
        assert "never shown with your report" in body
    else:
        # The choices already translated are: a right-to-left page never shows a bare "60+".
        assert "60+" not in body and "Prefer not to say" not in body


@pytest.mark.parametrize("gender", Gender.values)
def test_form_saves_each_gender(world: World, client: Client, gender: str) -> None:
    response = client.post(url_for("reports:new"), form_data(world, reporter_gender=gender))
    assert response.status_code == 200 and "tracking" in response.content.decode().lower()
    assert groups(Report.objects.get()) == (gender, "")


@pytest.mark.parametrize("band", AGE_BANDS)
def test_form_saves_each_age_band(world: World, client: Client, band: str) -> None:
    client.post(url_for("reports:new"), form_data(world, reporter_age_band=band))
    assert groups(Report.objects.get()) == ("", band)


def test_both_answers_are_saved_together(world: World, client: Client) -> None:
    client.post(url_for("reports:new"), form_data(world, reporter_gender="woman", reporter_age_band="15_29"))
    assert groups(Report.objects.get()) == ("woman", "15_29")


@pytest.mark.parametrize("given", [{}, {"reporter_gender": "", "reporter_age_band": ""}])
def test_default_and_prefer_not_to_say_store_blank(
    world: World, client: Client, given: dict[str, str]
) -> None:
    assert client.post(url_for("reports:new"), form_data(world, **given)).status_code == 200
    assert groups(Report.objects.get()) == ("", "")


@pytest.mark.parametrize(
    "field,value",
    [
        ("reporter_gender", "female"),
        ("reporter_gender", "WOMAN"),
        ("reporter_gender", "x" * 5000),
        ("reporter_gender", "wo\x00man"),
        ("reporter_age_band", "15-29"),
        ("reporter_age_band", "60+"),
        ("reporter_age_band", "0"),
        ("reporter_age_band", "١٥_٢٩"),
    ],
)
def test_invalid_answer_is_a_form_error(world: World, client: Client, field: str, value: str) -> None:
    response = client.post(url_for("reports:new"), form_data(world, **{field: value}))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice" in body and f'href="#id_{field}_0"' in body
    assert 'class="kinds invalid"' in body
    assert not Report.objects.exists()


def test_the_service_refuses_unknown_values(world: World) -> None:
    for kw in ({"reporter_gender": "female"}, {"reporter_age_band": "15-29"}):
        with pytest.raises(ValidationError):
            factories.report(beat_obj=world.beat_a, **kw)
    assert not Report.objects.exists()


def test_answers_are_kept_when_the_form_comes_back(world: World, client: Client, settings: Any) -> None:
    # Over the limit, the form comes back as typed; the answers are not lost or reset to the default.
    settings.RABTA_RATE_LIMITS = {**settings.RABTA_RATE_LIMITS, "report": (0, 3600)}
    data = form_data(world, reporter_gender="other", reporter_age_band="45_59")
    body = client.post(url_for("reports:new"), data).content.decode()
    assert re.search(r'name="reporter_gender" value="other"[^>]*\bchecked\b', body)
    assert re.search(r'name="reporter_age_band" value="45_59"[^>]*\bchecked\b', body)
    assert not Report.objects.exists()


# ---- never shown -----------------------------------------------------------------------------


def without_csrf(body: bytes) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body.decode())


def assert_not_shown(fetch: Callable[[], Any], report: Report, shows: str = "") -> None:
    """The answer to `fetch`, which shows the report (its id, or `shows`), says nothing of its groups:
    no telltale, and the same answer once they are blanked (no translated label or other trace)."""
    assert groups(report) == ("woman", "15_29")
    with time_machine.travel(timezone.now(), tick=False):
        shown = fetch()
        assert shown.status_code == 200, shown.content[:300]
        assert (shows or report.public_id) in shown.content.decode()
        Report.objects.filter(pk=report.pk).update(reporter_gender="", reporter_age_band="")
        blanked = fetch()
    Report.objects.filter(pk=report.pk).update(reporter_gender="woman", reporter_age_band="15_29")
    text = shown.content.decode()
    for word in TELLTALES:
        assert word not in text, word
    assert without_csrf(shown.content) == without_csrf(blanked.content)


@pytest.fixture
def grouped(world: World) -> Any:
    """A resident's report with both groups given, a phone, a place, and a public note."""
    submission = factories.report(
        "street_lighting",
        beat_obj=world.beat_a,
        lat=34.805123,
        lon=71.805456,
        phone="03001234567",
        reporter_gender="woman",
        reporter_age_band="15_29",
    )
    submission.report.acknowledge(by=world.beat_officer, note="We told WAPDA.")
    return submission


def test_not_on_the_confirmation_page(world: World, client: Client) -> None:
    data = form_data(world, reporter_gender="woman", reporter_age_band="15_29")
    body = client.post(url_for("reports:new"), data).content.decode()
    assert groups(Report.objects.get()) == ("woman", "15_29")
    i = body.index("<main") if "<main" in body else 0
    for word in TELLTALES:
        assert word not in body[i:], word


def test_not_on_the_tracking_page(world: World, client: Client, grouped: Any) -> None:
    track = url_for("reports:track", grouped.token)
    assert_not_shown(lambda: client.get(track), grouped.report, shows="We told WAPDA.")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_not_in_open311(world: World, client: Client, grouped: Any, fmt: str) -> None:
    report = grouped.report
    assert_not_shown(lambda: client.get(f"/open311/v2/requests.{fmt}"), report)
    assert_not_shown(lambda: client.get(f"/open311/v2/requests/{report.public_id}.{fmt}"), report)


def test_not_in_the_staff_api(world: World, grouped: Any) -> None:
    report = grouped.report
    for user in (world.beat_officer, world.station_head, world.district_coordinator):
        client = verified_client(user)
        detail = url_for("api:report-detail", report.public_id)
        keys = set(client.get(detail).json())
        assert "public_id" in keys and "description" in keys
        assert not {"reporter_gender", "reporter_age_band", "gender", "age_band"} & keys
        assert_not_shown(lambda c=client, u=detail: c.get(u), report)
        listing = url_for("api:report-list", query="status=all")
        assert_not_shown(lambda c=client, u=listing: c.get(u), report)


def test_not_on_the_triage_pages(world: World, grouped: Any) -> None:
    report = grouped.report
    for user in (world.beat_officer, world.station_head):
        client = verified_client(user)
        detail = url_for("reports:staff_detail", report.public_id)
        assert report.description in client.get(detail).content.decode()
        assert_not_shown(lambda c=client, u=detail: c.get(u), report)
        queue = url_for("reports:staff_queue", query="status=all")
        assert report.public_id in client.get(queue).content.decode()
        assert_not_shown(lambda c=client, u=queue: c.get(u), report)


def test_not_in_the_reporters_sms(world: World, django_capture_on_commit_callbacks: Any) -> None:
    console_channel()
    report = factories.report(
        beat_obj=world.beat_a, phone="0300 7654321", reporter_gender="woman", reporter_age_band="15_29"
    ).report
    with django_capture_on_commit_callbacks(execute=True):
        change_status(report=report, by=world.beat_officer, to="acknowledged", note="We will visit tomorrow")
    bodies = list(OutboundMessage.objects.filter(report=report).values_list("body", flat=True))
    assert bodies and OutboundMessage.objects.filter(report=report, purpose=Purpose.NOTIFICATION).exists()
    for body in bodies:
        for word in (*TELLTALES, "woman", "Woman"):
            assert word not in body, (word, body)


def test_no_form_or_admin_can_show_or_edit_them() -> None:
    # Not editable: a ModelForm of every field (and so any admin) leaves them out; reports have no admin.
    fields = modelform_factory(Report, fields="__all__")().fields
    assert "description" in fields and not {"reporter_gender", "reporter_age_band"} & set(fields)
    assert Report not in admin.site._registry


# ---- retention -------------------------------------------------------------------------------


def test_contact_purge_erases_the_contact_and_keeps_the_groups(world: World) -> None:
    with time_machine.travel(T0, tick=False):
        with_contact = factories.report(
            beat_obj=world.beat_a, phone="03001234567", reporter_gender="woman", reporter_age_band="15_29"
        ).report
        anonymous = factories.report(
            beat_obj=world.beat_a, reporter_gender="man", reporter_age_band="60"
        ).report
        for report in (with_contact, anonymous):
            report.acknowledge(by=world.beat_officer)
            report.resolve(by=world.beat_officer)
    with time_machine.travel(T0 + dt.timedelta(days=91), tick=False):
        assert purge()["report contact"] == 1
    with_contact.refresh_from_db()
    assert not with_contact.has_contact and with_contact.contact_erased_at is not None
    # Kept for the representation ratio: the monthly figures are rebuilt from these rows.
    assert groups(with_contact) == ("woman", "15_29")
    assert groups(anonymous) == ("man", "60")
