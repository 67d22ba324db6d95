"""SQLite connection setup that keeps reads working when the disk is full.

Setting `journal_mode=WAL` writes to the database file; on a full disk it fails, and as Django's
init_command it failed every new connection, so every page failed, reads included. WAL is a
property of the file and stays on once set, so it is set only when the file is not in WAL yet,
and a failure to set it is logged, not raised: reads go on, and writes fail on their own (the
503 page of rabta.core.middleware).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError
from django.db.backends.base.base import BaseDatabaseWrapper

log = logging.getLogger("rabta.core.sqlite")


def use_wal(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if connection.vendor != "sqlite":
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            row = cursor.fetchone()
            if row is not None and str(row[0]).lower() in ("wal", "memory"):
                return  # already WAL, or an in-memory test database that has no journal file
            cursor.execute("PRAGMA journal_mode=WAL")
    except DatabaseError as exc:
        log.warning("could not switch SQLite to WAL mode (%s); reads go on", type(exc).__name__)
