"""Routing and access at the model layer: every persona x every kind of report sees exactly what it may."""

from __future__ import annotations

from typing import Any

import pytest

from rabta.people.models import Role
from rabta.reports.models import Report
from tests import factories
from tests.conftest import World
from tests.personas import extra_personas as build_extra_personas

pytestmark = pytest.mark.django_db

# Who sees a report filed in beat_a (station_a, which has a women's desk).
EXPECTED_BEAT_A = {
    "ordinary": {"beat_officer", "womens_desk_officer", "station_head", "district_coordinator", "admin_user"},
    "womens_desk": {"womens_desk_officer", "station_head"},
    "woman_only": {"womens_desk_officer", "station_head"},
    "conduct": {"oversight"},
}
# beat_c belongs to station_b, which has no women's desk: women are sent to station_a's desk.
EXPECTED_BEAT_C = {
    "ordinary": {"other_station_head", "district_coordinator", "admin_user"},
    "womens_desk": {"womens_desk_officer", "other_station_head"},
    "woman_only": {"womens_desk_officer", "other_station_head"},
    "conduct": {"oversight"},
}


def _reports(world: World, beat: Any) -> dict[str, Report]:
    return {
        "ordinary": factories.report("theft", beat_obj=beat).report,
        "womens_desk": factories.report("violence_against_women", beat_obj=beat).report,
        "woman_only": factories.report("street_harassment", beat_obj=beat, woman_officer_only=True).report,
        "conduct": factories.report(
            "police_conduct", beat_obj=beat, subject_officer=world.beat_officer
        ).report,
    }


@pytest.fixture
def extra_personas(world: World) -> dict[str, Any]:
    """People the conftest world lacks, each a way a rule could leak (tests/personas.py)."""
    return build_extra_personas(world)


EXTRA_EXPECTED = {
    "woman_beat_officer": {"ordinary"},
    "far_desk_officer": set(),
    "far_oversight": set(),
    "province_oversight": {"conduct"},
    "province_analyst": set(),
    "volunteer": set(),
}


@pytest.mark.parametrize(
    ("beat_name", "expected"), [("beat_a", EXPECTED_BEAT_A), ("beat_c", EXPECTED_BEAT_C)]
)
def test_visibility_matrix(
    world: World, extra_personas: dict[str, Any], beat_name: str, expected: dict
) -> None:
    reports = _reports(world, getattr(world, beat_name))
    for persona, user in world.personas().items():
        seen = set(Report.objects.visible_to(user).values_list("pk", flat=True))
        for kind, report in reports.items():
            allowed = persona in expected[kind]
            assert (report.pk in seen) == allowed, (
                f"{persona} {'should' if allowed else 'must not'} see {kind}"
            )
    if beat_name == "beat_a":
        for persona, user in extra_personas.items():
            seen = set(Report.objects.visible_to(user).values_list("pk", flat=True))
            got = {kind for kind, report in reports.items() if report.pk in seen}
            assert got == EXTRA_EXPECTED[persona], persona


def test_named_officer_never_sees_the_complaint_even_as_oversight(world: World) -> None:
    accused = factories.user(Role.OVERSIGHT, scope_district=world.district)
    report = factories.report("police_conduct", beat_obj=world.beat_a, subject_officer=accused).report
    assert not Report.objects.visible_to(accused).filter(pk=report.pk).exists()
    assert Report.objects.visible_to(world.oversight).filter(pk=report.pk).exists()


def test_anonymous_and_inactive_users_see_nothing(world: World) -> None:
    from django.contrib.auth.models import AnonymousUser

    factories.report("theft", beat_obj=world.beat_a)
    assert not Report.objects.visible_to(AnonymousUser()).exists()
    world.station_head.is_active = False
    world.station_head.save(update_fields=["is_active"])
    assert not Report.objects.visible_to(world.station_head).exists()


def test_beat_comes_from_the_location(world: World) -> None:
    submission = factories.report("theft", lat=34.8053, lon=71.8151)
    report = submission.report
    assert report.beat == world.beat_b
    # The public point is the centre of a ~250 m cell, never the reported point.
    assert (report.public_lat, report.public_lon) != (report.lat, report.lon)
    assert abs(report.public_lat - report.lat) < 0.0012 and abs(report.public_lon - report.lon) < 0.0016


def test_visible_to_costs_few_queries(world: World, django_assert_max_num_queries: Any) -> None:
    for _ in range(5):
        factories.report("theft", beat_obj=world.beat_a)
    # The categories' sensitivities, her beats and desk, her desk's beats, then the reports.
    with django_assert_max_num_queries(4):
        assert len(list(Report.objects.visible_to(world.womens_desk_officer).select_related("category"))) == 5
