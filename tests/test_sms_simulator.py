"""The SMS simulator is a development tool, not a window on residents' SMS (issue 9, point 7)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from rabta.audit.models import AccessLog
from rabta.messaging.models import InboundMessage, Phone
from rabta.reports.models import Category
from rabta.reports.services import submit_report
from tests.conftest import World, verified_client
from tests.paths import url_for
from tests.personas import all_but
from tests.sms_fixtures import Sms, console_channel, twilio_channel
from tests.tasks_helper import run_ready_tasks

pytestmark = pytest.mark.django_db

URL = url_for("messaging:simulate")
TEST_NUMBER = "0300 5556667"


@pytest.fixture
def switched_on(settings: Any) -> None:
    settings.DEBUG = False
    settings.RABTA_SMS_SIMULATOR = True


def _views_logged(phone: Phone) -> int:
    return AccessLog.objects.filter(
        action=AccessLog.Action.VIEW_SMS, object_type="messaging.phone", object_id=str(phone.pk)
    ).count()


def test_off_by_default_even_for_an_admin(world: World, settings: Any) -> None:
    settings.DEBUG, settings.RABTA_SMS_SIMULATOR = False, False
    console_channel()
    admin = verified_client(world.admin_user)
    assert admin.get(URL).status_code == 404
    assert admin.post(URL, {"phone": TEST_NUMBER, "text": "HELP"}).status_code == 404
    assert not InboundMessage.objects.exists()


def test_debug_switches_it_on(world: World, settings: Any) -> None:
    settings.DEBUG, settings.RABTA_SMS_SIMULATOR = True, False
    console_channel()
    assert verified_client(world.admin_user).get(URL).status_code == 200


@pytest.mark.parametrize("persona", all_but("admin_user"))
def test_only_administrators(world: World, switched_on: None, persona: str) -> None:
    console_channel()
    user = getattr(world, persona)
    client = verified_client(user) if user.is_staff_role else Client()
    if not user.is_staff_role:
        client.force_login(user)
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"phone": TEST_NUMBER, "text": "HELP"}).status_code == 404
    assert not InboundMessage.objects.exists()
    home = client.get(url_for("site:staff_home"))
    assert "SMS simulator" not in home.content.decode()


def test_an_admin_sees_a_test_numbers_thread_and_every_view_is_logged(
    world: World, switched_on: None
) -> None:
    console_channel()
    admin = verified_client(world.admin_user)
    assert "SMS simulator" in admin.get(url_for("site:staff_home")).content.decode()
    assert admin.post(URL, {"phone": TEST_NUMBER, "text": "HELP"}).status_code == 302
    run_ready_tasks()
    phone = Phone.objects.for_number("+923005556667").get()
    page = admin.get(URL).content.decode()
    assert "HELP" in page and "Send REPORT" in page
    assert _views_logged(phone) == 1
    admin.get(URL)
    assert _views_logged(phone) == 2
    entry = AccessLog.objects.filter(action=AccessLog.Action.VIEW_SMS).first()
    assert entry is not None and entry.actor == world.admin_user


def test_a_real_residents_number_is_refused(world: World, switched_on: None) -> None:
    console_channel()
    Sms(twilio_channel(), "+923007778889").send("STATUS 123-456-7890")  # a real phone, via Twilio
    admin = verified_client(world.admin_user)
    response = admin.post(URL, {"phone": "0300 7778889", "text": "STOP"})
    assert response.status_code == 200 and "Use a test number" in response.content.decode()
    phone = Phone.objects.for_number("+923007778889").get()
    assert not phone.opted_out
    assert not InboundMessage.objects.filter(phone=phone, channel__provider="console").exists()
    # Even with the number in the session, its thread is not shown.
    session = admin.session
    session["sms_sim_phone"] = "+923007778889"
    session.save()
    page = admin.get(URL).content.decode()
    assert "123-456-7890" not in page
    assert _views_logged(phone) == 0


def test_a_reports_contact_is_refused(world: World, switched_on: None) -> None:
    console_channel()
    submit_report(
        category=Category.objects.get(code="street_lighting"),
        beat=world.beat_a,
        description="Dark street",
        phone="0300 4445556",
    )
    admin = verified_client(world.admin_user)
    response = admin.post(URL, {"phone": "0300 4445556", "text": "HELP"})
    assert "Use a test number" in response.content.decode()
    assert not InboundMessage.objects.exists()
    refused = AccessLog.objects.get(action=AccessLog.Action.REFUSED)
    assert refused.actor == world.admin_user and "real number" in refused.detail
