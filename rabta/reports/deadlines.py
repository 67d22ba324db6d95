"""When a report is overdue: the one rule, as a filter for querysets and as a test on one report.

A report gets two deadlines at intake, from its category (`Report.set_deadlines`):
* first contact is missed while the report is still NEW after `first_contact_due`;
* resolution is missed while the report is open (OPEN_STATUSES) after `resolution_due`.
A deadline equal to `now` is not missed yet. A report is overdue when it missed either one.
First contact is never due after resolution (set_deadlines), so a report is overdue exactly when
`next_due`, the deadline running now, has passed: the queue's single sort key. The
queue sorts on the filter form, the triage pages and the API read the per-report form, and the
sweep (tasks.py) flags each missed deadline once; tests check that both forms agree.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from django.db.models import Case, DateTimeField, F, Q, Value, When

from rabta.reports.lifecycle import OPEN_STATUSES, Status


class HasDeadlines(Protocol):
    """What the rule reads from a report."""

    @property
    def status(self) -> str: ...
    @property
    def first_contact_due(self) -> dt.datetime | None: ...
    @property
    def resolution_due(self) -> dt.datetime | None: ...


def first_contact_missed_q(now: dt.datetime) -> Q:
    return Q(status=Status.NEW, first_contact_due__lt=now)


def resolution_missed_q(now: dt.datetime) -> Q:
    return Q(status__in=OPEN_STATUSES, resolution_due__lt=now)


def overdue_q(now: dt.datetime) -> Q:
    """first_contact_missed_q | resolution_missed_q, said through the stored running deadline
    (Report.next_due), which the queue's index holds: one range instead of two ORed scans."""
    return Q(next_due__lt=now)


def first_contact_missed(report: HasDeadlines, now: dt.datetime) -> bool:
    due = report.first_contact_due
    return report.status == Status.NEW and due is not None and due < now


def resolution_missed(report: HasDeadlines, now: dt.datetime) -> bool:
    due = report.resolution_due
    return report.status in OPEN_STATUSES and due is not None and due < now


def is_overdue(report: HasDeadlines, now: dt.datetime) -> bool:
    return first_contact_missed(report, now) or resolution_missed(report, now)


def next_due() -> Case:
    """The deadline that runs now, as an expression: first contact while NEW, then resolution while
    open, none once the report is no longer open."""
    return Case(
        When(status=Status.NEW, then=F("first_contact_due")),
        # Sorted: the expression is stored in a migration (Report.next_due) and must not change order.
        When(status__in=sorted(OPEN_STATUSES), then=F("resolution_due")),
        default=Value(None),
        output_field=DateTimeField(),
    )
