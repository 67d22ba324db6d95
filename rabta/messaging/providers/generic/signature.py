"""HMAC-SHA256 over the raw request body, sent as `X-Rabta-Signature: sha256=<hex>`."""

import hashlib
import hmac


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def is_valid(secret: str, body: bytes, signature: str) -> bool:
    return bool(secret and signature) and hmac.compare_digest(sign(secret, body), signature.strip())
