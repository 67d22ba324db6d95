"""Erase personal data past its retention period now (the daily sweep runs the same code)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rabta.site.retention import purge


class Command(BaseCommand):
    help = (
        "Erase data past its retention period; --dry-run only counts. Prints counts per kind, never contents."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be erased, erase nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = bool(options["dry_run"])
        counts = purge(dry_run=dry_run)
        verb = "would erase" if dry_run else "erased"
        for kind, count in counts.items():
            self.stdout.write(f"{verb} {count} {kind}")
