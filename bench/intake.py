"""Intake benchmark: report submissions per second through Rabta's real public path, against a baseline.

    .venv/bin/python bench/intake.py [--requests 2000] [--clients 16] [--workers 4] [--threads 2]

What it does, all on loopback (127.0.0.1) and bounded in count and time:
1. creates a scratch PostgreSQL database (rabta_bench_intake on 127.0.0.1:5432, trust auth), migrates it and
   adds the minimum: a district, a station, a beat, an Open311 client (categories come from the migrations);
2. serves Rabta with gunicorn (DEBUG=0, RABTA_HTTPS=0) and sends N Open311 POST requests.json from 16
   concurrent clients (threads, http.client, keep-alive);
3. serves bench/intake_baseline.py (one psycopg INSERT per request) with the same gunicorn settings and sends
   the same load;
4. serves bench/intake_floor.py (Rabta's settings and middleware, a view doing one raw INSERT) the same way
   and sends the same load: the best any Django intake could do here;
5. prints reports/s, p50/p95 latency, errors and the ratios to the baseline; writes bench/results/intake.json.

Why Open311 and not the web form: it is a real public intake path (partner apps and gateways use it at
volume) that goes through the same intake service (validation, beat lookup, encryption, tracking
credentials, deadlines, rate limit per client), and it needs no CSRF cookie dance. The web form's
per-client limit (10 an hour by default) would, rightly, refuse a load test from one address.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psycopg

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "intake.json"
PG = "postgresql://postgres@127.0.0.1:5432"
DB_NAME = "rabta_bench_intake"
API_KEY = "r311_bench-key-for-the-scratch-database-only"
FIELD_KEY = "YmVuY2gtb25seS1maWVsZC1rZXktMzItYnl0ZXMtISE="
BEAT = {"lon": 71.80, "lat": 34.80, "size": 0.02}
SETUP = f"""
from rabta.places.models import District, PoliceStation, Beat
from rabta.reports.open311.models import ApiClient
d, _ = District.objects.get_or_create(code="BENCH", defaults={{"name": "Bench district"}})
s, _ = PoliceStation.objects.get_or_create(
    code="BENCHPS", defaults={{"district": d, "name": "Bench station"}}
)
lon, lat, k = {BEAT["lon"]}, {BEAT["lat"]}, {BEAT["size"]}
ring = [[lon, lat], [lon + k, lat], [lon + k, lat + k], [lon, lat + k], [lon, lat]]
square = {{"type": "Polygon", "coordinates": [ring]}}
Beat.objects.get_or_create(code="BENCHB", defaults={{"station": s, "name": "Bench beat", "boundary": square}})
c = ApiClient.objects.filter(name="bench").first() or ApiClient(name="bench")
c.set_new_key("{API_KEY}")
c.hourly_limit = 10_000_000
c.save()
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def env_for(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "RABTA_ENV_FILE": "",
            "DEBUG": "0",
            "RABTA_HTTPS": "0",
            "RABTA_STATIC_MANIFEST": "0",
            "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH",
            "RABTA_FIELD_KEY": FIELD_KEY,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url,
            "RABTA_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "BASELINE_DATABASE_URL": database_url,
        }
    )
    return env


def prepare_database() -> str:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    url = f"{PG}/{DB_NAME}"
    env = env_for(url)
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=600
    )
    subprocess.run([python, "manage.py", "shell", "-c", SETUP], cwd=ROOT, env=env, check=True, timeout=120)
    sys.path.insert(0, str(ROOT))
    from bench.intake_baseline import create_table

    create_table(url)
    return url


