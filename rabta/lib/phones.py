"""Phone numbers: normalise to E.164 (default region Pakistan), and mask for display. Django-free."""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "PK"


class InvalidPhoneNumber(ValueError):
    """Not a phone number anywhere: the digits make no number that exists."""


class UnreadablePhoneNumber(InvalidPhoneNumber):
    """Not even read as a phone number (empty, letters, too short to parse)."""


def normalise(raw: str, region: str = DEFAULT_REGION) -> str:
    """'0300 1234567', '+92 300 1234567', '923001234567' -> '+923001234567'.

    The one phone rule for every way a number arrives (SMS webhooks, web forms, staff forms).
    Raises UnreadablePhoneNumber for text that is no number, InvalidPhoneNumber for digits that
    make no valid one.
    """
    text = (raw or "").strip()
    if not text:
        raise UnreadablePhoneNumber("empty")
    if text.startswith("00"):
        text = "+" + text[2:]
    elif text.startswith("92") and len("".join(c for c in text if c.isdigit())) == 12:
        text = "+" + text  # providers often send Pakistani numbers without the plus
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise UnreadablePhoneNumber(text) from None
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
