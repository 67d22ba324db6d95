"""Survey results (rabta.feedback.results): figures by group on factory-made answers, suppression and
publication rules, staff pages by persona, the public page, and query counts constant in beats."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rabta.feedback import results
from rabta.feedback.models import Campaign, CommunityResponse, ContactResponse, Mode
from rabta.places.models import Beat
from tests import factories
from tests.conftest import World, verified_client
from tests.personas import extra_personas
from tests.queries import assert_constant_queries

TODAY = timezone.localdate()
# Headings as the pages write them: ranges isolated left to right (see test_signs_read_left_to_right...).
TRUST_LABEL = 'Trust score (<bdi dir="ltr">0-100</bdi>)'
PJ_LABEL = 'Fair treatment: PJ index (<bdi dir="ltr">1-5</bdi>)'
# The public results page: the beat, the closed rounds, the finished months, the round's answers and
# the month's answers.
PUBLIC_RESULTS = 5


def campaign(beats: list[Beat], *, closed: bool = True, name: str = "Round 1") -> Campaign:
    if closed:
        opens, closes = TODAY - dt.timedelta(days=40), TODAY - dt.timedelta(days=10)
    else:
        opens, closes = TODAY - dt.timedelta(days=5), TODAY + dt.timedelta(days=5)
    c = Campaign.objects.create(name=name, opens_on=opens, closes_on=closes)
    c.beats.set(beats)
    return c


def answers(beat: Beat, camp: Campaign, k: int, *, mode: str = Mode.WEB, **fields: Any) -> None:
    CommunityResponse.objects.bulk_create(
        CommunityResponse(beat=beat, campaign=camp, mode=mode, answered_on=camp.opens_on, **fields)
        for _ in range(k)
    )


def contacts(beat: Beat, day: dt.date, k: int, **fields: Any) -> None:
    ContactResponse.objects.bulk_create(
        ContactResponse(beat=beat, source="contact", mode=Mode.WEB, answered_on=day, **fields)
        for _ in range(k)
    )


def last_month() -> dt.date:
    return (TODAY.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def set_population(beat: Beat, **counts: int) -> None:
    """Set the beat's population to `counts` (women_15_29=..., men_60=...), every other group to 0."""
    groups = [f"{g}_{b}" for g in ("women", "men") for b in ("15_29", "30_44", "45_59", "60")]
    counts = {name: 0 for name in groups} | counts
    for name, value in counts.items():
        setattr(beat, f"population_{name}", value)
    beat.save(update_fields=[f"population_{name}" for name in counts])


def round_one(world: World) -> Campaign:
    """Beat A: 6 young women (trust 20, unsafe after dark 3, never 2, safe 1), 7 older men (trust 60, 1
    very unsafe of 7), 2 of unstated gender and age (trust 50, don't know)."""
    camp = campaign([world.beat_a, world.beat_b])
    base = {
        "trust_respect": 2,
        "trust_listen": 2,
        "gender": "woman",
        "age_band": "15_29",
        "knows_officer": False,
    }
    answers(world.beat_a, camp, 3, walk_dark="bit_unsafe", **base)
    answers(world.beat_a, camp, 2, walk_dark="never", **base)
    answers(world.beat_a, camp, 1, walk_dark="very_safe", **base)
    men: dict[str, Any] = {
        "trust_respect": 6,
        "trust_listen": 6,
        "gender": "man",
        "age_band": "30_44",
        "knows_officer": True,
    }
    answers(world.beat_a, camp, 6, walk_dark="fairly_safe", **men)
    answers(world.beat_a, camp, 1, walk_dark="very_unsafe", **men)
    answers(world.beat_a, camp, 2, trust_respect=5, trust_listen=5, walk_dark="dont_know")
    set_population(world.beat_a, women_15_29=500, men_30_44=500)
    return camp


