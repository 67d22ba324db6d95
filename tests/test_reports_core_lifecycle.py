"""The report lifecycle against its transition table: unit checks and a stateful hypothesis test."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from rabta.reports.lifecycle import OPEN_STATUSES, TIMESTAMP_FIELDS, TRANSITIONS, IllegalTransition, Status
from rabta.reports.models import Report, ReportUpdate
from rabta.reports.services import change_status
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db


def test_every_status_has_a_row_and_closed_is_final() -> None:
    assert set(TRANSITIONS) == set(Status.values)
    assert TRANSITIONS[Status.CLOSED] == frozenset()
    assert Status.RESOLVED not in TRANSITIONS[Status.NEW]  # no silent resolution without first contact


def test_acknowledge_timestamps_and_writes_public_note(world: World) -> None:
    report = factories.report(beat_obj=world.beat_a).report
    update = report.acknowledge(by=world.beat_officer, note="We will visit tomorrow.")
    report.refresh_from_db()
    assert report.status == Status.ACKNOWLEDGED and report.acknowledged_at is not None
    assert (update.from_status, update.to_status, update.public) == (Status.NEW, Status.ACKNOWLEDGED, True)
    assert update.note == "We will visit tomorrow." and update.author == world.beat_officer


def test_illegal_transition_is_refused_and_changes_nothing(world: World) -> None:
    report = factories.report(beat_obj=world.beat_a).report
    before = ReportUpdate.objects.filter(report=report).count()
    with pytest.raises(IllegalTransition, match="'new' to 'resolved'"):
        report.resolve(by=world.beat_officer)
    report.refresh_from_db()
    assert report.status == Status.NEW and report.resolved_at is None
    assert ReportUpdate.objects.filter(report=report).count() == before


def test_reasons_are_required(world: World) -> None:
    report = factories.report(beat_obj=world.beat_a).report
    with pytest.raises(IllegalTransition, match="agency or council"):
        report.refer(by=world.beat_officer, to="  ")
    with pytest.raises(IllegalTransition, match="reason"):
        report.close(by=world.beat_officer, reason="")
    with pytest.raises(IllegalTransition, match="which report"):
        change_status(report=report, by=world.beat_officer, to=Status.DUPLICATE)
    report.refer(by=world.beat_officer, to="Dispute Resolution Council, Timergara")
    report.refresh_from_db()
    assert report.referred_to == "Dispute Resolution Council, Timergara" and report.referred_at


def test_duplicate_points_at_the_original_and_reopen_unlinks(world: World) -> None:
    first = factories.report(beat_obj=world.beat_a).report
    second = factories.report(beat_obj=world.beat_a).report
    third = factories.report(beat_obj=world.beat_a).report
    second.mark_duplicate(by=world.beat_officer, of=first)
    third.mark_duplicate(by=world.beat_officer, of=second)  # chain collapses to the original
    assert third.duplicate_of == first
    with pytest.raises(IllegalTransition):
        first.mark_duplicate(by=world.beat_officer, of=first)
    third.reopen(by=world.beat_officer)
    third.refresh_from_db()
    assert third.status == Status.ACKNOWLEDGED and third.duplicate_of is None and third.reopened_at


def _random_target(data: st.DataObject) -> str:
    return data.draw(st.sampled_from(Status.values))


class LifecycleMachine(RuleBasedStateMachine):
    """Random status changes through the service; the model must agree with the table at every step."""

    world: World

    @initialize()
    def make_report(self) -> None:
        self.report = factories.report(beat_obj=self.world.beat_a).report
        self.other = factories.report(beat_obj=self.world.beat_a).report
        self.expected = Status.NEW
        self.history = 1  # the intake writes one update
        self.first_contact_seen = False

    @rule(data=st.data(), note=st.sampled_from(["", "On our way."]), public=st.booleans())
    def move(self, data: st.DataObject, note: str, public: bool) -> None:
        wanted = _random_target(data)
        legal = wanted in TRANSITIONS[self.expected]
        try:
            change_status(
                report=self.report,
                by=self.world.beat_officer,
                to=wanted,
                note=note,
                public=public,
                referred_to="Municipal committee",
                duplicate_of=self.other,
                reason="Resolved with the resident",
            )
        except IllegalTransition:
            assert not legal, f"{self.expected} -> {wanted} is in the table but was refused"
            return
        assert legal, f"{self.expected} -> {wanted} is not in the table but was allowed"
        self.expected = wanted
        self.history += 1
        stamp = TIMESTAMP_FIELDS.get(wanted)
        fresh = Report.objects.get(pk=self.report.pk)
        if stamp:
            assert getattr(fresh, stamp) is not None
        self.first_contact_seen = True

    @invariant()
    def matches_database(self) -> None:
        if not hasattr(self, "report"):
            return
        fresh = Report.objects.get(pk=self.report.pk)
        assert fresh.status == self.expected
        assert fresh.updates.count() == self.history
        # Leaving NEW is first contact; it is never lost afterwards.
        assert (fresh.acknowledged_at is not None) == self.first_contact_seen
        if fresh.status == Status.DUPLICATE:
            assert fresh.duplicate_of_id == self.other.pk
        elif fresh.duplicate_of_id is not None:  # a closed duplicate keeps its link
            assert fresh.status == Status.CLOSED
        assert fresh.is_open == (fresh.status in OPEN_STATUSES)


def test_lifecycle_state_machine(world: World) -> None:
    LifecycleMachine.world = world
    LifecycleMachine.TestCase.settings = settings(
        max_examples=20,
        stateful_step_count=10,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    LifecycleMachine.TestCase().runTest()
