"""Officer triage, shared by the staff pages (triage_views.py) and the JSON API (api/).

Everything starts from `Report.objects.visible_to(user)`: a report outside it does not exist here.
Writes go through rabta.reports.services (lifecycle, notifications, audited reveals).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Case, DateTimeField, F, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from rabta.lib.geo import distance_m
from rabta.people.models import STAFF_ROLES, User
from rabta.reports import services
from rabta.reports.lifecycle import OPEN_STATUSES, TRANSITIONS, IllegalTransition, Status
from rabta.reports.models import Report, ReportUpdate

DUPLICATE_RADIUS_M = 300.0
DUPLICATE_WINDOW = dt.timedelta(days=14)
MAX_SUGGESTIONS = 10
QUEUE_PAGE = 50

# The actions a triage page offers, by target status; what the lifecycle allows decides which show.
STATUS_ACTIONS = (Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED, Status.REFERRED, Status.CLOSED)


class ActionError(Exception):
    """An action that cannot be done; str() is a translated message for the officer."""


def visible(user: Any) -> QuerySet[Report]:
    return Report.objects.visible_to(user)


def get_report(user: Any, public_id: str) -> Report:
    report = (
        visible(user)
        .select_related("category", "beat__station", "assignee", "duplicate_of", "subject_officer")
        .filter(public_id=public_id)
        .first()
    )
    if report is None:
        raise Http404("no such report")
    return report


def overdue_q(now: dt.datetime) -> Q:
    # Same rule as ReportQuerySet.overdue(), as a Q so the queue can sort on it.
    return Q(status=Status.NEW, first_contact_due__lt=now) | Q(
        status__in=OPEN_STATUSES, resolution_due__lt=now
    )


@dataclass
class QueueFilters:
    status: str = "open"  # "open", "all" or one Status value
    category: str = ""  # category code
    overdue: bool = False
    beat: str = ""  # beat code
    assigned: str = ""  # "", "me" or "none"


def queue(user: Any, filters: QueueFilters, now: dt.datetime | None = None) -> QuerySet[Report]:
    """The officer's queue: overdue first, then what falls due soonest, then newest."""
    now = now or timezone.now()
    qs = visible(user).select_related("category", "beat", "assignee")
    if filters.status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif filters.status in Status.values:
        qs = qs.filter(status=filters.status)
    if filters.category:
        qs = qs.filter(category__code=filters.category)
    if filters.beat:
        qs = qs.filter(beat__code=filters.beat)
    if filters.assigned == "me":
        qs = qs.filter(assignee_id=user.pk)
    elif filters.assigned == "none":
        qs = qs.filter(assignee__isnull=True)
    late = overdue_q(now)
    if filters.overdue:
        qs = qs.filter(late)
    return qs.annotate(
        is_late=Case(When(late, then=Value(1)), default=Value(0), output_field=IntegerField()),
        next_due=Case(
            When(status=Status.NEW, then=F("first_contact_due")),
            When(status__in=OPEN_STATUSES, then=F("resolution_due")),
            default=Value(None),
            output_field=DateTimeField(),
        ),
    ).order_by("-is_late", F("next_due").asc(nulls_last=True), "-created_at")


class Nearness(models.TextChoices):
    """How close a suggested duplicate is, in bands only. Exact metres on private points would let a
    few decoy reports trilaterate a reporter; a band, and an order inside it that follows dates not
    distance, says only "very near" or "near"."""

    UNDER_100 = "under_100m", _lazy("under 100 m")
    UP_TO_300 = "100_300m", _lazy("100-300 m")
    SAME_BEAT = "same_beat", _lazy("same neighbourhood, no map point")


_NEARNESS_ORDER = {Nearness.UNDER_100: 0, Nearness.UP_TO_300: 1, Nearness.SAME_BEAT: 2}


def _band(metres: float) -> Nearness | None:
    if metres < 100:
        return Nearness.UNDER_100
    if metres <= DUPLICATE_RADIUS_M:
        return Nearness.UP_TO_300
    return None


