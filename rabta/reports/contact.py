"""Reporter contact details: normalised, encrypted at rest, findable only by keyed blind index."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from rabta.core.crypto import field_cipher
from rabta.lib import phones
from rabta.reports.models import CONTACT_EMAIL_CONTEXT, CONTACT_PHONE_CONTEXT, Report

PHONE_CONTEXT = CONTACT_PHONE_CONTEXT
EMAIL_CONTEXT = CONTACT_EMAIL_CONTEXT


def normalise_phone(text: str, region: str = phones.DEFAULT_REGION) -> str:
    """'0300 1234567' -> '+923001234567' by rabta.lib.phones.normalise, the rule SMS uses too.
    Raises ValidationError with a translated message."""
    try:
        return phones.normalise(text, region)
    except phones.UnreadablePhoneNumber:
        raise ValidationError(_("Enter a phone number such as 0300 1234567."), code="phone") from None
    except phones.InvalidPhoneNumber:
        raise ValidationError(_("This phone number is not valid. Check the digits."), code="phone") from None


def normalise_email(text: str) -> str:
    value = (text or "").strip()
    validate_email(value)
    local, _sep, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def phone_index(e164: str) -> str:
    return field_cipher().blind_index(e164, context=PHONE_CONTEXT)


def email_index(email: str) -> str:
    return field_cipher().blind_index(email.lower(), context=EMAIL_CONTEXT)


def encrypt_phone(e164: str) -> str:
    return field_cipher().encrypt(e164, context=PHONE_CONTEXT)


def encrypt_email(email: str) -> str:
    return field_cipher().encrypt(email, context=EMAIL_CONTEXT)


@dataclass(frozen=True)
class Contact:
    """Decrypted contact details of one report; only ever built by decrypt_contact."""

    phone: str = ""
    email: str = ""
    no_sms: bool = False
    safe_call_hours: str = ""
    woman_officer_only: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.phone or self.email)


def decrypt_contact(report: Report) -> Contact:
    """Decrypt without checks or logging: for messages Rabta itself sends to the reporter (notify.py,
    the feedback survey's invitation), never to show a person. Staff code uses
    services.reveal_contact, which checks the viewer and writes the access log."""
    cipher = field_cipher()
    phone = (
        cipher.decrypt(report.contact_phone_encrypted, context=PHONE_CONTEXT)
        if report.contact_phone_encrypted
        else ""
    )
    email = (
        cipher.decrypt(report.contact_email_encrypted, context=EMAIL_CONTEXT)
        if report.contact_email_encrypted
        else ""
    )
    return Contact(
        phone=phone,
        email=email,
        no_sms=report.no_sms,
        safe_call_hours=report.safe_call_hours,
        woman_officer_only=report.woman_officer_only,
    )
