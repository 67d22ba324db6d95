"""Staff-written text in Urdu and Pashto, and mixed-direction text in its right order, as a phone shows it.

Beat page, "you said, we did" and the tracking page at 360 px in Urdu and Pashto: every piece of
staff-written or other-language text is an isolate (`<bdi>` or an element with `dir`) carrying its
`lang`, an English text keeps its full stop at its end, an owner sits on a line of its own (no
brackets of ours around a name that has its own), and a date stays apart from the words around it.
Screenshots: var/screens/i18n/content-*.png.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from rabta.engagement import services
from rabta.engagement.models import MeetingKind
from rabta.reports import services as report_services
from tests import factories
from tests.browser.helpers import horizontal_overflow
from tests.conftest import World
from tests.paths import url_for
from tests.test_engagement_support import agency

pytestmark = pytest.mark.browser

SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens" / "i18n"
AGENCY = "TMA Timergara (Tehsil Municipal Administration)"


def shot(page: Page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"content-{name}.png"), full_page=True)


def seed(world: World) -> Any:
    officer = world.beat_officer
    officer.first_name, officer.last_name = "Ali", "Khan"
    officer.save(update_fields=["first_name", "last_name"])
    profile = officer.officer_profile
    profile.display_name_ur, profile.display_name_ps = "علی خان", "علي خان"
    profile.public_bio = "Your beat officer for Gulabad since 2023."
    profile.public_bio_ps = "له 2023 راهیسې په ګل اباد کې ستاسو د بیټ افسر یم۔"
    profile.duty_phone = "0311-9250110"
    profile.save()
    start = timezone.now() + dt.timedelta(days=3)
    services.create_meeting(
        by=officer,
        kind=MeetingKind.OPEN_TALK,
        title="Street lighting and safety at night",
        title_ur="گلی کی روشنی اور رات کا تحفظ",
        title_ps="د کوڅو رڼا او د شپې خوندیتوب",
        beats=[world.beat_a],
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        venue="Gulabad Chowk hujra",
        facilitators=[officer],
    )
    lights = services.add_priority(
        by=officer,
        beat=world.beat_a,
        issue="Streetlights on the Bagh Mohalla lane are dark.",
        issue_ur="باغ محلہ کی گلی کی اسٹریٹ لائٹس بند ہیں۔",
        issue_ps="د باغ محلې په کوڅه کې څراغونه مړه دي۔",
        raised_by="women",
        raised_on=timezone.localdate() - dt.timedelta(days=30),
    )
    done = services.add_action_item(
        by=officer,
        priority=lights,
        action="Install 14 new streetlights",
        action_ur="14 نئی اسٹریٹ لائٹس لگانا",
        due_on=timezone.localdate() - dt.timedelta(days=3),
        owner_agency=agency(name=AGENCY),
    )
    services.update_action_item(
        item=done,
        by=officer,
        status="done",
        outcome="14 LED lights installed; the committee checks them.",
        outcome_ps="14 ایل ای ډي څراغونه ولګول شول؛ کمېټه یې څاري۔",
        today=timezone.localdate() - dt.timedelta(days=1),
    )
    submission = factories.report("street_lighting", lat=34.805, lon=71.805)
    report_services.add_note(
        report=submission.report,
        by=officer,
        note="We visited the lane on 3 December.",
        note_ur="ہم 3 دسمبر کو گلی میں گئے۔",
        public=True,
    )
    return submission


# Every text that staff wrote, and every date and place beside it, is inside an isolate.
UNISOLATED = """() => {
  const picks = document.querySelectorAll(
    '.who strong, .who p:not(.actions), .said, .did > p:first-child, .timeline li p, #meet-h ~ ul li');
  const root = document.documentElement;
  const bad = [];
  for (const el of picks) {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!/\\p{L}/u.test(node.textContent)) continue;
      const parent = node.parentElement;
      if (parent.closest('.label, .owner, strong > :not(bdi)') && !parent.closest('bdi')) continue;
      if (parent.closest('#meet-h ~ ul li > strong')) continue;  // the meeting kind: page language
      const iso = parent.closest('bdi, [dir]');
      if (!iso || iso === root) bad.push(node.textContent.trim().slice(0, 40));
    }
  }
  return bad;
}"""

# The owner line: its label, then the agency's name (an isolate, its brackets inside it). Where the
# name's own brackets sit against its words, and where the label sits against the name.
OWNER = """() => {
  const span = document.querySelector('.did .owner');
  const name = span.querySelector('bdi');
  const text = name.firstChild;
  const range = document.createRange();
  const at = (i) => {
    range.setStart(text, i); range.setEnd(text, i + 1);
    const r = range.getBoundingClientRect();
    return {left: r.left, top: r.top};
  };
  const open = at(text.textContent.indexOf('(')), close = at(text.textContent.lastIndexOf(')'));
  const word = at(text.textContent.indexOf('Tehsil'));
  range.setStart(span.firstChild, 0); range.setEnd(span.firstChild, 1);
  const label = range.getBoundingClientRect();
  const first = name.getClientRects()[0];
  return {open, close, word, label: [label.left, label.top],
          name: [first.left, first.right, first.top], display: getComputedStyle(span).display,
          text: span.textContent};
}"""

# The full stop of a text: its x position against the text's last line (the end of a left-to-right
# line is its right edge).
FULL_STOP = """(selector) => {
  const el = document.querySelector(selector);
  const node = [...el.childNodes].find(n => n.nodeType === 3 && n.textContent.trim());
  const i = node.textContent.lastIndexOf('.');
  const range = document.createRange();
  range.setStart(node, i); range.setEnd(node, i + 1);
  const dot = range.getBoundingClientRect();
  range.setStart(node, 0); range.setEnd(node, i + 1);
  const lines = range.getClientRects();
  const last = lines[lines.length - 1];
  return {dot: dot.right, left: last.left, right: last.right, direction: getComputedStyle(el).direction};
}"""


@pytest.mark.parametrize("lang", ["ur", "ps"])
def test_staff_text_in_urdu_and_pashto_in_its_right_order(
    new_page: Callable[..., Page], live_server: Any, world: World, lang: str
) -> None:
    submission = seed(world)
    page = new_page(java_script_enabled=True)

    page.goto(url_for("site:beat", "GUL", lang=lang))
    name = "علی خان" if lang == "ur" else "علي خان"
    strong = page.locator(".who strong bdi", has_text=name)
    assert strong.count() == 1 and strong.get_attribute("lang") == lang
    # Officers without a version keep their Latin name, marked as English.
    assert page.locator('.who strong bdi[lang="en"]').count() == 1
    if lang == "ur":
        # No Urdu introduction: the English one reads left to right, its full stop at its end.
        bio = page.locator('.who p[lang="en"]')
        assert bio.locator(".in-lang").count() == 1
        stop = page.evaluate(FULL_STOP, '.who p[lang="en"]')
        assert stop["direction"] == "ltr" and stop["dot"] >= stop["right"] - 1
    else:
        assert page.locator('.who p[lang="ps"]').inner_text().endswith("۔")
    title = page.locator(f'#meet-h ~ ul li bdi[lang="{lang}"]')
    assert title.count() == 1
    assert page.evaluate(UNISOLATED) == []
    assert horizontal_overflow(page) == 0
    shot(page, f"beat-{lang}")

    page.goto(url_for("engagement:you_said_we_did", "GUL", lang=lang))
    assert page.locator(f'.said bdi[lang="{lang}"]').count() == 1
    owner = page.evaluate(OWNER)
    assert owner["display"] == "block" and owner["text"].endswith(": " + AGENCY), owner
    assert "(" not in owner["text"].split(":")[0]  # no brackets of ours around the owner
    # The name reads left to right inside the line: "(" before "Tehsil", ")" after it.
    for before, after in ((owner["open"], owner["word"]), (owner["word"], owner["close"])):
        if abs(before["top"] - after["top"]) < 5:
            assert before["left"] < after["left"], owner
    # The label comes first in right-to-left order: on the right of the name's first piece.
    if abs(owner["label"][1] - owner["name"][2]) < 10:
        assert owner["label"][0] >= owner["name"][1] - 1, owner
    dates = page.evaluate(
        "() => [...document.querySelectorAll('.did p bdi, .ysd p.muted bdi')].map(b => b.textContent)"
    )
    years = [
        d for d in dates if str(timezone.localdate().year) in d or str(timezone.localdate().year - 1) in d
    ]
    assert len(years) == 2, dates  # raised on, done on
    outcome = page.locator(".outcome")
    if lang == "ps":
        assert outcome.get_attribute("lang") == "ps" and outcome.locator(".in-lang").count() == 0
    else:
        assert outcome.get_attribute("lang") == "en" and outcome.locator(".in-lang").count() == 1
        stop = page.evaluate(FULL_STOP, ".outcome")
        assert stop["direction"] == "ltr" and stop["dot"] >= stop["right"] - 1
    assert page.evaluate(UNISOLATED) == []
    assert horizontal_overflow(page) == 0
    shot(page, f"you-said-we-did-{lang}")

    page.goto(url_for("reports:track", submission.token, lang=lang))
    note = page.locator(".timeline p").first
    assert note.get_attribute("lang") == "ur"
    assert "3 دسمبر" in note.inner_text()
    assert (note.locator(".in-lang").count() == 1) == (lang == "ps")
    assert page.locator(".timeline time").first.evaluate("t => t.parentElement.tagName") == "BDI"
    # No list number beside a date that starts with a number.
    assert page.locator(".timeline li").first.evaluate("li => getComputedStyle(li).listStyleType") == "none"
    assert horizontal_overflow(page) == 0
    shot(page, f"track-{lang}")


def test_english_page_has_no_labels(new_page: Callable[..., Page], live_server: Any, world: World) -> None:
    submission = seed(world)
    page = new_page(java_script_enabled=False)
    page.goto(url_for("engagement:you_said_we_did", "GUL"))
    assert page.locator(".said bdi").first.get_attribute("lang") == "en"
    assert page.locator(".in-lang").count() == 0
    shot(page, "you-said-we-did-en")
    page.goto(url_for("reports:track", submission.token))
    assert page.locator(".timeline p").first.inner_text() == "We visited the lane on 3 December."
    page.goto(url_for("site:beat", "GUL"))
    shot(page, "beat-en")
