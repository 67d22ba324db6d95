"""Every list page runs a fixed number of queries however many rows it lists: N rows versus 2N rows.

Staff pages (triage queue, API, meetings, actions, committees, agencies, broadcasts, role requests,
staff home, the admin's changelists) and public pages (home, beat page, "you said, we did", the
meeting calendar, Open311 requests). The proof helper is tests/queries.py.

Where the count itself matters (a public page, the triage queue and the API a station works from all
day), the test also asserts the exact count named in tests/queries.py.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from django.test import Client

from rabta.audit.models import AccessLog, record_access
from rabta.engagement import services as engagement_services
from rabta.engagement.models import CommitteeMember, Facilitator, MeetingKind
from rabta.messaging import broadcasts
from rabta.messaging.models import (
    Channel,
    InboundMessage,
    OutboundMessage,
    Phone,
    Provider,
    Purpose,
    Subscription,
)
from rabta.people import approvals
from rabta.people.models import Gender, Role
from rabta.reports.open311.models import ApiClient
from tests import factories
from tests.conftest import World, verified_client
from tests.paths import url_for
from tests.queries import (
    API_REPORT_LIST,
    BEAT_FEED,
    BEAT_PAGE,
    BEAT_PAGE_DESK_ELSEWHERE,
    HOME,
    HOME_SEARCH,
    OPEN311_REQUESTS,
    TRIAGE_QUEUE,
    YOU_SAID_WE_DID,
    assert_constant_queries,
)
from tests.test_engagement_support import action, agency, committee, held_meeting, meeting, priority

pytestmark = pytest.mark.django_db

_seq = itertools.count(1)
STAFF_QUEUE_PERSONAS = [
    "beat_officer",
    "womens_desk_officer",
    "station_head",
    "district_coordinator",
    "oversight",
    "admin_user",
]


# --- reports -------------------------------------------------------------------------------------


def report_rows(world: World) -> Callable[[int], None]:
    """k reports of each kind on beat_a: ordinary (half assigned), women-only, women's desk, conduct."""

    def make_rows(k: int) -> None:
        for i in range(k):
            ordinary = factories.report("street_lighting", beat_obj=world.beat_a).report
            if i % 2:
                ordinary.assign(by=world.station_head, to=world.beat_officer)
            factories.report("street_harassment", beat_obj=world.beat_a, woman_officer_only=True)
            factories.report("violence_against_women", beat_obj=world.beat_a)
            factories.report(
                "police_conduct", beat_obj=world.beat_a, subject_officer=world.other_beat_officer
            )

    return make_rows


@pytest.mark.parametrize("persona", STAFF_QUEUE_PERSONAS)
def test_triage_queue(world: World, persona: str) -> None:
    user = getattr(world, persona)
    proof = assert_constant_queries(
        verified_client(user),
        url_for("reports:staff_queue", query="status=all"),
        report_rows(world),
        exactly=TRIAGE_QUEUE if persona == "beat_officer" else None,
    )
    page = proof.large.context["page"]
    assert page.total >= 6 and page.total == len(page.reports)


@pytest.mark.parametrize("persona", STAFF_QUEUE_PERSONAS)
def test_api_report_list(world: World, persona: str) -> None:
    proof = assert_constant_queries(
        verified_client(getattr(world, persona)),
        url_for("api:report-list", query="status=all"),
        report_rows(world),
        exactly=API_REPORT_LIST if persona == "beat_officer" else None,
    )
    assert len(proof.large.json()["results"]) >= 6


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_requests(world: World, client: Client, fmt: str) -> None:
    def make_rows(k: int) -> None:
        for _ in range(k):
            report = factories.report("street_lighting", beat_obj=world.beat_a).report
            report.acknowledge(by=world.beat_officer, note="We told WAPDA", public=True)

    proof = assert_constant_queries(
        client, f"/open311/v2/requests.{fmt}", make_rows, exactly=OPEN311_REQUESTS
    )
    assert proof.large.content.count(b"service_request_id") == (6 if fmt == "json" else 12)


