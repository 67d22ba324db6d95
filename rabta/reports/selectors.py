"""Reads of reports that several views share: tracking lookups, the staff report and queue,
duplicate suggestions, who may take a report, and the public lists (categories, Open311).

Staff reads start from `Report.objects.visible_to(viewer)`: a report outside it is absent from a
list and raises `NotVisible` when asked for by id (views answer 404). Writes are in services.py.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from django.db import models
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy

from rabta.core.errors import NotVisible
from rabta.lib.geo import distance_m
from rabta.people.models import STAFF_ROLES, User
from rabta.reports import tracking
from rabta.reports.deadlines import overdue_q
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
    """Reports the public Open311 list shows: ordinary ones of a category published on Open311.

    The categories are named by id (a short list): a filter through the join to categories kept
    PostgreSQL from reading the newest reports in created_at order (bench/queues.py)."""
    published = Category.objects.filter(sensitivity=Sensitivity.ORDINARY, publish_open311=True)
    return open311_followable().filter(category_id__in=list(published.values_list("pk", flat=True)))


def open311_newest_days(queryset: QuerySet[Report], *, limit: int) -> list[Report]:
    """Up to `limit` reports of `queryset`, newest published day first and by public_id inside a day
    (so the order says nothing of the hour).

    Sorting a 90-day window by its local day reads every report in it. Instead: the limit-th newest
    report (an index read in created_at order) falls on some day D; fewer than `limit` reports are
    on later days and at least `limit` on D or later, so the answer lies in the reports from the
    start of D, which are sorted. That is at most `limit` plus one day's reports."""
    boundary = queryset.order_by("-created_at").values_list("created_at", flat=True)[limit - 1 : limit]
    cutoff = next(iter(boundary), None)
    if cutoff is not None:
        local = timezone.localtime(cutoff)
        queryset = queryset.filter(created_at__gte=local.replace(hour=0, minute=0, second=0, microsecond=0))
    published_day = TruncDate("created_at", tzinfo=timezone.get_current_timezone())
    return list(
        queryset.annotate(published_day=published_day).order_by("-published_day", "public_id")[:limit]
    )


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
    """The officer's queue: overdue first, then what falls due soonest, then newest.

    One order serves all three: the stored `next_due` is the deadline running now and a report is
    overdue exactly when that deadline has passed (deadlines.py), so overdue reports have the
    earliest `next_due`; reports with none (no longer open) come last, newest first. The index
    `report_queue_order` holds this order, so a page is an index scan, not a sort of the scope.
    """
    now = now or timezone.now()
    qs = Report.objects.visible_to(viewer).select_related("category", "beat", "assignee")
    if filters.status == "open":
        if not filters.overdue:
            # (Overdue implies open: only open reports have a running deadline. Saying it twice
            # made PostgreSQL misjudge how many rows match and sort them all.)
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
        is_late=Case(When(late, then=Value(1)), default=Value(0), output_field=IntegerField())
    ).order_by(*QUEUE_ORDER)


QUEUE_ORDER = (models.F("next_due").asc(nulls_last=True), "-created_at", "public_id")
# Counting a scope of a million reports to print "1,234,567 reports" costs more than the page; past
# this many the queue says "more than 1,000".
COUNT_UP_TO = 1000
_CURSOR = re.compile(r"(-|[0-9]{1,17})\.([0-9]{1,17})\.([0-9a-f]{16})")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _micros(moment: dt.datetime) -> int:
    return (moment - _EPOCH) // dt.timedelta(microseconds=1)


def _moment(micros: str) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=int(micros))


@dataclass(frozen=True)
class QueueCursor:
    """Where a queue page ends, as the key of its last report in QUEUE_ORDER. The next page starts
    after it (keyset paging): page 200 costs what page 1 costs, where an OFFSET would read and drop
    10,000 rows. It names a report the viewer already saw on the page before; visible_to still
    applies to every page."""

    due: dt.datetime | None
    created: dt.datetime
    public_id: str

    @classmethod
    def after(cls, report: Report) -> QueueCursor:
        return cls(due=report.next_due, created=report.created_at, public_id=report.public_id)

    def encode(self) -> str:
        due = "-" if self.due is None else str(_micros(self.due))
        return f"{due}.{_micros(self.created)}.{self.public_id}"

    @classmethod
    def decode(cls, text: str) -> QueueCursor:
        """ValueError when the text is not a cursor this module wrote."""
        found = _CURSOR.fullmatch(text or "")
        if found is None:
            raise ValueError("not a queue cursor")
        due, created, public_id = found.groups()
        try:
            return cls(
                due=None if due == "-" else _moment(due), created=_moment(created), public_id=public_id
            )
        except OverflowError as exc:
            raise ValueError("not a queue cursor") from exc

    def rest(self) -> Q:
        """Reports after this one in QUEUE_ORDER."""
        later_in_day = Q(created_at__lt=self.created) | Q(
            created_at=self.created, public_id__gt=self.public_id
        )
        # The plain range conditions repeat what the ORs say, so that PostgreSQL starts its index
        # scan at the cursor instead of filtering every row before it.
        if self.due is None:
            return Q(next_due__isnull=True, created_at__lte=self.created) & later_in_day
        return (
            Q(next_due__gte=self.due) & (Q(next_due__gt=self.due) | (Q(next_due=self.due) & later_in_day))
        ) | Q(next_due__isnull=True)


@dataclass
class QueuePage:
    reports: list[Report]
    next: QueueCursor | None
    # Reports in the whole queue, counted up to COUNT_UP_TO; None when not counted.
    total: int | None = None

    @property
    def more_than_counted(self) -> bool:
        return self.total is not None and self.total > COUNT_UP_TO


def queue_page(
    queryset: QuerySet[Report], *, after: QueueCursor | None, size: int, count: bool = False
) -> QueuePage:
    """One page of an ordered queue (from `queue`), starting after `after`."""
    page_qs = queryset.filter(after.rest()) if after is not None else queryset
    rows = list(page_qs[: size + 1])
    following = QueueCursor.after(rows[size - 1]) if len(rows) > size else None
    total = queryset.order_by().values("pk")[: COUNT_UP_TO + 1].count() if count else None
    return QueuePage(reports=rows[:size], next=following, total=total)


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


def idempotency_key_used(key: str) -> bool:
    """Has a report been made with this form key?"""
    return Report.objects.filter(idempotency_key=tracking.hash_idempotency_key(key)).exists()
