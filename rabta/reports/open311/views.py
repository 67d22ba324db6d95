"""Open311 GeoReport v2 endpoints (http://wiki.open311.org/GeoReport_v2).

Reading needs no key; creating a request needs the `api_key` of an active ApiClient (Django admin).
Every response is JSON or XML as the URL's extension says; errors are the spec's list of
{code, description} with the same HTTP status. What may be published is decided in publish.py.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from rabta.lib.text import storable, unstorable
from rabta.places.lookup import beat_index
from rabta.places.models import Beat
from rabta.reports import selectors, services
from rabta.reports.lifecycle import OPEN_STATUSES
from rabta.reports.models import Channel, Period, Report
from rabta.reports.open311 import formats, publish
from rabta.reports.open311.catalogue import catalogue
from rabta.reports.open311.models import ApiClient, Open311Submission
from rabta.reports.presenters import tracking_url

MAX_SPAN = dt.timedelta(days=90)
# Dates outside these years are refused: nearer the ends of datetime's range, converting an offset
# (0001-01-01T00:00:00+14:00) or adding MAX_SPAN overflows.
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)
MAX_RESULTS = 1000
MAX_IDS = 100


def _csv(request: HttpRequest, name: str) -> list[str]:
    values: list[str] = []
    for raw in request.GET.getlist(name):
        values.extend(v.strip() for v in raw.split(",") if v.strip())
    return values


def _moment(text: str) -> dt.datetime | None:
    """A w3 datetime ('2010-01-01T00:00:00Z') or a date; naive values are local time. Raises ValueError."""
    text = text.strip().replace(" ", "+")  # a '+' offset arrives as a space when not URL-encoded
    moment = parse_datetime(text)
    if moment is None:
        date = parse_date(text)
        if date is None:
            raise ValueError(text)
        moment = dt.datetime.combine(date, dt.time())
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        inside = EARLIEST <= moment < LATEST
    except OverflowError:
        inside = False
    if not inside:
        raise ValueError(text)
    return moment


@require_GET
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri("/open311/v2/")
    changeset = "2025-06-01T00:00:00Z"
    return formats.render(
        fmt,
        "discovery",
        "",
        {
            "changeset": changeset,
            "contact": _("Rabta community policing. Ask the district police for an API key."),
            "key_service": _("API keys are issued by the Rabta administrators of your district."),
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": base,
                    "changeset": changeset,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


@require_GET
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    categories = selectors.active_categories()
    return formats.render(fmt, "services", "service", [publish.service(c) for c in categories])


@require_GET
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    if not selectors.active_categories().filter(open311_service_code=code).exists():
        return formats.errors(fmt, 404, _("service_code %(code)s was not found.") % {"code": code})
    return formats.render(
        fmt, "service_definition", "", {"service_code": code, "attributes": publish.attributes()}
    )


def _unstorable_field(request: HttpRequest) -> str | None:
    """The name of the first parameter holding a NUL or lone surrogate (see rabta.lib.text)."""
    for params in (request.GET, request.POST):
        for key, values in params.lists():
            if unstorable(key) or any(unstorable(v) for v in values):
                return storable(key)[:40]
    return None


@csrf_exempt  # an API for other applications: authenticated by api_key, never by a browser cookie
@require_http_methods(["GET", "POST"])
def service_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    bad = _unstorable_field(request)
    if bad is not None:
        return formats.errors(
            fmt, 400, _("%(field)s contains a NUL or other character that cannot be stored.") % {"field": bad}
        )
    if request.method == "POST":
        return _create(request, fmt)
    return _search(request, fmt)


def _search(request: HttpRequest, fmt: str) -> HttpResponse:
    qs = selectors.open311_listed()
    ids = _csv(request, "service_request_id")
    if ids:
        # "This overrides all other arguments."
        qs = qs.filter(public_id__in=ids[:MAX_IDS])
    else:
        try:
            start = _moment(request.GET["start_date"]) if request.GET.get("start_date") else None
            end = _moment(request.GET["end_date"]) if request.GET.get("end_date") else None
        except ValueError:
            return formats.errors(
                fmt, 400, _("start_date and end_date must be w3 datetimes, e.g. 2010-01-01T00:00:00Z.")
            )
        if start is None and end is None:
            end = timezone.now()
        if start is None:
            assert end is not None
            start = end - MAX_SPAN
        if end is None:
            end = start + MAX_SPAN
        # Whole published days: a start and an end within one day select that day.
        lower, upper = publish.day_bounds(start, end)
        if upper <= lower:
            return formats.errors(fmt, 400, _("end_date is before start_date."))
        if end - start > MAX_SPAN:
            return formats.errors(fmt, 400, _("start_date and end_date may not span more than 90 days."))
        qs = qs.filter(created_at__gte=lower, created_at__lt=upper)
        codes = _csv(request, "service_code")
        if codes:
            qs = qs.filter(category__open311_service_code__in=codes)
        statuses = {s.lower() for s in _csv(request, "status")}
        if statuses - {"open", "closed"}:
            return formats.errors(fmt, 400, _("status must be open or closed."))
        if statuses == {"open"}:
            qs = qs.filter(status__in=OPEN_STATUSES)
        elif statuses == {"closed"}:
            qs = qs.exclude(status__in=OPEN_STATUSES)
    reports = selectors.open311_newest_days(qs, limit=MAX_RESULTS)
    return formats.render(fmt, "service_requests", "request", [publish.service_request(r) for r in reports])


@require_GET
def service_request(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    # An unpublished category's report answers with its status and days only (publish.status_only).
    report = selectors.open311_followable().filter(public_id=request_id).first()
    if report is None:
        return formats.errors(fmt, 404, _("service_request_id %(id)s was not found.") % {"id": request_id})
    return formats.render(fmt, "service_requests", "request", [publish.service_request(report)])


@require_GET
def token(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    submission = Open311Submission.objects.select_related("report").filter(token=token).first()
    if submission is None:
        return formats.errors(fmt, 404, _("token %(token)s was not found.") % {"token": token[:64]})
    return formats.render(
        fmt,
        "service_requests",
        "request",
        [{"service_request_id": submission.report.public_id, "token": submission.token}],
    )


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    fmt = "json" if request.path.endswith(".json") else "xml"
    return formats.errors(fmt, 404, _("No such Open311 resource. Formats are .json and .xml."))


# ---- POST requests ------------------------------------------------------------------------


class Refused(Exception):
    def __init__(self, status: int, description: str):
        self.status = status
        self.description = description


def _flag(value: str) -> bool:
    return value.strip().lower() in ("yes", "true", "1", "on")


def _attributes(request: HttpRequest) -> dict[str, str]:
    # attribute[code]=value (the spec's form encoding); multi-value lists are not used by our services.
    found: dict[str, str] = {}
    for key in request.POST:
        if key.startswith("attribute[") and key.endswith("]"):
            found[key[len("attribute[") : -1].rstrip("[]").rstrip("]")] = request.POST.get(key, "")
    return found


def _location(request: HttpRequest) -> tuple[int | None, float | None, float | None]:
    """(beat id, lat, long) of the request; a point is looked up in the in-memory index, no query."""
    post = request.POST
    lat_text, lon_text = post.get("lat", "").strip(), post.get("long", "").strip()
    if lat_text or lon_text:
        try:
            lat, lon = float(lat_text), float(lon_text)
        except ValueError:
            raise Refused(400, _("lat and long must both be given as decimal degrees (WGS84).")) from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise Refused(400, _("lat and long are outside the globe (lat -90..90, long -180..180)."))
        beat_id = beat_index.beat_id_at(lat, lon)
        if beat_id is None:
            raise Refused(400, _("This location is outside every neighbourhood Rabta serves."))
        return beat_id, lat, lon
    if post.get("address_id", "").strip():
        found = Beat.objects.filter(code__iexact=post["address_id"].strip()).values_list("pk", flat=True)
        beat_id = found.first()
        if beat_id is None:
            raise Refused(
                404, _("address_id must be the code of a neighbourhood (beat); this one was not found.")
            )
        return beat_id, None, None
    if post.get("address_string", "").strip():
        matches = list(Beat.objects.search(post["address_string"]).values_list("pk", flat=True)[:2])
        if len(matches) == 1:
            return matches[0], None, None
        raise Refused(
            400, _("address_string does not name exactly one neighbourhood; send lat and long or address_id.")
        )
    raise Refused(400, _("A location is required: lat and long, address_id or address_string."))


def _occurred(text: str) -> tuple[dt.date | None, str]:
    if not text.strip():
        return None, ""
    try:
        moment = _moment(text)
    except ValueError:
        raise Refused(400, _("attribute[occurred] must be an ISO 8601 date or datetime.")) from None
    assert moment is not None
    local = timezone.localtime(moment)
    if local > timezone.localtime() + dt.timedelta(hours=1):
        raise Refused(400, _("attribute[occurred] is in the future."))
    period = ""
    if "T" in text:
        hour = local.hour
        period = (
            Period.MORNING
            if 5 <= hour < 12
            else Period.AFTERNOON
            if hour < 17 and hour >= 12
            else Period.EVENING
            if 17 <= hour < 21
            else Period.NIGHT
        )
    return local.date(), period


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    # The client and its submissions of the last hour in one query: the hourly limit counts indexed
    # rows, not a counter row every request would queue on (see ApiClient.over_hourly_limit).
    client = ApiClient.objects.authenticate_for_submission(request.POST.get("api_key"))
    if client is None:
        return formats.errors(fmt, 403, _("Invalid api_key received -- can't proceed with create_request."))
    if client.over_hourly_limit():
        return formats.errors(
            fmt, 429, _("This api_key has sent too many requests this hour. Try again later.")
        )
    client.touch()
    try:
        response = _submit(request, fmt, client)
    except Refused as refused:
        return formats.errors(fmt, refused.status, refused.description)
    return response


def _submit(request: HttpRequest, fmt: str, client: ApiClient) -> HttpResponse:
    post = request.POST
    code = post.get("service_code", "").strip()
    if not code:
        raise Refused(400, _("service_code was not provided."))
    category = catalogue.category(code)
    if category is None:
        raise Refused(404, _("service_code %(code)s was not found.") % {"code": code[:40]})
    description = post.get("description", "").strip()
    if not description:
        raise Refused(400, _("description was not provided: say what happened."))
    if len(description) > 4000:
        raise Refused(400, _("description is limited to 4,000 characters."))
    beat_id, lat, lon = _location(request)
    attrs = _attributes(request)
    occurred_on, period = _occurred(attrs.get("occurred", ""))
    key = (request.headers.get("Idempotency-Key") or post.get("idempotency_key", "")).strip()[:100]
    place = post.get("address_string", "").strip() if lat is not None or post.get("address_id") else ""
    created: list[Open311Submission] = []

    def record_client(report: Report) -> None:
        # Runs inside submit_report's transaction: the report and this row commit together.
        created.append(
            Open311Submission.objects.create(report=report, client=client, token=secrets.token_urlsafe(18))
        )

    try:
        # No transaction here: submit_report's own is the only one (one commit, no savepoint;
        # bench/README.md gives what a savepoint per intake costs).
        submission = services.submit_report(
            category=category,
            description=description,
            beat_id=beat_id,
            lat=lat,
            lon=lon,
            place_description=place,
            occurred_on=occurred_on,
            occurred_period=period,
            channel=Channel.API,
            language=(get_language() or "en")[:2],
            phone=post.get("phone", ""),
            email=post.get("email", ""),
            no_sms=_flag(attrs.get("no_sms", "")),
            safe_call_hours=attrs.get("safe_call_hours", "")[:100],
            woman_officer_only=_flag(attrs.get("woman_officer_only", "")),
            neutral_wording=_flag(attrs.get("neutral_wording", "")),
            # Scoped to the client, so two applications can never collide or replay each other.
            idempotency_key=f"open311:{client.pk}:{key}" if key else None,
            on_created=record_client,
        )
    except ValidationError as exc:
        raise Refused(400, " ".join(str(m) for m in exc.messages)) from None
    # An idempotent replay answers with the first request's submission.
    record = created[-1] if submission.created else Open311Submission.objects.get(report=submission.report)
    report = submission.report
    notice = _(
        "Received. Give the resident the tracking code %(code)s and the private link %(url)s. "
        "First contact is due within %(hours)s hours."
    ) % {
        "code": submission.display_code,
        "url": tracking_url(request, submission.token, (get_language() or "en")[:2]),
        "hours": category.first_contact_hours,
    }
    response = formats.render(
        fmt,
        "service_requests",
        "request",
        [{"service_request_id": report.public_id, "service_notice": notice, "account_id": None}],
        status=201 if submission.created else 200,
    )
    # Rabta answers in real time (service_request_id above); the token is offered for clients that keep one.
    response["X-Open311-Token"] = record.token
    return response
