"""Staff accounts over their life: backup codes, a lost-device reset by a manager, password reset."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from rabta.audit.models import AccessLog
from rabta.core.models import EmailPurpose, OutboundEmail, RateCounter
from rabta.people.accounts import BACKUP_CODE_COUNT
from rabta.people.models import Role, User
from tests import factories
from tests.conftest import World, verified_client
from tests.paths import url_for
from tests.tasks_helper import run_ready_tasks
from tests.test_auth import current_code, logged_in_as, otp_verified, post_login

NEW_PASSWORD = "a fresh long passphrase 42"


@pytest.fixture(autouse=True)
def _no_code_throttle(settings: Any) -> None:
    # django-otp slows a device down after each wrong code (kept in production); these tests try a
    # wrong code and then a right one within the same second.
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def make_codes(client: Client) -> list[str]:
    response = client.post(url_for("people:security"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    codes: list[str] = response.context["codes"]
    return codes


def sent_mail() -> list[Any]:
    run_ready_tasks()  # in case e-mail goes through the task-queued outbox
    return list(mail.outbox)


# --- backup codes --------------------------------------------------------------------------------


def test_codes_are_made_once_and_shown_only_on_the_page_that_made_them(world: World) -> None:
    officer = world.beat_officer
    client = verified_client(officer)
    codes = make_codes(client)
    assert len(codes) == BACKUP_CODE_COUNT == len(set(codes))
    assert all(re.fullmatch(r"\d{8}", code) for code in codes)
    assert StaticToken.objects.filter(device__user=officer).count() == BACKUP_CODE_COUNT

    later_pages = [
        client.get(url_for("people:security")),
        client.get(url_for("site:staff_home")),
        client.get(url_for("people:two_factor_setup"), follow=True),
    ]
    for page in later_pages:
        body = page.content.decode()
        assert not any(code in body for code in codes)
    assert "10 unused backup codes" in later_pages[0].content.decode()
    # Nothing in the session holds them either.
    assert not any(code in str(dict(client.session)) for code in codes)


def test_a_code_logs_in_once_and_counts_down(world: World, client: Client) -> None:
    officer = world.beat_officer
    codes = make_codes(verified_client(officer))
    response = post_login(client, officer.username, code=codes[0])
    assert response.status_code == 302 and response["Location"] == url_for("site:staff_home")
    assert logged_in_as(client) == officer.pk and otp_verified(client)
    assert client.get(url_for("site:staff_home")).status_code == 200
    assert "9 unused backup codes" in client.get(url_for("people:security")).content.decode()

    again = Client()
    response = post_login(again, officer.username, code=codes[0])
    assert response.status_code == 200
    assert logged_in_as(again) is None
    assert "Enter the current code" in response.content.decode()
    # Another unused code still works.
    assert post_login(Client(), officer.username, code=codes[1]).status_code == 302


def test_new_codes_replace_the_old_ones(world: World) -> None:
    officer = world.beat_officer
    client = verified_client(officer)
    old = make_codes(client)
    new = make_codes(client)
    assert set(old).isdisjoint(new)
    assert StaticDevice.objects.filter(user=officer).count() == 1
    assert set(StaticToken.objects.filter(device__user=officer).values_list("token", flat=True)) == set(new)
    assert logged_in_as_after(officer, old[0]) is None
    assert logged_in_as_after(officer, new[0]) == officer.pk


def logged_in_as_after(user: User, code: str) -> int | None:
    client = Client()
    post_login(client, user.username, code=code)
    return logged_in_as(client)


def test_a_code_is_not_a_password_or_a_way_around_it(world: World) -> None:
    officer = world.beat_officer
    codes = make_codes(verified_client(officer))
    client = Client()
    response = post_login(client, officer.username, password="wrong password", code=codes[0])
    assert response.status_code == 200 and logged_in_as(client) is None
    # The failed attempt did not use the code up.
    assert StaticToken.objects.filter(device__user=officer, token=codes[0]).exists()


def test_pairing_an_app_leads_to_backup_codes(world: World, client: Client, settings: Any) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    post_login(client, "sho_a")
    client.get(url_for("people:two_factor_setup"))
    device = TOTPDevice.objects.get(user=world.station_head)
    response = client.post(
        url_for("people:two_factor_setup"), {"otp_token": current_code(device)}, follow=True
    )
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == url_for("people:security") + "?enrolled=1"
    assert "Your authenticator app works" in body and "0 unused backup codes" in body


def test_the_codes_page_is_staff_only(world: World, client: Client) -> None:
    assert client.get(url_for("people:security"))["Location"].startswith(url_for("people:login"))
    client.force_login(world.resident)
    assert client.post(url_for("people:security")).status_code == 403
    assert not StaticDevice.objects.exists()


# --- lost device ---------------------------------------------------------------------------------


def reset(manager: User, target: User, confirm: bool = True) -> Any:
    data = {"confirm": "on"} if confirm else {}
    return verified_client(manager).post(url_for("people:reset_device", target.pk), data)


@pytest.mark.parametrize(
    ("manager", "target"),
    [
        ("station_head", "beat_officer"),
        ("station_head", "womens_desk_officer"),
        ("district_coordinator", "station_head"),
        ("district_coordinator", "other_station_head"),
        ("admin_user", "district_coordinator"),
    ],
)
def test_a_manager_resets_a_lost_device(world: World, manager: str, target: str) -> None:
    by, person = getattr(world, manager), getattr(world, target)
    factories.totp_device(person)
    make_codes(verified_client(person))
    their_session = verified_client(person)

    page = verified_client(by).get(url_for("people:reset_device", person.pk))
    assert page.status_code == 200 and person.username in page.content.decode()
    response = reset(by, person)
    assert response.status_code == 302 and response["Location"] == url_for("people:staff_people")

    person.refresh_from_db()
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert not StaticDevice.objects.filter(user=person).exists()
    assert not person.has_usable_password()
    # Their open sessions ended, and the old password no longer opens the account.
    assert their_session.get(url_for("site:staff_home"))["Location"].startswith(url_for("people:login"))
    client = Client()
    post_login(client, person.username)
    assert logged_in_as(client) is None
    entry = AccessLog.objects.get(action=AccessLog.Action.RESET_DEVICE)
    assert (entry.actor_id, entry.object_type, entry.object_id) == (by.pk, "people.user", str(person.pk))


@pytest.mark.parametrize(
    ("manager", "target"),
    [
        ("station_head", "station_head"),  # their own account
        ("station_head", "other_beat_head_officer"),  # another station's officer
        ("other_station_head", "beat_officer"),
        ("station_head", "district_coordinator"),
        ("station_head", "other_station_head"),
        ("beat_officer", "other_beat_officer"),  # no managing role
        ("womens_desk_officer", "beat_officer"),
        ("oversight", "beat_officer"),
        ("analyst", "beat_officer"),
        ("district_coordinator", "district_coordinator"),
        ("admin_user", "admin_user"),
    ],
)
def test_nobody_else_resets_a_device(world: World, manager: str, target: str) -> None:
    if target == "other_beat_head_officer":
        person = factories.officer(station_obj=world.station_b, beats=[world.beat_c])
    else:
        person = getattr(world, target)
    device = factories.totp_device(person)
    client = verified_client(getattr(world, manager))
    assert client.get(url_for("people:reset_device", person.pk)).status_code == 404
    assert client.post(url_for("people:reset_device", person.pk), {"confirm": "on"}).status_code == 404
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    person.refresh_from_db()
    assert person.has_usable_password()
    assert not AccessLog.objects.filter(action=AccessLog.Action.RESET_DEVICE).exists()


def test_a_reset_needs_the_confirmation(world: World) -> None:
    device = factories.totp_device(world.beat_officer)
    response = reset(world.station_head, world.beat_officer, confirm=False)
    assert response.status_code == 200 and "Tick the box" in response.content.decode()
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert not AccessLog.objects.filter(action=AccessLog.Action.RESET_DEVICE).exists()


def test_the_list_shows_only_managed_staff(world: World) -> None:
    body = verified_client(world.station_head).get(url_for("people:staff_people")).content.decode()
    assert world.beat_officer.username in body and world.womens_desk_officer.username in body
    for other in (world.station_head, world.other_station_head, world.district_coordinator, world.resident):
        assert f"({other.username})" not in body
    body = verified_client(world.beat_officer).get(url_for("people:staff_people")).content.decode()
    assert "You do not manage any staff accounts." in body


def test_after_a_reset_only_the_person_can_pair_a_new_app(world: World, settings: Any) -> None:
    """The resetter knows the old password: it no longer works, and the new one comes by e-mail."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    officer = world.beat_officer
    officer.email = "officer.a@police.example.pk"
    officer.save(update_fields=["email"])
    factories.totp_device(officer)
    reset(world.station_head, officer)

    resetter = Client()
    assert post_login(resetter, officer.username).status_code == 200  # old password refused
    assert not TOTPDevice.objects.filter(user=officer).exists()

    link = ask_for_reset_link(Client(), officer.email)
    person = Client()
    form = person.get(link, follow=True)
    response = person.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response["Location"] == url_for("people:password_reset_complete")
    response = post_login(person, officer.username, password=NEW_PASSWORD)
    assert response["Location"] == url_for("people:two_factor_setup")


