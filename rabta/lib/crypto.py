"""Field encryption and blind indexes for reporter contact details.

Encryption keys rotate; the index key does not. Each encryption key (32 bytes) is stretched with
HKDF into an AES-256-GCM key. A ciphertext names the key that made it: `v2:<key id>:<base64>`; the
older `v1:<base64>` carries no id and belongs to the legacy key (the one key Rabta had before keys
could rotate). Blind indexes are HMAC-SHA256 under a key HKDF-derived from the index key, which is
separate: a blind index lets us find "all reports from this phone number" without storing the
number in clear, and the tracking-code hashes are blind indexes of codes nobody stores, so the
index key can never change without losing every lookup. Django-free.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_LEGACY_VERSION = "v1"
_VERSION = "v2"
KEY_ID = re.compile(r"^[a-z0-9]{1,16}$")


class UnknownKeyError(ValueError):
    """The ciphertext names a key this cipher was not given: configure it, do not guess."""


class UndecryptableError(ValueError):
    """The named key does not open the ciphertext: a wrong key under that id, a moved or altered value."""


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"rabta:" + purpose).derive(master)


def _check_length(key: bytes) -> None:
    if len(key) != 32:
        raise ValueError("master key must be 32 bytes")


def key_id_of(token: str) -> str | None:
    """The id of the key that made `token` (None: the legacy key), read without decrypting."""
    version, _, rest = token.partition(":")
    if version == _LEGACY_VERSION:
        return None
    key_id, sep, _body = rest.partition(":")
    if version != _VERSION or not sep or not KEY_ID.match(key_id):
        raise ValueError("unknown ciphertext version")
    return key_id


def prefix_for(key_id: str | None) -> str:
    """What every ciphertext made by `key_id` starts with (a database filter can use it)."""
    return f"{_LEGACY_VERSION}:" if key_id is None else f"{_VERSION}:{key_id}:"


class FieldCipher:
    """`FieldCipher(key)` is the one-key cipher of old: legacy key, active, and index key at once.

    With `keys` ((id, key) pairs, the first active), new ciphertexts name their key; `master_key`
    then only opens legacy ciphertexts. `index_key` keys the blind indexes (default: `master_key`).
    """

    def __init__(
        self,
        master_key: bytes | None = None,
        *,
        keys: Sequence[tuple[str, bytes]] = (),
        index_key: bytes | None = None,
    ):
        index_master = index_key if index_key is not None else master_key
        if index_master is None:
            raise ValueError("an index key is needed when there is no legacy key")
        if master_key is None and not keys:
            raise ValueError("at least one encryption key is needed")
        _check_length(index_master)
        self._aeads: dict[str | None, AESGCM] = {}
        if master_key is not None:
            _check_length(master_key)
            self._aeads[None] = AESGCM(_derive(master_key, b"field-encryption"))
        for key_id, key in keys:
            if not KEY_ID.match(key_id):
                raise ValueError("a key id is 1 to 16 lowercase letters or digits")
            if key_id in self._aeads:
                raise ValueError(f"key id {key_id!r} is given twice")
            _check_length(key)
            self._aeads[key_id] = AESGCM(_derive(key, b"field-encryption"))
        self.active_key_id: str | None = keys[0][0] if keys else None
        self._index_key = _derive(index_master, b"blind-index")

    @property
    def key_ids(self) -> tuple[str | None, ...]:
        return tuple(self._aeads)

    def encrypt(self, plaintext: str, *, context: str) -> str:
        """Encrypt; `context` (e.g. "report.contact") is bound in, so a value moved to another field fails."""
        nonce = os.urandom(12)
        sealed = self._aeads[self.active_key_id].encrypt(
            nonce, plaintext.encode("utf-8"), context.encode("utf-8")
        )
        return prefix_for(self.active_key_id) + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def decrypt(self, token: str, *, context: str) -> str:
        key_id = key_id_of(token)
        aead = self._aeads.get(key_id)
        if aead is None:
            if key_id is None:
                raise UnknownKeyError("ciphertext made by the legacy key, which is not configured")
            raise UnknownKeyError(f"ciphertext made by key {key_id!r}, which is not configured")
        raw = base64.urlsafe_b64decode(token[len(prefix_for(key_id)) :])
        try:
            return aead.decrypt(raw[:12], raw[12:], context.encode("utf-8")).decode("utf-8")
        except InvalidTag:
            name = "the legacy key" if key_id is None else f"key {key_id!r}"
            raise UndecryptableError(f"ciphertext does not open with {name} in context {context!r}") from None

    def is_current(self, token: str) -> bool:
        """Made by the active key: re-encrypting it would change nothing."""
        return token.startswith(prefix_for(self.active_key_id))

    def reencrypt(self, token: str, *, context: str) -> str:
        return (
            token
            if self.is_current(token)
            else self.encrypt(self.decrypt(token, context=context), context=context)
        )

    def blind_index(self, normalised: str, *, context: str) -> str:
        mac = hmac.new(
            self._index_key, context.encode("utf-8") + b"\x00" + normalised.encode("utf-8"), hashlib.sha256
        )
        return mac.hexdigest()
