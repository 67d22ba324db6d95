"""The Phone row for a number, created once even when two deliveries from a new number race."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from rabta.core import sql
from rabta.messaging import selectors
from rabta.messaging.models import Phone, phone_index


def phone_for(e164: str, *, language: str | None = None) -> Phone:
    """The Phone row for a number (a new one speaks `language`, Urdu by default)."""
    existing = selectors.find_phone(e164)
    if existing:
        return existing
    try:
        with transaction.atomic():
            phone = Phone.build(e164, language=language or "ur")
            phone.save()
            return phone
    except IntegrityError:
        return Phone.objects.for_number(e164).get()


def phone_id_for(e164: str) -> int:
    """The id of the Phone row for a number, for the webhook path: one lookup, or one insert that
    cannot fail (no savepoint), so it works inside the caller's transaction as it is."""
    found = selectors.find_phone_id(e164)
    if found is not None:
        return found
    phone = Phone.build(e164, language="ur")
    if sql.insert_or_ignore(phone, unique=("number_index",)):
        return int(phone.pk)
    # A concurrent delivery from the same new number committed it first.
    return int(Phone.objects.filter(number_index=phone_index(e164)).values_list("pk", flat=True).get())
