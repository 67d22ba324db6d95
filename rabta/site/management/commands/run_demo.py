"""Serve the demo and run the background task worker beside it, stopping both together."""

from __future__ import annotations

import signal
import subprocess
import sys
from types import FrameType

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


def _stop(signum: int, frame: FrameType | None) -> None:
    # SIGTERM (from `kill`, a supervisor or CI) unwinds like Ctrl-C, so the worker is stopped too.
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Run the development server and a db_worker for background tasks (the demo, not production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args: object, **options: object) -> None:
        signal.signal(signal.SIGTERM, _stop)
        if settings.DEBUG:
            # `make demo` serves with DEBUG=0 (Makefile, DEMO_SERVE_ENV); run by hand, say what DEBUG shows.
            self.stdout.write(
                "DEBUG is on: a wrong address shows Django's debug page, listing every URL. "
                "`make demo` serves with DEBUG=0 (docs/demo.md)."
            )
        manage = str(settings.BASE_DIR / "manage.py")
        call_command("schedule_sweeps")  # deadlines, SMS safety net, daily reminders
        worker = subprocess.Popen([sys.executable, manage, "db_worker"])  # noqa: S603 - our own command
        self.stdout.write(f"task worker started (pid {worker.pid})")
        try:
            call_command("runserver", f"{options['host']}:{options['port']}", use_reloader=False)
        except KeyboardInterrupt:
            pass
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
            self.stdout.write("stopped the server and the task worker")
