"""Key rotation without loss: several field keys, one active; hashes under a key that never rotates.

Data of every encrypted kind is written under key A alone (today's configuration), then read under
[B active, A old] before and after `manage.py rotate_field_key`, and finally with A gone from the
encryption keys (kept only as RABTA_INDEX_KEY). Every value must still decrypt and every tracking
code, token, replayed submission, phone and blind-index look-up must still match.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import models
from django.test import override_settings
from django.utils import timezone

from rabta.core import outbox
from rabta.core.crypto import field_cipher, registered_fields
from rabta.core.models import EmailPurpose
from rabta.engagement import selectors as engagement_selectors
from rabta.engagement import services as engagement_services
from rabta.engagement.models import Meeting
from rabta.feedback import services as feedback_services
from rabta.feedback import themes
from rabta.feedback.models import FreeText, Mode
from rabta.lib.crypto import FieldCipher, UndecryptableError, UnknownKeyError
from rabta.lib.env import ConfigError, Env
from rabta.lib.phones import normalise
from rabta.messaging import phones as sms_phones
from rabta.messaging import selectors as sms_selectors
from rabta.messaging.models import Channel, Phone, Provider, Subscription
from rabta.messaging.subscriptions import subscribe
from rabta.presence import services as presence_services
from rabta.presence.models import ContactKind, FeedbackConsent
from rabta.reports import contact, selectors, tracking
from rabta.reports.models import Report
from tests import factories
from tests.conftest import World
from tests.tasks_helper import run_ready_tasks
from tests.test_engagement_support import held_meeting
from tests.test_settings import FIELD_KEY, manage, production

FEEDBACK_PHONE = "0333 7654321"
KEY_A = bytes(range(32))
KEY_B = bytes(range(100, 132))
KEY_C = bytes(range(200, 232))

ONLY_A = override_settings(RABTA_FIELD_KEY=KEY_A, RABTA_FIELD_KEYS=(), RABTA_INDEX_KEY=None)
B_ACTIVE_A_OLD = override_settings(
    RABTA_FIELD_KEY=KEY_A, RABTA_FIELD_KEYS=(("b", KEY_B),), RABTA_INDEX_KEY=None
)
A_RETIRED = override_settings(RABTA_FIELD_KEY=None, RABTA_FIELD_KEYS=(("b", KEY_B),), RABTA_INDEX_KEY=KEY_A)

PHONE = "+923001234567"
EMAIL = "resident@example.pk"
SMS_PHONE = "+923331112223"
NAME = "Gul Bano Yousafzai"
FREE_TEXT = "Patrol the bazaar after dark"
CREDENTIALS = {"account_sid": "AC123", "auth_token": "secret-token"}


@dataclass
class Written:
    report: Report
    token: str
    code: str
    idempotency_key: str
    phone: Phone
    channel: Channel
    meeting: Meeting


def raw_values() -> dict[str, list[tuple[Any, str]]]:
    """Every stored ciphertext, as the database holds it."""
    values = {}
    for model, spec in registered_fields():
        rows = model._base_manager.exclude(**{spec.field: ""}).order_by("pk").values_list("pk", spec.field)
        values[f"{model._meta.label}.{spec.field}"] = list(rows)
    return values


def write_every_kind(world: World) -> Written:
    with ONLY_A:
        submission = factories.report(
            beat_obj=world.beat_a, phone="0300 1234567", email=EMAIL, idempotency_key="k-1"
        )
        phone = sms_phones.phone_for(SMS_PHONE)
        subscribe(phone=phone, beat=world.beat_a)
        channel = Channel(name="Twilio", provider=Provider.TWILIO, number="8001")
        channel.set_credentials(CREDENTIALS)
        channel.save()
        meeting = held_meeting(world.beat_officer, [world.beat_a], {"women_15_29": 5})
        engagement_services.add_register_entry(
            meeting=meeting,
            by=world.beat_officer,
            name=NAME,
            phone="0301-1234567",
            consent_given=True,
            consent_method="verbal",
        )
        outbox.queue_email(
            to=[EMAIL], subject="News", body="Your report has news.", purpose=EmailPurpose.REPORTER_UPDATE
        )
        now = timezone.now()
        presence_services.log_contact(
            officer=world.beat_officer,
            kind=ContactKind.DOOR_TO_DOOR,
            beats=[world.beat_a],
            started_at=now - dt.timedelta(minutes=30),
            ended_at=now,
            feedback_phone=FEEDBACK_PHONE,
        )
        feedback_services.save_contact_answer(
            redeemed=feedback_services.Redeemed(beat_id=world.beat_a.pk),
            mode=Mode.WEB,
            items={"voice": 4},
            free_text=FREE_TEXT,
        )
    return Written(submission.report, submission.token, submission.code, "k-1", phone, channel, meeting)


def assert_everything_reads_and_matches(world: World, written: Written) -> None:
    report = Report.objects.get(pk=written.report.pk)
    found = contact.decrypt_contact(report)
    assert (found.phone, found.email) == (PHONE, EMAIL)
    assert selectors.find_by_code(written.code) == report
    assert selectors.find_by_token(written.token) == report
    assert Report.objects.filter(contact_phone_index=contact.phone_index(PHONE)).get() == report
    assert Report.objects.filter(contact_email_index=contact.email_index(EMAIL)).get() == report
    # A replayed form submission re-derives the credentials it was stored with.
    replay = factories.report(beat_obj=world.beat_a, idempotency_key=written.idempotency_key)
    assert (replay.created, replay.report, replay.code, replay.token) == (
        False,
        report,
        written.code,
        written.token,
    )

    phone = sms_selectors.find_phone(SMS_PHONE)
    assert phone == written.phone and phone.number == SMS_PHONE
    assert sms_phones.phone_for(SMS_PHONE) == written.phone  # no second row for the same number
    assert (
        Subscription.objects.filter(phone__in=Phone.objects.for_number(SMS_PHONE), active=True).count() == 1
    )
    assert Channel.objects.get(pk=written.channel.pk).credentials == CREDENTIALS
    register = engagement_selectors.read_register(meeting=written.meeting, viewer=world.beat_officer)
    assert [(e["name"], e["phone"]) for e in register] == [(NAME, "0301-1234567")]
    consent = FeedbackConsent.objects.get()
    assert presence_services.feedback_phone(consent=consent) == normalise(FEEDBACK_PHONE)
    assert themes.decrypt(FreeText.objects.get()) == FREE_TEXT


def test_every_encrypted_model_field_is_registered() -> None:
    """The command rotates what the registry names: a new `*_encrypted` column must be declared."""
    registered = {(model._meta.label, spec.field) for model, spec in registered_fields()}
    named = {
        (model._meta.label, f.name)
        for model in apps.get_models()
        for f in model._meta.get_fields()
        if isinstance(f, models.Field) and f.name.endswith("_encrypted")
    }
    assert named <= registered
    assert {
        ("reports.Report", "contact_phone_encrypted"),
        ("reports.Report", "contact_email_encrypted"),
        ("messaging.Phone", "number_encrypted"),
        ("messaging.Channel", "credentials_encrypted"),
        ("engagement.RegisterEntry", "name_encrypted"),
        ("engagement.RegisterEntry", "phone_encrypted"),
    } <= registered


def test_rotation_keeps_every_value_and_every_lookup(world: World) -> None:
    written = write_every_kind(world)
    before = raw_values()
    assert all(token.startswith("v1:") for rows in before.values() for _pk, token in rows)
    assert all(rows for rows in before.values()), "every encrypted kind has a value to rotate"
    with ONLY_A:
        hashes = Report.objects.values_list("tracking_code_hash", "contact_phone_index").get(
            pk=written.report.pk
        )
        phone_index = Phone.objects.get().number_index

    with B_ACTIVE_A_OLD:
        # Before rotating: the old values read, and new values are made by B and say so.
        assert_everything_reads_and_matches(world, written)
        assert Phone.build("+923009998887").number_encrypted.startswith("v2:b:")

        out = io.StringIO()
        call_command("rotate_field_key", "--dry-run", stdout=out)
        assert raw_values() == before, "a dry run changes nothing"
        assert "reports.Report.contact_phone_encrypted: 0 already current; 1 to re-encrypt" in out.getvalue()
        assert "Dry run: 11 values would be re-encrypted" in out.getvalue()
        assert PHONE not in out.getvalue() and NAME not in out.getvalue()

        out = io.StringIO()
        call_command("rotate_field_key", "--batch-size", "1", stdout=out)
        assert "Re-encrypted 11 values." in out.getvalue()
        after = raw_values()
        assert all(token.startswith("v2:b:") for rows in after.values() for _pk, token in rows)
        assert {label: [pk for pk, _t in rows] for label, rows in after.items()} == {
            label: [pk for pk, _t in rows] for label, rows in before.items()
        }
        assert_everything_reads_and_matches(world, written)

        # Idempotent: a second run finds nothing left and writes nothing.
        out = io.StringIO()
        call_command("rotate_field_key", stdout=out)
        assert "Re-encrypted 0 values." in out.getvalue() and raw_values() == after

    with A_RETIRED:
        assert_everything_reads_and_matches(world, written)
        # The hashes never moved: they are under the index key, which is still A.
        assert (
            Report.objects.values_list("tracking_code_hash", "contact_phone_index").get(pk=written.report.pk)
            == hashes
        )
        assert Phone.objects.get(pk=written.phone.pk).number_index == phone_index
        # A report made now is found by its code and its phone too.
        fresh = factories.report(beat_obj=world.beat_b, phone="0300 7654321")
        assert selectors.find_by_code(fresh.code) == fresh.report
        assert fresh.report.contact_phone_encrypted.startswith("v2:b:")
        assert contact.decrypt_contact(fresh.report).phone == "+923007654321"
        # The e-mail queued under A goes out under B, read by the outbox's own code.
        run_ready_tasks()
        sent = [m for m in mail.outbox if m.subject == "News"]
        assert [(m.to, m.body) for m in sent] == [([EMAIL], "Your report has news.")]


def test_an_interrupted_rotation_resumes(world: World) -> None:
    written = write_every_kind(world)
    with B_ACTIVE_A_OLD:
        # As if the first run stopped after the phone: only the remaining values are re-encrypted.
        phone = Phone.objects.get(pk=written.phone.pk)
        phone.number_encrypted = field_cipher().reencrypt(phone.number_encrypted, context="phone")
        phone.save(update_fields=["number_encrypted"])
        out = io.StringIO()
        call_command("rotate_field_key", stdout=out)
        assert "messaging.Phone.number_encrypted: 1 already current; 0 re-encrypted" in out.getvalue()
        assert "Re-encrypted 10 values." in out.getvalue()
    with A_RETIRED:
        assert_everything_reads_and_matches(world, written)


def test_a_value_under_a_key_that_is_not_configured_is_a_clear_error(world: World) -> None:
    written = write_every_kind(world)
    with override_settings(RABTA_FIELD_KEY=None, RABTA_FIELD_KEYS=(("c", KEY_C),), RABTA_INDEX_KEY=KEY_A):
        with pytest.raises(UnknownKeyError, match="legacy key"):
            contact.decrypt_contact(Report.objects.get(pk=written.report.pk))
        out = io.StringIO()
        with pytest.raises(CommandError, match="not configured"):
            call_command("rotate_field_key", "--dry-run", stdout=out)
        assert "(NOT CONFIGURED)" in out.getvalue()
        with pytest.raises(CommandError) as raised:
            call_command("rotate_field_key", stdout=io.StringIO())
        assert "legacy key, which is not configured" in str(raised.value)
        assert re.match(r"[a-z]+\.[A-Za-z]+\.[a-z_]+_encrypted of row \d+: ", str(raised.value))
        assert NAME not in str(raised.value) and EMAIL not in str(raised.value)
    # Nothing was lost: with A configured again every value still reads.
    with B_ACTIVE_A_OLD:
        assert_everything_reads_and_matches(world, written)


def test_a_value_changed_while_rotating_is_left_as_it_was_written(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The retention sweep erasing a contact mid-rotation must not see it written back."""
    written = write_every_kind(world)
    with B_ACTIVE_A_OLD:
        real = field_cipher()

        class ErasedMeanwhile:
            active_key_id = real.active_key_id
            key_ids = real.key_ids

            def reencrypt(self, token: str, *, context: str) -> str:
                if context == contact.PHONE_CONTEXT:
                    Report.objects.filter(pk=written.report.pk).update(contact_phone_encrypted="")
                return real.reencrypt(token, context=context)

        monkeypatch.setattr("rabta.core.keyrotation.field_cipher", ErasedMeanwhile)
        out = io.StringIO()
        call_command("rotate_field_key", stdout=out)
        assert "1 changed by someone else meanwhile, left as they are" in out.getvalue()
        report = Report.objects.get(pk=written.report.pk)
        assert report.contact_phone_encrypted == ""
        assert report.contact_email_encrypted.startswith("v2:b:")


