"""A tracking code typed in any digit script reads as one code: the web form, the lookup and the SMS
STATUS command all go through the digit map of rabta.lib.text."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rabta.lib.text import ascii_digits, mask_codes
from rabta.reports import tracking
from rabta.reports.selectors import find_by_code
from tests import factories
from tests.conftest import World
from tests.sms_fixtures import Sms, console_channel

SCRIPTS = {"arabic-indic": "٠١٢٣٤٥٦٧٨٩", "persian": "۰۱۲۳۴۵۶۷۸۹"}


@pytest.mark.parametrize("script", SCRIPTS.values(), ids=SCRIPTS.keys())
def test_every_eastern_digit_reads_as_its_ascii_digit_in_a_code_as_in_sms(script: str) -> None:
    for value, digit in enumerate(script):
        typed = digit * 10
        assert tracking.normalise_code(typed) == str(value) * 10 == ascii_digits(typed)
    typed = "482-177-3015".translate(str.maketrans("0123456789", script))
    assert tracking.normalise_code(typed) == "4821773015"
    # The stored SMS body hides the same code that the lookup reads.
    assert mask_codes(typed).endswith(typed[-3:]) and mask_codes(typed).count("*") == 7


def test_codes_mixing_scripts_and_separators_read_as_one_code() -> None:
    assert tracking.normalise_code("۴۸۲ ١٧٧-3015") == "4821773015"
    assert tracking.normalise_code("۴۸۲-۱۷۷-۳۰۱") is None  # nine digits
    assert tracking.normalise_code("") is None


@pytest.mark.django_db
def test_a_code_in_persian_digits_finds_its_report_by_web_and_sms(world: World, client: Client) -> None:
    submission = factories.report(beat_obj=world.beat_a)
    typed = tracking.format_code(submission.code).translate(str.maketrans("0123456789", SCRIPTS["persian"]))
    found = find_by_code(typed)
    assert found is not None and found.pk == submission.report.pk
    page = client.post(reverse("reports:track_lookup"), {"code": typed})
    assert page.status_code == 200 and "Poor street lighting" in page.content.decode()
    reply = Sms(console_channel()).send(f"STATUS {typed}")[0]
    assert submission.display_code in reply
