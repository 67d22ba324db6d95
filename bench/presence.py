"""Presence benchmark: the board and logging a contact, on a district of 2,000 beats and 1,000,000 contacts.

    .venv/bin/python bench/presence.py [--beats 2000] [--contacts 1000000] [--clients 16]

What it does, on loopback and bounded:
1. creates a scratch PostgreSQL database (rabta_bench_presence on 127.0.0.1:5432, trust auth) and migrates it;
2. loads one district: 100 stations of 20 beats, one officer per beat (ORM bulk inserts), and the contacts
   with their beats by COPY: six months of them, 60 % proactive, at any hour; then the board's day rows
   (rabta.presence.rollup.rebuild_rollup, as after any bulk load that bypasses the service) and ANALYZE;
3. from 16 client processes at once (each with its own database connection, through Django's test client,
   so the whole request runs: middleware, session, second factor, view, template), measures:
   - the district coordinator's board (all 2,000 beats aggregated, the 100 that fall short most shown),
   - a station head's board (20 beats),
   - logging a contact through the service (rabta.presence.services.log_contact), the write an
     officer's POST makes;
4. prints p50/p95 per path and writes bench/results/presence.json with each path's p95 in ms.

Goals (issue 13): board p95 under 300 ms, logging a contact under 50 ms p95, with 16 clients.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import multiprocessing
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "presence.json"
PG = "postgresql://postgres@127.0.0.1:5432"
DB_NAME = "rabta_bench_presence"
FIELD_KEY = "YmVuY2gtb25seS1maWVsZC1rZXktMzItYnl0ZXMtISE="
BEATS_PER_STATION = 20
DAYS = 182
GOALS_MS = {"board_district": 300.0, "board_station": 300.0, "log_contact": 50.0}


def env_for(database_url: str) -> dict[str, str]:
    return {
        "RABTA_ENV_FILE": "",
        "DEBUG": "0",
        "RABTA_HTTPS": "0",
        "RABTA_STATIC_MANIFEST": "0",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH",
        "RABTA_FIELD_KEY": FIELD_KEY,
        "ALLOWED_HOSTS": "testserver,127.0.0.1",
        "DATABASE_URL": database_url,
        "RABTA_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "DJANGO_SETTINGS_MODULE": "rabta.settings",
    }


def prepare_database() -> str:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    url = f"{PG}/{DB_NAME}"
    env = {**os.environ, **env_for(url)}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=900,
    )
    return url


def square(lon: float, lat: float, size: float = 0.01) -> dict[str, Any]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def load(n_beats: int, n_contacts: int, url: str) -> dict[str, Any]:
    from django.contrib.auth.hashers import make_password

    from rabta.people.models import OfficerProfile, Rank, Role, User
    from rabta.places.models import Beat, District, PoliceStation

    started = time.perf_counter()
    district = District.objects.create(code="BENCH", name="Bench district")
    n_stations = max(1, n_beats // BEATS_PER_STATION)
    stations = PoliceStation.objects.bulk_create(
        [
            PoliceStation(district=district, code=f"PS{i:03d}", name=f"Station {i:03d}")
            for i in range(n_stations)
        ]
    )
    beats = []
    for i in range(n_beats):
        lon, lat = 71.0 + (i % 50) * 0.01, 34.0 + (i // 50) * 0.01
        beats.append(
            Beat(
                station=stations[i % n_stations],
                code=f"B{i:04d}",
                name=f"Beat {i:04d}",
                boundary=square(lon, lat),
                centroid_lat=lat + 0.005,
                centroid_lon=lon + 0.005,
            )
        )
    beats = Beat.objects.bulk_create(beats, batch_size=1000)
    password = make_password(None)
    officers = User.objects.bulk_create(
        [
            User(
                username=f"officer{i:04d}",
                password=password,
                role=Role.OFFICER,
                scope_beat=b,
                first_name="Bench",
            )
            for i, b in enumerate(beats)
        ],
        batch_size=1000,
    )
    profiles = OfficerProfile.objects.bulk_create(
        [
            OfficerProfile(user=u, rank=Rank.CONSTABLE, service_number=f"BN{i:05d}", station_id=b.station_id)
            for i, (u, b) in enumerate(zip(officers, beats, strict=True))
        ],
        batch_size=1000,
    )
    OfficerProfile.beats.through.objects.bulk_create(
        [
            OfficerProfile.beats.through(officerprofile_id=p.pk, beat_id=b.pk)
            for p, b in zip(profiles, beats, strict=True)
        ],
        batch_size=1000,
    )
    coordinator = User.objects.create(
        username="coordinator", password=password, role=Role.DISTRICT_COORDINATOR, scope_district=district
    )
    head = User.objects.create(
        username="head", password=password, role=Role.STATION_HEAD, scope_station=stations[0]
    )
    places_s = time.perf_counter() - started

    rng = random.Random(13)  # benchmark data, not secrets
    now = dt.datetime.now(dt.UTC)
    kinds_pro = ("foot_patrol", "vehicle_patrol", "door_to_door", "shop_visit", "check_in")
    kinds_re = ("call_response", "report_follow_up")
    beat_ids = [b.pk for b in beats]
    station_of = {b.pk: b.station_id for b in beats}
    officer_of = {b.pk: u.pk for b, u in zip(beats, officers, strict=True)}
    started = time.perf_counter()
    contact_beats = []
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: 5 million checks queued for COMMIT.
        # The rows are made consistent here, so the load skips the triggers (the scratch database only).
        cur.execute("SET session_replication_role = replica")
        columns = (
            "officer_id, station_id, kind, proactive, started_at, ended_at, place, met_women_15_29, "
            "met_women_30_44, met_women_45_59, met_women_60, met_men_15_29, met_men_30_44, met_men_45_59, "
            "met_men_60, note, channel, client_id, recorded_by_id, created_at"
        )
        with cur.copy(f"COPY presence_contact ({columns}) FROM STDIN") as copy:
            for _ in range(n_contacts):
                beat = rng.choice(beat_ids)
                proactive = rng.random() < 0.6
                at = now - dt.timedelta(seconds=rng.randint(3600, DAYS * 86400))
                officer = officer_of[beat]
                copy.write_row(
                    (
                        officer,
                        station_of[beat],
                        rng.choice(kinds_pro if proactive else kinds_re),
                        proactive,
                        at,
                        at + dt.timedelta(minutes=30),
                        "",
                        0,
                        0,
                        0,
                        0,
                        0,
                        rng.randint(0, 4),
                        0,
                        0,
                        "",
                        "api",
                        uuid.UUID(int=rng.getrandbits(128), version=4),
                        officer,
                        at,
                    )
                )
                contact_beats.append(beat)
        cur.execute("SELECT min(id), max(id) FROM presence_contact")
        first, last = cur.fetchone()  # type: ignore[misc]
        assert last - first + 1 == n_contacts, "one COPY into an empty table numbers its rows in order"
        with cur.copy("COPY presence_contact_beats (contact_id, beat_id) FROM STDIN") as copy:
            for i, beat in enumerate(contact_beats):
                copy.write_row((first + i, beat))
        conn.commit()
    contacts_s = time.perf_counter() - started
    from rabta.presence.rollup import rebuild_rollup

    started = time.perf_counter()
    day_rows = rebuild_rollup()
    rollup_s = time.perf_counter() - started
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")
    return {
        "coordinator": coordinator.pk,
        "head": head.pk,
        "officers": [u.pk for u in officers],
        "beats": beat_ids,
        "load_places_people_s": round(places_s, 1),
        "load_contacts_s": round(contacts_s, 1),
        "rollup_rows": day_rows,
        "rollup_s": round(rollup_s, 1),
    }


def _verified_client(user_id: int) -> Any:
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from rabta.people.models import User

    user = User.objects.get(pk=user_id)
    device = TOTPDevice.objects.filter(user=user).first() or TOTPDevice.objects.create(
        user=user, name="bench", confirmed=True
    )
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _worker(args: tuple[str, int, dict[str, Any], int]) -> list[float]:
    """One client: a warm-up, then `count` timed requests of `path`. Returns latencies in ms."""
    path, count, data, seed = args
    from django.db import connections
    from django.urls import reverse
    from django.utils import timezone

    connections.close_all()  # never share the parent's connection
    rng = random.Random(seed)
    out: list[float] = []
    if path.startswith("board"):
        client = _verified_client(data["coordinator"] if path == "board_district" else data["head"])
        url = reverse("presence:board")
        assert client.get(url).status_code == 200
        for _ in range(count):
            t = time.perf_counter()
            response = client.get(url)
            out.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200
        return out
    from rabta.people.models import User
    from rabta.places.models import Beat
    from rabta.presence.services import log_contact

    picks = [rng.randrange(len(data["officers"])) for _ in range(count + 1)]
    users = User.objects.in_bulk([data["officers"][i] for i in picks])
    beats = Beat.objects.in_bulk([data["beats"][i] for i in picks])
    for n, i in enumerate(picks):
        officer, beat = users[data["officers"][i]], beats[data["beats"][i]]
        end = timezone.now()
        t = time.perf_counter()
        log_contact(
            officer=officer,
            kind="foot_patrol",
            beats=[beat],
            started_at=end - dt.timedelta(minutes=20),
            ended_at=end,
            place="Bazaar",
        )
        if n:  # the first is the warm-up
            out.append((time.perf_counter() - t) * 1000)
    return out


def measure(path: str, clients: int, per_client: int, data: dict[str, Any]) -> dict[str, Any]:
    from django.db import connections

    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    started = time.perf_counter()
    with ctx.Pool(clients) as pool:
        results = pool.map(_worker, [(path, per_client, data, seed) for seed in range(clients)])
    wall = time.perf_counter() - started
    latencies = sorted(x for r in results for x in r)
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
    return {
        "requests": len(latencies),
        "clients": clients,
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(latencies[-1], 1),
        "per_second": round(len(latencies) / wall, 1),
        "goal_p95_ms": GOALS_MS[path],
        "met": p95 < GOALS_MS[path],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--beats", type=int, default=2000)
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--board-requests", type=int, default=5, help="per client, district board")
    parser.add_argument("--station-requests", type=int, default=10, help="per client, station board")
    parser.add_argument("--log-requests", type=int, default=40, help="per client, contacts logged")
    parser.add_argument(
        "--no-board-cache",
        action="store_true",
        help="compute the district board on every request (it is otherwise kept a minute)",
    )
    parser.add_argument("--results", default=str(RESULTS), help="where to write the figures")
    args = parser.parse_args()

    url = prepare_database()
    os.environ.update(env_for(url))
    sys.path.insert(0, str(ROOT))
    import warnings

    import django

    # The static root is not built for a benchmark; whitenoise's warning would repeat in every client.
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    if args.no_board_cache:
        from rabta.presence import board_views

        board_views.LARGE_BOARD = 10**9  # the forked clients inherit it
    print(f"loading {args.beats} beats and {args.contacts:,} contacts ...", flush=True)
    data = load(args.beats, args.contacts, url)
    print(
        f"  places and people {data['load_places_people_s']} s, contacts {data['load_contacts_s']} s, "
        f"{data['rollup_rows']:,} beat-day rows rebuilt in {data['rollup_s']} s"
    )

    paths = {
        "board_district": args.board_requests,
        "board_station": args.station_requests,
        "log_contact": args.log_requests,
    }
    results = {}
    for path, per_client in paths.items():
        results[path] = measure(path, args.clients, per_client, data)
        r = results[path]
        print(
            f"{path:15} {r['requests']:5} requests, {args.clients} clients: p50 {r['p50_ms']} ms, "
            f"p95 {r['p95_ms']} ms (goal < {r['goal_p95_ms']:.0f}: {'met' if r['met'] else 'NOT met'}), "
            f"{r['per_second']}/s"
        )
    load_avg = os.getloadavg()
    out = {
        "p95_ms": {path: r["p95_ms"] for path, r in results.items()},
        "paths": results,
        "beats": args.beats,
        "contacts": args.contacts,
        "load_places_people_s": data["load_places_people_s"],
        "load_contacts_s": data["load_contacts_s"],
        "rollup_rows": data["rollup_rows"],
        "rollup_s": data["rollup_s"],
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average_after": [round(x, 1) for x in load_avg],
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "how": "Django test client in 16 forked processes against PostgreSQL on loopback; DEBUG=0",
        "district_board_cached": not args.no_board_cache,
    }
    results_path = Path(args.results).resolve()
    results_path.parent.mkdir(parents=True, exist_ok=True)
    results_path.write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {results_path}")
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn, io.StringIO():
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


if __name__ == "__main__":
    main()
