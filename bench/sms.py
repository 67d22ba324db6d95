"""SMS throughput: inbound webhook acceptance under load, then processing by one task worker.

Run:  .venv/bin/python bench/sms.py [--messages 3000] [--clients 16] [--workers 4] [--threads 2]

1. Creates a scratch PostgreSQL database (127.0.0.1:5432, user postgres), migrates it, and adds one
   beat and two SMS channels (a Twilio-compatible one for the webhook, a console one for replies).
2. Serves Rabta with gunicorn on 127.0.0.1 and sends --messages inbound SMS from --clients concurrent
   senders, each request signed with X-Twilio-Signature as Twilio signs them (HELP, JOIN, STATUS and
   one-message REPORTs from many phones). Prints accepted/s, p50/p95 latency and errors.
3. Stops the server and runs ONE `manage.py db_worker --batch`, timing how long it takes to process
   every inbound message (conversation + queued reply) and to send the replies via the console
   Twilio REST shape to a fake provider on 127.0.0.1 (real HTTP, answers at once). Prints inbound
   messages processed per second and tasks per second.
Goals (issue #4): >= 300 accepted/s and >= 100 processed/s on a 2-core machine.
Results are written to bench/results/sms.json. Traffic goes only to 127.0.0.1 and is bounded.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
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
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
TOKEN = "bench-twilio-token"
SLUG = "bench-twilio"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def env_for(database: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{database}",
        DEBUG="0",
        RABTA_HTTPS="0",
        RABTA_STATIC_MANIFEST="0",
        RABTA_ENV_FILE="",
        SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        RABTA_FIELD_KEY=base64.urlsafe_b64encode(b"b" * 32).decode(),
        ALLOWED_HOSTS="127.0.0.1",
        PYTHONPATH=str(ROOT),
    )
    return env


def psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql], check=True, capture_output=True
    )


SETUP = f"""
from rabta.messaging.models import Channel, Provider
from rabta.places.models import Beat, District, PoliceStation
d = District.objects.create(code="BD", name="Bench District")
s = PoliceStation.objects.create(district=d, code="BS", name="Bench Station")
for i, name in enumerate(["Gulabad", "Shagai", "Rabat"]):
    x = 71.80 + i * 0.01
    Beat.objects.create(station=s, code=name[:3].upper(), name=name, boundary={{"type": "Polygon",
        "coordinates": [[[x, 34.8], [x + 0.01, 34.8], [x + 0.01, 34.81], [x, 34.81], [x, 34.8]]]}})
tw = Channel(name="bench twilio", provider=Provider.TWILIO, number="+15005550006", max_per_minute=1000000)
tw.inbound_slug = "{SLUG}"
tw.set_credentials({{"account_sid": "AC" + "0" * 32, "auth_token": "{TOKEN}", "api_base": "{{api_base}}"}})
tw.save()
# Unthrottled like the Twilio channel: notifications go out through the default channel, and a 60/min
# limit would make the worker re-run throttled sends instead of measuring processing.
co = Channel(name="bench console", provider=Provider.CONSOLE, number="8040", is_default=True,
             max_per_minute=1000000)
