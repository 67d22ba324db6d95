"""The restore drill of docs/deploy.md ("Backups and the restore drill"), run for real on PostgreSQL.

A scratch source database is migrated and given the demo district by `manage.py` in a subprocess (so
the data is committed and pg_dump sees it), dumped with `pg_dump -Fc` as deploy/backup.sh does,
restored with `pg_restore` into a fresh database, and every table is compared: row count and an md5
of all its rows in primary-key order.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

REPO = Path(__file__).resolve().parent.parent
TEST_KEY = "dGVzdHMtb25seS1maWVsZC1rZXktMzItYnl0ZXMtISE="

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the restore drill uses pg_dump and pg_restore: PostgreSQL only (CI runs it there)",
    ),
    pytest.mark.skipif(
        shutil.which("pg_dump") is None or shutil.which("pg_restore") is None,
        reason="pg_dump and pg_restore are not installed",
    ),
]

# Every table's rows in primary-key order (the row's own text when it has no key), as one md5.
TABLES_SQL = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
PK_SQL = """
SELECT a.attname FROM pg_index i
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
WHERE i.indrelid = %s::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)
"""


def _server() -> dict[str, Any]:
    db = settings.DATABASES["default"]
    return {
        "host": db.get("HOST") or "127.0.0.1",
        "port": int(db.get("PORT") or 5432),
        "user": db.get("USER") or "postgres",
        "password": db.get("PASSWORD") or "",
    }


def _connect(dbname: str) -> Any:
    import psycopg

    server = _server()
    return psycopg.connect(dbname=dbname, autocommit=True, **server)


def _url(dbname: str) -> str:
    s = _server()
    auth = s["user"] + (f":{s['password']}" if s["password"] else "")
    return f"postgres://{auth}@{s['host']}:{s['port']}/{dbname}"


def _pg_env() -> dict[str, str]:
    s = _server()
    return {
        **os.environ,
        "PGHOST": s["host"],
        "PGPORT": str(s["port"]),
        "PGUSER": s["user"],
        "PGPASSWORD": s["password"],
    }


def _manage(dbname: str, *args: str) -> None:
    env = {
        **os.environ,
        "RABTA_ENV_FILE": "",
        "DEBUG": "1",
        "RABTA_FIELD_KEY": TEST_KEY,
        "DATABASE_URL": _url(dbname),
    }
    env.pop("RABTA_FIELD_KEYS", None)
    env.pop("RABTA_INDEX_KEY", None)
    _run([sys.executable, "manage.py", *args], env=env)


def _run(command: list[str], *, env: dict[str, str]) -> None:
    """Run a fixed program (a client tool found on PATH, or manage.py) with the test's own arguments."""
    program = shutil.which(command[0]) or command[0]
    done = subprocess.run([program, *command[1:]], cwd=REPO, env=env, capture_output=True, text=True)  # noqa: S603
    assert done.returncode == 0, f"{command[0]} {command[1]} failed:\n{done.stderr[-2000:]}"


def _psql_fingerprint(dbname: str) -> str:
    """deploy/fingerprint.sql through psql, exactly as the guide runs it."""
    psql = shutil.which("psql") or "psql"
    script = REPO / "deploy" / "fingerprint.sql"
    done = subprocess.run(  # noqa: S603
        [psql, "-X", "-At", "-v", "ON_ERROR_STOP=1", "-f", str(script), _url(dbname)],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def fingerprint(dbname: str) -> dict[str, tuple[int, str]]:
    """{table: (rows, md5 of every row's text in primary-key order)} for every table of the database."""
    result: dict[str, tuple[int, str]] = {}
    with _connect(dbname) as conn:
        tables = [row[0] for row in conn.execute(TABLES_SQL)]
        for table in tables:
            quoted = '"' + table.replace('"', '""') + '"'
            keys = [row[0] for row in conn.execute(PK_SQL, (quoted,))]
            order = ", ".join(f't."{k}"' for k in keys) or "t::text"
            rows = f"string_agg(t::text, E'\\n' ORDER BY {order})"
            count, digest = conn.execute(
                f"SELECT count(*), md5(coalesce({rows}, '')) FROM {quoted} t"
            ).fetchone()
            result[table] = (count, digest)
    return result


@pytest.fixture
def scratch_databases() -> Iterator[tuple[str, str]]:
    # Named after the test database, so helpers and CI jobs sharing one server never collide.
    base = settings.DATABASES["default"]["NAME"][:40]
    names = (f"{base}_restore_src", f"{base}_restore_dst")
    with _connect("postgres") as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{names[0]}"')
    yield names
    with _connect("postgres") as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_dump_and_restore_keep_every_table_identical(
    scratch_databases: tuple[str, str], tmp_path: Path
) -> None:
    src, dst = scratch_databases
    _manage(src, "migrate", "--verbosity", "0")
    _manage(src, "seed_demo")

    dump = tmp_path / "rabta.dump"
    env = _pg_env()
    # The same options as deploy/backup.sh, and the restore documented next to it.
    _run(["pg_dump", "--format=custom", "--no-owner", f"--dbname={src}", f"--file={dump}"], env=env)
    _run(["createdb", dst], env=env)
    _run(
        ["pg_restore", "--no-owner", "--exit-on-error", "--single-transaction", f"--dbname={dst}", str(dump)],
        env=env,
    )

    before, after = fingerprint(src), fingerprint(dst)
    assert len(before) > 40, "expected every Rabta table"
    assert sorted(after) == sorted(before)
    different = {table for table in before if before[table] != after[table]}
    assert not different, f"tables differ after restore: {sorted(different)}"
    # The drill is only worth something if the tables hold data: the demo fills the main ones.
    for table in ("reports_report", "people_user", "engagement_meeting", "django_migrations"):
        assert before[table][0] > 0, table
    # The commands of docs/deploy.md give the same verdict.
    documented = [_psql_fingerprint(name) for name in (src, dst)]
    assert documented[0] == documented[1]
    assert len(documented[0].splitlines()) == len(before)
    # A restored database is ready for Rabta as it is: no migration left to run.
    _manage(dst, "migrate", "--check")
    # And the comparison would notice one row lost.
    with _connect(dst) as conn:
        conn.execute("DELETE FROM django_migrations WHERE id = (SELECT max(id) FROM django_migrations)")
    assert fingerprint(dst)["django_migrations"] != before["django_migrations"]
