"""The project's field cipher: rabta.lib.crypto.FieldCipher over settings.RABTA_FIELD_KEY.

Every encrypted field and every blind index (reporters' contact details, tracking codes, SMS phones,
channel credentials, meeting registers) goes through `field_cipher()`. Keys derived for one purpose
from a settings secret use Django's `salted_hmac(key_salt, value, secret=..., algorithm="sha256")`.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from rabta.lib.crypto import FieldCipher


# Per-process caches in rabta are functools.lru_cache keyed by every input that decides the result
# (here the key itself), never a module global filled on first use: a settings override (tests, a
# key-rotation script) gets a cipher for its own key, and cache_clear() resets it. Building a cipher
# runs HKDF twice, which a webhook should not pay on every message.
@lru_cache(maxsize=4)
def _cipher_for(key: bytes) -> FieldCipher:
    return FieldCipher(key)


def field_cipher() -> FieldCipher:
    return _cipher_for(settings.RABTA_FIELD_KEY)
