"""Phone numbers: normalise to E.164 (default region Pakistan), and mask for display. Django-free."""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "PK"


class InvalidPhoneNumber(ValueError):
    pass


def normalise(raw: str, region: str = DEFAULT_REGION) -> str:
    """'0300 1234567', '+92 300 1234567', '923001234567' -> '+923001234567'; raises InvalidPhoneNumber."""
    text = (raw or "").strip()
    if not text:
        raise InvalidPhoneNumber("empty")
    if text.startswith("00"):
        text = "+" + text[2:]
    elif text.startswith("92") and len("".join(c for c in text if c.isdigit())) == 12:
        text = "+" + text  # providers often send Pakistani numbers without the plus
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise InvalidPhoneNumber(text) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(text)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask(e164: str) -> str:
    """Only the last three digits show: '+923001234567' -> '+92*******567'."""
    if not e164:
        return ""
    digits = e164.lstrip("+")
    if len(digits) <= 5:
        return "*" * len(digits)
    return "+" + digits[:2] + "*" * (len(digits) - 5) + digits[-3:]
