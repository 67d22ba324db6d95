"""The project's field cipher: rabta.lib.crypto.FieldCipher over the configured keys.

Every encrypted field and every blind index (reporters' contact details, tracking codes, SMS phones,
channel credentials, meeting registers) goes through `field_cipher()`. Keys derived for one purpose
from a settings secret use Django's `salted_hmac(key_salt, value, secret=..., algorithm="sha256")`.

Three settings decide the keys (docs/deploy.md, "Key rotation"): RABTA_FIELD_KEYS, (id, key) pairs
with the first active; RABTA_FIELD_KEY, the legacy key (active when RABTA_FIELD_KEYS is empty, and
the one that opens ciphertexts without a key id); RABTA_INDEX_KEY, the key of every blind index and
tracking hash, which defaults to RABTA_FIELD_KEY so the hashes made before rotation keep matching.

Every model with an encrypted field declares it in `encrypted_fields` (a class attribute of
EncryptedField entries); `registered_fields()` finds them all, for `manage.py rotate_field_key`.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from rabta.lib.crypto import FieldCipher


# Per-process caches in rabta are functools.lru_cache keyed by every input that decides the result
# (here the keys themselves), never a module global filled on first use: a settings override (tests,
# a key-rotation script) gets a cipher for its own keys, and cache_clear() resets it. Building a
# cipher runs HKDF for every key, which a webhook should not pay on every message.
@lru_cache(maxsize=4)
def _cipher_for(
    legacy: bytes | None, keys: tuple[tuple[str, bytes], ...], index: bytes | None
) -> FieldCipher:
    return FieldCipher(legacy, keys=keys, index_key=index)


def field_cipher() -> FieldCipher:
    return _cipher_for(settings.RABTA_FIELD_KEY, tuple(settings.RABTA_FIELD_KEYS), index_key())


def index_key() -> bytes:
    """The master of every hash that must outlive a rotation (blind indexes, tracking credentials)."""
    key: bytes | None = settings.RABTA_INDEX_KEY or settings.RABTA_FIELD_KEY
    if key is None:
        raise ImproperlyConfigured("RABTA_INDEX_KEY is required when RABTA_FIELD_KEY is not set")
    return key


@dataclass(frozen=True)
class EncryptedField:
    """One encrypted column. `context` is the cipher context; `{name}` in it is the row's field `name`
    (a channel's credentials are bound to its inbound slug)."""

    field: str
    context: str

    @property
    def context_fields(self) -> tuple[str, ...]:
        return tuple(name for _text, name, _spec, _conv in string.Formatter().parse(self.context) if name)

    def context_for(self, row: dict[str, Any]) -> str:
        return self.context.format(**row)


def registered_fields() -> list[tuple[type[models.Model], EncryptedField]]:
    """Every encrypted field of every installed model, in a stable order."""
    found = []
    for model in apps.get_models():
        for spec in getattr(model, "encrypted_fields", ()):
            found.append((model, spec))
    return sorted(found, key=lambda item: (item[0]._meta.label, item[1].field))
