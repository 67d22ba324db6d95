"""Helpers for browser tests: viewports, screenshots and layout facts read from the page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TypedDict

from playwright.sync_api import Locator, Page

SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"

# A small Android phone, the commonest screen among the residents Rabta serves.
PHONE = {"width": 360, "height": 740}


class Box(TypedDict):
    x: float
    y: float
    width: float
    height: float


def set_viewport(page: Page, width: int, height: int) -> None:
    page.set_viewport_size({"width": width, "height": height})


def phone(page: Page) -> None:
    set_viewport(page, PHONE["width"], PHONE["height"])


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page PNG under tests/artifacts/screenshots/ (git-ignored) and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def box(locator: Locator) -> Box:
    """The element's bounding box; fails clearly when it is not rendered."""
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not rendered"
    return Box(x=found["x"], y=found["y"], width=found["width"], height=found["height"])


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the document is wider than the viewport (0 means no horizontal scrollbar)."""
    return int(page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"))


def clipped_text(
    page: Page, selector: str = "h1, h2, p, li, a, button, label, summary, strong, span"
) -> list[str]:
    """Texts of elements whose content is cut off (wider or taller than their box, with hidden overflow),
    or which stick out past the viewport's inline edges."""
    return list(
        page.evaluate(
            """(selector) => {
              const out = [];
              const vw = document.documentElement.clientWidth;
              for (const el of document.querySelectorAll(selector)) {
                const r = el.getBoundingClientRect();
                if (!r.width || !r.height) continue;
                const style = getComputedStyle(el);
                const hides = style.overflow !== 'visible' || style.textOverflow === 'ellipsis';
                const cut = hides
                  && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1);
                const outside = r.left < -1 || r.right > vw + 1;
                if (cut || outside) out.push(el.tagName + ': ' + el.textContent.trim().slice(0, 40));
              }
              return out;
            }""",
            selector,
        )
    )