co.set_credentials({{}})
co.save()
"""


class FakeProvider:
    """Answers Twilio's Messages.json at once, so the worker's figure is Rabta's, not a provider's."""

    def __init__(self) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                body = json.dumps({"sid": "SM" + os.urandom(16).hex()}).encode()
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def sign(url: str, params: dict[str, str]) -> str:
    text = url + "".join(k + params[k] for k in sorted(params))
    return base64.b64encode(hmac.new(TOKEN.encode(), text.encode(), hashlib.sha1).digest()).decode()


def bodies(n: int) -> list[tuple[str, str]]:
    texts = [
        "HELP",
        "JOIN Gulabad",
        "STATUS 482-177-3015",
        "REPORT 3 Gulabad streetlight broken near the school",
    ]
    return [(f"+9230012{i % 5000:05d}", texts[i % len(texts)]) for i in range(n)]


def load(port: int, messages: int, clients: int) -> dict[str, float]:
    path = f"/sms/twilio/{SLUG}/inbound"
    url = f"http://127.0.0.1:{port}{path}"
    work = list(enumerate(bodies(messages)))
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                if not work:
                    break
                i, (sender, text) = work.pop()
            params = {"MessageSid": f"SM{i:032d}", "From": sender, "To": "+15005550006", "Body": text}
            data = urlencode(params)
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": sign(url, params),
            }
            started = time.perf_counter()
            try:
                conn.request("POST", path, body=data, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                status = 0
                errors.append(str(exc))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if status != 200:
                    errors.append(f"HTTP {status}")
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "messages": messages,
        "accepted_per_s": round((messages - len(errors)) / wall, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 1),
        "errors": len(errors),
        "wall_s": round(wall, 2),
    }


def wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


INBOUND = "__import__('rabta.messaging.models', fromlist=['x']).InboundMessage.objects"
OUTBOUND = "__import__('rabta.messaging.models', fromlist=['x']).OutboundMessage.objects"
TASKS = "__import__('django_tasks_db.models', fromlist=['x']).DBTaskResult.objects"


def count(env: dict[str, str], expression: str) -> int:
    out = subprocess.run(
        [PY, "manage.py", "shell", "-v0", "-c", f"print({expression})"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return int(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker (gthread)")
    args = parser.parse_args()
    database = "rabta_bench_sms"
    psql(f"DROP DATABASE IF EXISTS {database}")
    psql(f"CREATE DATABASE {database}")
    env = env_for(database)
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    provider = FakeProvider()
    setup = SETUP.replace("{api_base}", provider.url)
    subprocess.run([PY, "manage.py", "shell", "-v0", "-c", setup], cwd=ROOT, env=env, check=True)

    port = free_port()
    server = subprocess.Popen(
        [
            PY,
            "-m",
            "gunicorn",
            "rabta.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(args.workers),
            # Threads overlap one request's database round trips with another's work, and gthread
            # keeps the senders' connections alive (a sync worker closes every connection).
            "--worker-class",
            "gthread",
            "--threads",
            str(args.threads),
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for(port)
        inbound = load(port, args.messages, args.clients)
    finally:
        server.terminate()
        server.wait(timeout=30)

    stored = count(env, INBOUND + ".count()")
    started = time.perf_counter()
    subprocess.run(
        [PY, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--interval", "0", "-v0"],
        cwd=ROOT,
        env={**env, "DJANGO_LOG_LEVEL": "WARNING"},
        check=True,
        capture_output=True,
    )
    worker_s = time.perf_counter() - started
    processed = count(env, INBOUND + ".filter(status='processed').count()")
    sent = count(env, OUTBOUND + ".filter(status='sent').count()")
    tasks = count(env, TASKS + ".filter(status='SUCCESSFUL').count()")
    result = {
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
        "clients": args.clients,
        "gunicorn_workers": args.workers,
        "gunicorn_threads": args.threads,
        "inbound": inbound,
        "stored": stored,
        "worker": {
            "processed": processed,
            "replies_sent": sent,
            "tasks": tasks,
            "seconds": round(worker_s, 2),
            "processed_per_s": round(processed / worker_s, 1),
            "tasks_per_s": round(tasks / worker_s, 1),
        },
    }
    print(
        f"inbound: {inbound['accepted_per_s']} accepted/s  p50 {inbound['p50_ms']} ms  "
        f"p95 {inbound['p95_ms']} ms  errors {inbound['errors']}  "
        f"({args.messages} messages, {args.clients} senders)"
    )
    print(f"stored once each: {stored} of {args.messages}")
    print(
        f"one worker: {result['worker']['processed_per_s']} inbound processed/s  ({processed} processed, "
        f"{sent} replies sent, {tasks} tasks in {result['worker']['seconds']} s)"
    )
    out = ROOT / "bench" / "results" / "sms.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")
    psql(f"DROP DATABASE IF EXISTS {database}")


if __name__ == "__main__":
    main()
