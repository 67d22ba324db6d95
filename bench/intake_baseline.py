"""The baseline for bench/intake.py: the least a web intake can do.

A WSGI app that answers POST /submit by inserting one row with psycopg into a table of its own in the
same database Rabta's run uses, and returns a small JSON body. No framework, no validation, no routing,
no encryption: what is left is HTTP parsing, gunicorn and one INSERT, so the ratio Rabta/baseline shows
what Rabta's own work (validation, beat lookup, encryption, audit rows, rate limits) costs.

Served by gunicorn with the same worker/thread settings as Rabta:
    BASELINE_DATABASE_URL=postgresql://... gunicorn bench.intake_baseline:application
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

import psycopg

TABLE = "bench_baseline_intake"
_local = threading.local()


def _connection() -> psycopg.Connection[Any]:
    # One connection per gunicorn thread, kept open (Rabta keeps its connections too: CONN_MAX_AGE=60).
    conn = getattr(_local, "conn", None)
    if conn is None or conn.closed:
        conn = psycopg.connect(os.environ["BASELINE_DATABASE_URL"], autocommit=True)
        _local.conn = conn
    return conn


def create_table(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} ("
            " id bigserial PRIMARY KEY, service_code varchar(32) NOT NULL, description text NOT NULL,"
            " lat double precision, lon double precision, created timestamptz NOT NULL DEFAULT now())"
        )


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ.get("REQUEST_METHOD") != "POST":
        start_response("405 Method Not Allowed", [("Content-Type", "text/plain")])
        return [b"POST only\n"]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    form = parse_qs(environ["wsgi.input"].read(length).decode("utf-8"))

    def one(name: str) -> str:
        return (form.get(name) or [""])[0]

    row = (
        _connection()
        .execute(
            f"INSERT INTO {TABLE} (service_code, description, lat, lon) VALUES (%s, %s, %s, %s) RETURNING id",
            (one("service_code")[:32], one("description"), float(one("lat") or 0), float(one("long") or 0)),
        )
        .fetchone()
    )
    body = json.dumps([{"service_request_id": str(row[0] if row else "")}]).encode()
    start_response("201 Created", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
