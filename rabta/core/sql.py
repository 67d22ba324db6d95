"""The raw SQL the ORM cannot express, or not within the webhook's budget; the same on PostgreSQL and
SQLite (3.35+).

`increment` is INSERT ... ON CONFLICT ... DO UPDATE ... RETURNING: insert a counter's row or add one
to it, and read the new count. `insert_or_ignore` is INSERT ... ON CONFLICT (...) DO NOTHING RETURNING:
insert a row unless its unique fields are taken, instead of a savepoint, an INSERT that may fail and a
rollback to the savepoint. Neither can fail on a concurrent insert, so neither needs a transaction or a
savepoint of its own: a twin statement waits for the other's commit and then finds the row.

`first_row` and `first_value` are one equality SELECT on an indexed column, for the SMS webhook, which
runs them on every delivery: there the ORM took longer to compose such a query than the database took
to answer it, and the webhook accepted about a fifth fewer messages a second (bench/README.md).

The upserts refuse a model whose rows the statement could not write as save() would (fields with
a database default or a generated value, inherited tables), so a model change cannot make them skip
a column without anyone noticing. Neither sends pre_save or post_save signals.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from functools import cache
from typing import Any, TypeVar

from django.db import connections, models, router
from django.db.models.fields import NOT_PROVIDED

_M = TypeVar("_M", bound=models.Model)

# Templates for identifiers from _meta, quoted; values are always parameters.
_INCREMENT = (
    "INSERT INTO {table} ({keys}, {count}) VALUES ({params}, 1) "
    "ON CONFLICT ({keys}) DO UPDATE SET {count} = {table}.{count} + 1 RETURNING {count}"
)
_SELECT = "SELECT {columns} FROM {table} WHERE {where} LIMIT 1"
_INSERT_OR_IGNORE = (
    "INSERT INTO {table} ({columns}) VALUES ({params}) ON CONFLICT ({keys}) DO NOTHING RETURNING {pk}"
)


class UnsupportedModel(TypeError):
    """The model has a field or a table layout these statements cannot write as save() would."""


@cache
def _conflict_fields(model: type[models.Model], names: frozenset[str]) -> tuple[models.Field[Any, Any], ...]:
    """The fields of `names`, checked once per model: the model is one plain table, and `names` are
    exactly the fields of one unconditional unique rule (ON CONFLICT needs a unique index on exactly
    those columns)."""
    meta = model._meta
    if meta.parents:
        raise UnsupportedModel(f"{meta.label}: inherited models span several tables; use save()")
    special = [f.name for f in meta.concrete_fields if f.generated or f.db_default is not NOT_PROVIDED]
    if special:
        raise UnsupportedModel(
            f"{meta.label}: {', '.join(special)} has a database default or a generated value, which a raw "
            "INSERT would not write as save() does; use save()"
        )
    rules = [frozenset(rule) for rule in meta.unique_together]
    rules += [frozenset(c.fields) for c in meta.total_unique_constraints]  # no condition, no expressions
    rules += [frozenset([f.name]) for f in meta.concrete_fields if f.unique]
    if names not in rules:
        raise ValueError(f"{meta.label}: no unconditional unique constraint on exactly {sorted(names)}")
    return tuple(f for f in meta.concrete_fields if f.name in names)


def increment(model: type[models.Model], *, unique: Mapping[str, Any], counter: str) -> int:
    """Insert the row whose `unique` fields have these values with `counter` at 1, or add 1 to the
    counter of the row that has them; return the new count. One statement, one round trip.

    Every other concrete field of the model must be its automatic primary key: the statement sets
    no other column.
    """
    meta = model._meta
    keys = _conflict_fields(model, frozenset(unique))
    count = next((f for f in meta.concrete_fields if f.name == counter and f not in keys), None)
    if count is None:
        raise ValueError(f"{meta.label}: {counter} is no concrete field outside the unique ones")
    others = [f.name for f in meta.concrete_fields if f not in keys and f != count and f != meta.auto_field]
    if others:
        raise UnsupportedModel(f"{meta.label}: increment would leave {', '.join(others)} unset")
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    sql = _INCREMENT.format(
        table=quote(meta.db_table),
        keys=", ".join(quote(f.column) for f in keys),
        params=", ".join(["%s"] * len(keys)),
        count=quote(count.column),
    )
    values = [f.get_db_prep_save(unique[f.name], connection) for f in keys]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    return int(row[0])


def insert_or_ignore(obj: models.Model, *, unique: Collection[str]) -> bool:
    """INSERT the new object unless a row with the same `unique` fields exists; True when inserted.

    Columns and values come from the model as Django's own insert takes them (pre_save,
    get_db_prep_save), so Python defaults and auto_now_add behave as with save(). When inserted, the
    object has its primary key and counts as saved; when not, it is left unsaved.
    """
    meta = obj._meta
    keys = _conflict_fields(type(obj), frozenset(unique))
    connection = connections[router.db_for_write(type(obj))]
    quote = connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if not (f.primary_key and getattr(obj, f.attname) is None)]
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    sql = _INSERT_OR_IGNORE.format(
        table=quote(meta.db_table),
        columns=", ".join(quote(f.column) for f in fields),
        params=", ".join(["%s"] * len(fields)),
        keys=", ".join(quote(f.column) for f in keys),
        pk=quote(meta.pk.column),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding, obj._state.db = False, connection.alias
    return True


def _column(meta: Any, name: str) -> models.Field[Any, Any]:
    field = meta.pk if name == "pk" else meta.get_field(name)
    if not isinstance(field, models.Field) or not field.column:
        raise ValueError(f"{meta.label}: {name} is no column")
    return field


def _select(model: type[models.Model], columns: str, equals: Mapping[str, Any]) -> tuple[str, list[Any], str]:
    meta = model._meta
    connection = connections[router.db_for_read(model)]
    quote = connection.ops.quote_name
    fields = [_column(meta, name) for name in equals]
    sql = _SELECT.format(
        columns=columns if columns == "*" else quote(_column(meta, columns).column),
        table=quote(meta.db_table),
        where=" AND ".join(f"{quote(f.column)} = %s" for f in fields),
    )
    values = [f.get_db_prep_value(equals[f.name], connection) for f in fields]
    return sql, values, connection.alias


def first_row(model: type[_M], **equals: Any) -> _M | None:
    """The model's first row whose fields equal these values (no ordering: the fields must single it out)."""
    sql, values, alias = _select(model, "*", equals)
    found = list(model._default_manager.db_manager(alias).raw(sql, values))
    return found[0] if found else None


def first_value(model: type[models.Model], column: str, **equals: Any) -> Any:
    """One field's value in the first row whose fields equal these values, or None."""
    sql, values, alias = _select(model, column, equals)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    return row[0] if row else None
