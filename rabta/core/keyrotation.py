"""Re-encrypt every registered encrypted field under the active key (`manage.py rotate_field_key`).

Rows are read in primary-key order, a bounded batch at a time, and each batch is written in one
transaction, so memory stays flat and an interrupted run resumes where it stopped: rows already
under the active key are filtered out by their prefix and never read again. Each write is a
compare-and-set on the ciphertext that was read, so a value a web request or the retention sweep
changed meanwhile is left as they wrote it, never overwritten with the old contact.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction

from rabta.core.crypto import EncryptedField, field_cipher, registered_fields
from rabta.lib.crypto import UndecryptableError, UnknownKeyError, key_id_of, prefix_for

BATCH_SIZE = 500


class RotationError(Exception):
    """A stored value that cannot be re-encrypted with the configured keys; names the row, never the value."""


@dataclass
class FieldCount:
    label: str
    # Values left to rotate, by the id of the key that made them (None: the legacy key).
    by_key: Counter[str | None] = field(default_factory=Counter)
    current: int = 0
    rotated: int = 0
    changed_meanwhile: int = 0

    @property
    def pending(self) -> int:
        return sum(self.by_key.values())


def _pending(model: type[models.Model], spec: EncryptedField, active: str | None) -> models.QuerySet[Any]:
    rows = model._base_manager.exclude(**{spec.field: ""})
    return rows.exclude(**{f"{spec.field}__startswith": prefix_for(active)})


def rotate_field(
    model: type[models.Model], spec: EncryptedField, *, dry_run: bool = False, batch_size: int = BATCH_SIZE
) -> FieldCount:
    cipher = field_cipher()
    count = FieldCount(label=f"{model._meta.label}.{spec.field}")
    count.current = model._base_manager.filter(
        **{f"{spec.field}__startswith": prefix_for(cipher.active_key_id)}
    ).count()
    columns = ("pk", spec.field, *spec.context_fields)
    last_pk: Any = None
    while True:
        batch = _pending(model, spec, cipher.active_key_id).order_by("pk")
        if last_pk is not None:
            batch = batch.filter(pk__gt=last_pk)
        rows = list(batch.values(*columns)[:batch_size])
        if not rows:
            return count
        last_pk = rows[-1]["pk"]
        if dry_run:
            for row in rows:
                count.by_key[_key_id(count.label, row, spec.field)] += 1
            continue
        with transaction.atomic():
            for row in rows:
                count.by_key[_key_id(count.label, row, spec.field)] += 1
                old = row[spec.field]
                try:
                    new = cipher.reencrypt(old, context=spec.context_for(row))
                except (UnknownKeyError, UndecryptableError) as error:
                    raise RotationError(f"{count.label} of row {row['pk']}: {error}") from None
                written = model._base_manager.filter(pk=row["pk"], **{spec.field: old}).update(
                    **{spec.field: new}
                )
                if written:
                    count.rotated += 1
                else:
                    count.changed_meanwhile += 1


def _key_id(label: str, row: dict[str, Any], column: str) -> str | None:
    try:
        return key_id_of(row[column])
    except ValueError:
        raise RotationError(f"{label} of row {row['pk']} is not a ciphertext Rabta knows") from None


def rotate_all(*, dry_run: bool = False, batch_size: int = BATCH_SIZE) -> list[FieldCount]:
    return [
        rotate_field(model, spec, dry_run=dry_run, batch_size=batch_size)
        for model, spec in registered_fields()
    ]
