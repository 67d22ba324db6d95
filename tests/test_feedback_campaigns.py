"""Campaign management (station heads and coordinators, in their scope), code batches and slips, the
open link, and paper forms typed in by police staff."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from rabta.feedback.models import Campaign, CommunityResponse, InviteCode, Mode
from tests.conftest import World, verified_client
from tests.personas import extra_personas
from tests.test_feedback_survey import FULL, code_for, running_campaign, url

pytestmark = pytest.mark.django_db


def _dates() -> dict[str, str]:
    today = timezone.localdate()
    return {"opens_on": str(today), "closes_on": str(today + dt.timedelta(days=14))}


def test_station_head_makes_a_campaign_in_his_beats(world: World) -> None:
    client = verified_client(world.station_head)
    response = client.post(
        url("campaign_new"), {"name": "Spring round", "beats": [world.beat_a.pk], **_dates()}
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert list(campaign.beats.all()) == [world.beat_a] and campaign.created_by == world.station_head


def test_a_beat_outside_the_scope_is_refused(world: World) -> None:
    client = verified_client(world.station_head)
    response = client.post(url("campaign_new"), {"name": "X", "beats": [world.beat_c.pk], **_dates()})
    assert response.status_code == 400 and not Campaign.objects.exists()


def test_dates_in_the_wrong_order_are_refused(world: World) -> None:
    client = verified_client(world.district_coordinator)
    today = timezone.localdate()
    data = {
        "name": "X",
        "beats": [world.beat_a.pk],
        "opens_on": str(today),
        "closes_on": str(today - dt.timedelta(days=1)),
    }
    assert client.post(url("campaign_new"), data).status_code == 400


@pytest.mark.parametrize("persona", ["beat_officer", "womens_desk_officer", "oversight", "analyst"])
def test_only_managers_make_campaigns(world: World, persona: str) -> None:
    client = verified_client(getattr(world, persona))
    assert client.get(url("campaign_new")).status_code == 403


def test_another_station_head_gets_404(world: World) -> None:
    campaign = running_campaign(world)
    client = verified_client(world.other_station_head)
    assert client.get(url("campaign", pk=campaign.pk)).status_code == 404
    assert (
        client.post(url("campaign_codes", pk=campaign.pk), {"beat": world.beat_a.pk, "count": 5}).status_code
        == 404
    )
    assert client.post(url("campaign_open_link", pk=campaign.pk)).status_code == 404
    assert not InviteCode.objects.exists()


def test_editing_keeps_beats_outside_the_editors_scope(world: World) -> None:
    campaign = running_campaign(world, beats=[world.beat_a, world.beat_c])
    client = verified_client(world.station_head)
    response = client.post(
        url("campaign_edit", pk=campaign.pk), {"name": "Renamed", "beats": [world.beat_b.pk], **_dates()}
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "Renamed"
    assert set(campaign.beats.all()) == {world.beat_b, world.beat_c}


def test_a_batch_of_codes_and_its_slips(world: World) -> None:
    campaign = running_campaign(world)
    client = verified_client(world.station_head)
    response = client.post(url("campaign_codes", pk=campaign.pk), {"beat": world.beat_a.pk, "count": 12})
    assert response.status_code == 302
    codes = list(InviteCode.objects.filter(campaign=campaign))
    assert len(codes) == 12 and {c.batch for c in codes} == {1} and {c.beat for c in codes} == {world.beat_a}
    assert len({c.code for c in codes}) == 12
    slips = client.get(response["Location"])
    body = slips.content.decode()
    assert slips.status_code == 200 and "no-store" in slips["Cache-Control"]
    assert body.count("<svg") == 12
    assert all(f"{c.code[:4]}-{c.code[4:]}" in body for c in codes)
    assert "/en/survey/" in body and "@page" not in body  # print rules live in the stylesheet
    # A second batch gets the next number; the page counts made and used per beat.
    client.post(url("campaign_codes", pk=campaign.pk), {"beat": world.beat_a.pk, "count": 3})
    assert set(InviteCode.objects.values_list("batch", flat=True)) == {1, 2}
    InviteCode.objects.filter(pk=codes[0].pk).update(used_on=timezone.localdate())
    detail = client.get(url("campaign", pk=campaign.pk))
    counts = detail.context["counts"]
    assert [(c.beat, c.made, c.used, c.batches) for c in counts] == [(world.beat_a, 15, 1, [1, 2])]


@pytest.mark.parametrize("count", [0, 501, "x"])
def test_batch_size_is_bounded(world: World, count: object) -> None:
    campaign = running_campaign(world)
    client = verified_client(world.station_head)
    assert (
        client.post(
            url("campaign_codes", pk=campaign.pk), {"beat": world.beat_a.pk, "count": count}
        ).status_code
        == 400
    )
    assert not InviteCode.objects.exists()


def test_slips_of_another_scope_or_unknown_batch_are_404(world: World) -> None:
    campaign = running_campaign(world)
    code_for(campaign, world.beat_a)
    assert (
        verified_client(world.other_station_head).get(url("slips", pk=campaign.pk, batch=1)).status_code
        == 404
    )
    assert verified_client(world.station_head).get(url("slips", pk=campaign.pk, batch=9)).status_code == 404


def test_open_link_toggle_shows_the_link(world: World) -> None:
    campaign = running_campaign(world)
    client = verified_client(world.station_head)
    assert client.post(url("campaign_open_link", pk=campaign.pk), {"open": "on"}).status_code == 302
    campaign.refresh_from_db()
    assert campaign.open_link_token
    page = client.get(url("campaign", pk=campaign.pk)).content.decode()
    assert f"/en/survey/open/{campaign.open_link_token}/" in page
    client.post(url("campaign_open_link", pk=campaign.pk), {"open": "off"})
    campaign.refresh_from_db()
    assert campaign.open_link_token is None


def test_campaign_list_is_scoped(world: World) -> None:
    mine = running_campaign(world, name="Gulabad round")
    other = running_campaign(world, name="Rabat round", beats=[world.beat_c])
    page = verified_client(world.station_head).get(url("campaigns"))
    assert list(page.context["campaigns"]) == [mine]
    assert "Rabat round" not in page.content.decode()
    assert other in verified_client(world.other_station_head).get(url("campaigns")).context["campaigns"]


def test_officer_types_in_a_paper_form(world: World) -> None:
    campaign = running_campaign(world)
    client = verified_client(world.beat_officer)
    page = client.get(url("paper_entry"))
    assert page.status_code == 200
    data = {"campaign": campaign.pk, "beat": world.beat_a.pk, **FULL}
    response = client.post(url("paper_entry"), data)
    assert response.status_code == 302
    answer = CommunityResponse.objects.get()
    assert (
        answer.mode == Mode.PAPER and answer.entered_by == world.beat_officer and answer.beat == world.beat_a
    )


def test_paper_form_with_its_slip_code_spends_the_code(world: World) -> None:
    campaign = running_campaign(world)
    code = code_for(campaign, world.beat_a)
    client = verified_client(world.beat_officer)
    data = {
        "campaign": campaign.pk,
        "beat": world.beat_a.pk,
        "slip_code": code.display.lower(),
        "safety": "2",
    }
    assert client.post(url("paper_entry"), data).status_code == 302
    code.refresh_from_db()
    assert code.is_used
    # The same slip again: refused, nothing saved twice.
    assert client.post(url("paper_entry"), data).status_code == 409
    assert CommunityResponse.objects.count() == 1


def test_paper_form_for_a_beat_outside_scope_is_refused(world: World) -> None:
    campaign = running_campaign(world, beats=[world.beat_a, world.beat_b])
    client = verified_client(world.beat_officer)  # beat_a only
    data = {"campaign": campaign.pk, "beat": world.beat_b.pk, "safety": "2"}
    assert client.post(url("paper_entry"), data).status_code == 400
    assert not CommunityResponse.objects.exists()


@pytest.mark.parametrize("persona", ["oversight", "analyst"])
def test_reviewers_do_not_type_in_forms(world: World, persona: str) -> None:
    assert verified_client(getattr(world, persona)).get(url("paper_entry")).status_code == 403


def test_volunteers_have_no_staff_pages(world: World) -> None:
    from django.test import Client

    volunteer = extra_personas(world)["volunteer"]
    client = Client()
    client.force_login(volunteer)
    assert client.get(url("paper_entry")).status_code == 403
    assert client.get(url("campaigns")).status_code == 403


def test_codes_are_inserted_in_bulk_and_collisions_are_drawn_again(
    world: World, monkeypatch: pytest.MonkeyPatch, django_assert_max_num_queries: object
) -> None:
    from rabta.feedback import campaigns

    campaign = running_campaign(world)
    taken = InviteCode.objects.create(campaign=campaign, beat=world.beat_a, code="AAAAAAAA", batch=1)
    # The first round draws the taken code and a fresh one; the second draws the one still missing.
    draws = iter(["AAAAAAAA", "BBBBBBBB", "CCCCCCCC"])
    monkeypatch.setattr(campaigns, "new_code", lambda: next(draws))
    batch = campaigns.make_codes(by=world.station_head, campaign=campaign, beat=world.beat_a, count=2)
    assert batch == 2
    made = InviteCode.objects.filter(campaign=campaign, batch=2)
    assert sorted(made.values_list("code", flat=True)) == ["BBBBBBBB", "CCCCCCCC"]
    taken.refresh_from_db()
    assert taken.batch == 1
    # A batch of 500 is a handful of queries, not 500 inserts.
    monkeypatch.undo()
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        campaigns.make_codes(by=world.station_head, campaign=campaign, beat=world.beat_a, count=500)
    assert InviteCode.objects.filter(campaign=campaign, batch=3).count() == 500
