"""`manage.py rotate_field_key [--dry-run]`: re-encrypt every encrypted field under the active key.

The procedure around it (add the new key, restart, rotate, retire the old key) is in docs/deploy.md,
"Key rotation". Safe to run again at any time: values already under the active key are skipped.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rabta.core.crypto import field_cipher
from rabta.core.keyrotation import BATCH_SIZE, FieldCount, RotationError, rotate_all


def _key_name(key_id: str | None) -> str:
    return "the legacy key RABTA_FIELD_KEY" if key_id is None else f"key {key_id!r}"


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field with the active key of RABTA_FIELD_KEYS, in batches."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be re-encrypted; change nothing."
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="Rows per transaction.")

    def handle(self, *args: Any, dry_run: bool, batch_size: int, **options: Any) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        cipher = field_cipher()
        self.stdout.write(f"Active: {_key_name(cipher.active_key_id)}.")
        try:
            counts = rotate_all(dry_run=dry_run, batch_size=batch_size)
        except RotationError as error:
            raise CommandError(
                f"{error}. Rows before it are done; configure the key and run again."
            ) from None
        unknown = 0
        for count in counts:
            self.stdout.write(self._line(count, dry_run=dry_run))
            unknown += sum(n for key_id, n in count.by_key.items() if key_id not in cipher.key_ids)
        total = sum(count.pending for count in counts)
        if dry_run:
            self.stdout.write(f"Dry run: {total} values would be re-encrypted; nothing was changed.")
            if unknown:
                raise CommandError(f"{unknown} values were made by keys that are not configured.")
        else:
            rotated = sum(count.rotated for count in counts)
            self.stdout.write(self.style.SUCCESS(f"Re-encrypted {rotated} values."))

    @staticmethod
    def _line(count: FieldCount, *, dry_run: bool) -> str:
        cipher = field_cipher()
        by_key = ", ".join(
            f"{n} under {_key_name(key_id)}{'' if key_id in cipher.key_ids else ' (NOT CONFIGURED)'}"
            for key_id, n in sorted(count.by_key.items(), key=lambda item: str(item[0]))
        )
        done = f"{count.pending} to re-encrypt" if dry_run else f"{count.rotated} re-encrypted"
        line = f"{count.label}: {count.current} already current; {done}"
        if by_key:
            line += f" ({by_key})"
        if count.changed_meanwhile:
            line += f"; {count.changed_meanwhile} changed by someone else meanwhile, left as they are"
        return line
