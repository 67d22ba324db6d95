"""A staff account's second factor over its life: backup codes, and a reset when a phone is lost.

Backup codes are django-otp static tokens on one StaticDevice per account. They are made in one go
(BACKUP_CODE_COUNT of them), shown once by the view that made them and never again: making new ones
deletes the old device and its codes. Each code works once, in the login form's code field, because
`django_otp.match_token` tries every device of the account.

A lost device is reset by someone who manages the account (`selectors.users_for`: the station head
for officers of their station, the district coordinator for station heads, an admin for anyone),
never by the account itself. The reset removes every second-factor device and also makes the
password unusable: otherwise a resetter who knows or guesses the password could log in first and
pair their own phone. The person sets a fresh password through the password-reset e-mail, which
only they receive, and then pairs a new app at their next login. Making the password unusable
changes the session hash, so every open session of the account ends too.
"""

from __future__ import annotations

import secrets

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from rabta.audit.models import AccessLog, record_access
from rabta.core.errors import NotVisible
from rabta.people import selectors
from rabta.people.models import User

BACKUP_CODE_COUNT = 10
BACKUP_DEVICE_NAME = "backup codes"


def _new_code() -> str:
    # Eight digits: typed into the same numeric field as a TOTP code, and never six long, so it
    # cannot be mistaken for one. One use each, behind the login rate limit.
    return f"{secrets.randbelow(10**8):08d}"


@transaction.atomic
def make_backup_codes(*, user: User) -> list[str]:
    """Replace the account's backup codes with BACKUP_CODE_COUNT new ones; returns them to show once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes: list[str] = []
    while len(codes) < BACKUP_CODE_COUNT:
        code = _new_code()
        if code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def reset_second_factor(*, target: User, by: User) -> None:
    """Remove `target`'s authenticator and backup codes and require a fresh password.

    Raises NotVisible when `by` may not manage `target`, or when `target` is `by`: nobody resets
    their own device this way (a thief holding a logged-in session could otherwise re-pair it).
    """
    if target.pk == by.pk or not selectors.users_for(by).filter(pk=target.pk).exists():
        raise NotVisible
    TOTPDevice.objects.filter(user=target).delete()
    StaticDevice.objects.filter(user=target).delete()
    target.set_unusable_password()
    target.save(update_fields=["password"])
    record_access(actor=by, action=AccessLog.Action.RESET_DEVICE, obj=target)