def test_staff_report_detail_with_many_updates(world: World) -> None:
    report = factories.report("street_lighting", beat_obj=world.beat_a).report

    def make_rows(k: int) -> None:
        for i in range(k):
            report.add_note(
                by=world.beat_officer, note=f"Spoke to the lineman, visit {next(_seq)}", public=bool(i % 2)
            )

    proof = assert_constant_queries(
        verified_client(world.beat_officer), url_for("reports:staff_detail", report.public_id), make_rows
    )
    assert proof.large.content.decode().count("Spoke to the lineman") == 6


# --- public pages --------------------------------------------------------------------------------


def test_public_home_and_search(world: World, client: Client) -> None:
    def make_rows(k: int) -> None:
        for _ in range(k):
            factories.beat(factories.station(world.district), areas="Khungai bazaar")

    proof = assert_constant_queries(client, url_for("places:home"), make_rows, exactly=HOME)
    assert len(proof.large.context["stations"]) == 2 + 6
    proof = assert_constant_queries(
        client, url_for("places:home", query="q=Khungai"), make_rows, exactly=HOME_SEARCH
    )
    assert len(proof.large.context["results"]) >= 6


def test_beat_page(world: World, client: Client) -> None:
    def make_rows(k: int) -> None:
        for _ in range(k):
            n = next(_seq)
            factories.officer(station_obj=world.station_a, beats=[world.beat_a], username=f"beat_officer_{n}")
            meeting(world.beat_officer, [world.beat_a], days=n, title=f"Night safety talk {n}")

    proof = assert_constant_queries(
        client, url_for("site:beat", world.beat_a.code), make_rows, exactly=BEAT_PAGE
    )
    assert len(proof.large.context["officers"]) == 2 + 6  # with the world's beat and women's-desk officers
    assert proof.large.content.decode().count("Night safety talk") >= 3  # the page shows the next few


def test_beat_page_of_a_station_without_womens_desk(world: World, client: Client) -> None:
    def make_rows(k: int) -> None:
        for _ in range(k):
            n = next(_seq)
            factories.officer(station_obj=world.station_b, beats=[world.beat_c], username=f"rabat_{n}")
            factories.officer(
                station_obj=world.station_a,
                beats=[world.beat_a],
                gender=Gender.WOMAN,
                role=Role.WOMENS_DESK,
                on_womens_desk=True,
                username=f"desk_{n}",
            )

    proof = assert_constant_queries(
        client, url_for("site:beat", world.beat_c.code), make_rows, exactly=BEAT_PAGE_DESK_ELSEWHERE
    )
    assert len(proof.large.context["officers"]) == 6
    assert len(proof.large.context["womens_desk_officers"]) == 1 + 6


def test_you_said_we_did(world: World, client: Client) -> None:
    tma = agency()

    def make_rows(k: int) -> None:
        for _ in range(k):
            p = priority(world.beat_officer, world.beat_a, issue=f"Dark lane number {next(_seq)}")
            action(world.beat_officer, p)
            done = action(world.beat_officer, p, owner_agency=tma, due_in=-3)
            engagement_services.update_action_item(
                item=done, by=world.beat_officer, status="done", outcome="New lights installed."
            )

    proof = assert_constant_queries(
        client, url_for("engagement:you_said_we_did", world.beat_a.code), make_rows, exactly=YOU_SAID_WE_DID
    )
    assert proof.large.content.decode().count("Dark lane number") == 6


def test_beat_meeting_feed(world: World, client: Client) -> None:
    def make_rows(k: int) -> None:
        for _ in range(k):
            n = next(_seq)
            meeting(world.beat_officer, [world.beat_a], days=n)
            cancelled = meeting(world.beat_officer, [world.beat_a], days=n + 20)
            engagement_services.cancel_meeting(meeting=cancelled, by=world.beat_officer, reason="Rain")

    proof = assert_constant_queries(
        client,
        "/feeds/beats/GUL/meetings.ics",  # the subscribed URL, written out
        make_rows,
        exactly=BEAT_FEED,
    )
    assert proof.large.content.count(b"BEGIN:VEVENT") == 12


