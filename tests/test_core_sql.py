"""rabta.core.sql: the two one-statement upserts and the two single-row reads, on whichever database
the suite runs on, and the models the upserts refuse because a raw INSERT would not write them as
save() does."""

# ruff: noqa: DJ008 - the models below only exist to be refused; none is ever shown

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.db.models import F
from django.test.utils import isolate_apps

from rabta.core import sql
from rabta.core.models import RateCounter

pytestmark = pytest.mark.django_db

WINDOW = dt.datetime(2025, 3, 1, 10, 0, tzinfo=dt.UTC)


def test_increment_inserts_the_first_row_and_counts_up_on_the_same_unique_values() -> None:
    def hit(key: str, start: dt.datetime) -> int:
        return sql.increment(RateCounter, unique={"key": key, "window_start": start}, counter="count")

    assert [hit("a", WINDOW), hit("a", WINDOW), hit("a", WINDOW)] == [1, 2, 3]
    assert hit("b", WINDOW) == 1
    assert hit("a", WINDOW + dt.timedelta(minutes=1)) == 1
    rows = set(RateCounter.objects.values_list("key", "window_start", "count"))
    assert rows == {("a", WINDOW, 3), ("b", WINDOW, 1), ("a", WINDOW + dt.timedelta(minutes=1), 1)}


def test_insert_or_ignore_inserts_once_with_python_defaults_and_leaves_the_twin_unsaved() -> None:
    first = RateCounter(key="k", window_start=WINDOW)
    assert sql.insert_or_ignore(first, unique=("key", "window_start")) is True
    assert first.pk is not None and not first._state.adding
    stored = RateCounter.objects.get(pk=first.pk)
    assert (stored.key, stored.window_start, stored.count) == ("k", WINDOW, 0)  # the field's default

    with transaction.atomic():
        twin = RateCounter(key="k", window_start=WINDOW, count=7)
        assert sql.insert_or_ignore(twin, unique=["window_start", "key"]) is False
        # No error was raised, so the transaction is still usable (PostgreSQL aborts on errors).
        assert RateCounter.objects.count() == 1
    assert twin.pk is None and twin._state.adding
    assert RateCounter.objects.get().count == 0

    other = RateCounter(key="k", window_start=WINDOW + dt.timedelta(hours=1))
    assert sql.insert_or_ignore(other, unique=("key", "window_start")) is True
    assert RateCounter.objects.count() == 2


def test_both_need_exactly_the_fields_of_one_unique_constraint() -> None:
    with pytest.raises(ValueError, match="no unconditional unique constraint"):
        sql.insert_or_ignore(RateCounter(key="k", window_start=WINDOW), unique=("key",))
    with pytest.raises(ValueError, match="no unconditional unique constraint"):
        sql.increment(RateCounter, unique={"window_start": WINDOW}, counter="count")
    assert not RateCounter.objects.exists()


@isolate_apps("rabta.core")
def test_a_model_with_a_database_default_or_a_generated_field_is_refused() -> None:
    class WithDbDefault(models.Model):
        key = models.CharField(max_length=10, unique=True)
        count = models.IntegerField(default=0)
        created = models.DateTimeField(db_default=models.functions.Now())

        class Meta:
            app_label = "core"

    class WithGenerated(models.Model):
        key = models.CharField(max_length=10, unique=True)
        count = models.IntegerField(default=0)
        doubled = models.GeneratedField(
            expression=F("count") * 2, output_field=models.IntegerField(), db_persist=True
        )

        class Meta:
            app_label = "core"

    for model, field in ((WithDbDefault, "created"), (WithGenerated, "doubled")):
        with pytest.raises(sql.UnsupportedModel, match=f"{field} has a database default or a generated"):
            sql.insert_or_ignore(model(key="k"), unique=("key",))
        with pytest.raises(sql.UnsupportedModel, match=field):
            sql.increment(model, unique={"key": "k"}, counter="count")


@isolate_apps("rabta.core")
def test_an_inherited_model_and_a_counter_row_with_other_fields_are_refused() -> None:
    class Parent(models.Model):
        key = models.CharField(max_length=10, unique=True)

        class Meta:
            app_label = "core"

    class Child(Parent):
        count = models.IntegerField(default=0)

        class Meta:
            app_label = "core"

    class Labelled(models.Model):
        key = models.CharField(max_length=10, unique=True)
        count = models.IntegerField(default=0)
        label = models.CharField(max_length=10, default="x")

        class Meta:
            app_label = "core"

    with pytest.raises(sql.UnsupportedModel, match="inherited"):
        sql.insert_or_ignore(Child(key="k"), unique=("key",))
    with pytest.raises(sql.UnsupportedModel, match="would leave label unset"):
        sql.increment(Labelled, unique={"key": "k"}, counter="count")


def test_first_row_and_first_value_read_the_row_the_orm_would() -> None:
    RateCounter.objects.create(key="a", window_start=WINDOW, count=3)
    later = RateCounter.objects.create(key="a", window_start=WINDOW + dt.timedelta(hours=1), count=5)

    found = sql.first_row(RateCounter, key="a", window_start=later.window_start)
    assert found is not None
    assert (found.pk, found.key, found.window_start, found.count) == (
        later.pk,
        "a",
        later.window_start,
        5,
    )
    assert not found._state.adding  # a saved row, as the ORM gives it
    assert sql.first_value(RateCounter, "count", key="a", window_start=WINDOW) == 3
    assert sql.first_value(RateCounter, "pk", key="a", window_start=later.window_start) == later.pk
    assert sql.first_row(RateCounter, key="b") is None
    assert sql.first_value(RateCounter, "count", key="b") is None
    # Values are parameters, never SQL.
    assert sql.first_row(RateCounter, key="a' OR '1'='1") is None
    with pytest.raises(FieldDoesNotExist):
        sql.first_value(RateCounter, "count", no_such_field=1)
