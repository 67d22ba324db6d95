"""Public pages: "you said, we did" per beat, and the beat's meeting calendar. No names of residents."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from rabta.engagement.calendar import beat_calendar
from rabta.engagement.models import ActionItem, Meeting, Priority
from rabta.places.models import Beat

UPCOMING_ON_BEAT_PAGE = 3
PRIORITIES_SHOWN = 40
FEED_PAST_DAYS = 90


def upcoming_meetings(beat: Beat) -> list[Meeting]:
    """For the beat page: one query, only the fields the fragment shows."""
    return list(
        Meeting.objects.for_beat(beat)
        .upcoming()
        .only("pk", "kind", "title", "starts_at", "ends_at", "venue", "status")[:UPCOMING_ON_BEAT_PAGE]
    )


@require_GET
def you_said_we_did(request: HttpRequest, code: str) -> HttpResponse:
    beat = get_object_or_404(Beat.objects.select_related("station"), code=code)
    # Only the public columns are read: an owner's name is never loaded for committee members.
    actions = ActionItem.objects.select_related("owner_agency").only(
        "pk",
        "priority_id",
        "action",
        "status",
        "due_on",
        "done_on",
        "outcome",
        "owner_officer_id",
        "owner_member_id",
        "owner_agency__name",
        "owner_agency__kind",
    )
    priorities = list(
        Priority.objects.filter(beat=beat)
        .only("pk", "issue", "raised_by", "raised_on", "beat_id")
        .prefetch_related(Prefetch("actions", queryset=actions.order_by("due_on", "pk")))
        .order_by("-raised_on", "-pk")[:PRIORITIES_SHOWN]
    )
    today = timezone.localdate()
    done = sum(1 for p in priorities for a in p.actions.all() if a.status == "done")
    return render(
        request,
        "engagement/you_said_we_did.html",
        {
            "beat": beat,
            "priorities": priorities,
            "done_count": done,
            "today": today,
            "page_title": _("You said, we did: %(beat)s") % {"beat": beat.local_name},
        },
    )


@require_GET
@cache_control(max_age=900, public=True)
def beat_feed(request: HttpRequest, code: str) -> HttpResponse:
    """RFC 5545 calendar of a beat's meetings, cancelled ones included so calendars drop them."""
    beat = get_object_or_404(Beat, code=code)
    language = request.GET.get("lang", "")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    since = timezone.now() - dt.timedelta(days=FEED_PAST_DAYS)
    meetings = Meeting.objects.for_beat(beat).filter(ends_at__gte=since).order_by("starts_at")[:300]
    with translation.override(language):
        page = request.build_absolute_uri(reverse("places:beat", args=[beat.code]))
        body = beat_calendar(beat, meetings, base_url=page)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="rabta-{beat.code}.ics"'
    return response