# --- password reset ------------------------------------------------------------------------------


def ask_for_reset_link(client: Client, email: str) -> str:
    before = len(sent_mail())
    response = client.post(url_for("people:password_reset"), {"email": email})
    assert response.status_code == 302
    messages = sent_mail()
    assert len(messages) == before + 1
    match = re.search(r"https?://[^/\s]+(/\S+)", messages[-1].body)
    assert match
    return match.group(1)


@pytest.fixture
def officer_with_mail(world: World) -> User:
    officer = world.beat_officer
    officer.email = "Officer.A@police.example.pk"
    officer.save(update_fields=["email"])
    return officer


def test_the_answer_is_the_same_for_any_address(officer_with_mail: User, world: World) -> None:
    inactive = factories.user(Role.OFFICER, email="gone@police.example.pk", scope_station=world.station_a)
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    answers = []
    for address in ("officer.a@police.example.pk", "nobody@police.example.pk", "gone@police.example.pk"):
        response = Client().post(url_for("people:password_reset"), {"email": address}, follow=True)
        answers.append((response.redirect_chain, response.status_code, response.content))
    assert answers[0] == answers[1] == answers[2]
    messages = sent_mail()
    assert [m.to for m in messages] == [[officer_with_mail.email]]
    assert "police.example.pk" not in str(list(RateCounter.objects.values_list("key", flat=True)))


