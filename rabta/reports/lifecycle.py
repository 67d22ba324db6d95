"""The report lifecycle as data: which status may follow which, and what each move needs.

Kept apart from the model so tests, the triage pages and the API read one table.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    REFERRED = "referred", _("Referred")
    DUPLICATE = "duplicate", _("Duplicate")
    CLOSED = "closed", _("Closed")


S = Status

# from-status -> statuses it may move to. Anything else is refused.
#   * Leaving NEW in any way counts as first contact (acknowledged_at is set).
#   * A report is resolved only after someone acknowledged it: the first-contact
#     deadline must not be skipped by resolving silently.
#   * RESOLVED, REFERRED and DUPLICATE can be reopened (back to IN_PROGRESS / ACKNOWLEDGED)
#     when the resident says it is not fixed or the duplicate link was wrong.
#   * CLOSED is final: a new concern is a new report.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.ACKNOWLEDGED, S.IN_PROGRESS, S.REFERRED, S.DUPLICATE, S.CLOSED}),
    S.ACKNOWLEDGED: frozenset({S.IN_PROGRESS, S.RESOLVED, S.REFERRED, S.DUPLICATE, S.CLOSED}),
    S.IN_PROGRESS: frozenset({S.RESOLVED, S.REFERRED, S.DUPLICATE, S.CLOSED}),
    S.RESOLVED: frozenset({S.IN_PROGRESS, S.CLOSED}),
    S.REFERRED: frozenset({S.IN_PROGRESS, S.CLOSED}),
    S.DUPLICATE: frozenset({S.ACKNOWLEDGED, S.CLOSED}),
    S.CLOSED: frozenset(),
}

# The resident's own move ("not fixed"): a resolved report goes back to work, with the resident's
# reason, for this long after it was resolved. Later a new concern is a new report.
RESIDENT_REOPEN_DAYS = 30
RESIDENT_TRANSITIONS: dict[str, str] = {S.RESOLVED: S.IN_PROGRESS}

# Statuses in which someone still owes the resident work (deadlines run, counts as "open").
OPEN_STATUSES = frozenset({S.NEW, S.ACKNOWLEDGED, S.IN_PROGRESS})
# The timestamp field written when a report enters each status.
TIMESTAMP_FIELDS: dict[str, str] = {
    S.ACKNOWLEDGED: "acknowledged_at",
    S.IN_PROGRESS: "started_at",
    S.RESOLVED: "resolved_at",
    S.REFERRED: "referred_at",
    S.DUPLICATE: "duplicate_at",
    S.CLOSED: "closed_at",
}


class IllegalTransition(Exception):
    """A status change the lifecycle does not allow; the message names both statuses."""

    def __init__(self, current: str, wanted: str, why: str = ""):
        self.current = current = str(current)
        self.wanted = wanted = str(wanted)
        message = f"a report cannot go from {current!r} to {wanted!r}"
        super().__init__(f"{message}: {why}" if why else message)


def allowed(current: str, wanted: str) -> bool:
    return wanted in TRANSITIONS.get(current, frozenset())