def test_community_figures_by_group(world: World) -> None:
    camp = round_one(world)
    res = results.community_results(
        responses=CommunityResponse.objects.all(), beats=[world.beat_a], campaign=camp
    )
    rows = {r.figure.key: r for r in res.rows}
    trust = rows["trust"].cells
    assert res.respondents == 15
    assert (trust["all"].n, trust["all"].value) == (15, pytest.approx((6 * 20 + 7 * 60 + 2 * 50) / 15))
    assert (trust["woman"].value, trust["man"].value) == (20.0, 60.0)
    # 2 of unstated gender: hidden, and women (6 < 7) with them so 15 - 7 cannot give them away.
    assert trust["gender_other"].hidden and trust["woman"].hidden and not trust["man"].hidden
    # Weighted: half the population each, women at 20 and men at 60; the unstated two are left out.
    assert trust["all"].weighted == pytest.approx(40.0)
    assert trust["all"].weighted_n == 13
    # Older (all 30-44) is 7; youth 6; age unknown 2 is hidden and youth with it.
    assert trust["older"].n == 7 and trust["15_29"].hidden and trust["age_unknown"].hidden
    assert trust["45_59"].n == 0 and not trust["45_59"].hidden
    dark = rows["unsafe_dark"].cells
    # Unsafe: 3 women + 1 man of the 11 who rated (4 women, 7 men; never and don't know left out).
    assert (dark["all"].successes, dark["all"].n) == (4, 11)
    assert dark["all"].interval == pytest.approx((0.15166, 0.64620), abs=1e-5)
    avoid = rows["avoid_dark"].cells
    assert (avoid["all"].successes, avoid["all"].n) == (2, 15)
    assert dark["all"].value == 4 / 11
    assert (dark["woman"].successes, dark["woman"].n, dark["man"].successes, dark["man"].n) == (3, 4, 1, 7)
    # Weighted: women (3 of 4) and men (1 of 7) at half the population each, (3/4 + 1/7) / 2 = 25/56.
    # w = 0.5 / (4/11) = 11/8 for the women, 0.5 / (7/11) = 11/14 for the men.
    assert dark["all"].weighted == pytest.approx(25 / 56, abs=1e-12)
    assert dark["all"].weighted_n == 11
    # Women rated 4 times: hidden; the unstated two did not rate (an empty cell, shown as a dash), so
    # the men go too, or 11 - 7 would give the women away.
    assert dark["woman"].hidden and dark["man"].hidden and not dark["gender_other"].hidden
    assert dark["gender_other"].n == 0
    view = {c.column: c for c in rows["unsafe_dark"].view}
    assert (view["all"].value, view["all"].interval, view["all"].weighted, view["all"].n) == (
        "36%",
        "15\u2060–\u206065%",
        "45%",
        11,
    )
    # Men: 1 of 7, Wilson 0.02568 to 0.51313, computed but not shown with the cell hidden.
    assert dark["man"].interval == pytest.approx((0.02568, 0.51313), abs=1e-5)
    assert (view["man"].value, view["man"].interval, view["man"].n) == ("–", "", 0)
    # By age: 15-29 (the 4 women) hidden, then 30 and over (age not stated is empty), then 30-44, or
    # 30 and over would be 30-44 + 0 + 0 and 15-29 = 11 - 30 and over.
    assert {c for c, cell in dark.items() if cell.hidden} == {"woman", "man", "15_29", "older", "30_44"}
    avoid = rows["avoid_dark"].cells
    # Avoidance: "never" over all 15 who answered, "don't know" included; 2 women of 6, no man of 7.
    assert (avoid["all"].successes, avoid["all"].n, avoid["all"].value) == (2, 15, 2 / 15)
    assert avoid["woman"].hidden and avoid["gender_other"].hidden
    assert (avoid["man"].successes, avoid["man"].n, avoid["man"].value) == (0, 7, 0.0)
    knows = rows["knows_officer"].cells
    assert (knows["all"].successes, knows["all"].n) == (7, 13)
    # Trust shown: whole numbers on the 0-100 scale, hidden cells as a dash with no n.
    trust_view = {c.column: c for c in rows["trust"].view}
    assert (trust_view["all"].value, trust_view["all"].weighted, trust_view["all"].n) == ("43", "40", 15)
    assert (trust_view["woman"].value, trust_view["woman"].weighted, trust_view["woman"].n) == ("–", "–", 0)
    assert trust_view["60"].shown_label == '<bdi dir="ltr">60+</bdi>'
    assert trust_view["woman"].shown_label == "Women"