def test_the_link_sets_a_password_once_and_ends_other_sessions(officer_with_mail: User) -> None:
    officer = officer_with_mail
    elsewhere = verified_client(officer)
    link = ask_for_reset_link(Client(), officer.email)
    assert link.startswith("/en/staff/password-reset/")
    client = Client()
    form_page = client.get(link, follow=True)
    set_url = form_page.redirect_chain[-1][0]
    assert form_page.context["validlink"]
    response = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == url_for("people:password_reset_complete")
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)
    assert SESSION_KEY not in client.session  # not logged in by the link: the code is still needed
    assert elsewhere.get(url_for("site:staff_home"))["Location"].startswith(url_for("people:login"))
    # The link does not work a second time.
    again = Client().get(link, follow=True)
    assert not again.context["validlink"]


def test_the_mail_speaks_the_page_language(officer_with_mail: User) -> None:
    Client().post(url_for("people:password_reset", lang="ur"), {"email": officer_with_mail.email})
    [message] = sent_mail()
    assert "/ur/staff/password-reset/" in message.body


def test_requests_are_rate_limited_without_telling_who_exists(officer_with_mail: User, settings: Any) -> None:
    settings.RABTA_RATE_LIMITS = {
        **settings.RABTA_RATE_LIMITS,
        "password_reset": (4, 3600),
        "password_reset_address": (2, 3600),
    }
    client = Client()
    for _ in range(3):
        response = client.post(url_for("people:password_reset"), {"email": officer_with_mail.email})
        assert response.status_code == 302
    assert len(sent_mail()) == 2  # the third went unsent, with the same answer
    client.post(url_for("people:password_reset"), {"email": "nobody@police.example.pk"})
    for address in (officer_with_mail.email, "nobody@police.example.pk"):
        response = client.post(url_for("people:password_reset"), {"email": address})
        assert response.status_code == 429 and response["Retry-After"] == "3600"
        assert "Too many requests" in response.content.decode()
    assert len(sent_mail()) == 2
    # Another client is not held up by this one.
    other = Client(REMOTE_ADDR="203.0.113.7")
    assert other.post(url_for("people:password_reset"), {"email": "x@y.example"}).status_code == 302


def test_the_login_page_links_to_the_reset(world: World, client: Client) -> None:
    body = client.get(url_for("people:login", lang="ps")).content.decode()
    assert url_for("people:password_reset", lang="ps") in body


def test_the_mail_goes_through_the_outbox(officer_with_mail: User) -> None:
    response = Client().post(url_for("people:password_reset"), {"email": officer_with_mail.email})
    assert response.status_code == 302
    assert mail.outbox == []  # not sent inside the request
    row = OutboundEmail.objects.get()
    assert row.purpose == EmailPurpose.ACCOUNT
    assert officer_with_mail.email not in str(row.__dict__)  # stored encrypted
    assert [m.to for m in sent_mail()] == [[officer_with_mail.email]]
