"""The replica router: rollup reads go to the replica when one is configured; nothing else does."""

from __future__ import annotations

from django.conf import settings

from rabta.core.db_router import ReplicaRouter
from rabta.insights.models import HexCount, Measure, Population, RefreshState
from rabta.reports.models import Report


def test_rollups_are_read_from_the_replica_and_written_to_the_primary(monkeypatch):
    monkeypatch.setitem(settings.DATABASES, "replica", {"ENGINE": "django.db.backends.postgresql"})
    router = ReplicaRouter()
    assert [router.db_for_read(m) for m in (Measure, Population, HexCount)] == ["replica"] * 3
    assert router.db_for_write(Measure) == "default"
    # A resident who just sent a report must find it: records are read from the primary, and so is
    # the refresh's own bookkeeping.
    assert router.db_for_read(Report) is None
    assert router.db_for_read(RefreshState) is None
    assert router.allow_migrate("replica", "insights") is False
    assert router.allow_migrate("default", "insights") is True


def test_without_a_replica_everything_uses_the_primary():
    assert "replica" not in settings.DATABASES
    assert ReplicaRouter().db_for_read(Measure) is None
