"""Reads of reports that several views share: tracking lookups, the staff report and queue,
duplicate suggestions, who may take a report, and the public lists (categories, Open311).

Staff reads start from `Report.objects.visible_to(viewer)`: a report outside it is absent from a
list and raises `NotVisible` when asked for by id (views answer 404). Writes are in services.py.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db import models
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy

from rabta.core.errors import NotVisible
from rabta.lib.geo import distance_m
from rabta.people.models import STAFF_ROLES, User
from rabta.reports import tracking
from rabta.reports.deadlines import next_due, overdue_q
from rabta.reports.lifecycle import OPEN_STATUSES, Status
from rabta.reports.models import Category, Report, Sensitivity

DUPLICATE_RADIUS_M = 300.0
DUPLICATE_WINDOW = dt.timedelta(days=14)
MAX_SUGGESTIONS = 10
QUEUE_PAGE = 50


# ---- public -------------------------------------------------------------------------------


def active_categories() -> QuerySet[Category]:
    """The categories residents may report under (web form, Open311), in list order."""
    return Category.objects.filter(active=True)


def find_by_token(token: str) -> Report | None:
    """The report a private tracking link points at, or None."""
    if not token or len(token) > 100:
        return None
    return (
        Report.objects.select_related("category")
        .filter(tracking_token_hash=tracking.hash_token(token))
        .first()
    )


def find_by_code(text: str) -> Report | None:
    """The report a tracking code (as typed, in any digits) belongs to, or None."""
    code = tracking.normalise_code(text)
    if code is None:
        return None
    return (
        Report.objects.select_related("category").filter(tracking_code_hash=tracking.hash_code(code)).first()
    )


def open311_followable() -> QuerySet[Report]:
    """Reports that Open311's requests/{id} answers for: ordinary ones. Nothing else exists there.

    Only the columns open311.publish.service_request reads are loaded.
    """
    return (
        Report.objects.filter(category__sensitivity=Sensitivity.ORDINARY, woman_officer_only=False)
        .select_related("category", "beat__station")
        .only(
            "public_id",
            "status",
            "referred_to",
            "created_at",
            "updated_at",
            "resolution_due",
            "public_lat",
            "public_lon",
            "category__open311_service_code",
            "category__name",
            "category__name_ur",
            "category__name_ps",
            "beat__code",
            "beat__name",
            "beat__name_ur",
            "beat__name_ps",
            "beat__station__name",
            "beat__station__name_ur",
            "beat__station__name_ps",
            "category__publish_open311",
        )
    )


def open311_listed() -> QuerySet[Report]:
    """Reports the public Open311 list shows: ordinary ones of a category published on Open311."""
    return open311_followable().filter(category__publish_open311=True)


# ---- staff --------------------------------------------------------------------------------


def get_visible_report(viewer: User, public_id: str) -> Report:
    """The report with this public id, as the triage pages and the API show it; NotVisible when it
    does not exist for `viewer`."""
    report = (
        Report.objects.visible_to(viewer)
        .select_related("category", "beat__station", "assignee", "duplicate_of", "subject_officer")
        .filter(public_id=public_id)
        .first()
    )
    if report is None:
        raise NotVisible("no such report")
    return report


@dataclass
class QueueFilters:
    status: str = "open"  # "open", "all" or one Status value
    category: str = ""  # category code
    overdue: bool = False
    beat: str = ""  # beat code
    assigned: str = ""  # "", "me" or "none"


def queue(viewer: User, filters: QueueFilters, now: dt.datetime | None = None) -> QuerySet[Report]:
    """The officer's queue: overdue first, then what falls due soonest, then newest."""
    now = now or timezone.now()
    qs = Report.objects.visible_to(viewer).select_related("category", "beat", "assignee")
    if filters.status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif filters.status in Status.values:
        qs = qs.filter(status=filters.status)
    if filters.category:
        qs = qs.filter(category__code=filters.category)
    if filters.beat:
        qs = qs.filter(beat__code=filters.beat)
    if filters.assigned == "me":
        qs = qs.filter(assignee_id=viewer.pk)
    elif filters.assigned == "none":
        qs = qs.filter(assignee__isnull=True)
    late = overdue_q(now)
    if filters.overdue:
        qs = qs.filter(late)
    return qs.annotate(
        is_late=Case(When(late, then=Value(1)), default=Value(0), output_field=IntegerField()),
        next_due=next_due(),
    ).order_by("-is_late", models.F("next_due").asc(nulls_last=True), "-created_at")


class Nearness(models.TextChoices):
    """How close a suggested duplicate is, in bands only. Exact metres on private points would let a
    few decoy reports trilaterate a reporter; a band, and an order inside it that follows dates not
    distance, says only "very near" or "near"."""

    UNDER_100 = "under_100m", gettext_lazy("under 100 m")
    UP_TO_300 = "100_300m", gettext_lazy("100-300 m")
    SAME_BEAT = "same_beat", gettext_lazy("same neighbourhood, no map point")


_NEARNESS_ORDER = {Nearness.UNDER_100: 0, Nearness.UP_TO_300: 1, Nearness.SAME_BEAT: 2}


def _band(metres: float) -> Nearness | None:
    if metres < 100:
        return Nearness.UNDER_100
    if metres <= DUPLICATE_RADIUS_M:
        return Nearness.UP_TO_300
    return None


def duplicate_candidates(viewer: User, report: Report) -> list[tuple[Report, Nearness]]:
    """Open reports that may be the same concern: same category, within 14 days of this one, and
    within 300 m on the precise points, or, when either report has no map point (SMS, a feature
    phone, a neighbourhood chosen from the list), in the same beat. Only reports whose content the
    officer may read, and none at all for a report whose content is withheld from them.

    Each comes with a Nearness band; the list is ordered by band, then newest first, so neither the
    labels nor the order give a distance finer than the band.
    """
    if not report.content_visible_to(viewer):
        return []
    created = report.created_at
    base = (
        Report.objects.content_visible_to(viewer)
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