# --- engagement staff pages ----------------------------------------------------------------------


def test_meeting_list(world: World) -> None:
    def make_rows(k: int) -> None:
        for _ in range(k):
            n = next(_seq)
            meeting(world.beat_officer, [world.beat_a, world.beat_b] if n % 2 else [world.beat_a], days=n)
            held_meeting(world.beat_officer, [world.beat_a], {"men_60": 5 + n}, days_ago=n)

    proof = assert_constant_queries(
        verified_client(world.station_head), url_for("engagement:meetings"), make_rows
    )
    assert proof.large.content.decode().count('class="chip held"') == 6


def test_meeting_detail_with_many_priorities(world: World) -> None:
    m = held_meeting(world.beat_officer, [world.beat_a], {"men_60": 5})
    tma = agency()

    def make_rows(k: int) -> None:
        for _ in range(k):
            p = priority(world.beat_officer, world.beat_a, issue=f"Issue {next(_seq)}", m=m)
            action(world.beat_officer, p)
            action(world.beat_officer, p, owner_agency=tma)

    proof = assert_constant_queries(
        verified_client(world.beat_officer), url_for("engagement:meeting", m.pk), make_rows
    )
    assert proof.large.content.decode().count("Municipality to repair 12 streetlights") == 12


def test_meeting_register(world: World) -> None:
    m = held_meeting(world.beat_officer, [world.beat_a], {"women_15_29": 5, "men_60": 10})

    def make_rows(k: int) -> None:
        for _ in range(k):
            engagement_services.add_register_entry(
                meeting=m,
                by=world.beat_officer,
                name=f"Resident {next(_seq)}",
                phone="0301-1234567",
                consent_given=True,
                consent_method="verbal",
            )

    proof = assert_constant_queries(
        verified_client(world.beat_officer), url_for("engagement:meeting_register", m.pk), make_rows
    )
    assert proof.large.content.decode().count("Resident ") >= 6
    # Each view is one access-log row, whatever the register's length.
    assert (
        AccessLog.objects.filter(action=AccessLog.Action.VIEW_REGISTER, actor=world.beat_officer).count() == 3
    )


def test_action_list(world: World) -> None:
    tma = agency()
    member = CommitteeMember.objects.create(committee=committee([world.beat_a]), name="Member", role="member")
    p = priority(world.beat_officer, world.beat_a)

    def make_rows(k: int) -> None:
        for i in range(k):
            action(world.beat_officer, p, due_in=i - 2)
            action(world.beat_officer, p, due_in=i, owner_agency=tma)
            action(world.beat_officer, p, due_in=i, owner_member=member)

    proof = assert_constant_queries(
        verified_client(world.beat_officer), url_for("engagement:actions", query="show=all"), make_rows
    )
    assert proof.large.content.decode().count("Municipality to repair 12 streetlights") == 18


def test_action_detail_with_many_notes(world: World) -> None:
    item = action(world.beat_officer, priority(world.beat_officer, world.beat_a))

    def make_rows(k: int) -> None:
        for _ in range(k):
            engagement_services.update_action_item(
                item=item, by=world.beat_officer, note=f"Called the TMA {next(_seq)}"
            )

    proof = assert_constant_queries(
        verified_client(world.beat_officer), url_for("engagement:action", item.pk), make_rows
    )
    assert proof.large.content.decode().count("Called the TMA") == 6