def test_unknown_and_wrong_keys_fail_loudly_not_with_garbage() -> None:
    made_by_c = FieldCipher(keys=[("c", KEY_C)], index_key=KEY_A).encrypt("+923001234567", context="phone")
    assert made_by_c.startswith("v2:c:")
    with pytest.raises(UnknownKeyError, match="key 'c', which is not configured"):
        FieldCipher(keys=[("b", KEY_B)], index_key=KEY_A).decrypt(made_by_c, context="phone")
    # The right id with the wrong key bytes (a typo in the configuration) is refused, not mis-decrypted.
    with pytest.raises(UndecryptableError, match="key 'c'"):
        FieldCipher(keys=[("c", KEY_B)], index_key=KEY_A).decrypt(made_by_c, context="phone")
    with pytest.raises(ValueError, match="unknown ciphertext version"):
        FieldCipher(KEY_A).decrypt("v9:abc", context="phone")


def test_one_key_alone_behaves_as_before() -> None:
    """RABTA_FIELD_KEY alone writes the id-less v1 format, readable by a cipher that predates rotation."""
    one = FieldCipher(KEY_A)
    sealed = one.encrypt("+923001234567", context="phone")
    assert sealed.startswith("v1:") and one.is_current(sealed)
    with_b = FieldCipher(KEY_A, keys=[("b", KEY_B)])
    assert with_b.decrypt(sealed, context="phone") == "+923001234567"
    assert with_b.blind_index("x", context="phone") == one.blind_index("x", context="phone")
    assert FieldCipher(keys=[("b", KEY_B)], index_key=KEY_A).blind_index(
        "x", context="phone"
    ) == one.blind_index("x", context="phone")
    with ONLY_A:
        assert field_cipher().active_key_id is None
        hashed = tracking.hash_code("4821773015")
    with A_RETIRED:
        assert tracking.hash_code("4821773015") == hashed


