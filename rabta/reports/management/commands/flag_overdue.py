from typing import Any

from django.core.management.base import BaseCommand

from rabta.reports.tasks import flag_overdue_reports


class Command(BaseCommand):
    help = "Flag reports past a first-contact or resolution deadline and tell supervisors (cron)."

    def handle(self, *args: Any, **options: Any) -> None:
        flagged = flag_overdue_reports()
        self.stdout.write(f"flagged {flagged} overdue deadline(s)")