def test_committee_list(world: World) -> None:
    def make_rows(k: int) -> None:
        for _ in range(k):
            n = next(_seq)
            c = committee([world.beat_a], liaison=world.beat_officer, name=f"Mohalla committee {n}")
            held_meeting(
                world.beat_officer,
                [world.beat_a],
                {"men_60": 6},
                days_ago=n,
                kind=MeetingKind.COMMITTEE_MEETING,
                committee=c,
            )

    proof = assert_constant_queries(
        verified_client(world.beat_officer), url_for("engagement:committees"), make_rows
    )
    assert proof.large.content.decode().count("Mohalla committee") == 6


def test_agency_list(world: World) -> None:
    p = priority(world.beat_officer, world.beat_a)

    def make_rows(k: int) -> None:
        for _ in range(k):
            action(world.beat_officer, p, owner_agency=agency(name=f"Agency {next(_seq)}"))

    proof = assert_constant_queries(
        verified_client(world.beat_officer), url_for("engagement:agencies"), make_rows
    )
    assert proof.large.content.decode().count("Agency ") >= 6


# --- messaging and people staff pages ------------------------------------------------------------


def test_broadcast_list(world: World) -> None:
    def make_rows(k: int) -> None:
        for _ in range(k):
            broadcasts.create_broadcast(
                author=world.beat_officer, beats=[world.beat_a], body_en=f"Walk {next(_seq)}"
            )
            # Two beats: waits for the station head's approval.
            broadcasts.create_broadcast(
                author=world.beat_officer, beats=[world.beat_a, world.beat_b], body_en="Walk"
            )

    proof = assert_constant_queries(
        verified_client(world.station_head), url_for("messaging:broadcast_list"), make_rows
    )
    assert len(proof.large.context["pending"]) == 6


def test_role_requests(world: World) -> None:
    def make_rows(k: int) -> None:
        for _ in range(k):
            approvals.request_role(
                user=factories.user(Role.RESIDENT),
                role=Role.WOMENS_DESK,
                scope_station=world.station_a,
                by=world.district_coordinator,
            )

    proof = assert_constant_queries(
        verified_client(world.station_head), url_for("people:role_requests"), make_rows
    )
    assert proof.large.content.decode().count('value="approve"') == 6


def test_staff_home(world: World) -> None:
    def make_rows(k: int) -> None:
        for _ in range(k):
            factories.beat(world.station_a, name=f"New beat {next(_seq)}")

    proof = assert_constant_queries(
        verified_client(world.station_head), url_for("site:staff_home"), make_rows
    )
    assert proof.large.context["beat_count"] == 2 + 6


@pytest.mark.parametrize(
    ("persona", "name"),
    [("station_head", "people:staff_people"), ("station_head", "site:transfer_list")],
)
def test_staff_account_and_transfer_lists(world: World, persona: str, name: str) -> None:
    names: list[str] = []

    def make_rows(k: int) -> None:
        for _ in range(k):
            names.append(f"Listed{next(_seq)}")
            factories.officer(
                station_obj=world.station_a,
                beats=[world.beat_a],
                username=names[-1].lower(),
                first_name=names[-1],
                last_name="Khan",
            )

    proof = assert_constant_queries(verified_client(getattr(world, persona)), url_for(name), make_rows)
    page = proof.large.content.decode()
    assert len(names) == 6 and all(listed in page for listed in names)


# --- admin changelists ---------------------------------------------------------------------------


def _phone() -> Phone:
    phone = Phone.build(f"+92300{next(_seq):07d}", language="en")
    phone.save()
    return phone


def _channel() -> Channel:
    channel = Channel.objects.filter(provider=Provider.CONSOLE).first()
    if channel is None:
        channel = Channel(name="Console", provider=Provider.CONSOLE, number="8000", is_default=True)
        channel.set_credentials({})
        channel.save()
    return channel