def _b64(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode()


def test_field_keys_are_parsed_and_refused_by_name_never_echoing_a_key() -> None:
    env = Env({"K": f"2026b:{_b64(KEY_B)}, 2025a:{_b64(KEY_A)}"})
    assert env.field_keys("K") == (("2026b", KEY_B), ("2025a", KEY_A))
    assert Env({}).field_keys("K") == ()
    for value, message in [
        (_b64(KEY_B), "entry 1 must be id:key"),
        (f"b-1:{_b64(KEY_B)}", "entry 1 must be id:key"),
        # Lowercase only: the command finds values by prefix, and SQLite's LIKE ignores case.
        (f"B:{_b64(KEY_B)}", "entry 1 must be id:key"),
        (f"b:{_b64(KEY_B)},b:{_b64(KEY_A)}", "names key id 'b' twice"),
        ("b:c2hvcnQta2V5", "K key 'b' must decode to 32 bytes"),
    ]:
        with pytest.raises(ConfigError, match=message) as raised:
            Env({"K": value}).field_keys("K")
        assert _b64(KEY_B) not in str(raised.value)


def test_settings_need_an_index_key_once_the_legacy_key_is_gone() -> None:
    keys = f"b:{_b64(KEY_B)}"
    missing = manage("check", **production(RABTA_FIELD_KEY=None, RABTA_FIELD_KEYS=keys))
    assert missing.returncode != 0 and "RABTA_INDEX_KEY is required" in missing.stderr
    assert _b64(KEY_B) not in missing.stderr
    ok = manage("check", DEBUG="1", RABTA_FIELD_KEY=None, RABTA_FIELD_KEYS=keys, RABTA_INDEX_KEY=FIELD_KEY)
    assert ok.returncode == 0, ok.stderr
    both = manage("check", DEBUG="1", RABTA_FIELD_KEY=FIELD_KEY, RABTA_FIELD_KEYS=keys)
    assert both.returncode == 0, both.stderr
