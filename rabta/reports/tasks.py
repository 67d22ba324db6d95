"""Deadline checks. `sweep_overdue` runs every few minutes on the task worker (rabta.core.periodic)
and flags every report past a deadline; `manage.py flag_overdue` runs the same code by hand or from
cron. One sweep instead of a task per report and deadline keeps intake to one write per report; a
flag is at most one sweep interval late, on deadlines measured in hours and days."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
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
    overdue_q,
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


# Reports flagged per transaction: the sweep's statements grow with the backlog / BATCH, not with it.
BATCH = 2000


@dataclass(frozen=True)
class _Deadlines:
    status: str
    first_contact_due: dt.datetime | None
    resolution_due: dt.datetime | None


def flag_overdue_reports(now: dt.datetime | None = None) -> int:
    """Flag every newly overdue report and tell its supervisors. Returns how many flags were set.

    A few statements per BATCH reports (claim, two updates, one insert of the internal notes) and a
    few per supervisor for the e-mails, one e-mail per supervisor listing that sweep's reports by
    station, sent once the flags are committed; never a statement per report."""
    now = now or timezone.now()
    flagged: dict[int, list[str]] = {}
    while True:
        batch, claimed = _flag_batch(Report.objects.filter(_not_yet_flagged(now)), now=now)
        flagged.update(batch)
        if claimed < BATCH:
            break
    if flagged:
        transaction.on_commit(lambda: notify_supervisors(flagged=flagged))
    return sum(len(kinds) for kinds in flagged.values())


def flag_report(report: Report, *, now: dt.datetime | None = None) -> list[str]:
    """Set the overdue flags this report has earned; returns the kinds newly flagged."""
    now = now or timezone.now()
    flagged, _claimed = _flag_batch(Report.objects.filter(_not_yet_flagged(now), pk=report.pk), now=now)
    if flagged:
        transaction.on_commit(lambda: notify_supervisors(flagged=flagged))
    return flagged.get(report.pk, [])


def _not_yet_flagged(now: dt.datetime) -> Q:
    # Every candidate is overdue (next_due has passed): that range on the queue index keeps the
    # sweep off a scan of every report.
    return overdue_q(now) & (
        (first_contact_missed_q(now) & Q(first_contact_overdue_at__isnull=True))
        | (resolution_missed_q(now) & Q(resolution_overdue_at__isnull=True))
    )


def _flag_batch(candidates: QuerySet[Report], *, now: dt.datetime) -> tuple[dict[int, list[str]], int]:
    """Flag up to BATCH of `candidates`; returns the kinds flagged per report id and how many were claimed."""
    with transaction.atomic():
        # A concurrent sweep skips the rows this one holds (PostgreSQL); the updates below only set a
        # flag that is still empty, and the re-read keeps only what this sweep set.
        rows = list(
            candidates.select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list("pk", "status", "first_contact_due", "resolution_due")[:BATCH]
        )
        first, resolution = [], []
        for pk, status, first_due, resolution_due in rows:
            report = _Deadlines(status, first_due, resolution_due)
            if first_contact_missed(report, now):
                first.append(pk)
            if resolution_missed(report, now):
                resolution.append(pk)
        if first:
            Report.objects.filter(pk__in=first, first_contact_overdue_at__isnull=True).update(
                first_contact_overdue_at=now
            )
        if resolution:
            Report.objects.filter(pk__in=resolution, resolution_overdue_at__isnull=True).update(
                resolution_overdue_at=now
            )
        flagged: dict[int, list[str]] = {}
        if first or resolution:
            won = Report.objects.filter(pk__in=[*first, *resolution]).values_list(
                "pk", "first_contact_overdue_at", "resolution_overdue_at"
            )
            first_set, resolution_set = set(first), set(resolution)
            for pk, first_at, resolution_at in won:
                kinds = []
                if pk in first_set and first_at == now:
                    kinds.append("first_contact")
                if pk in resolution_set and resolution_at == now:
                    kinds.append("resolution")
                if kinds:
                    flagged[pk] = kinds
        if flagged:
            ReportUpdate.objects.bulk_create(
                [
                    ReportUpdate(
                        report_id=pk,
                        author=None,
                        public=False,
                        note="overdue: " + ", ".join(kinds),
                        created_at=now,
                    )
                    for pk, kinds in flagged.items()
                ]
            )
    return flagged, len(rows)


def supervisors_of(reports: list[Report]) -> dict[User, list[Report]]:
    """Who is told about missed deadlines, and of which reports: station heads of each report's
    station and, for conduct complaints, the oversight members; always only reports each can see
    (visible_to, asked once per supervisor for the whole batch)."""
    unscoped = Q(scope_station__isnull=True, scope_district__isnull=True, scope_beat__isnull=True)
    stations = {r.beat.station_id for r in reports if r.beat is not None}
    districts = {r.beat.station.district_id for r in reports if r.beat is not None}
    candidates = User.objects.filter(is_active=True, role__in=[Role.STATION_HEAD, Role.OVERSIGHT]).filter(
        Q(scope_station_id__in=stations) | Q(scope_district_id__in=districts) | unscoped
    )
    by_pk = {r.pk: r for r in reports}
    found: dict[User, list[Report]] = {}
    for user in candidates.order_by("pk"):
        seen = Report.objects.visible_to(user).filter(pk__in=by_pk).values_list("pk", flat=True)
        mine = [by_pk[pk] for pk in sorted(seen)]
        if mine:
            found[user] = mine
    return found


def notify_supervisors(*, flagged: dict[int, list[str]]) -> int:
    """One e-mail per supervisor for a sweep's newly overdue reports, grouped by station."""
    reports = list(Report.objects.filter(pk__in=flagged).select_related("category", "beat__station"))
    sent = 0
    for user, theirs in supervisors_of(reports).items():
        if not user.email:
            continue
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            if len(theirs) == 1:
                subject = _("Overdue report %(id)s") % {"id": theirs[0].public_id}
            else:
                subject = _("%(count)d overdue reports") % {"count": len(theirs)}
            body = "\n\n".join(
                [
                    *(_station_section(station, rows, flagged) for station, rows in _by_station(theirs)),
                    _("Open them in Rabta's triage pages to act on them.")
                    if len(theirs) > 1
                    else _("Open it in Rabta's triage pages to act on it."),
                ]
            )
        queue_email(to=[user.email], subject=str(subject), body=body, purpose=EmailPurpose.OVERDUE)
        sent += 1
    return sent


def _by_station(reports: list[Report]) -> list[tuple[str, list[Report]]]:
    groups: dict[str, list[Report]] = {}
    for report in sorted(reports, key=lambda r: (r.beat.station.local_name if r.beat else "", r.public_id)):
        groups.setdefault(report.beat.station.local_name if report.beat else "", []).append(report)
    return list(groups.items())


def _station_section(station: str, reports: list[Report], flagged: dict[int, list[str]]) -> str:
    lines = [station] if station else []
    for report in reports:
        kinds = flagged[report.pk]
        due = report.first_contact_due if "first_contact" in kinds else report.resolution_due
        when = formats.date_format(timezone.localtime(due), "j M Y, H:i") if due else ""
        what = (
            _("No first contact was made by %(when)s.")
            if "first_contact" in kinds
            else _("It was not resolved by %(when)s.")
        ) % {"when": when}
        head = _("Report %(id)s (%(category)s) is overdue.") % {
            "id": report.public_id,
            "category": report.category.local_name,
        }
        lines.append(f"{head} {what}")
    return "\n".join(lines)
