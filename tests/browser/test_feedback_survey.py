"""A resident answers the trust and safety survey on a 360x740 phone with JavaScript off, from the code
on a slip to the thank-you page: in Pashto (right to left) and in English.

Screenshots land in tests/artifacts/screenshots/survey-*.png.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from rabta.feedback.models import CommunityResponse, InviteCode, Mode, WalkSafety
from tests import factories
from tests.browser.helpers import horizontal_overflow, screenshot
from tests.conftest import World
from tests.test_feedback_survey import code_for, running_campaign

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["ps", "en"])
def test_resident_answers_the_survey_without_javascript(
    new_page: Callable[..., Page], world: World, lang: str
) -> None:
    code = code_for(running_campaign(world), world.beat_a)
    page = new_page(java_script_enabled=False, locale="ps-AF" if lang == "ps" else "en-GB")
    page.goto(f"/{lang}/survey/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ps" else "ltr")
    # Typed as people do: lower case, with a space.
    page.locator("#id_code").fill(f"{code.code[:4].lower()} {code.code[4:].lower()}")
    screenshot(page, f"survey-code-{lang}")
    page.locator("form button[type=submit]").click()
    expect(page.locator("input[name=trust_respect]").first).to_be_attached()
    assert horizontal_overflow(page) == 0
    page.locator("#id_trust_respect_3").check()
    page.locator("#id_trust_listen_2").check()
    page.locator("#id_safety_6").check()
    page.locator(f"input[name=walk_dark][value={WalkSafety.NEVER}]").check()
    page.locator("input[name=knows_officer][value=no]").check()
    page.locator("#id_willingness_9").check()
    page.locator("#id_top_issue").fill("د بازار څراغونه مات دي" if lang == "ps" else "Broken street lights")
    page.locator("input[name=gender][value=woman]").check()
    screenshot(page, f"survey-form-{lang}")
    page.locator("form.survey button[type=submit]").click()
    page.wait_for_url(f"**/{lang}/survey/thanks/")
    assert horizontal_overflow(page) == 0
    screenshot(page, f"survey-thanks-{lang}")
    main = page.locator("main")
    expect(main).not_to_contain_text("څراغونه")
    expect(main).not_to_contain_text("street lights")
    answer = CommunityResponse.objects.get()
    assert answer.mode == Mode.WEB and answer.beat == world.beat_a
    assert (answer.trust_respect, answer.trust_listen, answer.safety, answer.willingness) == (3, 2, 6, 9)
    assert answer.walk_dark == WalkSafety.NEVER and answer.walk_day == "" and answer.knows_officer is False
    assert InviteCode.objects.get(pk=code.pk).is_used
    # The back button on a shared phone: the form page was never stored, so nothing of it comes back
    # without asking the server, which now refuses the spent code.
    page.go_back()
    expect(page.locator("body")).not_to_contain_text("څراغونه")
    expect(page.locator("body")).not_to_contain_text("Broken street lights")


@pytest.mark.parametrize("lang", ["ur", "en"])
def test_resident_answers_the_post_contact_survey_from_the_sms_link(
    new_page: Callable[..., Page], world: World, lang: str
) -> None:
    from rabta.feedback import services
    from rabta.feedback.models import ContactInvite, ContactResponse, Source

    report = factories.report(beat_obj=world.beat_a, phone="0300 1234567").report
    ContactInvite.objects.create(
        source=Source.REPORT,
        report=report,
        beat=world.beat_a,
        token_hash=services.token_hash("tok-en-123456"),
    )
    page = new_page(java_script_enabled=False, locale="ur-PK" if lang == "ur" else "en-GB")
    page.goto(f"/{lang}/s/tok-en-123456/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ur" else "ltr")
    assert horizontal_overflow(page) == 0
    for name, value in (("voice", 4), ("neutrality", 2), ("respect", 0), ("motives", 5), ("overall", 4)):
        page.locator(f"input[name={name}][value='{value}']").check()
    page.locator("#id_free_text").fill("گشت زیادہ کریں" if lang == "ur" else "Patrol more")
    screenshot(page, f"contact-survey-{lang}")
    page.locator("form.survey button[type=submit]").click()
    page.wait_for_url(f"**/{lang}/survey/thanks/")
    answer = ContactResponse.objects.get()
    assert (answer.voice, answer.neutrality, answer.respect, answer.motives, answer.overall) == (
        4,
        2,
        None,
        5,
        4,
    )
    assert answer.mode == Mode.WEB and ContactInvite.objects.get().used_on is not None
    # The link is spent: opening it again shows only that it no longer works.
    page.goto(f"/{lang}/s/tok-en-123456/")
    expect(page.locator("input[name=voice]")).to_have_count(0)
