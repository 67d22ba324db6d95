"""Tracking credentials: a long random token (the private link) and a short numeric code.

Only hashes are stored. The token (>= 128 bits) is hashed with SHA-256: it cannot be guessed, so a
plain hash is enough. The 10-digit code has only ~33 bits, so it gets a keyed hash (the blind-index
key, RABTA_INDEX_KEY): a copy of the database alone cannot be brute-forced back to codes. The
code hash and the derived credentials use the index key, never a rotating encryption key: the codes
are not stored, so their hashes could never be re-derived under a new key. Code lookups are also
rate-limited per client (views).
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

from django.core import signing
from django.utils.crypto import salted_hmac

from rabta.core.crypto import field_cipher, index_key
from rabta.lib.text import CODE_DIGITS, ascii_digits

TOKEN_BYTES = 24  # 192 bits, 32 url-safe characters

_NOT_DIGITS = re.compile(r"\D+")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_code() -> str:
    # A leading digit of 1-9 so the code never loses a zero in a spreadsheet or an SMS client.
    return str(secrets.randbelow(9 * 10 ** (CODE_DIGITS - 1)) + 10 ** (CODE_DIGITS - 1))


def normalise_code(text: str) -> str | None:
    """'482-177 3015', '۴۸۲۱۷۷۳۰۱۵' -> '4821773015'; None when it cannot be a code.

    Urdu and Pashto keyboards type Eastern Arabic or Persian digits: they read as the same code, by
    the digit map SMS uses (rabta.lib.text.ascii_digits)."""
    digits = _NOT_DIGITS.sub("", ascii_digits(text or ""))
    return digits if len(digits) == CODE_DIGITS else None


def hash_idempotency_key(key: str) -> str:
    """Stored instead of the form's key, so the database alone cannot re-derive credentials."""
    return hashlib.sha256(("idempotency:" + key).encode("utf-8")).hexdigest()


def _tracking_hmac(value: str) -> bytes:
    return salted_hmac("rabta:tracking:", value, secret=index_key(), algorithm="sha256").digest()


def derived_credentials(idempotency_key: str, attempt: int) -> tuple[str, str]:
    """Token and code for a form submission, derived from its one-time key and a server secret.

    A double-submitted form must land on the same success page, but we keep only hashes of the
    credentials; deriving them lets the second request show them again. `attempt` changes the
    code when it collides with an existing one.

    Replays find the stored report by its key long after it was made (an Open311 client may retry
    at any time), so this derivation must never change: a changed one would not match the stored
    hashes.
    """
    raw = _tracking_hmac(f"token\0{idempotency_key}")
    token = base64.urlsafe_b64encode(raw[:TOKEN_BYTES]).decode("ascii").rstrip("=")
    mac = _tracking_hmac(f"code\0{attempt}\0{idempotency_key}")
    span = 9 * 10 ** (CODE_DIGITS - 1)
    code = str(int.from_bytes(mac[:8], "big") % span + 10 ** (CODE_DIGITS - 1))
    return token, code


def hash_code(code: str) -> str:
    return field_cipher().blind_index(code, context="report.tracking_code")


def format_code(code: str) -> str:
    """Grouped for reading aloud: 482-177-3015."""
    return f"{code[:3]}-{code[3:6]}-{code[6:]}"


# The tracking page's own forms (add information, not fixed) carry this instead of the link's token
# or the typed code: a signed, short-lived handle on the report, so neither credential is written
# into the page or posted again, and a page left open on a shared phone stops working.
TRACK_HANDLE_SALT = "rabta.reports.track_handle"
TRACK_HANDLE_SECONDS = 2 * 60 * 60


def track_handle(public_id: str) -> str:
    return signing.dumps(public_id, salt=TRACK_HANDLE_SALT)


def read_track_handle(handle: str) -> str | None:
    """The report's public id, or None for a forged, altered or expired handle."""
    if not handle or len(handle) > 200:
        return None
    try:
        value = signing.loads(handle, salt=TRACK_HANDLE_SALT, max_age=TRACK_HANDLE_SECONDS)
    except signing.BadSignature:
        return None
    return value if isinstance(value, str) else None
