"""Serve the demo and run the background task worker beside it, stopping both together."""

import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the development server and a db_worker for background tasks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args: object, **options: object) -> None:
        worker = subprocess.Popen([sys.executable, "manage.py", "db_worker"])  # noqa: S603 - our own command
        try:
            call_command("runserver", f"{options['host']}:{options['port']}", use_reloader=False)
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
