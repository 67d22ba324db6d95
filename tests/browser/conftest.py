"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's live_server.

Never `playwright install`: we use the distribution's Chromium at /usr/bin/chromium (override with
RABTA_CHROMIUM). When it is missing the browser tests are skipped with the reason, unless
RABTA_REQUIRE_BROWSER=1 (CI sets it), in which case they fail: a green CI run has really driven a browser.

Every test gets a fresh browser context at phone size (360x740). Requests to any host other than the live
server are blocked and fail the test, and so do JavaScript errors and console errors (a CSP violation
shows as one): resident pages must load nothing from a third party.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Response,
    Route,
    sync_playwright,
)

BROWSER_DIR = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("RABTA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LOCAL_HOSTS = {"localhost", "127.0.0.1"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Everything under tests/browser is a browser test, marked or not, so `-m "not browser"` skips it all.
    for item in items:
        if BROWSER_DIR in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


def _unavailable(reason: str) -> None:
    if os.environ.get("RABTA_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}; RABTA_REQUIRE_BROWSER=1 forbids skipping browser tests", pytrace=False)
    pytest.skip(f"{reason} (apt-get install chromium, or set RABTA_CHROMIUM)")


@pytest.fixture(scope="session")
def browser(django_db_setup: None, django_db_blocker: Any) -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"browser tests need Chromium at {CHROMIUM}, which is missing")
    from django.db import connections

    with django_db_blocker.unblock():
        ours = {alias: connections[alias] for alias in connections}
    with sync_playwright() as pw:
        # Playwright's sync API leaves the test running in another contextvars context, where Django's
        # per-context connection handler would open fresh connections that lack the test database's
        # state (the serialized contents that serialized rollback restores). Hand it ours.
        for alias, connection in ours.items():
            connections[alias] = connection
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


class PageProblems:
    """What went wrong in the browser during one test; checked when the test ends."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def watch(self, page: Page) -> None:
        page.on("pageerror", lambda error: self.items.append(f"JavaScript error: {error}"))
        page.on("console", self._console)
        page.on("response", self._response)

    def _console(self, message: ConsoleMessage) -> None:
        # Failed loads are judged by _response, which knows a page's own 404 (asked for) from a broken link.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.items.append(f"console error: {message.text}")

    def _response(self, response: Response) -> None:
        is_page = response.request.resource_type == "document"
        if response.status >= 500 or (response.status >= 400 and not is_page):
            self.items.append(f"HTTP {response.status} for {response.request.resource_type} {response.url}")


@pytest.fixture
def new_page(
    browser: Browser, live_server: Any, django_db_serialized_rollback: None
) -> Iterator[Callable[..., Page]]:
    """Make a page in a fresh context: new_page(java_script_enabled=False, locale="ur-PK", ...).

    Keyword arguments go to browser.new_context; the viewport defaults to a 360x740 phone.
    live_server makes the test transactional: the database is emptied after it, including the rows
    migrations put there (report categories...). Serialized rollback puts those rows back before each
    browser test, so a browser test never depends on which transactional test ran before it.
    """
    from tests.browser.helpers import PHONE

    contexts: list[BrowserContext] = []
    problems = PageProblems()
    live_host = urlsplit(live_server.url).hostname

    def block_other_hosts(route: Route) -> None:
        host = urlsplit(route.request.url).hostname
        if host in LOCAL_HOSTS or host == live_host:
            route.continue_()
        else:
            problems.items.append(f"request to another host: {route.request.url}")
            route.abort()

    def make(**context_options: Any) -> Page:
        context_options.setdefault("viewport", dict(PHONE))
        context_options.setdefault("locale", "en-GB")
        context_options.setdefault("timezone_id", "Asia/Karachi")
        # RABTA_SCREENSHOT_SCALE=2 takes sharper screenshots, as a phone's denser screen shows the page.
        context_options.setdefault(
            "device_scale_factor", float(os.environ.get("RABTA_SCREENSHOT_SCALE", "1"))
        )
        context = browser.new_context(base_url=live_server.url, **context_options)
        context.set_default_timeout(10_000)
        context.route("**/*", block_other_hosts)
        contexts.append(context)
        page = context.new_page()
        problems.watch(page)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not problems.items, "problems in the browser:\n" + "\n".join(problems.items)


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A page in a fresh context, JavaScript on, phone viewport, base_url = the live server."""
    return new_page()