def test_gaps_and_missing_population_groups(world: World) -> None:
    camp = campaign([world.beat_a])
    answers(world.beat_a, camp, 5, safety=2, gender="woman", age_band="15_29")
    answers(world.beat_a, camp, 5, safety=8, gender="man", age_band="45_59")
    set_population(world.beat_a, women_15_29=100, men_45_59=100, women_60=50)
    res = results.community_results(
        responses=CommunityResponse.objects.all(), beats=[world.beat_a], campaign=camp
    )
    safety = next(r for r in res.rows if r.figure.key == "safety")
    # The signed gap is isolated left to right, or an Urdu page would show "6.0-".
    assert safety.gender_gap == '<bdi dir="ltr">-6.0</bdi>'
    assert safety.age_gap == '<bdi dir="ltr">-6.0</bdi>'
    # Weighted: within each group everyone is in one stratum, so the same gap.
    assert safety.gender_gap_weighted == '<bdi dir="ltr">-6.0</bdi>'
    assert safety.missing == ((world.beat_a.pk, "women", "60"),)
    assert safety.covered_percent == 80


def test_weighting_over_two_beats_leaves_out_strata_without_respondents(world: World) -> None:
    """Strata are beat x gender x age band: each beat's groups count at their share of the area."""
    camp = campaign([world.beat_a, world.beat_b])
    answers(world.beat_a, camp, 6, safety=2, gender="woman", age_band="30_44")
    answers(world.beat_a, camp, 2, safety=6, gender="man", age_band="30_44")
    answers(world.beat_b, camp, 2, safety=10, gender="woman", age_band="30_44")
    set_population(world.beat_a, women_30_44=100, men_30_44=300)
    set_population(world.beat_b, women_30_44=400, men_30_44=200)
    res = results.community_results(
        responses=CommunityResponse.objects.all(), beats=[world.beat_a, world.beat_b], campaign=camp
    )
    safety = next(r for r in res.rows if r.figure.key == "safety")
    everyone = safety.cells["all"]
    # Unweighted (6 x 2 + 2 x 6 + 2 x 10) / 10 = 4.4. Weighted: 0.1 x 2 + 0.3 x 6 + 0.4 x 10 over the
    # 0.8 of the population with respondents (beat B's men have none): 6.0 / 0.8 = 7.5.
    assert everyone.value == pytest.approx(4.4, abs=1e-12)
    assert everyone.weighted == pytest.approx(7.5, abs=1e-12)
    assert safety.missing == ((world.beat_b.pk, "men", "30_44"),)
    assert safety.covered_percent == 80
    # Women only: 0.1 x 2 + 0.4 x 10 over 0.5 = 8.4, against (6 x 2 + 2 x 10) / 8 = 4.0 unweighted.
    assert safety.cells["woman"].value == pytest.approx(4.0, abs=1e-12)
    assert safety.cells["woman"].weighted == pytest.approx(8.4, abs=1e-12)
    # Per beat: beat B's 2 are hidden, and beat A's 8 with them, or 10 - 8 would give them away.
    by_beat = {row.beat.pk: row for row in res.beat_rows}
    assert by_beat[world.beat_b.pk].cells["safety"].hidden and by_beat[world.beat_a.pk].cells["safety"].hidden


def test_open_link_answers_are_counted_apart(world: World) -> None:
    camp = campaign([world.beat_a])
    answers(world.beat_a, camp, 5, safety=5)
    answers(world.beat_a, camp, 3, safety=0, mode=Mode.OPEN_LINK)
    res = results.community_results(
        responses=CommunityResponse.objects.all(), beats=[world.beat_a], campaign=camp
    )
    assert res.respondents == 5 and res.open_link == 3
    assert next(r for r in res.rows if r.figure.key == "safety").cells["all"].value == 5.0


