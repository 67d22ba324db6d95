"""Moving an officer to another station or other beats, and handing over their open work.

It lives here, above reports and engagement, because one transfer writes both: the officer's open
reports, the still-scheduled meetings they organise or facilitate, and their open action items go to
a named colleague or to the station queue, with the officer's new posting, in one transaction and
one access-log row.

Who may: a station head (within their station), a district coordinator (within their district), an
administrator. An officer, station, beat or colleague outside that scope raises NotVisible (404).

The report rules are not relaxed by a transfer: a report goes to the colleague only if the colleague
may read it (`Report.content_visible_to`: women's-desk and women-only reports only to a woman of the
desk; never a conduct complaint that names them); any other report goes to the queue (no assignee).
Meetings and action items need an owner, so "the station queue" hands those to the person doing the
transfer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from rabta.audit.models import AccessLog, record_access
from rabta.core.errors import NotVisible
from rabta.engagement.models import ActionItem, Meeting, MeetingStatus, check_facilitators
from rabta.engagement.models.work import OPEN_STATUSES as OPEN_ACTIONS
from rabta.people.models import STAFF_ROLES, OfficerProfile, Role, User
from rabta.places.models import Beat, PoliceStation
from rabta.reports.lifecycle import OPEN_STATUSES as OPEN_REPORTS
from rabta.reports.models import Report

MANAGERS = frozenset({Role.STATION_HEAD, Role.DISTRICT_COORDINATOR, Role.ADMIN})


@dataclasses.dataclass(frozen=True)
class Handover:
    """What a transfer moves: the reports for the colleague, those that go to the queue instead
    (all of them when the target is the queue), the meetings and the action items."""

    to_colleague: list[Report]
    to_queue: list[Report]
    meetings: list[Meeting]
    actions: list[ActionItem]

    @property
    def counts(self) -> dict[str, int]:
        return {
            "reports_to_colleague": len(self.to_colleague),
            "reports_to_queue": len(self.to_queue),
            "meetings": len(self.meetings),
            "actions": len(self.actions),
        }


def _check_manager(by: User) -> None:
    if by.role not in MANAGERS or not by.is_active:
        raise NotVisible


def officers_for(*, by: User) -> list[OfficerProfile]:
    """Officer profiles `by` may transfer (their own excepted)."""
    _check_manager(by)
    found = OfficerProfile.objects.visible_to(by).exclude(user_id=by.pk).values_list("pk", flat=True)
    return list(
        OfficerProfile.objects.filter(pk__in=list(found), user__is_active=True)
        .select_related("user", "station")
        .prefetch_related("beats")
        .order_by("station__name", "user__first_name", "user__last_name")
    )


def profile_for(*, officer_id: int, by: User) -> OfficerProfile:
    """The officer profile of `officer_id` if `by` may transfer them."""
    _check_manager(by)
    found = OfficerProfile.objects.visible_to(by).filter(user_id=officer_id).values_list("pk", flat=True)
    profile = OfficerProfile.objects.select_related("user", "station").filter(pk__in=list(found)).first()
    if profile is None:
        raise NotVisible
    return profile


def colleagues(*, by: User, officer: User) -> list[User]:
    """Who may take over an officer's work: active staff with an officer profile in the manager's
    scope, the station heads of stations in scope, and the manager; never the officer."""
    profiles = OfficerProfile.objects.visible_to(by).values("user_id")
    stations = PoliceStation.objects.visible_to(by).values("pk")
    people = (
        User.objects.filter(is_active=True, role__in=STAFF_ROLES)
        .exclude(pk=officer.pk)
        .filter(Q(pk__in=profiles) | Q(role=Role.STATION_HEAD, scope_station_id__in=stations) | Q(pk=by.pk))
        .order_by("first_name", "last_name", "username")
    )
    return list(people)


def handover(*, officer: User, to: User | None) -> Handover:
    """What a transfer of `officer` would move now, and where each report would go."""
    reports = list(
        Report.objects.filter(assignee_id=officer.pk, status__in=OPEN_REPORTS)
        .select_related("category")
        .order_by("pk")
    )
    if to is None:
        to_colleague, to_queue = [], reports
    else:
        # content_visible_to also refuses a report that names `to` as the subject officer.
        to_colleague = [r for r in reports if r.content_visible_to(to)]
        taken = {r.pk for r in to_colleague}
        to_queue = [r for r in reports if r.pk not in taken]
    meetings = list(
        Meeting.objects.filter(status=MeetingStatus.SCHEDULED, ends_at__gte=timezone.now())
        .filter(Q(created_by_id=officer.pk) | Q(facilitators=officer))
        .distinct()
        .prefetch_related("facilitators")
        .order_by("pk")
    )
    actions = list(
        ActionItem.objects.filter(owner_officer_id=officer.pk, status__in=OPEN_ACTIONS).order_by("pk")
    )
    return Handover(to_colleague=to_colleague, to_queue=to_queue, meetings=meetings, actions=actions)


def _check_posting(*, by: User, station: PoliceStation, beats: Sequence[Beat]) -> None:
    if not PoliceStation.objects.visible_to(by).filter(pk=station.pk).exists():
        raise NotVisible
    if any(beat.station_id != station.pk for beat in beats):
        raise ValidationError(_("Choose beats of the new station."))
    visible = set(
        Beat.objects.visible_to(by).filter(pk__in=[b.pk for b in beats]).values_list("pk", flat=True)
    )
    if visible != {b.pk for b in beats}:
        raise NotVisible


def _check_target(*, by: User, officer: User, to: User | None) -> None:
    if to is not None and to.pk not in {u.pk for u in colleagues(by=by, officer=officer)}:
        raise NotVisible


def preview(*, profile: OfficerProfile, to: User | None, by: User) -> Handover:
    _check_manager(by)
    _check_target(by=by, officer=profile.user, to=to)
    return handover(officer=profile.user, to=to)


def transfer_officer(
    *, profile: OfficerProfile, station: PoliceStation, beats: Sequence[Beat], to: User | None, by: User
) -> Handover:
    """Post the officer to `station` and `beats`; hand their open work to `to` (None: the queue).

    One transaction: a failure anywhere leaves the posting and every item as they were.
    """
    _check_manager(by)
    if not OfficerProfile.objects.visible_to(by).filter(pk=profile.pk).exists():
        raise NotVisible
    _check_posting(by=by, station=station, beats=beats)
    officer = profile.user
    _check_target(by=by, officer=officer, to=to)
    moves_station = station.pk != profile.station_id
    if moves_station and officer.role in (Role.WOMENS_DESK, Role.STATION_HEAD):
        # A sensitive role's scope changes only through a request a second person approves.
        raise ValidationError(_("Move this account to another station through a request for its role."))
    with transaction.atomic():
        found = handover(officer=officer, to=to)
        for report in found.to_colleague:
            report.assign(to=to, by=by)
        for report in found.to_queue:
            report.assign(to=None, by=by)
        for meeting in found.meetings:
            current = list(meeting.facilitators.all())
            facilitators = [u for u in current if u.pk != officer.pk]
            if to is not None and len(facilitators) < len(current) and to not in facilitators:
                facilitators.append(to)
            check_facilitators(meeting.kind, facilitators)
            meeting.facilitators.set(facilitators)
            if meeting.created_by_id == officer.pk:
                meeting.created_by = to or by
                meeting.save(update_fields=["created_by", "updated_at"])
        ActionItem.objects.filter(pk__in=[a.pk for a in found.actions]).update(
            owner_officer=to or by, updated_at=timezone.now()
        )
        old_station_id = profile.station_id
        profile.station = station
        fields = ["station"]
        if moves_station and profile.on_womens_desk:
            # Serving on the new station's desk is a sensitive change: it goes through a request.
            profile.on_womens_desk = False
            fields.append("on_womens_desk")
        profile.save(update_fields=fields)
        profile.beats.set(beats)
        _move_scope(officer=officer, station=station, beats=beats)
        counts = found.counts
        record_access(
            actor=by,
            action=AccessLog.Action.TRANSFER,
            obj=profile,
            detail=(
                f"station {old_station_id}->{station.pk}; beats {','.join(str(b.pk) for b in beats) or '-'}; "
                f"to {'queue' if to is None else f'user {to.pk}'}; reports {counts['reports_to_colleague']}"
                f"+{counts['reports_to_queue']} queued; meetings {counts['meetings']}; "
                f"actions {counts['actions']}"
            ),
        )
    return found


def _move_scope(*, officer: User, station: PoliceStation, beats: Sequence[Beat]) -> None:
    """An officer's own scope follows the posting, so they stop seeing the old beat's reports."""
    if officer.scope_beat_id is not None:
        officer.scope_beat = beats[0] if beats else None
        officer.scope_station = None if beats else station
        officer.save(update_fields=["scope_beat", "scope_station"])
    elif officer.scope_station_id is not None and officer.scope_station_id != station.pk:
        officer.scope_station = station
        officer.save(update_fields=["scope_station"])
