"""Load the demo district (Lower Dir around Timergara) and write its logins to var/demo.txt.

Deterministic: the same calendar day (Asia/Karachi) gives the same data; dates in the demo are
relative to that day, so the demo always looks recent. Run again, it changes nothing unless
--reset is given, which deletes the demo data and builds it afresh.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from rabta.core.demo import DEMO_TIME_ZONE, DemoContext
from rabta.site.demo import demo_exists, describe_all, load_modules, reset_all, seed_all


class Command(BaseCommand):
    help = "Create the demo district with officers and an account per role; write KEY=VALUE lines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--write", metavar="PATH", help="write the KEY=VALUE lines to this file (e.g. var/demo.txt)"
        )
        parser.add_argument("--reset", action="store_true", help="delete the demo data and build it again")
        parser.add_argument(
            "--today",
            metavar="YYYY-MM-DD",
            help="build the demo as if seeded on this day (default: today in Asia/Karachi)",
        )

    def handle(self, *args: object, **options: object) -> None:
        ctx = DemoContext(stdout=self.stdout)
        if options["today"]:
            try:
                ctx.today = dt.date.fromisoformat(str(options["today"]))
            except ValueError:
                raise CommandError("--today must be a date such as 2025-06-02") from None
            if ctx.today != timezone.localtime(timezone.now(), DEMO_TIME_ZONE).date():
                ctx.now = dt.datetime.combine(ctx.today, dt.time(12), tzinfo=DEMO_TIME_ZONE)
        modules = load_modules()
        self.stdout.write("demo modules: " + ", ".join(m.__name__ for m in modules))

        with transaction.atomic():
            exists = demo_exists()
            if exists and not options["reset"]:
                self.stdout.write(
                    "The demo district exists already; nothing added (use --reset to rebuild it)."
                )
                describe_all(ctx, modules)
            else:
                # Also clears what a half-removed demo left behind (demo accounts without their district).
                reset_all(ctx, modules)
                if exists:
                    self.stdout.write("Deleted the old demo data.")
                seed_all(ctx, modules)
                self.stdout.write(self.style.SUCCESS(f"Seeded the demo district as of {ctx.today:%Y-%m-%d}."))

        lines = ctx.demo_lines()
        if options["write"]:
            path = Path(str(options["write"]))
            path.parent.mkdir(parents=True, exist_ok=True)
            # Demo passwords and TOTP secrets: readable by the owner only, like var/rabta.env.
            path.touch(mode=0o600, exist_ok=True)
            path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
            self.stdout.write(f"---- {path} ----")
            for line in lines:
                self.stdout.write(line)
            self.stdout.write("-" * (len(str(path)) + 10))
