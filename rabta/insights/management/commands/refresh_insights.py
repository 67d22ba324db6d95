"""Bring the indicator rollups up to date now, as the periodic task does (docs/insights.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from rabta.insights import rollup, suppression
from rabta.insights.sources import local_day


class Command(BaseCommand):
    help = "Refresh the indicator rollups: the periods that changed, or everything with --full."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="rebuild every period from the first record")

    def handle(self, *args: Any, full: bool = False, **options: Any) -> None:
        result = rollup.refresh(full=full)
        decided = suppression.warm(local_day(timezone.now()))
        kind = "full rebuild" if result.full else "refresh"
        self.stdout.write(
            f"{kind}: {result.periods} periods, {result.rows} rows in {result.seconds:.1f} s; "
            f"public suppression decided for {decided} district periods"
        )
