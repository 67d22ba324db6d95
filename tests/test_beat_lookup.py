"""rabta.places.lookup: the per-process beat index, its rebuilds, and what other processes see."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from rabta.places import lookup
from rabta.places.lookup import beat_index
from rabta.places.models import Beat
from tests import factories


@pytest.fixture(autouse=True)
def _fresh_index() -> Iterator[None]:
    # The index is process-wide; another test's beats must not answer here.
    beat_index.invalidate()
    yield
    beat_index.invalidate()


@pytest.fixture
def long_recheck(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if every check below happened within the recheck interval."""
    monkeypatch.setattr(lookup, "RECHECK_SECONDS", 3600.0)


def test_points_find_their_beat_and_a_point_in_no_beat_gets_none(world: Any) -> None:
    assert beat_index.beat_id_at(34.805, 71.805) == world.beat_a.pk
    assert beat_index.beat_id_at(34.805, 71.825) == world.beat_c.pk
    assert beat_index.beat_at(34.805, 71.815) == world.beat_b
    assert beat_index.beat_id_at(34.9, 71.9) is None
    assert beat_index.beat_at(34.9, 71.9) is None
    assert beat_index.beat_id_at(float("nan"), 71.805) is None
    assert beat_index.beat_ids_at([34.805, 34.9], [71.805, 71.9]) == [world.beat_a.pk, None]


def test_saving_a_beat_is_seen_at_once(world: Any, long_recheck: None) -> None:
    assert beat_index.beat_id_at(34.805, 71.845) is None
    new = factories.beat(world.station_a, lon=71.84, lat=34.80)  # Beat.save invalidates
    assert beat_index.beat_id_at(34.805, 71.845) == new.pk
    world.beat_a.boundary = factories.square(71.90, 34.90)
    world.beat_a.save(update_fields=["boundary"])
    assert beat_index.beat_id_at(34.805, 71.805) is None
    assert beat_index.beat_id_at(34.905, 71.905) == world.beat_a.pk
    new.delete()
    assert beat_index.beat_id_at(34.805, 71.845) is None


def test_a_beat_deleted_through_a_queryset_is_gone_at_once(world: Any, long_recheck: None) -> None:
    new = factories.beat(world.station_a, lon=71.84, lat=34.80)
    assert beat_index.beat_id_at(34.805, 71.845) == new.pk
    Beat.objects.filter(pk=new.pk).delete()  # no Beat.delete: the post_delete signal still fires
    assert beat_index.beat_id_at(34.805, 71.845) is None


def test_a_save_of_some_fields_is_stamped_so_other_processes_notice_it(world: Any) -> None:
    before = Beat.objects.get(pk=world.beat_a.pk).updated_at
    world.beat_a.name = "Gulabad Renamed"
    world.beat_a.save(update_fields=["name"])
    after = Beat.objects.get(pk=world.beat_a.pk)
    assert after.name == "Gulabad Renamed"
    assert after.updated_at > before  # the fingerprint other processes compare moves with it


def test_index_is_built_once_and_reused_within_the_recheck_interval(
    world: Any, long_recheck: None, django_assert_num_queries: Any
) -> None:
    beat_index.beat_id_at(34.805, 71.805)
    with django_assert_num_queries(0):
        for _ in range(50):
            assert beat_index.beat_id_at(34.805, 71.805) == world.beat_a.pk


def _write_behind_the_index(world: Any) -> Beat:
    """A beat added the way another process (or a bulk path) would: no Beat.save in this process."""
    (created,) = Beat.objects.bulk_create(
        [
            Beat(
                station=world.station_a,
                code="OTHER",
                name="Added elsewhere",
                boundary=factories.square(71.84, 34.80),
                updated_at=timezone.now(),
            )
        ]
    )
    return Beat.objects.get(code="OTHER") if created.pk is None else created


def test_a_beat_added_elsewhere_is_seen_after_invalidate(world: Any, long_recheck: None) -> None:
    assert beat_index.beat_id_at(34.805, 71.845) is None  # index built now
    added = _write_behind_the_index(world)
    assert beat_index.beat_id_at(34.805, 71.845) is None  # still within the interval: not rechecked
    beat_index.invalidate()
    assert beat_index.beat_id_at(34.805, 71.845) == added.pk


def test_other_processes_see_changes_after_the_recheck_interval(
    world: Any, monkeypatch: pytest.MonkeyPatch, django_assert_max_num_queries: Any
) -> None:
    monkeypatch.setattr(lookup, "RECHECK_SECONDS", 3600.0)
    assert beat_index.beat_id_at(34.805, 71.845) is None
    added = _write_behind_the_index(world)
    monkeypatch.setattr(lookup, "RECHECK_SECONDS", 0.0)  # the interval has passed
    assert beat_index.beat_id_at(34.805, 71.845) == added.pk

    # A boundary moved by QuerySet.update (no save, no invalidate) is seen through updated_at.
    Beat.objects.filter(pk=world.beat_a.pk).update(
        boundary=factories.square(71.90, 34.90), updated_at=timezone.now()
    )
    assert beat_index.beat_id_at(34.905, 71.905) == world.beat_a.pk
    # A beat removed without Beat.delete is seen through the count.
    Beat.objects.filter(pk=added.pk).delete()
    assert beat_index.beat_id_at(34.805, 71.845) is None
    # With nothing changed, a recheck is one cheap query, not a rebuild.
    with django_assert_max_num_queries(1):
        assert beat_index.beat_id_at(34.805, 71.815) == world.beat_b.pk


def test_a_broken_stored_boundary_is_left_out_not_fatal(world: Any, caplog: pytest.LogCaptureFixture) -> None:
    bow_tie = {
        "type": "Polygon",
        "coordinates": [[[71.8, 34.8], [71.81, 34.81], [71.81, 34.8], [71.8, 34.81], [71.8, 34.8]]],
    }
    Beat.objects.filter(pk=world.beat_c.pk).update(boundary=bow_tie, updated_at=timezone.now())
    beat_index.invalidate()
    assert beat_index.beat_id_at(34.805, 71.805) == world.beat_a.pk
    assert beat_index.beat_id_at(34.805, 71.825) is None
    assert "RBT left out of the lookup index" in caplog.text
