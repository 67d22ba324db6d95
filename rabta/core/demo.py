"""The demo district pipeline that `manage.py seed_demo` runs.

Each app that has demo data gives a module `rabta.<app>.demo` with:

``seed(ctx)``      required. Create the app's demo data. Runs only when the demo district is absent
                   (first run, or after ``--reset``), inside the one transaction of the command.
``describe(ctx)``  optional. Put the app's ``KEY=VALUE`` lines into ``ctx.values`` (and accounts into
                   ``ctx.accounts``) from data already in the database. Runs instead of ``seed`` when
                   the demo already exists; ``seed`` should end by calling it, so both paths write the
                   same lines to ``var/demo.txt``.
``reset(ctx)``     optional. Delete the app's demo data. Runs in reverse order before a rebuild.

Determinism: use ``ctx.rng`` for every random choice and date things relative to ``ctx.today``
(``ctx.local_datetime(days_ago, hour, minute)``), never ``random`` or ``timezone.now()``. Then a seed on
the same day gives the same data, and the demo always looks recent. Modules run in ``DEMO_MODULES``
order and must not depend on the random draws of a module after them.
"""

from __future__ import annotations

import datetime as dt
import importlib
import random
import sys
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any, TextIO

from django.utils import timezone

if TYPE_CHECKING:
    from rabta.people.models import User

# The order matters: places before people (officers need beats), people before everything
# that has an author, assignee or attendee.
DEMO_MODULES = (
    "rabta.places.demo",
    "rabta.people.demo",
    "rabta.reports.demo",
    "rabta.engagement.demo",
    "rabta.messaging.demo",
)
DEMO_SEED = 20_250_602
# The demo district is in Pakistan, whatever TIME_ZONE says.
DEMO_TIME_ZONE = zoneinfo.ZoneInfo("Asia/Karachi")


@dataclass
class DemoContext:
    rng: random.Random = field(default_factory=lambda: random.Random(DEMO_SEED))  # noqa: S311 - demo data
    today: dt.date = field(default_factory=lambda: timezone.localtime(timezone.now(), DEMO_TIME_ZONE).date())
    now: dt.datetime = field(default_factory=timezone.now)
    values: dict[str, str] = field(default_factory=dict)
    accounts: dict[str, User] = field(default_factory=dict)
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


def load_modules(names: tuple[str, ...] = DEMO_MODULES) -> list[ModuleType]:
    """Import the demo modules that exist; a module missing is fine, an error inside one is not."""
    modules = []
    for name in names:
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            missing = exc.name or ""
            if not (name == missing or name.startswith(missing + ".")):
                raise  # the module exists but something it imports does not
    return modules


def _call_each(modules: list[ModuleType], hook: str, ctx: DemoContext) -> None:
    for module in modules:
        function: Callable[[DemoContext], None] | None = getattr(module, hook, None)
        if function is not None:
            function(ctx)


def demo_exists() -> bool:
    from rabta.places.demo import demo_district_exists

    return demo_district_exists()


def reset_all(ctx: DemoContext, modules: list[ModuleType] | None = None) -> None:
    _call_each(list(reversed(modules if modules is not None else load_modules())), "reset", ctx)


def seed_all(ctx: DemoContext, modules: list[ModuleType] | None = None) -> None:
    for module in modules if modules is not None else load_modules():
        module.seed(ctx)


def describe_all(ctx: DemoContext, modules: list[ModuleType] | None = None) -> None:
    _call_each(modules if modules is not None else load_modules(), "describe", ctx)
