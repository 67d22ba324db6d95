"""Deadline checks. `sweep_overdue` runs every few minutes on the task worker (rabta.core.periodic)
and flags every report past a deadline; `manage.py flag_overdue` runs the same code by hand or from
cron. One sweep instead of a task per report and deadline keeps intake to one write per report; a
flag is at most one sweep interval late, on deadlines measured in hours and days."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from rabta.core.models import EmailPurpose
from rabta.core.outbox import queue_email
from rabta.core.periodic import every
from rabta.core.tasks import schedule_next
from rabta.people.models import Role, User
from rabta.reports.deadlines import (
    first_contact_missed,
    first_contact_missed_q,
    resolution_missed,
    resolution_missed_q,
)
from rabta.reports.models import Report, ReportUpdate

logger = logging.getLogger(__name__)


@task()
def sweep_overdue() -> int:
    try:
        return flag_overdue_reports()
    finally:
        schedule_next(sweep_overdue, every(sweep_overdue.module_path))


def flag_overdue_reports(now: dt.datetime | None = None) -> int:
    """Flag every newly overdue report and tell its supervisors. Returns how many flags were set."""
    now = now or timezone.now()
    not_yet_flagged = (first_contact_missed_q(now) & Q(first_contact_overdue_at__isnull=True)) | (
        resolution_missed_q(now) & Q(resolution_overdue_at__isnull=True)
    )
    candidates = Report.objects.filter(not_yet_flagged).select_related("category", "beat__station")
    return sum(len(flag_report(report, now=now)) for report in candidates)


def flag_report(report: Report, *, now: dt.datetime | None = None) -> list[str]:
    """Set the overdue flags this report has earned; returns the kinds newly flagged."""
    now = now or timezone.now()
    kinds: list[str] = []
    fields: list[str] = []
    if first_contact_missed(report, now) and report.first_contact_overdue_at is None:
        report.first_contact_overdue_at = now
        kinds.append("first_contact")
        fields.append("first_contact_overdue_at")
    if resolution_missed(report, now) and report.resolution_overdue_at is None:
        report.resolution_overdue_at = now
        kinds.append("resolution")
        fields.append("resolution_overdue_at")
    if not kinds:
        return []
    with transaction.atomic():
        # Guard against a concurrent sweep: only the first writer wins each flag.
        won = Report.objects.filter(pk=report.pk, **{f"{f}__isnull": True for f in fields}).update(
            **{f: now for f in fields}
        )
        if not won:
            return []
        ReportUpdate.objects.create(
            report=report, author=None, public=False, note="overdue: " + ", ".join(kinds), created_at=now
        )
        transaction.on_commit(lambda: notify_supervisors(report=report, kinds=kinds))
    return kinds


def supervisors_of(report: Report) -> list[User]:
    """Who is told about a missed deadline: station heads of the report's station and, for conduct
    complaints, the oversight members; always only people who can see the report."""
    unscoped = Q(scope_station__isnull=True, scope_district__isnull=True, scope_beat__isnull=True)
    candidates = User.objects.filter(is_active=True, role__in=[Role.STATION_HEAD, Role.OVERSIGHT])
    if report.beat is not None:
        station = report.beat.station
        candidates = candidates.filter(
            Q(scope_station_id=station.pk) | Q(scope_district_id=station.district_id) | unscoped
        )
    else:
        candidates = candidates.filter(unscoped)
    return [u for u in candidates if Report.objects.visible_to(u).filter(pk=report.pk).exists()]


def notify_supervisors(*, report: Report, kinds: list[str]) -> int:
    sent = 0
    for user in supervisors_of(report):
        if not user.email:
            continue
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            due = report.first_contact_due if "first_contact" in kinds else report.resolution_due
            when = formats.date_format(timezone.localtime(due), "j M Y, H:i") if due else ""
            what = (
                _("No first contact was made by %(when)s.")
                if "first_contact" in kinds
                else _("It was not resolved by %(when)s.")
            ) % {"when": when}
            subject = _("Overdue report %(id)s") % {"id": report.public_id}
            body = "\n\n".join(
                [
                    _("Report %(id)s (%(category)s) is overdue.")
                    % {"id": report.public_id, "category": report.category.name},
                    what,
                    _("Open it in Rabta's triage pages to act on it."),
                ]
            )
        queue_email(to=[user.email], subject=str(subject), body=body, purpose=EmailPurpose.OVERDUE)
        sent += 1
    return sent
