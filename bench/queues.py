"""Staff lists and the overdue sweep with a million reports, on PostgreSQL.

    .venv/bin/python bench/queues.py [--reports 1000000] [--repeat 40] [--keep]

What it does, all on loopback and bounded:
1. creates a scratch database (rabta_bench_queues on 127.0.0.1:5432, trust auth; `--keep` reuses one
   already loaded), migrates it, and adds one large district: 10 stations, 100 beats, a beat officer
   (two beats), a station head per station, a district coordinator and an oversight member;
2. loads N reports spread over two years in one INSERT ... SELECT from generate_series (the database
   makes the rows itself, faster than COPY from Python): 1% conduct complaints, 5% women's desk;
   nearly everything older than a month is closed, a stale 1% is still open; of the overdue reports,
   4,800 are not flagged yet (the sweep's backlog); then ANALYZE;
3. requests each staff list in-process through Django's test client (the whole stack: middleware,
   scoping, template or serializer) as the user who reads it, `--repeat` times after 3 warm-ups, with
   DEBUG off, and counts its SQL statements;
4. runs the overdue sweep on the backlog three times (flags reset in between) and counts its statements;
5. prints a table and writes bench/results/queues.json (p50/p95 in milliseconds, statements per path).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "queues.json"
PG = "postgresql://postgres@127.0.0.1:5432"
DB_NAME = "rabta_bench_queues"
BACKLOG = 4_800
STATIONS = 10
BEATS_PER_STATION = 10

os.environ.update(
    {
        "RABTA_ENV_FILE": "",
        "DEBUG": "0",
        "RABTA_HTTPS": "0",
        "RABTA_STATIC_MANIFEST": "0",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH",
        "RABTA_FIELD_KEY": "YmVuY2gtb25seS1maWVsZC1rZXktMzItYnl0ZXMtISE=",
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": f"{PG}/{DB_NAME}",
        "RABTA_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
)
sys.path.insert(0, str(ROOT))


def create_database(keep: bool) -> bool:
    """True when a loaded database was kept."""
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if keep and exists:
            return True
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    return False


def build_world() -> dict[str, Any]:
    from rabta.people.models import Gender, OfficerProfile, Rank, Role, User
    from rabta.places.models import Beat, District, PoliceStation

    district = District.objects.create(code="BQ", name="Bench district")
    beats = []
    stations = []
    for s in range(STATIONS):
        station = PoliceStation.objects.create(district=district, code=f"BQS{s}", name=f"Station {s}")
        stations.append(station)
        for b in range(BEATS_PER_STATION):
            lon, lat = 71.0 + s * 0.1 + b * 0.01, 34.0
            ring = [[lon, lat], [lon + 0.01, lat], [lon + 0.01, lat + 0.01], [lon, lat + 0.01], [lon, lat]]
            beats.append(
                Beat.objects.create(
                    station=station,
                    code=f"BQ{s}-{b}",
                    name=f"Beat {s}-{b}",
                    boundary={"type": "Polygon", "coordinates": [ring]},
                )
            )
    officer = User.objects.create_user("bq_officer", role=Role.OFFICER, email="o@bench.invalid")
    profile = OfficerProfile.objects.create(
        user=officer, rank=Rank.ASI, service_number="BQ-1", gender=Gender.MAN, station=stations[0]
    )
    profile.beats.set(beats[:2])
    for s, station in enumerate(stations):
        User.objects.create_user(
            f"bq_sho{s}", role=Role.STATION_HEAD, scope_station=station, email=f"sho{s}@bench.invalid"
        )
    User.objects.create_user(
        "bq_coord", role=Role.DISTRICT_COORDINATOR, scope_district=district, email="dc@bench.invalid"
    )
    User.objects.create_user(
        "bq_oversight", role=Role.OVERSIGHT, scope_district=district, email="ov@bench.invalid"
    )
    return {"beats": [b.pk for b in beats]}


LOAD = """
WITH cats AS (
  SELECT array_agg(id ORDER BY id) FILTER (WHERE sensitivity = 'ordinary') AS ordinary,
         array_agg(id ORDER BY id) FILTER (WHERE sensitivity = 'womens_desk') AS desk,
         array_agg(id ORDER BY id) FILTER (WHERE sensitivity = 'conduct') AS conduct
  FROM reports_category
), beats AS (
  SELECT array_agg(id ORDER BY id) AS ids FROM places_beat WHERE code LIKE 'BQ%%'
), raw AS (
  SELECT i, random() AS r1, random() AS r2, random() AS r3,
         now() - make_interval(secs => floor(random() * 730 * 86400)) AS created
  FROM generate_series(1, %(n)s) AS i
), shaped AS (
  SELECT i, created, r3,
    CASE WHEN r1 < 0.01 THEN cats.conduct[1 + (i %% array_length(cats.conduct, 1))]
         WHEN r1 < 0.06 THEN cats.desk[1 + (i %% array_length(cats.desk, 1))]
         ELSE cats.ordinary[1 + (i %% array_length(cats.ordinary, 1))] END AS category_id,
    beats.ids[1 + (i %% array_length(beats.ids, 1))] AS beat_id,
    CASE
      WHEN created > now() - interval '3 days' THEN
        (ARRAY['new','new','new','acknowledged','in_progress'])[1 + floor(r2 * 5)::int]
      WHEN created > now() - interval '30 days' THEN
        (ARRAY['new','acknowledged','in_progress','resolved','resolved','resolved','closed','referred'])
          [1 + floor(r2 * 8)::int]
      WHEN r2 < 0.01 THEN (ARRAY['new','acknowledged','in_progress'])[1 + (i %% 3)]
      ELSE (ARRAY['resolved','resolved','resolved','closed','referred','duplicate'])[1 + (i %% 6)]
    END AS status
  FROM raw, cats, beats
)
INSERT INTO reports_report (
  public_id, tracking_token_hash, tracking_code_hash, category_id, beat_id, lat, lon, public_lat, public_lon,
  place_description, description, occurred_period, channel, language, anonymous, contact_consent,
  neutral_wording, contact_phone_encrypted, contact_phone_index, contact_email_encrypted, contact_email_index,
  no_sms,
  safe_call_hours, woman_officer_only, status, referred_to, closed_reason, created_at, updated_at,
  acknowledged_at, resolved_at, closed_at, first_contact_due, resolution_due,
  first_contact_overdue_at, resolution_overdue_at
)
SELECT
  left(md5('bench' || i), 16), 't' || i, 'c' || i, category_id, beat_id,
  34.005 + r3 * 0.004, 71.005, 34.005, 71.005,
  '', 'Bench report ' || i, '', (ARRAY['web','sms','api'])[1 + (i %% 3)], 'ur', true, false, false,
  '', '', '', '', false, '', r3 < 0.02, status, '', '', created, created,
  CASE WHEN status <> 'new' THEN created + interval '5 hours' END,
  CASE WHEN status IN ('resolved','closed') THEN created + interval '2 days' END,
  CASE WHEN status = 'closed' THEN created + interval '3 days' END,
  created + interval '24 hours', created + interval '72 hours',
  CASE WHEN status = 'new' AND created + interval '24 hours' < now() THEN created + interval '24 hours' END,
  CASE WHEN status IN ('new','acknowledged','in_progress') AND created + interval '72 hours' < now()
       THEN created + interval '72 hours' END
