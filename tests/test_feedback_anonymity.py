"""Anonymous by construction (issue 14, point 3), read from the database itself on SQLite and
PostgreSQL: no foreign key or identifying column joins an answer to a code, an invitation, a phone, an
SMS session or a person (only the staff member who typed a paper form in); answers carry dates, never
times; after a web survey no row anywhere holds both the code and an answer. And a code sent twice at
once counts once (PostgreSQL, real transactions)."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client

from rabta.feedback.models import (
    CommunityResponse,
    ContactInvite,
    ContactResponse,
    FreeText,
    InviteCode,
    PhoneInvited,
    SmsSurveySession,
)
from rabta.messaging.models import Phone
from rabta.people.models import User
from tests.concurrency import together
from tests.conftest import World
from tests.test_feedback_survey import FULL, code_for, running_campaign, url

ANSWERS = (CommunityResponse, ContactResponse, FreeText)
INVITATIONS = (InviteCode, ContactInvite, PhoneInvited, SmsSurveySession)
# Where an answer is filed, not who gave it. The invitation tables have the same columns because a
# code knows the beat and campaign it is for; a join on them matches everybody of that beat.
FILED_UNDER = {"beat_id", "campaign_id", "source", "kind", "language"}


def _table(model: type[Any]) -> str:
    return str(model._meta.db_table)


def _relations(table: str) -> dict[str, tuple[str, str]]:
    with connection.cursor() as cursor:
        return dict(connection.introspection.get_relations(cursor, table))


def _columns(table: str) -> dict[str, str]:
    """Column name -> the Django field type the database reports for it."""
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, table)
        return {col.name: connection.introspection.get_field_type(col.type_code, col) for col in description}


def _answer_tables() -> list[str]:
    tables = [_table(m) for m in ANSWERS]
    # The themes a free text is tagged with live in a join table of their own.
    tables.append(str(FreeText.themes.through._meta.db_table))
    return tables


pytestmark_db = pytest.mark.django_db


@pytestmark_db
def test_answers_reference_only_beats_campaigns_themes_and_the_typist() -> None:
    allowed = {
        _table(apps.get_model("places", "Beat")),
        _table(apps.get_model("feedback", "Campaign")),
        _table(apps.get_model("feedback", "Theme")),
        _table(FreeText),  # the join table's other side
    }
    user_table = _table(User)
    for table in _answer_tables():
        for column, (_, target) in _relations(table).items():
            if target == user_table:
                assert (table, column) == (_table(CommunityResponse), "entered_by_id"), (table, column)
                continue
            assert target in allowed, f"{table}.{column} points at {target}"


@pytestmark_db
def test_no_table_points_at_an_answer() -> None:
    answers = {_table(m) for m in ANSWERS}
    themes_join = str(FreeText.themes.through._meta.db_table)
    for table in connection.introspection.table_names():
        if table == themes_join:
            continue
        for column, (_, target) in _relations(table).items():
            assert target not in answers, f"{table}.{column} points at the answer table {target}"


@pytestmark_db
def test_invitations_know_nothing_of_answers() -> None:
    answers = set(_answer_tables())
    for model in INVITATIONS:
        for column, (_, target) in _relations(_table(model)).items():
            assert target not in answers, f"{_table(model)}.{column}"


@pytestmark_db
def test_no_identifying_column_is_shared() -> None:
    identifying = {
        _table(InviteCode): {"code", "batch", "used_on", "created_at", "sent_by_sms"},
        _table(ContactInvite): {
            "token_hash",
            "report_id",
            "contact_id",
            "used_on",
            "created_at",
            "expires_at",
        },
        _table(PhoneInvited): {"phone_id", "last_invited_on"},
        _table(SmsSurveySession): {"phone_id", "answers", "step", "expires_at"},
        _table(Phone): set(_columns(_table(Phone))) - {"id"} - FILED_UNDER,
    }
    for table in _answer_tables():
        answer_columns = _columns(table)
        for other, columns in identifying.items():
            shared = set(answer_columns) & set(_columns(other))
            assert not shared & columns, f"{table} shares {shared & columns} with {other}"
            assert shared <= FILED_UNDER | {"id"}, f"{table} shares {shared} with {other}"
        if "id" in answer_columns and table != str(FreeText.themes.through._meta.db_table):
            # Random keys (UUID): not an insertion order that could be lined up with the codes used.
            assert answer_columns["id"] == "UUIDField" or connection.vendor == "sqlite", answer_columns["id"]
    for model in ANSWERS:
        assert model._meta.pk.get_internal_type() == "UUIDField"


@pytestmark_db
def test_answers_carry_days_never_times() -> None:
    for table in _answer_tables():
        kinds = _columns(table)
        assert "DateTimeField" not in kinds.values(), f"{table}: {kinds}"
        assert "TimeField" not in kinds.values(), f"{table}: {kinds}"
    assert _columns(_table(CommunityResponse))["answered_on"] == "DateField"
    assert _columns(_table(FreeText))["month"] == "DateField"


def _all_rows() -> dict[str, list[tuple[Any, ...]]]:
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows[table] = cursor.fetchall()
    return rows


@pytestmark_db
def test_after_a_web_survey_no_row_holds_the_code_and_an_answer(world: World) -> None:
    campaign = running_campaign(world)
    code = code_for(campaign, world.beat_a)
    assert Client().post(url("survey_answer"), {"code": code.code, **FULL}).status_code == 302
    answer = CommunityResponse.objects.get()
    text = FreeText.objects.get()
    answer_marks = {
        str(answer.pk),
        answer.pk.hex,
        str(text.pk),
        text.pk.hex,
        text.text_encrypted,
        FULL["top_issue"],
    }
    holding_code = []
    for table, rows in _all_rows().items():
        for row in rows:
            values = [str(v) for v in row]
            if any(code.code in v for v in values):
                holding_code.append(table)
                assert not any(mark in v for v in values for mark in answer_marks), (table, row)
    assert holding_code == [_table(InviteCode)]
    # The answer's own row names no code.
    answer_row = [str(v) for v in CommunityResponse.objects.values_list().get()]
    assert not any(code.code in v for v in answer_row)


# --- concurrency (PostgreSQL) ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency is proven on PostgreSQL")
def test_the_same_code_sent_twice_at_once_counts_once(world: World) -> None:
    code = code_for(running_campaign(world), world.beat_a)
    statuses = together(
        2, lambda: Client().post(url("survey_answer"), {"code": code.code, **FULL}).status_code
    )
    assert sorted(statuses) == [302, 404]
    assert CommunityResponse.objects.count() == 1
    assert FreeText.objects.count() == 1
    code.refresh_from_db()
    assert code.is_used


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency is proven on PostgreSQL")
def test_many_at_once_still_count_once(world: World) -> None:
    code = code_for(running_campaign(world), world.beat_a)
    statuses = together(
        6, lambda: Client().post(url("survey_answer"), {"code": code.code, **FULL}).status_code
    )
    assert statuses.count(302) == 1 and statuses.count(404) == 5
    assert CommunityResponse.objects.count() == 1
