"""One phone rule (rabta.lib.phones.normalise) whichever way a number arrives: an SMS, the report form,
the subscribe form. A resident who types their number one way on the web and texts from it another
way must be the same number, or their report and their phone never meet."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.forms import ValidationError as FormValidationError

from rabta.lib import phones
from rabta.messaging.forms import PhoneField
from rabta.messaging.models import Phone
from rabta.reports import contact
from rabta.reports.models import Report
from tests import factories
from tests.conftest import World

SPELLINGS = [
    "0300 1234567",
    "0300-1234567",
    "(0300) 123 4567",
    "+92 300 1234567",
    "923001234567",  # as providers send it, without the plus
    "00923001234567",
    "0092 300 1234567",
    "  03001234567 ",
    "٠٣٠٠١٢٣٤٥٦٧",  # Eastern Arabic digits
    "۰۳۰۰ ۱۲۳۴۵۶۷",  # Persian digits
    "۹۲۳۰۰۱۲۳۴۵۶۷",
]


@pytest.mark.parametrize("typed", SPELLINGS)
def test_every_entry_point_reads_a_number_the_same_way(typed: str) -> None:
    assert phones.normalise(typed) == "+923001234567"
    assert contact.normalise_phone(typed) == "+923001234567"
    assert PhoneField().clean(typed) == "+923001234567"


def test_a_number_written_with_the_country_code_and_the_trunk_zero_is_read_by_every_entry_point() -> None:
    # "92" then the national "0...": the SMS rule reads it, so the report form reads it too.
    assert phones.normalise("920662915405") == contact.normalise_phone("920662915405") == "+92662915405"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter a phone number such as 0300 1234567."),
        ("phone me", "Enter a phone number such as 0300 1234567."),
        ("0300", "This phone number is not valid. Check the digits."),
        ("9230012345678", "This phone number is not valid. Check the digits."),
    ],
)
def test_every_entry_point_refuses_what_is_no_number(typed: str, message: str) -> None:
    with pytest.raises(phones.InvalidPhoneNumber):
        phones.normalise(typed)
    with pytest.raises(ValidationError) as refused:
        contact.normalise_phone(typed)
    assert refused.value.messages == [message] and refused.value.code == "phone"
    if typed:  # an empty subscribe field is "required", not "invalid"
        with pytest.raises(FormValidationError) as form_refused:
            PhoneField().clean(typed)
        assert form_refused.value.code == "invalid"


def test_unreadable_text_and_invalid_digits_are_both_invalid_phone_numbers() -> None:
    with pytest.raises(phones.UnreadablePhoneNumber):
        phones.normalise("phone me")
    with pytest.raises(phones.InvalidPhoneNumber) as invalid:
        phones.normalise("0300")
    assert not isinstance(invalid.value, phones.UnreadablePhoneNumber)


@pytest.mark.django_db
def test_a_number_typed_two_ways_on_the_web_and_by_sms_has_one_blind_index(
    world: World,
) -> None:
    submission = factories.report(beat_obj=world.beat_a, phone="۰۳۰۰ ۱۲۳۴۵۶۷", contact_consent=True)
    report = Report.objects.get(pk=submission.report.pk)
    assert report.contact_phone_index == contact.phone_index("+923001234567")
    assert Report.objects.filter(contact_phone_index=contact.phone_index(phones.normalise("923001234567")))
    phone = Phone.build(phones.normalise("0092 300 1234567"))
    assert phone.number_index == Phone.build(contact.normalise_phone("0300-1234567")).number_index
