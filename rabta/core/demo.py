"""What every app's demo module is given: a `DemoContext` (the pipeline is rabta.site.demo).

Determinism: use ``ctx.rng`` for every random choice and date things relative to ``ctx.today``
(``ctx.local_datetime(days_ago, hour, minute)``), never ``random`` or ``timezone.now()``. Then a seed on
the same day gives the same data, and the demo always looks recent.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import zoneinfo
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.utils import timezone

DEMO_SEED = 20_250_602
# The demo district is in Pakistan, whatever TIME_ZONE says.
DEMO_TIME_ZONE = zoneinfo.ZoneInfo("Asia/Karachi")


@dataclass
class DemoContext:
    rng: random.Random = field(default_factory=lambda: random.Random(DEMO_SEED))  # noqa: S311 - demo data
    today: dt.date = field(default_factory=lambda: timezone.localtime(timezone.now(), DEMO_TIME_ZONE).date())
    now: dt.datetime = field(default_factory=timezone.now)
    values: dict[str, str] = field(default_factory=dict)
    # The demo login of each role (rabta.people.models.User, which this layer cannot name).
    accounts: dict[str, Any] = field(default_factory=dict)
    stdout: TextIO | Any = field(default_factory=lambda: sys.stdout)

    def local_datetime(self, days_ago: int, hour: int, minute: int = 0) -> dt.datetime:
        """An aware datetime `days_ago` days before today at a local (Asia/Karachi) wall-clock time.

        Use days_ago >= 1 for anything that must lie in the past whatever the hour of the seed.
        """
        day = self.today - dt.timedelta(days=days_ago)
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=DEMO_TIME_ZONE)

    def say(self, message: str) -> None:
        self.stdout.write(message + ("" if message.endswith("\n") else "\n"))

    def demo_lines(self) -> list[str]:
        return [f"{key}={value}" for key, value in self.values.items()]