def test_contact_pj_index_and_all_four_by_month(world: World) -> None:
    month = last_month()
    contacts(world.beat_a, month, 5, voice=5, neutrality=4, respect=4, motives=5, gender="man")
    contacts(world.beat_a, month, 5, voice=2, neutrality=None, respect=3, motives=1, gender="woman")
    contacts(world.beat_a, month - dt.timedelta(days=1), 4, voice=1, neutrality=1, respect=1, motives=1)
    res = results.contact_results(responses=ContactResponse.objects.all(), beats=[world.beat_a], month=month)
    rows = {r.figure.key: r for r in res.rows}
    assert res.respondents == 10
    assert rows["pj_index"].cells["all"].value == pytest.approx(3.25)
    # Men 4.5, women (2 + 3 + 1) / 3 = 2.0: everyone (5 x 4.5 + 5 x 2.0) / 10 = 3.25.
    assert rows["pj_index"].cells["man"].value == 4.5 and rows["pj_index"].cells["woman"].value == 2.0
    assert rows["pj_index"].gender_gap == '<bdi dir="ltr">-2.5</bdi>'
    all_four = rows["all_four"].cells["all"]
    assert (all_four.successes, all_four.n) == (5, 5)  # the women's answers lack neutrality
    # Public: only months that are over.
    this_month = TODAY.replace(day=1)
    public = results.contact_results(
        responses=ContactResponse.objects.all(), beats=[world.beat_a], month=this_month, public=True
    )
    assert not public.published


def test_station_rows_per_beat_suppressed_together(world: World) -> None:
    camp = round_one(world)
    answers(world.beat_b, camp, 3, trust_respect=9, trust_listen=9)
    res = results.community_results(
        responses=CommunityResponse.objects.all(), beats=[world.beat_a, world.beat_b], campaign=camp
    )
    by_beat = {row.beat.code: row for row in res.beat_rows}
    # Shagai's 3 are hidden; Gulabad's 15 with them, or 18 - 15 would give Shagai away.
    assert by_beat["SHG"].cells["trust"].hidden and by_beat["GUL"].cells["trust"].hidden
    assert by_beat["SHG"].view[0] == ('Trust score (<bdi dir="ltr">0-100</bdi>)', "–", 0)


# Staff pages


def beat_url(beat: Beat) -> str:
    return reverse("feedback:beat_results", args=[beat.code])


def test_officer_sees_own_beat_and_not_another(world: World) -> None:
    round_one(world)
    client = verified_client(world.beat_officer)
    page = client.get(beat_url(world.beat_a))
    assert page.status_code == 200
    body = page.content.decode()
    trust = body.split('id="s-trust"')[1].split("</section>")[0]
    assert TRUST_LABEL in trust and "Women minus men" not in trust  # women hidden here
    # Knows an officer: the unstated two did not answer it, so women and men are both shown.
    assert (
        'Women minus men: <bdi dir="ltr">-100</bdi> percentage points'
        ' (weighted <bdi dir="ltr">-100</bdi> percentage points).'
    ) in body
    assert client.get(beat_url(world.beat_b)).status_code == 404
    assert client.get(beat_url(world.beat_c)).status_code == 404
    assert client.get(reverse("feedback:station_results", args=[world.station_a.code])).status_code == 404
    assert client.get(reverse("feedback:district_results", args=[world.district.code])).status_code == 404


def test_station_head_sees_their_station(world: World) -> None:
    camp = round_one(world)
    answers(world.beat_b, camp, 8, trust_respect=9, trust_listen=9)
    client = verified_client(world.station_head)
    page = client.get(reverse("feedback:station_results", args=[world.station_a.code]))
    assert page.status_code == 200
    assert "By beat" in page.content.decode()
    assert client.get(reverse("feedback:station_results", args=[world.station_b.code])).status_code == 404
    assert client.get(beat_url(world.beat_c)).status_code == 404
    assert client.get(reverse("feedback:district_results", args=[world.district.code])).status_code == 404
    index = client.get(reverse("feedback:results"))
    assert world.beat_a.local_name in index.content.decode()
    assert world.beat_c.local_name not in index.content.decode()


def test_district_coordinator_and_admin_see_the_district(world: World) -> None:
    round_one(world)
    for user in (world.district_coordinator, world.admin_user):
        page = verified_client(user).get(reverse("feedback:district_results", args=[world.district.code]))
        assert page.status_code == 200


