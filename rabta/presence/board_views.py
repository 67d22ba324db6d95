"""Staff pages of presence for a station or a district: the board, the weekly plan, per-beat targets.

Scoped by `Beat.objects.visible_to`: a beat outside the viewer's scope is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from rabta.audit.models import AccessLog, record_access
from rabta.core.errors import not_visible_is_404
from rabta.people.auth import StaffRequest, staff_required
from rabta.people.models import Role, User
from rabta.places.models import Beat
from rabta.presence import board as selectors
from rabta.presence.board_forms import TargetForm
from rabta.presence.models import BeatTarget

BOARD_SHOWN = 100
# A board of more beats than this (a district's) is kept for a minute: ranking 2,000 beats takes a
# few hundred milliseconds of the server (bench/presence.py), and a coordinator's view of a district
# does not need the last minute. Station boards stay live, so an officer sees the visit just logged.
LARGE_BOARD = 200
LARGE_BOARD_SECONDS = 60
TARGET_SETTERS = frozenset({Role.STATION_HEAD, Role.DISTRICT_COORDINATOR, Role.ADMIN})


def may_set_targets(user: User) -> bool:
    return user.role in TARGET_SETTERS or bool(user.is_superuser)


@staff_required
@never_cache
@require_GET
def board(request: StaffRequest) -> HttpResponse:
    user = request.user
    # A district has hundreds of beats; a phone shows those that fall short most. Its board is
    # computed when the page's cached part is missing (at most once a minute per user and language,
    # see LARGE_BOARD); a station's is always live.
    large = Beat.objects.visible_to(user).count() > LARGE_BOARD
    return render(
        request,
        "presence/board.html",
        {
            "board": SimpleLazyObject(lambda: selectors.board(user=user, limit=BOARD_SHOWN)),
            "cache_seconds": LARGE_BOARD_SECONDS if large else 0,
            "cache_key": f"{user.pk}:{int(may_set_targets(user))}",
            "may_set_targets": may_set_targets(request.user),
        },
    )


@staff_required
@never_cache
@require_GET
def plan(request: StaffRequest) -> HttpResponse:
    user = request.user
    weekly = selectors.weekly_plan(user=user)
    if weekly.places:
        # The hexagons come from reports' precise points: who looked at them is logged as for a report.
        record_access(
            actor=user,
            action=AccessLog.Action.VIEW_LOCATION,
            obj=user,
            detail=f"presence plan: {len(weekly.places)} report clusters from {weekly.report_points} points",
        )
    return render(request, "presence/plan.html", {"plan": weekly, "now": timezone.localtime()})


@staff_required
@never_cache
@require_GET
def target_list(request: StaffRequest) -> HttpResponse:
    beats = list(selectors.board_beats(request.user))
    return render(
        request,
        "presence/targets.html",
        {
            "beats": beats,
            "default": selectors.DEFAULT_TARGET,
            "may_set_targets": may_set_targets(request.user),
        },
    )


@staff_required
@never_cache
@require_http_methods(["GET", "POST"])
@not_visible_is_404
def target_edit(request: StaffRequest, code: str) -> HttpResponse:
    beat = selectors.find_beat(user=request.user, code=code)
    if not may_set_targets(request.user):
        raise PermissionDenied
    target = getattr(beat, "presence_target", None) or BeatTarget(beat=beat)
    form = TargetForm(request.POST if request.method == "POST" else None, instance=target)
    if form.is_bound and form.is_valid():
        saved = form.save(commit=False)
        saved.set_by = request.user
        saved.save()
        messages.success(request, _("Targets saved for %(beat)s.") % {"beat": beat.local_name})
        return redirect("presence:targets")
    return render(
        request,
        "presence/target_form.html",
        {"form": form, "beat": beat},
        status=400 if form.is_bound else 200,
    )