def admin_rows(world: World) -> dict[str, Callable[[], object]]:
    """One more row of each changelist's model, inside station_a (so its head sees it too)."""

    def officer() -> object:
        return factories.officer(
            station_obj=world.station_a, beats=[world.beat_a], username=f"adm{next(_seq)}"
        )

    def apiclient() -> object:
        client = ApiClient(name=f"Partner {next(_seq)}")
        client.set_new_key()
        client.save()
        return client

    def facilitator() -> object:
        return Facilitator.objects.create(
            user=factories.user(Role.VOLUNTEER), gender=Gender.WOMAN, organisation="LHW"
        )

    return {
        "places.district": lambda: factories.district(),
        "places.policestation": lambda: factories.station(world.district),
        "places.beat": lambda: factories.beat(world.station_a),
        "people.user": officer,
        "people.officerprofile": officer,
        "people.rolerequest": lambda: approvals.request_role(
            user=factories.user(Role.RESIDENT),
            role=Role.WOMENS_DESK,
            scope_station=world.station_a,
            by=world.district_coordinator,
        ),
        "audit.accesslog": lambda: record_access(
            actor=world.admin_user, action=AccessLog.Action.VIEW_REGISTER, obj=world.beat_a
        ),
        "messaging.phone": _phone,
        "messaging.subscription": lambda: Subscription.objects.create(phone=_phone(), beat=world.beat_a),
        "messaging.inboundmessage": lambda: InboundMessage.objects.create(
            channel=_channel(), provider_message_id=f"in-{next(_seq)}", phone=_phone(), body="HELP"
        ),
        "messaging.outboundmessage": lambda: OutboundMessage.objects.create(
            channel=_channel(),
            phone=_phone(),
            body="Thank you",
            purpose=Purpose.REPLY,
            encoding="GSM-7",
            segments=1,
            cost_estimate=0,
        ),
        "messaging.broadcast": lambda: broadcasts.create_broadcast(
            author=world.beat_officer, beats=[world.beat_a], body_en="Awareness walk"
        ),
        "engagement.committee": lambda: committee([world.beat_a], liaison=world.beat_officer),
        "engagement.partneragency": lambda: agency(district=world.district),
        "engagement.facilitator": facilitator,
        "engagement.meeting": lambda: meeting(world.beat_officer, [world.beat_a], days=next(_seq)),
        "engagement.priority": lambda: priority(world.beat_officer, world.beat_a),
        "engagement.actionitem": lambda: action(
            world.beat_officer, priority(world.beat_officer, world.beat_a)
        ),
        "reports.apiclient": apiclient,
    }


ADMIN_PAGES = [
    ("admin_user", "places.district"),
    ("admin_user", "places.policestation"),
    ("admin_user", "places.beat"),
    ("admin_user", "people.user"),
    ("admin_user", "people.officerprofile"),
    ("admin_user", "people.rolerequest"),
    ("admin_user", "audit.accesslog"),
    ("admin_user", "messaging.phone"),
    ("admin_user", "messaging.subscription"),
    ("admin_user", "messaging.inboundmessage"),
    ("admin_user", "messaging.outboundmessage"),
    ("admin_user", "messaging.broadcast"),
    ("admin_user", "engagement.committee"),
    ("admin_user", "engagement.partneragency"),
    ("admin_user", "engagement.facilitator"),
    ("admin_user", "engagement.meeting"),
    ("admin_user", "engagement.priority"),
    ("admin_user", "engagement.actionitem"),
    ("admin_user", "reports.apiclient"),
    ("station_head", "places.beat"),
    ("station_head", "people.user"),
    ("station_head", "people.officerprofile"),
    ("district_coordinator", "places.policestation"),
]


@pytest.mark.parametrize(("persona", "model"), ADMIN_PAGES)
def test_admin_changelist(world: World, persona: str, model: str) -> None:
    make_one = admin_rows(world)[model]
    app_label, model_name = model.split(".")

    def make_rows(k: int) -> None:
        for _ in range(k):
            make_one()

    proof = assert_constant_queries(
        verified_client(getattr(world, persona)),
        url_for(f"admin:{app_label}_{model_name}_changelist"),
        make_rows,
    )
    assert proof.large.context["cl"].result_count - proof.small.context["cl"].result_count >= 3