def duplicate_candidates(user: Any, report: Report) -> list[tuple[Report, Nearness]]:
    """Open reports that may be the same concern: same category, within 14 days of this one, and
    within 300 m on the precise points, or, when either report has no map point (SMS, a feature
    phone, a neighbourhood chosen from the list), in the same beat. Only reports whose content the
    officer may read, and none at all for a report whose content is withheld from them.

    Each comes with a Nearness band; the list is ordered by band, then newest first, so neither the
    labels nor the order give a distance finer than the band.
    """
    if not report.content_visible_to(user):
        return []
    created = report.created_at
    base = (
        Report.objects.content_visible_to(user)
        .filter(
            status__in=OPEN_STATUSES,
            category_id=report.category_id,
            created_at__gte=created - DUPLICATE_WINDOW,
            created_at__lte=created + DUPLICATE_WINDOW,
        )
        .exclude(pk=report.pk)
        .select_related("category", "beat")
    )
    found: dict[int, tuple[Report, Nearness]] = {}
    pinned = report.lat is not None and report.lon is not None
    if pinned:
        assert report.lat is not None and report.lon is not None
        dlat = DUPLICATE_RADIUS_M / 111_320.0
        dlon = DUPLICATE_RADIUS_M / (111_320.0 * max(math.cos(math.radians(report.lat)), 0.01))
        near = base.filter(
            lat__range=(report.lat - dlat, report.lat + dlat),
            lon__range=(report.lon - dlon, report.lon + dlon),
        )
        for other in near:
            assert other.lat is not None and other.lon is not None
            band = _band(distance_m(report.lat, report.lon, other.lat, other.lon))
            if band is not None:
                found[other.pk] = (other, band)
    if report.beat_id is not None:
        same_beat = base.filter(beat_id=report.beat_id)
        if pinned:  # a pinned pair is measured above; here only the others without a point
            same_beat = same_beat.filter(Q(lat__isnull=True) | Q(lon__isnull=True))
        for other in same_beat.order_by("-created_at")[: MAX_SUGGESTIONS + 1]:
            found.setdefault(other.pk, (other, Nearness.SAME_BEAT))
    ordered = sorted(
        found.values(),
        key=lambda pair: (_NEARNESS_ORDER[pair[1]], -pair[0].created_at.timestamp(), pair[0].public_id),
    )
    return ordered[:MAX_SUGGESTIONS]


def assignable_officers(report: Report) -> list[User]:
    """Staff of the report's station who may read it: a sensitive report lists women on the desk
    (and the station head), a women-only report only the women officers of the desk."""
    if report.beat_id is None:
        return []
    assert report.beat is not None
    station_id = report.beat.station_id
    candidates = (
        User.objects.filter(is_active=True, role__in=STAFF_ROLES)
        .filter(
            Q(officer_profile__station_id=station_id)
            | Q(scope_station_id=station_id)
            | Q(scope_beat__station_id=station_id)
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
    return [u for u in candidates if report.content_visible_to(u)]


def allowed_targets(report: Report) -> list[str]:
    return [s for s in STATUS_ACTIONS if s in TRANSITIONS.get(report.status, frozenset())]


# ---- actions ------------------------------------------------------------------------------


def _guard(call: Any) -> Any:
    try:
        return call()
    except IllegalTransition as exc:
        raise ActionError(_("This change is not possible now (%(detail)s).") % {"detail": exc}) from None
    except ValidationError as exc:
        raise ActionError(" ".join(str(m) for m in exc.messages)) from None


def _may_act(report: Report, by: Any) -> None:
    # Acting on a report (a status, a note, a merge) needs reading it; assigning it does not, so a
    # supervisor can still hand a women-only report to a woman officer of the desk.
    if not report.content_visible_to(by, in_scope=True):
        raise ActionError(_("Only women officers of the women's desk can act on this report."))


def acknowledge(*, report: Report, by: Any, note: str = "", public: bool = True) -> ReportUpdate:
    _may_act(report, by)
    return _guard(
        lambda: services.change_status(report=report, by=by, to=Status.ACKNOWLEDGED, note=note, public=public)
    )


def change_status(
    *,
    report: Report,
    by: Any,
    to: str,
    note: str = "",
    public: bool = True,
    referred_to: str = "",
    reason: str = "",
) -> ReportUpdate:
    _may_act(report, by)
    if to not in Status.values or to == Status.DUPLICATE:
        raise ActionError(_("Choose a status."))
    if to == Status.REFERRED and not referred_to.strip():
        raise ActionError(_("Say which agency or council the report is referred to."))
    if to == Status.CLOSED and not reason.strip():
        raise ActionError(_("Give a reason for closing."))
    return _guard(
        lambda: services.change_status(
            report=report, by=by, to=to, note=note, public=public, referred_to=referred_to, reason=reason
        )
    )


def add_note(*, report: Report, by: Any, note: str, public: bool) -> ReportUpdate:
    _may_act(report, by)
    if not note.strip():
        raise ActionError(_("Write the note first."))
    return _guard(lambda: services.add_note(report=report, by=by, note=note, public=public))


def assign(*, report: Report, by: Any, to_username: str) -> ReportUpdate:
    to = None
    if to_username:
        to = next((u for u in assignable_officers(report) if u.username == to_username), None)
        if to is None:
            raise ActionError(_("That officer cannot take this report."))
    try:
        return services.assign(report=report, to=to, by=by)
    except PermissionDenied:
        raise ActionError(_("That officer cannot take this report.")) from None


def mark_duplicate(*, report: Report, by: Any, of_public_id: str, note: str = "") -> ReportUpdate:
    _may_act(report, by)
    target = next((r for r, _band in duplicate_candidates(by, report) if r.public_id == of_public_id), None)
    if target is None:
        raise ActionError(
            _(
                "Only a suggested report can be the original: open, of the same kind, from within 14 "
                "days, and within 300 m or in the same neighbourhood when there is no map point."
            )
        )
    return _guard(
        lambda: services.change_status(
            report=report, by=by, to=Status.DUPLICATE, duplicate_of=target, note=note
        )
    )


def use_neutral_wording(*, report: Report, by: Any) -> bool:
    _may_act(report, by)
    return services.use_neutral_wording(report=report)