def test_far_district_is_404(world: World) -> None:
    round_one(world)
    far = extra_personas(world)["far_oversight"]
    client = verified_client(far)
    assert client.get(beat_url(world.beat_a)).status_code == 404
    assert client.get(reverse("feedback:district_results", args=[world.district.code])).status_code == 404


def test_residents_and_anonymous_are_kept_out(world: World, client: Client) -> None:
    round_one(world)
    url = beat_url(world.beat_a)
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and reverse("people:login") in anonymous["Location"]
    client.force_login(world.resident)
    assert client.get(url).status_code == 403
    volunteer = extra_personas(world)["volunteer"]
    client.force_login(volunteer)
    assert client.get(url).status_code == 403


def test_period_parameters(world: World) -> None:
    camp = round_one(world)
    other = campaign([world.beat_c], name="Elsewhere")
    client = verified_client(world.beat_officer)
    url = beat_url(world.beat_a)
    assert client.get(url, {"campaign": camp.pk}).status_code == 200
    assert client.get(url, {"campaign": other.pk}).status_code == 404
    assert client.get(url, {"campaign": "x"}).status_code == 400
    assert client.get(url, {"month": "2026-13"}).status_code == 400
    assert client.get(url, {"month": last_month().strftime("%Y-%m")}).status_code == 200


def test_district_page_queries_constant_in_beats(world: World) -> None:
    camp = campaign([world.beat_a])
    client = verified_client(world.district_coordinator)
    url = reverse("feedback:district_results", args=[world.district.code])
    month = last_month()

    def more_beats(k: int) -> None:
        for _ in range(k):
            beat = factories.beat(world.station_a)
            camp.beats.add(beat)
            answers(beat, camp, 6, trust_respect=4, trust_listen=6, gender="woman", age_band="30_44")
            contacts(beat, month, 5, voice=4, neutrality=4, respect=4, motives=4)

    proof = assert_constant_queries(client, url, more_beats)
    assert proof.large.content.decode().count("(n=6)") >= 6


# The public page


def public_url(beat: Beat) -> str:
    return reverse("feedback:public_results", args=[beat.code])


def test_public_page_shows_nothing_from_an_open_campaign(world: World, client: Client) -> None:
    camp = campaign([world.beat_a], closed=False)
    answers(world.beat_a, camp, 20, trust_respect=3, trust_listen=3, gender="woman", age_band="15_29")
    contacts(world.beat_a, TODAY, 10, voice=5, neutrality=5, respect=5, motives=5)
    page = client.get(public_url(world.beat_a))
    assert page.status_code == 200
    body = page.content.decode()
    assert "No survey results have been published for this neighbourhood yet." in body
    assert "Trust score" not in body and "<table" not in body
    # Asking for the open round by its id does not show it either.
    assert client.get(public_url(world.beat_a), {"campaign": camp.pk}).status_code == 404


def test_public_page_suppresses_small_cells(world: World, client: Client) -> None:
    public_results_world(world)
    page = client.get(public_url(world.beat_a))
    body = page.content.decode()
    assert page.status_code == 200
    assert TRUST_LABEL in body and PJ_LABEL in body
    assert "Unsafe walking alone after dark" in body
    trust = body.split(TRUST_LABEL)[1].split("</table>")[0]
    # Men (7) shown; women (6) hidden with the 2 of unstated gender; no zero anywhere for a hidden cell.
    assert "<td>60</td>" in trust and "<td>20</td>" not in trust
    assert "<td>0</td>" not in body
    pj = body.split(PJ_LABEL)[1].split("</table>")[0]
    # 3 women hidden; then men would give them away (12 - 9), so men go too.
    assert "3.0" not in pj and "5.0" not in pj and "<td>12</td>" in pj
    # Staff-only figures stay off the public page.
    assert "Knows an officer" not in body and "Would report" not in body


def public_results_world(world: World) -> None:
    """What the page budget measures (tests/public_pages.py): a closed round and a finished month."""
    if Campaign.objects.filter(name="Round 1").exists():  # one world, three languages
        return
    round_one(world)
    contacts(world.beat_a, last_month(), 3, voice=5, neutrality=5, respect=5, motives=5, gender="woman")
    contacts(world.beat_a, last_month(), 9, voice=3, neutrality=3, respect=3, motives=3, gender="man")