FROM shaped
"""

# The sweep's backlog: overdue reports whose misses are not flagged yet.
UNFLAG = """
UPDATE reports_report SET first_contact_overdue_at = NULL, resolution_overdue_at = NULL
WHERE id IN (SELECT id FROM bench_backlog)
"""


def load(n: int) -> float:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(LOAD, {"n": n})
        cur.execute(
            "CREATE TABLE bench_backlog AS SELECT id FROM reports_report "
            "WHERE resolution_overdue_at IS NOT NULL OR first_contact_overdue_at IS NOT NULL "
            "ORDER BY md5(id::text) LIMIT %s",
            [BACKLOG],
        )
        cur.execute(UNFLAG)
        cur.execute("ANALYZE")
    return time.perf_counter() - started


def verified_client(username: str) -> Any:
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from rabta.people.models import User

    user = User.objects.get(username=username)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def deep_page_url(client: Any, url: str, pages: int) -> str:
    """The URL of page `pages` as a reader reaches it: following "Next" from the first page."""
    import re

    for _ in range(pages - 1):
        body = client.get(url).content.decode()
        found = re.search(r'href="(\?[^"]*)"[^>]*rel="next"', body) or re.search(
            r'rel="next"[^>]*href="(\?[^"]*)"', body
        )
        if not found:
            # A page-numbered pager without rel="next": ask for the page by number.
            return url + ("&" if "?" in url else "?") + f"page={pages}"
        url = url.split("?")[0] + found.group(1).replace("&amp;", "&")
    return url


class StatementCounter:
    """Counts the SQL statements run inside it (the test client's request_finished closes the
    connection, which CaptureQueriesContext does not survive)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self) -> StatementCounter:
        from django.db import connection

        self._wrapped = connection.execute_wrapper(self)
        self._wrapped.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._wrapped.__exit__(*exc)

    def __len__(self) -> int:
        return self.count


