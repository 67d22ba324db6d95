"""Feedback's periodic sweep (registered in rabta.core.periodic)."""

from __future__ import annotations

from django_tasks import task

from rabta.core.periodic import every
from rabta.core.tasks import schedule_next
from rabta.feedback import invites


@task()
def sweep_invitations() -> dict[str, int]:
    try:
        result = invites.send_due_invitations()
        forgotten = invites.forget_expired_sessions()
        return {"sent": result.sent, "held_back": result.held_back, "sessions_forgotten": forgotten}
    finally:
        schedule_next(sweep_invitations, every(sweep_invitations.module_path))