def test_public_page_queries(world: World, client: Client, django_assert_num_queries: Any) -> None:
    public_results_world(world)
    client.get(public_url(world.beat_a))
    # The beat, the closed rounds, the finished months, the round's answers, the month's answers.
    with django_assert_num_queries(PUBLIC_RESULTS):
        assert client.get(public_url(world.beat_a)).status_code == 200


def test_staff_see_only_the_count_of_an_open_round_and_of_this_month(world: World) -> None:
    camp = campaign([world.beat_a], closed=False)
    answers(world.beat_a, camp, 20, trust_respect=3, trust_listen=3, gender="woman", age_band="15_29")
    contacts(world.beat_a, TODAY, 10, voice=5, neutrality=5, respect=5, motives=5)
    res = results.community_results(
        responses=CommunityResponse.objects.all(), beats=[world.beat_a], campaign=camp
    )
    assert res.still_open and not res.published and res.respondents == 20 and res.rows == []
    month = results.contact_results(
        responses=ContactResponse.objects.all(), beats=[world.beat_a], month=TODAY
    )
    assert month.still_open and month.respondents == 10 and month.rows == []
    body = verified_client(world.beat_officer).get(beat_url(world.beat_a)).content.decode()
    assert "Round 1: 20 answers so far." in body and "Still open: figures are shown once" in body
    assert "10 answers so far." in body and "This month is not over" in body
    assert "<table" not in body and "Trust score" not in body


def test_signs_read_left_to_right_in_urdu(world: World) -> None:
    round_one(world)
    answers(world.beat_a, Campaign.objects.get(name="Round 1"), 6, safety=5, gender="man", age_band="60")
    page = verified_client(world.beat_officer).get(
        reverse("feedback:beat_results", args=[world.beat_a.code]).replace("/en/", "/ur/", 1)
    )
    body = page.content.decode()
    assert page.status_code == 200 and 'dir="rtl"' in body
    assert '<th scope="row"><bdi dir="ltr">60+</bdi></th>' in body
    assert body.count("60+") == body.count('<bdi dir="ltr">60+</bdi>')
    # The Urdu heading keeps its range left to right, and each gap is a paragraph of its own.
    assert '(<bdi dir="ltr">0-100</bdi>)' in body
    assert '<p class="gap">15-29 ' in body
    assert '<bdi dir="ltr">-' in body  # a signed gap


def test_isolate_numbers() -> None:
    assert results.isolate_numbers("60+") == '<bdi dir="ltr">60+</bdi>'
    assert (
        results.isolate_numbers("ages 15-29, 30 and over") == 'ages <bdi dir="ltr">15-29</bdi>, 30 and over'
    )
    assert results.isolate_numbers("<b>-6.0</b>") == '&lt;b&gt;<bdi dir="ltr">-6.0</bdi>&lt;/b&gt;'


def test_public_page_for_a_beat_without_data(world: World, client: Client) -> None:
    body = client.get(public_url(world.beat_c)).content.decode()
    assert "No survey results have been published for this neighbourhood yet." in body
    assert client.get(reverse("feedback:public_results", args=["NOPE"])).status_code == 404


def test_beat_page_links_the_results(world: World, client: Client) -> None:
    body = client.get(reverse("site:beat", args=[world.beat_a.code])).content.decode()
    assert public_url(world.beat_a) in body


def test_a_figure_nobody_could_weight_says_so(world: World) -> None:
    # Gender but no age: nothing can be weighted, and the page says why rather than "None%".
    contacts(world.beat_a, last_month(), 6, voice=4, neutrality=4, respect=4, motives=4, gender="man")
    body = verified_client(world.beat_officer).get(beat_url(world.beat_a)).content.decode()
    assert "No answer here could be weighted" in body and "None%" not in body
    # A question nobody answered is one sentence, not a table of dashes.
    camp = campaign([world.beat_a])
    answers(world.beat_a, camp, 6, safety=5)
    body = verified_client(world.beat_officer).get(beat_url(world.beat_a)).content.decode()
    assert body.count("No one answered this question.") == len(results.COMMUNITY_FIGURES) - 1