def measure(client: Any, url: str, repeat: int) -> dict[str, Any]:
    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
    with StatementCounter() as queries:
        client.get(url)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
        "queries": len(queries),
    }


def sweep(rounds: int = 3) -> dict[str, Any]:
    from django.db import connection

    from rabta.core.models import OutboundEmail
    from rabta.reports.models import ReportUpdate
    from rabta.reports.tasks import flag_overdue_reports

    times, statements, flags, emails = [], [], [], []
    for _ in range(rounds):
        with connection.cursor() as cur:
            cur.execute(UNFLAG)
        ReportUpdate.objects.filter(report_id__in=_backlog_ids(), author=None, public=False).delete()
        OutboundEmail.objects.all().delete()
        started = time.perf_counter()
        with StatementCounter() as queries:
            flags.append(flag_overdue_reports())
        times.append(round(time.perf_counter() - started, 2))
        statements.append(len(queries))
        emails.append(OutboundEmail.objects.count())
    return {"seconds": times, "statements": statements, "flags_set": flags, "emails": emails}


def _backlog_ids() -> list[int]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT id FROM bench_backlog")
        return [row[0] for row in cur.fetchall()]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--keep", action="store_true", help="reuse a loaded scratch database")
    args = parser.parse_args()

    kept = create_database(args.keep)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rabta.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    load_seconds = None
    if not kept:
        build_world()
        load_seconds = round(load(args.reports), 1)
    with connection.cursor() as cur:
        # A migration may have added columns since the load: plan with their statistics.
        cur.execute("ANALYZE reports_report")
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM reports_report")
        total = cur.fetchone()[0]

    from django.urls import reverse
    from django.utils import translation

    with translation.override("en"):
        queue = reverse("reports:staff_queue")
    api = "/api/v1/reports/"
    officer = verified_client("bq_officer")
    head = verified_client("bq_sho0")
    coord = verified_client("bq_coord")
    paths = {
        "officer queue (open)": (officer, queue),
        "officer queue (status=all)": (officer, queue + "?status=all"),
        "officer queue (status=all, page 200)": (officer, deep_page_url(officer, queue + "?status=all", 200)),
        "station head queue (open)": (head, queue),
        "station head queue (status=all)": (head, queue + "?status=all"),
        "coordinator queue (open)": (coord, queue),
        "coordinator queue (status=all)": (coord, queue + "?status=all"),
        "coordinator queue (overdue)": (coord, queue + "?overdue=on"),
        "API list, officer (open)": (officer, api),
        "API list, coordinator (status=all)": (coord, api + "?status=all"),
        "API list, coordinator (status=all, 50 pages on)": (
            coord,
            deep_api_url(coord, api + "?status=all", 50),
        ),
        "Open311 requests.json (last 90 days)": (coord, "/open311/v2/requests.json"),
    }
    results: dict[str, Any] = {}
    print(f"{total:,} reports; load {load_seconds} s" if load_seconds else f"{total:,} reports (kept)")
    print(f"{'path':52} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for name, (client, url) in paths.items():
        results[name] = measure(client, url, args.repeat) | {"url": url}
        r = results[name]
        print(f"{name:52} {r['p50_ms']:8.1f} {r['p95_ms']:8.1f} {r['queries']:8d}")
    swept = sweep()
    print(
        f"overdue sweep, backlog {BACKLOG:,}: {swept['seconds']} s, statements {swept['statements']}, "
        f"flags {swept['flags_set']}, e-mails {swept['emails']}"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "command": "bench/queues.py " + " ".join(sys.argv[1:]),
                "reports": total,
                "load_seconds": load_seconds,
                "repeat": args.repeat,
                "paths": results,
                "sweep": swept | {"backlog": BACKLOG},
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                "postgresql": connection.cursor().connection.info.server_version,
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )
    print(f"wrote {RESULTS.relative_to(ROOT)}")


def deep_api_url(client: Any, url: str, pages: int) -> str:
    """The API page `pages` as a client reaches it: following `next` from the first page."""
    for _ in range(pages - 1):
        following = client.get(url).json().get("next")
        if not following:
            break
        url = following.replace("http://testserver", "")
    return url


if __name__ == "__main__":
    main()
