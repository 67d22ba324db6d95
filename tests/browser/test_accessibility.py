"""Every resident page passes axe-core in English, Urdu and Pashto, with 44 px touch targets.

axe-core is vendored for the tests only (tests/browser/vendor/, see its README.md): it is injected by
Playwright as an init script, which the pages' Content-Security-Policy does not apply to, so the pages
are tested exactly as served. Any violation fails, with every rule enabled by default plus
`target-size` (WCAG 2.2). One browser, one page per language, visiting the pages in turn.

Screenshots of the error pages, and of the report form's error summary: tests/artifacts/screenshots/
a11y-*.png (copied to var/screens/a11y/).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from rabta.core import error_views
from rabta.reports.models import Category, Report
from tests import factories
from tests.browser.helpers import horizontal_overflow, screenshot
from tests.conftest import World
from tests.paths import url_for
from tests.sms_fixtures import console_channel

pytestmark = pytest.mark.browser

VENDOR = Path(__file__).resolve().parent / "vendor"
AXE_SOURCE = (VENDOR / "axe.min.js").read_text(encoding="utf-8")
SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens" / "a11y"
LOCALES = {"en": "en-GB", "ur": "ur-PK", "ps": "ps-AF"}

RUN_AXE = """async () => {
  const options = {rules: {"target-size": {enabled: true}}, resultTypes: ["violations"]};
  const result = await axe.run(document, options);
  return result.violations.map(v => `${v.id} (${v.impact}): ${v.help}\\n    ` +
    v.nodes.map(n => n.target.join(" ") + " :: " + n.failureSummary.replace(/\\n/g, " ")).join("\\n    "));
}"""

# Everything tapped on its own; links inside sentences are excepted (WCAG 2.5.5).
SMALL_TARGETS = """() => {
  const selector = "button, .button, select, textarea,"
    + " input:not([type=hidden]):not([type=checkbox]):not([type=radio]), .langs a, .langs strong, .brand,"
    + " summary, label.choice, .check label, .links a, .error-summary a";
  const out = [];
  for (const el of document.querySelectorAll(selector)) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    if (r.height < 44 - 0.5 || r.width < 44 - 0.5)
      out.push(`${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 30)}"`
        + ` ${Math.round(r.width)}x${Math.round(r.height)}`);
  }
  return out;
}"""


def check(page: Page, name: str) -> None:
    """No axe violation, no small touch target, no horizontal scrollbar on the page as it is now."""
    violations = page.evaluate(RUN_AXE)
    assert violations == [], f"axe-core on {name} ({page.url}):\n  " + "\n  ".join(violations)
    small = page.evaluate(SMALL_TARGETS)
    assert small == [], f"touch targets under 44 px on {name}: {small}"
    assert horizontal_overflow(page) == 0, name


def shoot(page: Page, name: str) -> None:
    path = screenshot(page, f"a11y-{name}")
    SCREENS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SCREENS / path.name)


def visit(page: Page, path: str, name: str) -> None:
    page.goto(path)
    check(page, name)


@pytest.mark.parametrize("lang", ["en", "ur", "ps"])
def test_resident_pages_pass_axe(
    new_page: Callable[..., Page], world: World, live_server: Any, lang: str
) -> None:
    from tests.test_engagement_support import demo_loop

    console_channel()
    demo_loop(world)
    tracked = factories.report("street_lighting", beat_obj=world.beat_a)
    tracked.report.acknowledge(by=world.beat_officer, note="An officer will look at the lights this week.")
    page = new_page(locale=LOCALES[lang])
    page.add_init_script(script=AXE_SOURCE)

    visit(page, url_for("places:home", lang=lang), "home")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    visit(page, url_for("places:home", lang=lang, query={"q": "Gulabad"}), "search")
    visit(page, url_for("site:beat", "GUL", lang=lang), "beat")
    visit(page, url_for("engagement:you_said_we_did", "GUL", lang=lang), "you said, we did")

    # SMS news: a refused number, then one that is asked to confirm.
    page.goto(url_for("site:beat", "GUL", lang=lang))
    page.locator("#sub-phone").fill("12")
    page.locator("form[action$='/subscribe/'] button[type=submit]").click()
    page.wait_for_load_state()
    check(page, "subscribe refused")
    page.locator("#sub-phone").fill("0300 1112223")
    page.locator("form[action$='/subscribe/'] button[type=submit]").click()
    page.wait_for_load_state()
    check(page, "subscribe asked")

    # The report form, sent empty: the error summary takes the focus and links to each field.
    visit(page, url_for("reports:new", lang=lang), "report form")
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_load_state()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    links = summary.locator("a")
    assert links.count() >= 2  # the category and the description at least
    for href in links.evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        assert page.locator(href).count() == 1, f"{href} names no field"
    check(page, "report form with errors")
    shoot(page, f"report-errors-{lang}")
    links.first.click()
    expect(page.locator(links.first.get_attribute("href") or "")).to_be_focused()

    # Sent properly: the confirmation, then the tracking page it links to.
    lighting = Category.objects.get(code="street_lighting")
    page.locator(f"input[name=category][value='{lighting.pk}']").check()
    page.locator("select[name=beat]").select_option("GUL")
    page.locator("textarea[name=description]").fill("The street lights by the chowk are dark.")
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_load_state()
    check(page, "report sent")
    assert Report.objects.filter(description__startswith="The street lights by the chowk").count() == 1

    visit(page, url_for("reports:track_lookup", lang=lang), "track lookup")
    page.locator("#id_code").fill("123-456-7890")
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("#error-summary")).to_be_focused()
    check(page, "track lookup, unknown code")
    visit(page, url_for("reports:track", tracked.token, lang=lang), "track")


@pytest.mark.parametrize("lang", ["en", "ur", "ps"])
def test_error_pages_pass_axe(
    new_page: Callable[..., Page], world: World, live_server: Any, lang: str
) -> None:
    from django.test import RequestFactory

    page = new_page(locale=LOCALES[lang])
    page.add_init_script(script=AXE_SOURCE)

    response = page.goto(f"/{lang}/no-such-page/")
    assert response is not None and response.status == 404
    check(page, "404")
    shoot(page, f"404-{lang}")

    # An expired form: the CSRF cookie is gone when the resident finally sends.
    page.goto(url_for("reports:track_lookup", lang=lang))
    page.locator("#id_code").fill("123-456-7890")
    page.context.clear_cookies()
    with page.expect_response(lambda r: r.request.method == "POST") as sent:
        page.locator("form.stack button[type=submit]").click()
    assert sent.value.status == 403
    page.wait_for_load_state()
    check(page, "403 CSRF")
    shoot(page, f"403-csrf-{lang}")

    # The 500 page as the handler renders it (a real 500 would fail the test's own error watch), served
    # at an address of the site so its stylesheet loads from the live server.
    body = error_views.server_error(RequestFactory().get(f"/{lang}/beats/GUL/")).content
    crash = f"/{lang}/crash-for-test/"
    page.route(
        f"**{crash}",
        lambda route: route.fulfill(status=200, body=body, content_type="text/html; charset=utf-8"),
    )
    page.goto(crash)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang != "en" else "ltr")
    check(page, "500")
    shoot(page, f"500-{lang}")
    assert urlsplit(page.locator(".brand").get_attribute("href") or "").path == url_for(
        "places:home", lang=lang
    )


def test_the_check_catches_violations_and_small_targets(page: Page, world: World) -> None:
    # The test must be able to fail: an image without a text alternative and a 20 px button.
    page.add_init_script(script=AXE_SOURCE)
    page.goto(url_for("places:home", lang="ur"))
    page.evaluate(
        """() => {
          const main = document.querySelector("main");
          main.insertAdjacentHTML("beforeend", '<img src="/static/rabta/favicon.svg"><button>x</button>');
          Object.assign(main.lastElementChild.style, {minHeight: "0", height: "20px"});
        }"""
    )
    with pytest.raises(AssertionError, match="image-alt"):
        check(page, "broken on purpose")
    assert page.evaluate(SMALL_TARGETS) != []
