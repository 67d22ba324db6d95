"""One field cipher and salted_hmac for every key: stored hashes and ciphertexts keep their values.

The pinned values below were computed by the code as it stood before the cipher factories and the
hand-salted keys were given one home. A stored tracking-code hash, token hash, idempotency hash or
blind index that changed would stop matching the rows already in a database, so none may change.
"""

from __future__ import annotations

import hashlib
import hmac

from django.test import override_settings
from django.utils.crypto import salted_hmac

from rabta.core import ratelimit
from rabta.core.crypto import field_cipher
from rabta.messaging import models as sms_models
from rabta.reports import contact, tracking

PINNED_KEYS = override_settings(SECRET_KEY="pinned-secret-key-" + "s" * 40, RABTA_FIELD_KEY=bytes(range(32)))


@PINNED_KEYS
def test_stored_hashes_and_blind_indexes_keep_their_values() -> None:
    assert (
        tracking.hash_code("4821773015") == "f96a53602df7db21a1d082d4c80b5773119a817c8c4dac127eda4de3b53d6382"
    )
    assert tracking.hash_token("tok") == "1a7674eb4ee78df7e1ac439a93c3fa8e3c945784d4dec9fd8e3011738b2f1d62"
    assert (
        tracking.hash_idempotency_key("form-key-1")
        == "8e3b8e0579e810d29bd7ceac4be9b448cf66ea678039886a73d3e958d1e48caa"
    )
    assert (
        contact.phone_index("+923001234567")
        == "ac747eef44466d422dfa4b5b6c185f3c0003ec21c32914f112caece286a5f998"
    )
    assert (
        contact.email_index("Resident@Example.PK")
        == "99b4b381368667fa3b37a79e3a75c17c74a9cb43cff3d6c24c786fb812369c8a"
    )
    assert (
        sms_models.phone_index("+923001234567")
        == "7a912534bfc1b70ffa34894d0828eb1b16934cd94b3b6c373282fd5470a20c40"
    )


@PINNED_KEYS
def test_a_replayed_submission_derives_the_credentials_it_was_stored_with() -> None:
    assert tracking.derived_credentials("form-key-1", 0) == ("eOmon_JY3c0Cr0Pcq5n0FmAaumubnFLr", "3456717060")
    assert tracking.derived_credentials("form-key-1", 1) == ("eOmon_JY3c0Cr0Pcq5n0FmAaumubnFLr", "1095716647")


@PINNED_KEYS
def test_values_encrypted_before_keep_decrypting() -> None:
    cipher = field_cipher()
    sealed_sms = "v1:7lTlzoaUrdqh-JZb_nHw9WE_j80Zge0zEcwBrO_4PXTWJUNsO0c_Qgo="
    sealed_report = "v1:uLQcBrVXGNRXn-PqBvwythtMQ7up6phYOt2ev5gnc7SDB6gFSxmfriU="
    assert cipher.decrypt(sealed_sms, context=sms_models.PHONE_CONTEXT) == "+923001234567"
    assert cipher.decrypt(sealed_report, context=contact.PHONE_CONTEXT) == "+923001234567"


@PINNED_KEYS
def test_rate_limit_keys_are_a_salted_hmac_of_the_value_under_the_secret_key() -> None:
    key = ratelimit._key("login", "user:amina")
    assert key == "login:5efb914f8b4d3c6291ca85aa924d6baa32bcda17"
    # The same as the hand-salted key it replaces: counters of the current window carry over.
    hand_salted = hashlib.sha256(b"ratelimit:" + b"pinned-secret-key-" + b"s" * 40).digest()
    assert key == "login:" + hmac.new(hand_salted, b"user:amina", hashlib.sha256).hexdigest()[:40]
    assert key == "login:" + salted_hmac("ratelimit:", "user:amina", algorithm="sha256").hexdigest()[:40]
    assert "amina" not in key


def test_one_cipher_per_key_and_a_new_one_when_the_key_changes() -> None:
    cipher = field_cipher()
    assert field_cipher() is cipher
    with override_settings(RABTA_FIELD_KEY=bytes(range(32))):
        other = field_cipher()
        assert other is not cipher
        sealed = other.encrypt("+923001234567", context="phone")
    assert field_cipher() is cipher
    # Each module's blind index goes through the one cipher, with its own context.
    assert sms_models.phone_index("+923001234567") == cipher.blind_index("+923001234567", context="phone")
    assert contact.phone_index("+923001234567") == cipher.blind_index(
        "+923001234567", context=contact.PHONE_CONTEXT
    )
    with override_settings(RABTA_FIELD_KEY=bytes(range(32))):
        assert field_cipher().decrypt(sealed, context="phone") == "+923001234567"
