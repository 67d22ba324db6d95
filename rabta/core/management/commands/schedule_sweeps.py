"""Start the periodic sweeps (idempotent: a sweep that already has a run waiting is left alone)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from rabta.core.periodic import SWEEPS, ensure_scheduled


class Command(BaseCommand):
    help = "Queue every periodic sweep that has no run waiting (run after migrate; safe to repeat)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = set(ensure_scheduled())
        for sweep in SWEEPS:
            state = "queued" if sweep.task_path in started else "already waiting"
            self.stdout.write(f"{sweep.task_path} (every {sweep.every}): {state} - {sweep.why}")