class Server:
    def __init__(self, app: str, env: dict[str, str], workers: int, threads: int):
        self.port = free_port()
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.proc = subprocess.Popen(
            [
                gunicorn,
                app,
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--worker-class",
                "gthread",
                "--keep-alive",
                "30",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )

    def wait(self, path: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", path)
                conn.getresponse().read()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"server on port {self.port} did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def body(i: int) -> bytes:
    # Points spread over the beat; a short text of the kind residents send.
    lat = BEAT["lat"] + 0.001 + (i * 7919 % 997) / 997 * (BEAT["size"] - 0.002)
    lon = BEAT["lon"] + 0.001 + (i * 104729 % 991) / 991 * (BEAT["size"] - 0.002)
    return urlencode(
        {
            "api_key": API_KEY,
            "service_code": "streetlight",
            "lat": f"{lat:.6f}",
            "long": f"{lon:.6f}",
            "description": f"Street light {i} on the bazaar road has been dark for a week.",
            "attribute[no_sms]": "yes" if i % 3 == 0 else "no",
        }
    ).encode()


def load(port: int, path: str, total: int, clients: int, offset: int) -> dict[str, Any]:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    counter = iter(range(offset, offset + total))
    counter_lock = threading.Lock()

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        bad: list[str] = []
        while True:
            with counter_lock:
                i = next(counter, None)
            if i is None:
                break
            started = time.perf_counter()
            try:
                conn.request(
                    "POST", path, body=body(i), headers={"Content-Type": "application/x-www-form-urlencoded"}
                )
                response = conn.getresponse()
                response.read()
                if response.status not in (200, 201):
                    bad.append(f"HTTP {response.status}")
            except (OSError, http.client.HTTPException) as exc:
                bad.append(type(exc).__name__)
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=900)
    elapsed = time.perf_counter() - started
    latencies.sort()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "requests": len(latencies),
        "seconds": round(elapsed, 3),
        "per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(q[49] * 1000, 1),
        "p95_ms": round(q[94] * 1000, 1),
        "max_ms": round(latencies[-1] * 1000, 1) if latencies else 0.0,
        "errors": len(errors),
        "error_kinds": sorted(set(errors))[:5],
    }


def run(
    app: str, path: str, health: str, env: dict[str, str], args: argparse.Namespace, offset: int
) -> dict[str, Any]:
    server = Server(app, env, args.workers, args.threads)
    try:
        server.wait(health)
        load(server.port, path, args.warmup, args.clients, offset)  # warm every worker (imports, beat index)
        return load(server.port, path, args.requests, args.clients, offset + args.warmup)
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    # 4 x 2 measured best on 2 cores among 2x2..8x1 (fewer threads per process, less GIL contention).
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()

    print(f"preparing scratch database {DB_NAME} ...", flush=True)
    url = prepare_database()
    env = env_for(url)
    try:
        print(f"rabta: {args.requests} Open311 POSTs from {args.clients} clients ...", flush=True)
        rabta = run("rabta.wsgi:application", "/open311/v2/requests.json", "/healthz", env, args, 0)
        print(f"baseline: {args.requests} POSTs from {args.clients} clients ...", flush=True)
        baseline = run("bench.intake_baseline:application", "/submit", "/", env, args, 0)
        print(f"django floor: {args.requests} POSTs from {args.clients} clients ...", flush=True)
        floor_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.intake_floor"}
        floor = run("rabta.wsgi:application", "/submit", "/", floor_env, args, 0)
        with psycopg.connect(url) as conn:
            row = conn.execute("SELECT count(*) FROM reports_report").fetchone()
        stored = int(row[0]) if row else 0
    finally:
        if not args.keep_database:
            with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")

    ratio = round(rabta["per_second"] / baseline["per_second"], 3) if baseline["per_second"] else 0.0
    floor_ratio = round(floor["per_second"] / baseline["per_second"], 3) if baseline["per_second"] else 0.0
    goal = {"ratio_at_least": 0.5, "p95_ms_below": 250, "errors": 0}
    met = ratio >= 0.5 and rabta["p95_ms"] < 250 and rabta["errors"] == 0
    result = {
        "benchmark": "intake",
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "system": platform.platform(),
        },
        "settings": {
            "requests": args.requests,
            "clients": args.clients,
            "gunicorn": f"{args.workers} workers x {args.threads} threads (gthread)",
            "path": "POST /open311/v2/requests.json",
            "database": "PostgreSQL on 127.0.0.1",
        },
        "rabta": rabta,
        "baseline": baseline,
        "django_floor": floor,
        "reports_stored": stored,
        "ratio": ratio,
        "django_floor_ratio": floor_ratio,
        "rabta_to_floor": round(rabta["per_second"] / floor["per_second"], 3) if floor["per_second"] else 0.0,
        "goal": goal,
        "goal_met": met,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    for name, r in (("rabta", rabta), ("baseline", baseline), ("floor", floor)):
        print(
            f"{name:9} {r['per_second']:8.1f} req/s  p50 {r['p50_ms']:6.1f} ms  p95 {r['p95_ms']:6.1f} ms  "
            f"max {r['max_ms']:7.1f} ms  errors {r['errors']}"
        )
    print(
        f"ratio rabta/baseline {ratio:.3f}  "
        f"(goal >= 0.5, p95 < 250 ms, no errors: {'met' if met else 'NOT met'})"
    )
    print(
        f"django floor/baseline {floor_ratio:.3f}  (Rabta's settings and middleware around one raw INSERT); "
        f"rabta/floor {result['rabta_to_floor']:.3f}"
    )
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
