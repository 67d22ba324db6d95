"""Reporter contact details: normalised, encrypted at rest, findable only by keyed blind index."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from rabta.reports.tracking import cipher

DEFAULT_REGION = "PK"
PHONE_CONTEXT = "report.contact_phone"
EMAIL_CONTEXT = "report.contact_email"


def normalise_phone(text: str, region: str = DEFAULT_REGION) -> str:
    """'0300 1234567' -> '+923001234567'. Raises ValidationError with a translated message."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(_("Enter a phone number such as 0300 1234567."), code="phone") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("This phone number is not valid. Check the digits."), code="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(text: str) -> str:
    value = (text or "").strip()
    validate_email(value)
    local, _sep, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def phone_index(e164: str) -> str:
    return cipher().blind_index(e164, context=PHONE_CONTEXT)


def email_index(email: str) -> str:
    return cipher().blind_index(email.lower(), context=EMAIL_CONTEXT)


def encrypt_phone(e164: str) -> str:
    return cipher().encrypt(e164, context=PHONE_CONTEXT)


def encrypt_email(email: str) -> str:
    return cipher().encrypt(email, context=EMAIL_CONTEXT)


@dataclass(frozen=True)
class Contact:
    """Decrypted contact details of one report; only ever built by services.reveal_contact / notify."""

    phone: str = ""
    email: str = ""
    no_sms: bool = False
    safe_call_hours: str = ""
    woman_officer_only: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.phone or self.email)
