"""What Open311 may publish about a report, and nothing more.

Decisions (see docs/open311-and-api.md; which reports: rabta.reports.selectors.open311_followable
and open311_listed, what of them: this module):
* Only ordinary reports are public. Women's-desk categories, "a woman officer only" reports and
  conduct complaints are never listed, and requests/{id} answers 404 for them exactly as for an
  unknown id, so their existence does not leak.
* Only categories with `publish_open311` are listed (off for drugs, youth or gang violence, the
  women's desk and conduct), so the feed never points at the house of someone who reported a gang.
  An ordinary report of such a category is still answered by requests/{id} (the client that
  submitted it holds the random id), but only with its status and days: no place, address, agency,
  service or description (`status_only`). services.json still offers the category for submission.
* Location is the snapped public point (~250 m) and the beat; never lat/lon, never the resident's
  own words about the place.
* Times are days (local midnight with its offset), like every public output of Rabta. The
  start_date/end_date filters work on the same days (`day_bounds`), and results within a day are in
  a fixed random order (public_id), so neither filters nor order recover the time of day.
* The resident's description is not published: free text can name people or houses. Internal notes,
  public notes (written for the resident) and closing reasons are not published either; status_notes
  is the status in words and agency_responsible names the station or the agency referred to.
* No contact details, no photos (media_url stays empty).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from rabta.reports.lifecycle import OPEN_STATUSES, Status
from rabta.reports.models import Category, Report, Sensitivity

# Rabta status -> Open311 status (the spec knows only open and closed).
OPEN311_STATUS = {s: ("open" if s in OPEN_STATUSES else "closed") for s in Status.values}


def day_bounds(start: dt.datetime, end: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """[local midnight of start's day, local midnight after end's day): the published days.

    A filter on the precise time would let a client bisect a report's second of creation; on
    whole days every start_date within a day selects the same reports.
    """
    first = timezone.localtime(start).date()
    last = timezone.localtime(end).date()
    tz = timezone.get_current_timezone()
    lower = dt.datetime.combine(first, dt.time(), tzinfo=tz)
    upper = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return lower, upper


def day(moment: dt.datetime | None) -> str | None:
    """A w3 datetime at local midnight of the day: '2025-05-01T00:00:00+05:00'."""
    if moment is None:
        return None
    local = timezone.localtime(moment)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.isoformat()


def status_notes(report: Report) -> str:
    if report.status == Status.DUPLICATE:
        return _("Duplicate of another report.")
    if report.status == Status.REFERRED:
        return _("Referred to another agency.")
    return str(report.get_status_display())


def status_only(report: Report) -> dict[str, Any]:
    """An unpublished category's report, for whoever holds its id: status and days, nothing else."""
    return {
        "service_request_id": report.public_id,
        "status": OPEN311_STATUS[report.status],
        "status_notes": status_notes(report),
        "service_name": None,
        "service_code": None,
        "description": None,
        "agency_responsible": None,
        "service_notice": None,
        "requested_datetime": day(report.created_at),
        "updated_datetime": day(report.updated_at),
        "expected_datetime": None,
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def service_request(report: Report) -> dict[str, Any]:
    if not report.category.publish_open311:
        return status_only(report)
    beat = report.beat
    station = beat.station if beat else None
    address = ", ".join(
        x for x in (beat.local_name if beat else "", station.local_name if station else "") if x
    )
    agency = report.referred_to if report.status == Status.REFERRED and report.referred_to else ""
    return {
        "service_request_id": report.public_id,
        "status": OPEN311_STATUS[report.status],
        "status_notes": status_notes(report),
        "service_name": report.category.local_name,
        "service_code": report.category.open311_service_code,
        "description": None,
        "agency_responsible": agency or (station.local_name if station else None),
        "service_notice": None,
        "requested_datetime": day(report.created_at),
        "updated_datetime": day(report.updated_at),
        "expected_datetime": day(report.resolution_due) if report.status in OPEN_STATUSES else None,
        "address": address or None,
        "address_id": beat.code if beat else None,
        "zipcode": None,
        "lat": report.public_lat,
        "long": report.public_lon,
        "media_url": None,
    }


def service(category: Category) -> dict[str, Any]:
    groups: dict[str, Any] = {
        Sensitivity.ORDINARY: _("Community safety"),
        Sensitivity.WOMENS_DESK: _("Women's desk"),
        Sensitivity.CONDUCT: _("Police conduct"),
    }
    return {
        "service_code": category.open311_service_code,
        "service_name": category.local_name,
        "description": category.local_hint or category.local_name,
        "metadata": True,
        "type": "realtime",
        "keywords": category.code.replace("_", " "),
        "group": str(groups.get(category.sensitivity, "")),
    }


YES_NO = [{"key": "yes", "name": "Yes"}, {"key": "no", "name": "No"}]


def attributes() -> list[dict[str, Any]]:
    """The same optional questions for every service: when, and how the resident may be contacted."""
    return [
        {
            "variable": True,
            "code": "occurred",
            "datatype": "datetime",
            "required": False,
            "datatype_description": _("When it happened, ISO 8601 (a date is enough)."),
            "order": 1,
            "description": _("When did it happen?"),
        },
        {
            "variable": True,
            "code": "woman_officer_only",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": None,
            "order": 2,
            "description": _("Only a woman officer may handle this report or contact the resident."),
            "values": YES_NO,
        },
        {
            "variable": True,
            "code": "no_sms",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": None,
            "order": 3,
            "description": _("Do not contact the resident by SMS (for example, a shared phone)."),
            "values": YES_NO,
        },
        {
            "variable": True,
            "code": "safe_call_hours",
            "datatype": "string",
            "required": False,
            "datatype_description": _("Free text, at most 100 characters."),
            "order": 4,
            "description": _("Hours when it is safe to call the resident."),
        },
        {
            "variable": True,
            "code": "neutral_wording",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": None,
            "order": 5,
            "description": _(
                "Messages to the resident say only that there is news, never what the report is about "
                "(for a shared phone or inbox). Always so for women's-desk and conduct services."
            ),
            "values": YES_NO,
        },
    ]
