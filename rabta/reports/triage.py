"""Officer triage actions, shared by the staff pages (triage_views.py) and the JSON API (api/).

Each action checks that the officer may act on the report, then writes through
rabta.reports.services (lifecycle, notifications); a refusal is an ActionError with a message for
the officer. The reads these pages share (the queue, the report, duplicate suggestions, who may take
a report) are in selectors.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from rabta.people.models import User
from rabta.reports import services
from rabta.reports.lifecycle import IllegalTransition, Status, allowed
from rabta.reports.models import Report, ReportUpdate
from rabta.reports.selectors import assignable_officers, duplicate_candidates

# The actions a triage page offers, by target status; what the lifecycle allows decides which show.
STATUS_ACTIONS = (Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED, Status.REFERRED, Status.CLOSED)


class ActionError(Exception):
    """An action that cannot be done; str() is a translated message for the officer."""


def allowed_targets(report: Report) -> list[str]:
    return [s for s in STATUS_ACTIONS if allowed(report.status, s)]


# ---- actions ------------------------------------------------------------------------------


_T = TypeVar("_T")


def _guard(call: Callable[[], _T]) -> _T:
    try:
        return call()
    except IllegalTransition as exc:
        raise ActionError(_("This change is not possible now (%(detail)s).") % {"detail": exc}) from None
    except ValidationError as exc:
        raise ActionError(" ".join(str(m) for m in exc.messages)) from None


def _may_act(report: Report, by: User) -> None:
    # Acting on a report (a status, a note, a merge) needs reading it; assigning it does not, so a
    # supervisor can still hand a women-only report to a woman officer of the desk.
    if not report.content_visible_to(by, in_scope=True):
        raise ActionError(_("Only women officers of the women's desk can act on this report."))


def acknowledge(*, report: Report, by: User, note: str = "", public: bool = True) -> ReportUpdate:
    _may_act(report, by)
    return _guard(
        lambda: services.change_status(report=report, by=by, to=Status.ACKNOWLEDGED, note=note, public=public)
    )


def change_status(
    *,
    report: Report,
    by: User,
    to: str,
    note: str = "",
    public: bool = True,
    referred_to: str = "",
    reason: str = "",
    note_ur: str = "",
    note_ps: str = "",
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
            report=report,
            by=by,
            to=to,
            note=note,
            public=public,
            referred_to=referred_to,
            reason=reason,
            note_ur=note_ur,
            note_ps=note_ps,
        )
    )


def add_note(
    *, report: Report, by: User, note: str, public: bool, note_ur: str = "", note_ps: str = ""
) -> ReportUpdate:
    _may_act(report, by)
    if not note.strip():
        raise ActionError(_("Write the note first."))
    return _guard(
        lambda: services.add_note(
            report=report, by=by, note=note, public=public, note_ur=note_ur, note_ps=note_ps
        )
    )


def assign(*, report: Report, by: User, to_username: str) -> ReportUpdate:
    to = None
    if to_username:
        to = next((u for u in assignable_officers(report) if u.username == to_username), None)
        if to is None:
            raise ActionError(_("That officer cannot take this report."))
    try:
        return services.assign(report=report, to=to, by=by)
    except PermissionDenied:
        raise ActionError(_("That officer cannot take this report.")) from None


def mark_duplicate(*, report: Report, by: User, of_public_id: str, note: str = "") -> ReportUpdate:
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


def use_neutral_wording(*, report: Report, by: User) -> bool:
    _may_act(report, by)
    return services.use_neutral_wording(report=report)
