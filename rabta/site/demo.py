"""The demo district pipeline that `manage.py seed_demo` runs, over every app's demo module.

Each app that has demo data gives a module `rabta.<app>.demo` with:

``seed(ctx)``      required. Create the app's demo data. Runs only when the demo district is absent
                   (first run, or after ``--reset``), inside the one transaction of the command.
``describe(ctx)``  optional. Put the app's ``KEY=VALUE`` lines into ``ctx.values`` (and accounts into
                   ``ctx.accounts``) from data already in the database. Runs instead of ``seed`` when
                   the demo already exists; ``seed`` should end by calling it, so both paths write the
                   same lines to ``var/demo.txt``.
``reset(ctx)``     optional. Delete the app's demo data. Runs in reverse order before a rebuild.

`ctx` is a `rabta.core.demo.DemoContext`. Modules run in ``DEMO_MODULES`` order and must not depend
on the random draws of a module after them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType

from rabta.core.demo import DemoContext
from rabta.places.demo import demo_district_exists

# The order matters: places before people (officers need beats), people before everything
# that has an author, assignee or attendee.
DEMO_MODULES = (
    "rabta.places.demo",
    "rabta.people.demo",
    "rabta.reports.demo",
    "rabta.engagement.demo",
    "rabta.presence.demo",
    "rabta.messaging.demo",
    "rabta.feedback.demo",
    "rabta.insights.demo",  # last: it rolls up what every module before it seeded
)


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
    return demo_district_exists()


def reset_all(ctx: DemoContext, modules: list[ModuleType] | None = None) -> None:
    _call_each(list(reversed(modules if modules is not None else load_modules())), "reset", ctx)


def seed_all(ctx: DemoContext, modules: list[ModuleType] | None = None) -> None:
    for module in modules if modules is not None else load_modules():
        module.seed(ctx)


def describe_all(ctx: DemoContext, modules: list[ModuleType] | None = None) -> None:
    _call_each(modules if modules is not None else load_modules(), "describe", ctx)
