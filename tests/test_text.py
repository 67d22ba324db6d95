"""rabta.lib.text: one comparison key for the many ways a word is typed, and masked codes."""

from __future__ import annotations

import pytest

from rabta.lib.text import ascii_digits, fold, fold_words, mask_codes, squash_spaces


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("  stop ", "STOP"),
        ("Stop!", "STOP"),
        ("«STOP»", "STOP"),
        ("ＳＴＯＰ", "STOP"),  # full-width letters
        ("STOP\u200b", "STOP"),  # zero-width space
        ("\u200fSTOP\u200e", "STOP"),  # direction marks
        ("شكايت", "شکایت"),  # Arabic kaf and yeh
        ("شکايت", "شکایت"),  # Pashto yeh
        ("شکاىت", "شکایت"),  # alef maksura
        ("شکـــایت", "شکایت"),  # tatweel
        ("شِکایَت", "شکایت"),  # vowel marks
        ("مرسته", "مرستہ"),  # heh and heh goal
        ("مرستۀ", "مرستہ"),  # heh with hamza above
        ("مرستە", "مرستہ"),  # ae
        ("ګډون", "گډون"),  # Pashto gaf
        ("آباد", "اباد"),  # alef with madda
        ("چهوڑیں", "چھوڑیں"),  # heh for heh doachashmee
        ("پرېږده", "پریږده"),  # Pashto e
        ("ﺷﻜﺎﻳﺖ", "شکایت"),  # presentation forms
        ("مدد؟", "مدد"),  # Arabic question mark
        ("۔مدد۔", "مدد"),  # Urdu full stop
        ("٤٨٢", "482"),  # Eastern Arabic digits
        ("۴۸۲", "482"),  # Persian digits
        ("Shamil-Hon", "SHAMIL-HON"),  # inner punctuation stays
        ("jī", "JI"),  # Latin accents
    ],
)
def test_spellings_of_one_word_fold_alike(typed: str, written: str) -> None:
    assert fold(typed) == fold(written)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("بس", "بند"),
        ("STOP", "STOPS"),
        ("شکایت", "شکایات"),
        ("ب", "پ"),  # different letters stay different
        ("ر", "ړ"),
    ],
)
def test_different_words_stay_different(one: str, other: str) -> None:
    assert fold(one) != fold(other)


def test_words_are_split_trimmed_and_empty_ones_dropped() -> None:
    assert fold_words("  Report , 3   Gulabad! ") == ["report", "3", "gulabad"]
    assert fold("- !") == ""
    assert fold("") == ""


def test_ascii_digits_and_squash_spaces_change_nothing_else() -> None:
    assert ascii_digits("کوڈ ۴۸۲-١٧٧ 3015") == "کوڈ 482-177 3015"
    assert squash_spaces("  a \n b\t c ") == "a b c"
    assert squash_spaces("ﺷﻜﺎﻳﺖ") == "شكايت"  # NFKC, but letters are not folded


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (
            "Your code is 482-177-3015. Send STATUS 482-177-3015",
            "Your code is ***-***-*015. Send STATUS ***-***-*015",
        ),
        ("STATUS 4821773015", "STATUS *******015"),
        ("STATUS 482 177 3015", "STATUS *** *** *015"),
        ("حالت ۴۸۲-۱۷۷-۳۰۱۵", "حالت ***-***-*۰۱۵"),
        ("call +923001234567", "call +923001234567"),  # 12 digits: a number, not a code
        ("STATUS 123", "STATUS 123"),
        ("no digits", "no digits"),
    ],
)
def test_mask_codes_keeps_only_the_last_three_digits(text: str, masked: str) -> None:
    assert mask_codes(text) == masked
