"""Print what needs an operator's attention; exit 1 if anything does, 2 if the database is down."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rabta.site.selectors import STUCK_MINUTES, health

ATTENTION = 1
DATABASE_DOWN = 2


class Command(BaseCommand):
    help = (
        "Report stuck and abandoned tasks, failed SMS and e-mails of the last 24 h, and whether the "
        "database answers. Exit 0 when all is well, 1 when something needs attention, 2 when the "
        "database is unreachable."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--stuck-minutes",
            type=int,
            default=STUCK_MINUTES,
            help=f"a task running, or overdue, this long is stuck (default {STUCK_MINUTES})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        minutes = max(1, int(options["stuck_minutes"]))
        report = health(stuck_minutes=minutes)
        if not report.database:
            self.stdout.write("database: unreachable")
            self.stdout.write("status: attention needed")
            raise SystemExit(DATABASE_DOWN)
        lines = (
            ("database", "ok"),
            (f"tasks running longer than {minutes} min", report.tasks_running_too_long),
            (f"tasks waiting more than {minutes} min past their time", report.tasks_overdue),
            ("tasks abandoned by a stopped worker in the last 24 h", report.tasks_abandoned),
            ("SMS failed or undelivered in the last 24 h", report.sms_failed),
            ("e-mails failed in the last 24 h", report.emails_failed),
        )
        for label, value in lines:
            self.stdout.write(f"{label}: {value}")
        self.stdout.write(f"status: {'attention needed' if report.needs_attention else 'ok'}")
        if report.needs_attention:
            raise SystemExit(ATTENTION)
