"""Contacts as CSV for analysts: what was done, where (beat) and when, never who was met.

No GPS point, place, note, phone, report or officer: the columns are the ones an indicator needs.
Every export is written to the access log with its scope, period and row count.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from rabta.audit.models import AccessLog
from rabta.people.auth import StaffRequest, staff_required
from rabta.people.models import Role, User
from rabta.presence.models import PEOPLE_MET_FIELDS, Contact

EXPORT_ROLES = frozenset({Role.ANALYST, Role.ADMIN})
COLUMNS = (
    "contact",
    "district",
    "station",
    "beats",
    "kind",
    "proactive",
    "night",
    "started",
    "ended",
    "minutes",
    "channel",
    *PEOPLE_MET_FIELDS,
    "linked_report",
    "linked_meeting",
)
DEFAULT_DAYS = 90


class PeriodForm(forms.Form):
    start = forms.DateField(required=False)
    end = forms.DateField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError("end is before start")
        return data


def can_export(user: User) -> bool:
    return user.role in EXPORT_ROLES or user.is_superuser


def rows(contacts: Any) -> Iterator[list[object]]:
    yield list(COLUMNS)
    for c in contacts.iterator(chunk_size=2000):
        started, ended = timezone.localtime(c.started_at), timezone.localtime(c.ended_at)
        yield [
            c.pk,
            c.station.district.code,
            c.station.code,
            " ".join(sorted(b.code for b in c.beats.all())),
            c.kind,
            int(c.proactive),
            int(c.at_night),
            started.isoformat(timespec="minutes"),
            ended.isoformat(timespec="minutes"),
            int((c.ended_at - c.started_at).total_seconds() // 60),
            c.channel,
            *(getattr(c, name) for name in PEOPLE_MET_FIELDS),
            int(c.report_id is not None),
            int(c.meeting_id is not None),
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


@staff_required
@require_http_methods(["GET"])
def contacts_csv(request: StaffRequest) -> HttpResponse:
    user = request.user
    if not can_export(user):
        raise PermissionDenied
    period = PeriodForm(request.GET)
    if not period.is_valid():
        return HttpResponse(
            "start and end are dates (YYYY-MM-DD), end not before start\n",
            status=400,
            content_type="text/plain",
        )
    today = timezone.localdate()
    end: dt.date = period.cleaned_data.get("end") or today
    start: dt.date | None = period.cleaned_data.get("start")
    if start is None:
        start = (
            end - dt.timedelta(days=DEFAULT_DAYS)
            if end > dt.date.min + dt.timedelta(days=DEFAULT_DAYS)
            else dt.date.min
        )
    contacts = (
        Contact.objects.visible_to(user)
        .filter(started_at__date__gte=start, started_at__date__lte=end)
        .select_related("station__district")
        .prefetch_related("beats")
        .order_by("started_at", "pk")
    )
    count = contacts.count()
    AccessLog.objects.create(
        actor_id=user.pk,
        action=AccessLog.Action.EXPORT,
        object_type=Contact._meta.label_lower,
        object_id=f"district:{user.scope_district_id}" if user.scope_district_id else "all",
        detail=f"contacts CSV {start.isoformat()}..{end.isoformat()}, {count} rows",
    )
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows(contacts)), content_type="text/csv"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="contacts-{start.isoformat()}-{end.isoformat()}.csv"'
    )
    response["Cache-Control"] = "no-store"
    # Streamed, so a district's year of contacts never sits in memory; staff_required passes it through.
    return response  # type: ignore[return-value]
