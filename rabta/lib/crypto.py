"""Field encryption and blind indexes for reporter contact details.

One master key (RABTA_FIELD_KEY, 32 bytes) is stretched with HKDF into two independent keys: one
for AES-256-GCM encryption, one for HMAC-SHA256 blind indexes. A blind index lets us find "all
reports from this phone number" (for rate limits and follow-up) without storing the number in
clear. Django-free.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_VERSION = b"v1"


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"rabta:" + purpose).derive(master)


class FieldCipher:
    def __init__(self, master_key: bytes):
        if len(master_key) != 32:
            raise ValueError("master key must be 32 bytes")
        self._aead = AESGCM(_derive(master_key, b"field-encryption"))
        self._index_key = _derive(master_key, b"blind-index")

    def encrypt(self, plaintext: str, *, context: str) -> str:
        """Encrypt; `context` (e.g. "report.contact") is bound in, so a value moved to another field fails."""
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
        return (_VERSION + b":" + base64.urlsafe_b64encode(nonce + sealed)).decode("ascii")

    def decrypt(self, token: str, *, context: str) -> str:
        version, _, body = token.encode("ascii").partition(b":")
        if version != _VERSION:
            raise ValueError("unknown ciphertext version")
        raw = base64.urlsafe_b64decode(body)
        return self._aead.decrypt(raw[:12], raw[12:], context.encode("utf-8")).decode("utf-8")

    def blind_index(self, normalised: str, *, context: str) -> str:
        mac = hmac.new(
            self._index_key, context.encode("utf-8") + b"\x00" + normalised.encode("utf-8"), hashlib.sha256
        )
        return mac.hexdigest()
