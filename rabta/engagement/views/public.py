"""Public pages: "you said, we did" per beat, and the beat's meeting calendar. No names of residents."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from rabta.engagement import selectors
from rabta.engagement.calendar import beat_calendar
from rabta.engagement.models import ActionStatus
from rabta.places.canonical import canonical_beat_code
from rabta.places.models import Beat


@require_GET
@canonical_beat_code
def you_said_we_did(request: HttpRequest, code: str) -> HttpResponse:
    beat = get_object_or_404(Beat.objects.select_related("station"), code=code)
    priorities = selectors.you_said_we_did(beat)
    done = sum(1 for p in priorities for a in p.actions.all() if a.status == ActionStatus.DONE)
    return render(
        request,
        "engagement/you_said_we_did.html",
        {
            "beat": beat,
            "priorities": priorities,
            "done_count": done,
            "today": timezone.localdate(),
            "page_title": _("You said, we did: %(beat)s") % {"beat": beat.local_name},
        },
    )


@require_GET
@cache_control(max_age=900, public=True)
@canonical_beat_code
def beat_feed(request: HttpRequest, code: str) -> HttpResponse:
    """RFC 5545 calendar of a beat's meetings, cancelled ones included so calendars drop them."""
    beat = get_object_or_404(Beat, code=code)
    language = request.GET.get("lang", "")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    meetings = selectors.feed_meetings(beat)
    with translation.override(language):
        page = request.build_absolute_uri(reverse("site:beat", args=[beat.code]))
        body = beat_calendar(beat, meetings, base_url=page)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="rabta-{beat.code}.ics"'
    return response
