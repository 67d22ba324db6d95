"""Sensitive roles take a second person: requests from the admin, decisions on the staff page, the log."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client

from rabta.audit.models import AccessLog
from rabta.people import approvals
from rabta.people.models import Gender, OfficerProfile, Role, RoleRequest, RoleRequestState, User
from rabta.reports.models import Report
from tests import factories
from tests.conftest import World, verified_client
from tests.paths import url_for
from tests.queries import assert_constant_queries
from tests.test_admin_scope import profile_data, user_add_data, user_change_data

PAGE = url_for("people:role_requests")
WAITING = "Waiting for a second person's approval"


def test_the_approvers_table_covers_every_sensitive_role() -> None:
    from rabta.people.models import APPROVERS, SENSITIVE_ROLES

    assert set(APPROVERS) == set(SENSITIVE_ROLES)


def decide(client: Client, request: RoleRequest, decision: str) -> Any:
    return client.post(url_for("people:role_request_decide", request.pk), {"decision": decision})


def log_rows(obj: Any) -> list[tuple[str, int, str]]:
    rows = AccessLog.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("pk")
    return [(row.action, row.actor_id, row.detail) for row in rows]


@pytest.fixture
def desk_report(world: World) -> Report:
    return factories.report("violence_against_women", beat_obj=world.beat_a).report


def coordinator_creates_station_head(world: World) -> tuple[Any, User, RoleRequest]:
    client = verified_client(world.district_coordinator)
    data = user_add_data(username="new_sho", role=Role.STATION_HEAD, scope_station=world.station_a.pk)
    response = client.post(url_for("admin:people_user_add"), data, follow=True)
    account = User.objects.get(username="new_sho")
    return response, account, RoleRequest.objects.get(user=account)


def test_coordinator_creating_a_station_head_files_a_request_and_gives_nothing(
    world: World, desk_report: Report
) -> None:
    response, account, request = coordinator_creates_station_head(world)
    assert response.status_code == 200
    assert WAITING in html.unescape(response.content.decode())
    # The account exists but is a resident with no scope: it reads nothing and has no staff pages.
    assert (account.role, account.scope_kind, account.is_staff, account.is_superuser) == (
        Role.RESIDENT,
        "",
        False,
        False,
    )
    assert (request.state, request.role, request.scope_station) == (
        RoleRequestState.PENDING,
        Role.STATION_HEAD,
        world.station_a,
    )
    assert request.requested_by == world.district_coordinator
    assert not Report.objects.visible_to(account).exists()
    # Logging in gives it no staff home and no way to pair an authenticator.
    client = Client()
    client.force_login(account)
    assert client.get(url_for("people:two_factor_setup")).status_code == 403
    assert client.get(url_for("site:staff_home")).status_code == 403
    assert log_rows(request) == [
        (
            AccessLog.Action.ROLE_REQUEST,
            world.district_coordinator.pk,
            f"for user {account.pk}: station_head, station {world.station_a.pk}",
        )
    ]


def test_the_stations_head_approves_and_the_role_applies(world: World, desk_report: Report) -> None:
    _, account, request = coordinator_creates_station_head(world)
    sho = verified_client(world.station_head)
    assert "new_sho" in sho.get(PAGE).content.decode()
    response = decide(sho, request, "approve")
    assert response.status_code == 302
    account.refresh_from_db()
    request.refresh_from_db()
    assert (account.role, account.scope_station, account.is_staff) == (
        Role.STATION_HEAD,
        world.station_a,
        True,
    )
    assert (request.state, request.decided_by) == (RoleRequestState.APPROVED, world.station_head)
    assert desk_report in Report.objects.visible_to(account)
    assert [row[:2] for row in log_rows(request)] == [
        (AccessLog.Action.ROLE_REQUEST, world.district_coordinator.pk),
        (AccessLog.Action.ROLE_DECISION, world.station_head.pk),
    ]
    assert log_rows(request)[1][2] == "approved"
    assert log_rows(account) == [
        (
            AccessLog.Action.ROLE_DECISION,
            world.station_head.pk,
            f"role given by request {request.pk}: station_head, station {world.station_a.pk}",
        )
    ]
    # The decision stays on the page for the holders, and a second click changes nothing.
    page = sho.get(PAGE).content.decode()
    assert "Decided" in page and "new_sho" in page
    assert decide(sho, request, "reject").status_code == 302
    request.refresh_from_db()
    assert request.state == RoleRequestState.APPROVED


def test_an_admin_may_approve_it(world: World, desk_report: Report) -> None:
    _, account, request = coordinator_creates_station_head(world)
    assert decide(verified_client(world.admin_user), request, "approve").status_code == 302
    account.refresh_from_db()
    assert account.role == Role.STATION_HEAD
    request.refresh_from_db()
    assert (request.state, request.decided_by) == (RoleRequestState.APPROVED, world.admin_user)
    assert log_rows(request)[-1][:2] == (AccessLog.Action.ROLE_DECISION, world.admin_user.pk)
    assert desk_report in Report.objects.visible_to(account)


def test_an_unrelated_station_head_and_other_roles_cannot_see_or_decide(world: World) -> None:
    _, account, request = coordinator_creates_station_head(world)
    for persona in ("other_station_head", "oversight", "womens_desk_officer", "district_coordinator"):
        user = getattr(world, persona)
        client = verified_client(user)
        page = client.get(PAGE)
        assert page.status_code == 200
        if persona != "district_coordinator":
            assert "new_sho" not in page.content.decode(), persona
        assert decide(client, request, "approve").status_code == 404, persona
        with pytest.raises(approvals.NotAllowed):
            approvals.approve(request=request, by=user)
    # A beat officer holds no scope: the page shows them only what they asked for, which is nothing.
    assert "new_sho" not in verified_client(world.beat_officer).get(PAGE).content.decode()
    account.refresh_from_db()
    request.refresh_from_db()
    assert (account.role, request.state) == (Role.RESIDENT, RoleRequestState.PENDING)
    assert not AccessLog.objects.filter(action=AccessLog.Action.ROLE_DECISION).exists()


def test_the_requester_sees_their_request_but_cannot_decide_it(world: World) -> None:
    coord = verified_client(world.district_coordinator)
    _, _account, request = coordinator_creates_station_head(world)
    page = coord.get(PAGE).content.decode()
    assert "Asked by you" in page and "new_sho" in page
    assert f"/role-requests/{request.pk}/" not in page  # no buttons


def test_the_requester_cannot_approve_their_own_request_even_as_an_admin(world: World) -> None:
    admin = verified_client(world.admin_user)
    response = admin.post(
        url_for("admin:people_user_add"),
        user_add_data(
            username="new_sho", role=Role.STATION_HEAD, scope_station=world.station_a.pk, scope_district=""
        ),
    )
    assert response.status_code == 302
    account = User.objects.get(username="new_sho")
    request = RoleRequest.objects.get(user=account)
    page = admin.get(PAGE).content.decode()
    assert "new_sho" in page and f"/role-requests/{request.pk}/" not in page
    assert decide(admin, request, "approve").status_code == 403
    with pytest.raises(approvals.NotAllowed):
        approvals.approve(request=request, by=world.admin_user)
    account.refresh_from_db()
    assert account.role == Role.RESIDENT
    # A second admin can.
    other_admin = factories.user(Role.ADMIN, is_superuser=True)
    approvals.approve(request=request, by=other_admin)
    account.refresh_from_db()
    assert (account.role, account.scope_station) == (Role.STATION_HEAD, world.station_a)


def test_the_account_itself_cannot_decide(world: World) -> None:
    # The station head holds the women's-desk scope of his station, but not over his own account.
    request = approvals.request_role(
        user=world.station_head,
        role=Role.WOMENS_DESK,
        scope_station=world.station_a,
        by=world.district_coordinator,
    )
    assert decide(verified_client(world.station_head), request, "approve").status_code == 403
    world.station_head.refresh_from_db()
    assert world.station_head.role == Role.STATION_HEAD
    request.refresh_from_db()
    assert (request.state, request.decided_by) == (RoleRequestState.PENDING, None)
    assert not AccessLog.objects.filter(action=AccessLog.Action.ROLE_DECISION).exists()


def test_rejection_leaves_the_account_as_it_was_and_is_logged(world: World) -> None:
    _, account, request = coordinator_creates_station_head(world)
    assert decide(verified_client(world.station_head), request, "reject").status_code == 302
    request.refresh_from_db()
    account.refresh_from_db()
    assert (request.state, request.decided_by, account.role) == (
        RoleRequestState.REJECTED,
        world.station_head,
        Role.RESIDENT,
    )
    assert log_rows(request)[-1] == (AccessLog.Action.ROLE_DECISION, world.station_head.pk, "rejected")
    assert not log_rows(account)


def test_bad_decisions_are_refused_cleanly(world: World) -> None:
    _, _, request = coordinator_creates_station_head(world)
    sho = verified_client(world.station_head)
    assert decide(sho, request, "maybe").status_code == 400
    assert sho.get(url_for("people:role_request_decide", request.pk)).status_code == 405
    assert sho.post(url_for("people:role_request_decide", 999999), {"decision": "approve"}).status_code == 404
    request.refresh_from_db()
    assert request.state == RoleRequestState.PENDING


def test_promoting_an_existing_officer_keeps_the_old_role_until_approved(
    world: World, desk_report: Report
) -> None:
    officer = world.beat_officer
    coord = verified_client(world.district_coordinator)
    response = coord.post(
        url_for("admin:people_user_change", officer.pk),
        user_change_data(officer, role=Role.STATION_HEAD, scope_beat="", scope_station=world.station_a.pk),
        follow=True,
    )
    assert WAITING in html.unescape(response.content.decode())
    officer.refresh_from_db()
    assert (officer.role, officer.scope_beat) == (Role.OFFICER, world.beat_a)
    # Pairing an authenticator (a verified session) gives nothing new while the request waits.
    assert desk_report not in Report.objects.visible_to(officer)
    page = verified_client(officer).get(url_for("reports:staff_detail", desk_report.public_id))
    assert page.status_code == 404
    request = RoleRequest.objects.get(user=officer, state=RoleRequestState.PENDING)
    assert (request.role, request.scope_station) == (Role.STATION_HEAD, world.station_a)
    # The admin's own history does not claim the role was changed.
    entry = LogEntry.objects.get(object_id=str(officer.pk))
    assert "role" not in entry.get_change_message().lower()
    assert "scope" not in entry.get_change_message().lower()


def test_moving_a_station_head_to_another_station_needs_that_stations_holder(world: World) -> None:
    sho_b = world.other_station_head
    coord = verified_client(world.district_coordinator)
    coord.post(
        url_for("admin:people_user_change", sho_b.pk),
        user_change_data(sho_b, scope_station=world.station_a.pk),
    )
    sho_b.refresh_from_db()
    assert sho_b.scope_station == world.station_b
    request = RoleRequest.objects.get(user=sho_b)
    # The head of the station it moves to decides; the account itself cannot.
    with pytest.raises(approvals.NotAllowed):
        approvals.approve(request=request, by=sho_b)
    approvals.approve(request=request, by=world.station_head)
    sho_b.refresh_from_db()
    assert sho_b.scope_station == world.station_a


def test_changes_that_give_nothing_sensitive_apply_at_once(world: World) -> None:
    coord = verified_client(world.district_coordinator)
    sho_b = world.other_station_head
    # Renaming a station head, or making one a plain officer, needs no second person.
    response = coord.post(
        url_for("admin:people_user_change", sho_b.pk), user_change_data(sho_b, first_name="Zar")
    )
    assert response.status_code == 302
    response = coord.post(
        url_for("admin:people_user_change", sho_b.pk),
        user_change_data(
            sho_b, first_name="Zar", role=Role.OFFICER, scope_beat=world.beat_c.pk, scope_station=""
        ),
    )
    assert response.status_code == 302
    sho_b.refresh_from_db()
    assert (sho_b.first_name, sho_b.role, sho_b.scope_beat) == ("Zar", Role.OFFICER, world.beat_c)
    assert not RoleRequest.objects.exists()


def admin_change_data(user: User, **changes: Any) -> dict[str, Any]:
    data = user_change_data(user, scope_district=user.scope_district_id or "", preferred_language="")
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_superuser_status_needs_a_second_admin(world: World) -> None:
    officer = world.beat_officer
    admin = verified_client(world.admin_user)
    response = admin.post(
        url_for("admin:people_user_change", officer.pk), admin_change_data(officer, is_superuser="on")
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert (officer.is_superuser, officer.role) == (False, Role.OFFICER)
    request = RoleRequest.objects.get(user=officer)
    assert (request.role, request.scope_district, request.scope_station, request.scope_beat) == (
        Role.ADMIN,
        None,
        None,
        None,
    )
    # Nobody below an admin decides on an admin, not even a station head of the officer's station.
    assert not approvals.may_decide(world.station_head, request)
    assert not approvals.may_decide(world.admin_user, request)
    approvals.approve(request=request, by=factories.user(Role.ADMIN, is_superuser=True))
    officer.refresh_from_db()
    assert (officer.role, officer.is_superuser, officer.scope_kind) == (Role.ADMIN, True, "")


def test_oversight_is_approved_by_oversight_of_that_district(world: World) -> None:
    elsewhere = factories.district(code="SWT", name="Swat")
    far_oversight = factories.user(Role.OVERSIGHT, scope_district=elsewhere)
    newcomer = factories.user(Role.RESIDENT)
    request = approvals.request_role(
        user=newcomer, role=Role.OVERSIGHT, scope_district=world.district, by=world.admin_user
    )
    assert not approvals.may_decide(far_oversight, request)
    assert not approvals.may_decide(world.district_coordinator, request)
    assert newcomer.username not in verified_client(far_oversight).get(PAGE).content.decode()
    assert newcomer.username in verified_client(world.oversight).get(PAGE).content.decode()
    approvals.approve(request=request, by=world.oversight)
    newcomer.refresh_from_db()
    assert (newcomer.role, newcomer.scope_district) == (Role.OVERSIGHT, world.district)


def test_a_role_and_scope_that_do_not_go_together_are_refused(world: World) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        approvals.request_role(
            user=world.beat_officer, role=Role.STATION_HEAD, scope_beat=world.beat_a, by=world.admin_user
        )
    with pytest.raises(ValueError):
        approvals.request_role(
            user=world.beat_officer, role=Role.OFFICER, scope_station=world.station_a, by=world.admin_user
        )
    assert not RoleRequest.objects.exists()
    assert not AccessLog.objects.exists()


def test_asking_again_cancels_the_earlier_request(world: World) -> None:
    first = approvals.request_role(
        user=world.beat_officer, role=Role.STATION_HEAD, scope_station=world.station_a, by=world.admin_user
    )
    second = approvals.request_role(
        user=world.beat_officer, role=Role.STATION_HEAD, scope_station=world.station_b, by=world.admin_user
    )
    first.refresh_from_db()
    assert (first.state, second.state) == (RoleRequestState.CANCELLED, RoleRequestState.PENDING)
    assert log_rows(first)[-1] == (
        AccessLog.Action.ROLE_DECISION,
        world.admin_user.pk,
        "cancelled: asked again",
    )
    with pytest.raises(approvals.AlreadyDecided):
        approvals.approve(request=first, by=world.station_head)


def test_joining_the_womens_desk_through_a_profile_is_a_request(world: World, desk_report: Report) -> None:
    # A woman officer (plain officer role) put on the desk would read its reports: not without approval.
    woman = factories.officer(
        station_obj=world.station_a, beats=[world.beat_a], gender=Gender.WOMAN, username="nadia"
    )
    profile = woman.officer_profile
    coord = verified_client(world.district_coordinator)
    response = coord.post(
        url_for("admin:people_officerprofile_change", profile.pk),
        profile_data(profile, on_womens_desk="on"),
        follow=True,
    )
    assert WAITING in html.unescape(response.content.decode())
    profile.refresh_from_db()
    assert not profile.on_womens_desk
    assert desk_report not in Report.objects.visible_to(woman)
    request = RoleRequest.objects.get(user=woman)
    assert (request.role, request.scope_station) == (Role.WOMENS_DESK, world.station_a)
    # A woman already on that desk may approve a new colleague; a station head elsewhere may not.
    assert not approvals.may_decide(world.other_station_head, request)
    wdo = verified_client(world.womens_desk_officer)
    assert "nadia" in wdo.get(PAGE).content.decode()
    assert decide(wdo, request, "approve").status_code == 302
    woman.refresh_from_db()
    profile.refresh_from_db()
    assert (woman.role, woman.scope_station, profile.on_womens_desk) == (
        Role.WOMENS_DESK,
        world.station_a,
        True,
    )
    assert desk_report in Report.objects.visible_to(woman)
    # Once approved, the desk flag can be set again without another request.
    OfficerProfile.objects.filter(pk=profile.pk).update(on_womens_desk=False)
    coord.post(
        url_for("admin:people_officerprofile_change", profile.pk), profile_data(profile, on_womens_desk="on")
    )
    profile.refresh_from_db()
    assert profile.on_womens_desk
    assert RoleRequest.objects.filter(user=woman).count() == 1


def test_station_head_creating_a_womens_desk_officer_waits_for_someone_else(world: World) -> None:
    sho = verified_client(world.station_head)
    response = sho.post(
        url_for("admin:people_user_add"),
        user_add_data(username="new_wdo", role=Role.WOMENS_DESK, scope_station=world.station_a.pk),
    )
    assert response.status_code == 302
    account = User.objects.get(username="new_wdo")
    assert account.role == Role.RESIDENT
    request = RoleRequest.objects.get(user=account)
    assert decide(sho, request, "approve").status_code == 403
    approvals.approve(request=request, by=world.womens_desk_officer)
    account.refresh_from_db()
    assert (account.role, account.scope_station) == (Role.WOMENS_DESK, world.station_a)


def test_staff_home_links_the_page_for_holders_with_a_count(world: World) -> None:
    coordinator_creates_station_head(world)
    home = verified_client(world.station_head).get(url_for("site:staff_home")).content.decode()
    assert PAGE in home and "1 waiting for you" in home
    assert PAGE not in verified_client(world.beat_officer).get(url_for("site:staff_home")).content.decode()
    other = verified_client(world.other_station_head).get(url_for("site:staff_home")).content.decode()
    assert "waiting for you" not in other


def test_page_query_count_does_not_grow(world: World, django_assert_max_num_queries: Any) -> None:
    for n in range(8):
        approvals.request_role(
            user=factories.user(Role.RESIDENT, username=f"cand{n}"),
            role=Role.WOMENS_DESK,
            scope_station=world.station_a,
            by=world.district_coordinator,
        )
    client = verified_client(world.station_head)
    with django_assert_max_num_queries(12):
        page = client.get(PAGE)
    assert page.content.decode().count('value="approve"') == 8

    def more_requests(k: int) -> None:
        for _ in range(k):
            approvals.request_role(
                user=factories.user(Role.RESIDENT),
                role=Role.WOMENS_DESK,
                scope_station=world.station_a,
                by=world.district_coordinator,
            )

    proof = assert_constant_queries(client, PAGE, more_requests, n=4)
    assert proof.large.content.decode().count('value="approve"') == 16
