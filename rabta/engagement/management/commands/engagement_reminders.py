"""Send action-item reminders and overdue escalations that are due. Safe to run again: each is sent once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rabta.engagement import reminders, tasks


class Command(BaseCommand):
    help = (
        "Remind owners of action items due soon and escalate overdue ones to the station head (idempotent)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Put the sweep on the task queue (db_worker runs it) and keep it repeating daily.",
        )
        parser.add_argument(
            "--today", type=dt.date.fromisoformat, help="Pretend today is this date (YYYY-MM-DD)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = tasks.sweep_action_items.enqueue(reschedule=True)
            self.stdout.write(f"sweep enqueued as task {result.id}")
            return
        outcome = reminders.sweep(options["today"])
        self.stdout.write(f"reminded {len(outcome.reminded)}, escalated {len(outcome.escalated)}")
