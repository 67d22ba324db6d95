"""Memory benchmark: peak RSS of gunicorn and the task worker under report intake plus hostile uploads.

    .venv/bin/python bench/memory.py [--intake 240] [--hostile 60] [--clients 6]

What it does, all on loopback (127.0.0.1) and bounded in count and time (about a minute):
1. creates a scratch PostgreSQL database (rabta_bench_memory on 127.0.0.1:5432, trust auth), migrates it and
   adds a district, a station and a beat (categories come from the migrations);
2. serves Rabta with gunicorn, 2 workers x 2 threads (DEBUG=0, RABTA_HTTPS=0), and runs the task worker
   (`manage.py db_worker`), which sends the confirmation e-mail of every report that leaves an address;
3. posts the resident's web form, the only path that takes photos (Open311 and the staff API take none), with
   its CSRF cookie and token like a browser: intake load (text only, or one phone photo of 12 megapixels,
   about 1.5 MB) mixed with hostile uploads, each kind in turn:
   - `bomb_48mp`: a one-colour PNG of 8000x6000 pixels, 12 KB on the wire, 144 MB once decoded;
   - `bomb_20mp`: 5000x4000, between the pixel limit and the twice-the-limit where Pillow itself raises;
   - `three_near_limit`: three noisy JPEGs of 13 megapixels, each just under the 5 MB photo limit;
   - `png_near_limit`: a PNG of 13 megapixels (a PNG cannot be decoded at reduced size: 52 MB decoded);
   - `declared_25mb`: a body declared as 25 MB (over RABTA_MAX_REQUEST_BYTES), refused before it is read;
4. samples VmRSS of the gunicorn master, its workers and the task worker every 50 ms from /proc and takes
   VmHWM (each process's own peak) at the end; prints the peak of the sum and the sum of the peaks against
   the goal (at most 512 MB, on the sum of the peaks: the stricter of the two) and writes
   bench/results/memory.json.

The per-client report limit (10 an hour) would rightly refuse a load from one address, so the bench sets
RABTA_RATE_REPORT high; everything else runs with production settings.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import platform
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.intake import FIELD_KEY, PG, free_port  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "memory.json"
DB_NAME = "rabta_bench_memory"
GOAL_MB = 512
FORM_PATH = "/en/report/"
SETUP = """
from rabta.places.models import District, PoliceStation, Beat
d, _ = District.objects.get_or_create(code="BENCH", defaults={"name": "Bench district"})
s, _ = PoliceStation.objects.get_or_create(code="BENCHPS", defaults={"district": d, "name": "Bench station"})
ring = [[71.80, 34.80], [71.82, 34.80], [71.82, 34.82], [71.80, 34.82], [71.80, 34.80]]
square = {"type": "Polygon", "coordinates": [ring]}
Beat.objects.get_or_create(code="BENCHB", defaults={"station": s, "name": "Bench beat", "boundary": square})
"""


def env_for(database_url: str, media: Path) -> dict[str, str]:
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
            "RABTA_MEDIA_ROOT": str(media / "public"),
            "RABTA_PRIVATE_MEDIA_ROOT": str(media / "private"),
            "RABTA_RATE_REPORT": "1000000/3600",
            "RABTA_RATE_REPORT_CONTACT": "1000000/3600",
        }
    )
    return env


def prepare_database(env: dict[str, str]) -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=600
    )
    subprocess.run([python, "manage.py", "shell", "-c", SETUP], cwd=ROOT, env=env, check=True, timeout=120)


# Payloads -------------------------------------------------------------------------------------------------


def png_bomb(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("1", (width, height), 1).save(out, format="PNG", optimize=True)
    return out.getvalue()


def phone_jpeg(width: int, height: int, *, noise: float, quality: int) -> bytes:
    """A photo-like JPEG: a gradient with sensor-like noise (noise makes the file as large as a photo's)."""
    base = Image.linear_gradient("L").resize((width, height))
    grain = Image.effect_noise((width, height), noise)
    rgb = Image.merge("RGB", (base, grain, Image.blend(base, grain, 0.5)))
    out = io.BytesIO()
    rgb.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def near_limit_jpeg(limit: int = 5 * 1024 * 1024) -> bytes:
    """13 megapixels (4160x3120, a phone camera at the default limit), as good as fits in 5 MB."""
    for quality in (85, 75, 65, 55, 45, 35):
        data = phone_jpeg(4160, 3120, noise=24, quality=quality)
        if len(data) < limit:
            return data
    raise RuntimeError("could not make a near-limit JPEG under 5 MB")


def near_limit_png() -> bytes:
    base = Image.linear_gradient("L").resize((4160, 3120))
    out = io.BytesIO()
    Image.merge("RGB", (base, base.transpose(Image.Transpose.ROTATE_180), base)).save(out, format="PNG")
    return out.getvalue()


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    boundary = "rabtabench" + secrets.token_hex(8)
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, data, ctype) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {ctype}\r\n\r\n"
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


# Memory sampling ------------------------------------------------------------------------------------------


def status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(p) for p in task.read_text().split()]
        except OSError:
            continue
    return found


class Sampler(threading.Thread):
    def __init__(self, roots: list[int]):
        super().__init__(daemon=True)
        self.roots = roots
        self.stop_event = threading.Event()
        self.peak_sum_kb = 0
        self.samples = 0
        self.hwm: dict[int, int] = {}
        self.names: dict[int, str] = {}

    def pids(self) -> list[int]:
        out: list[int] = []
        for root in self.roots:
            out.append(root)
            out += children(root)
        return out

    def sample(self) -> None:
        pids = self.pids()
        total = 0
        for pid in pids:
            total += status_kb(pid, "VmRSS")
            # VmHWM is the process's own peak; kept while it lives, so read it on every pass.
            self.hwm[pid] = max(self.hwm.get(pid, 0), status_kb(pid, "VmHWM"))
        self.peak_sum_kb = max(self.peak_sum_kb, total)
        self.samples += 1

    def run(self) -> None:
        while not self.stop_event.is_set():
            self.sample()
            time.sleep(0.05)


# Load -----------------------------------------------------------------------------------------------------


class Browser:
    """One resident's browser: a CSRF cookie and a form token from GET, then POSTs with both."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookie = ""
        self.token = ""
        self.category = ""

    def reconnect(self) -> None:
        self.conn.close()
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def start(self) -> None:
        self.conn.request("GET", FORM_PATH)
        response = self.conn.getresponse()
        page = response.read().decode()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith("csrftoken="):
                self.cookie = value.split(";", 1)[0]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        category = re.search(r'name="category" value="(\d+)"', page)
        if not (self.cookie and token and category):
            raise RuntimeError("the report form did not give a CSRF cookie, token and a category")
        self.token, self.category = token.group(1), category.group(1)

    def fields(self, i: int) -> dict[str, str]:
        return {
            "csrfmiddlewaretoken": self.token,
            "idempotency_key": secrets.token_urlsafe(24),
            "category": self.category,
            "beat": "BENCHB",
            "place_description": "Near the bazaar",
            "description": f"Street light {i} on the bazaar road has been dark for a week.",
            "occurred_period": "evening",
            # Half leave an address, so the task worker has the confirmation e-mails to send.
            "email": f"resident{i}@example.org" if i % 2 else "",
        }

    def post(self, body: bytes, ctype: str) -> tuple[int, str]:
        headers = {"Content-Type": ctype, "Cookie": self.cookie, "Referer": f"http://127.0.0.1:{self.port}/"}
        self.conn.request("POST", FORM_PATH, body=body, headers=headers)
        response = self.conn.getresponse()
        return response.status, response.read().decode(errors="replace")

    def declare_huge(self, size: int) -> int:
        """Headers only, claiming `size` bytes: the answer must come before any body is sent."""
        self.conn.putrequest("POST", FORM_PATH)
        self.conn.putheader("Content-Type", "multipart/form-data; boundary=x")
        self.conn.putheader("Content-Length", str(size))
        self.conn.putheader("Cookie", self.cookie)
        self.conn.endheaders()
        response = self.conn.getresponse()
        response.read()
        self.reconnect()  # the declared body was never sent: this connection cannot be reused
        return response.status


def outcome(kind: str, status: int, page: str) -> str:
    if status == 200 and "Your report was received" in page:
        return "stored"
    if status == 200 and "too many pixels" in page:
        return "refused_pixels"
    if status == 413:
        return "refused_413"
    return f"HTTP {status}"


EXPECTED = {
    "text": "stored",
    "phone_photo": "stored",
    "bomb_48mp": "refused_pixels",
    "bomb_20mp": "refused_pixels",
    "three_near_limit": "stored",
    "png_near_limit": "stored",
    "declared_25mb": "refused_413",
}


def schedule(intake: int, hostile: int) -> list[str]:
    hostile_kinds = ["bomb_48mp", "bomb_20mp", "three_near_limit", "png_near_limit", "declared_25mb"]
    kinds = [("text" if i % 3 else "phone_photo") for i in range(intake)]
    step = max(1, intake // max(1, hostile))
    for j in range(hostile):
        kinds.insert(min(len(kinds), j * (step + 1)), hostile_kinds[j % len(hostile_kinds)])
    return kinds


def run_load(port: int, kinds: list[str], clients: int, payloads: dict[str, bytes]) -> dict[str, Any]:
    jobs = iter(enumerate(kinds))
    lock = threading.Lock()
    results: dict[str, dict[str, Any]] = {k: {"latencies": [], "outcomes": {}} for k in EXPECTED}

    def client() -> None:
        browser = Browser(port)
        browser.start()
        while True:
            with lock:
                job = next(jobs, None)
            if job is None:
                break
            i, kind = job
            started = time.perf_counter()
            try:
                if kind == "declared_25mb":
                    got = "refused_413" if browser.declare_huge(25 * 1024 * 1024) == 413 else "other"
                else:
                    files: dict[str, tuple[str, bytes, str]] = {}
                    if kind == "phone_photo":
                        files["photo1"] = ("IMG_1.jpg", payloads["phone"], "image/jpeg")
                    elif kind in ("bomb_48mp", "bomb_20mp", "png_near_limit"):
                        files["photo1"] = ("street.png", payloads[kind], "image/png")
                    elif kind == "three_near_limit":
                        for n in (1, 2, 3):
                            files[f"photo{n}"] = (f"IMG_{n}.jpg", payloads["near_limit"], "image/jpeg")
                    body, ctype = multipart(browser.fields(i), files)
                    got = outcome(kind, *browser.post(body, ctype))
            except (OSError, http.client.HTTPException) as exc:
                got = type(exc).__name__
                browser.reconnect()
            elapsed = time.perf_counter() - started
            with lock:
                results[kind]["latencies"].append(elapsed)
                results[kind]["outcomes"][got] = results[kind]["outcomes"].get(got, 0) + 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    seconds = time.perf_counter() - started
    summary: dict[str, Any] = {"seconds": round(seconds, 1), "kinds": {}}
    for kind, r in results.items():
        lat = sorted(r["latencies"])
        if not lat:
            continue
        q = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) > 1 else [lat[0]] * 99
        summary["kinds"][kind] = {
            "requests": len(lat),
            "expected": EXPECTED[kind],
            "outcomes": r["outcomes"],
            "as_expected": r["outcomes"].get(EXPECTED[kind], 0) == len(lat),
            "p50_ms": round(q[49] * 1000, 1),
            "p95_ms": round(q[94] * 1000, 1),
            "max_ms": round(lat[-1] * 1000, 1),
        }
    return summary


def wait_for(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--intake", type=int, default=240, help="ordinary reports (a third with a photo)")
    parser.add_argument("--hostile", type=int, default=60, help="hostile uploads, the five kinds in turn")
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()

    payloads = {
        "phone": phone_jpeg(4000, 3000, noise=8, quality=80),
        "near_limit": near_limit_jpeg(),
        "bomb_48mp": png_bomb(8000, 6000),
        "bomb_20mp": png_bomb(5000, 4000),
        "png_near_limit": near_limit_png(),
    }
    sizes = {k: len(v) for k, v in payloads.items()}
    print("payload bytes: " + ", ".join(f"{k} {v:,}" for k, v in sizes.items()), flush=True)

    media = Path(tempfile.mkdtemp(prefix="rabta-bench-memory-"))
    env = env_for(f"{PG}/{DB_NAME}", media)
    print(f"preparing scratch database {DB_NAME} ...", flush=True)
    prepare_database(env)
    port = free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    web = subprocess.Popen(
        [gunicorn, "rabta.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--threads", "2", "--worker-class", "gthread", "--timeout", "120", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.5"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    sampler = Sampler([web.pid, worker.pid])
    try:
        wait_for(port)
        idle = sampler.pids()
        sampler.sample()
        idle_kb = sum(status_kb(p, "VmRSS") for p in idle)
        sampler.start()
        kinds = schedule(args.intake, args.hostile)
        print(
            f"{len(kinds)} web-form POSTs ({args.hostile} hostile) from {args.clients} clients ...",
            flush=True,
        )
        load = run_load(port, kinds, args.clients, payloads)
        time.sleep(3)  # let the worker finish the queued notifications inside the sample window
        sampler.stop_event.set()
        sampler.join()
        sampler.sample()
        processes = {
            "gunicorn_master": sampler.hwm.get(web.pid, 0),
            "gunicorn_workers": sorted(v for p, v in sampler.hwm.items() if p not in (web.pid, worker.pid)),
            "task_worker": sampler.hwm.get(worker.pid, 0),
        }
        with psycopg.connect(f"{PG}/{DB_NAME}") as conn:
            reports = conn.execute("SELECT count(*) FROM reports_report").fetchone()
            photos = conn.execute("SELECT count(*) FROM reports_photo").fetchone()
            tasks = conn.execute(
                "SELECT status, count(*) FROM django_tasks_database_dbtaskresult GROUP BY status"
            ).fetchall()
    finally:
        stop(web)
        stop(worker)
        if not args.keep_database:
            with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")

    sum_of_peaks_mb = round(sum(sampler.hwm.values()) / 1024, 1)
    peak_of_sum_mb = round(sampler.peak_sum_kb / 1024, 1)
    all_expected = all(k["as_expected"] for k in load["kinds"].values())
    met = sum_of_peaks_mb <= GOAL_MB and all_expected
    result = {
        "benchmark": "memory",
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "system": platform.platform(),
        },
        "settings": {
            "gunicorn": "2 workers x 2 threads (gthread)",
            "task_worker": "manage.py db_worker",
            "path": f"POST {FORM_PATH} (multipart, CSRF)",
            "clients": args.clients,
            "intake": args.intake,
            "hostile": args.hostile,
            "payload_bytes": sizes,
            "database": "PostgreSQL on 127.0.0.1",
            "sample_interval_ms": 50,
        },
        "load": load,
        "reports_stored": int(reports[0]) if reports else 0,
        "photos_stored": int(photos[0]) if photos else 0,
        "tasks": {str(status): int(n) for status, n in tasks},
        "idle_rss_mb": round(idle_kb / 1024, 1),
        "peak_rss_mb": {
            "sum_of_process_peaks": sum_of_peaks_mb,
            "peak_of_sampled_sum": peak_of_sum_mb,
            "per_process": {
                "gunicorn_master": round(processes["gunicorn_master"] / 1024, 1),
                "gunicorn_workers": [round(v / 1024, 1) for v in processes["gunicorn_workers"]],
                "task_worker": round(processes["task_worker"] / 1024, 1),
            },
        },
        "samples": sampler.samples,
        "goal": {"sum_of_process_peaks_mb_at_most": GOAL_MB, "every_request_as_expected": True},
        "goal_met": met,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    for kind, k in load["kinds"].items():
        print(
            f"{kind:17} {k['requests']:4} requests  {json.dumps(k['outcomes']):36} "
            f"p50 {k['p50_ms']:7.1f} ms  p95 {k['p95_ms']:7.1f} ms"
        )
    per = result["peak_rss_mb"]["per_process"]
    print(
        f"reports stored {result['reports_stored']}, photos {result['photos_stored']}, "
        f"tasks {result['tasks']}, load {load['seconds']} s"
    )
    print(
        f"peak RSS: master {per['gunicorn_master']} MB, workers {per['gunicorn_workers']} MB, "
        f"task worker {per['task_worker']} MB (idle total {result['idle_rss_mb']} MB)"
    )
    print(
        f"peak RSS, all processes: sum of peaks {sum_of_peaks_mb} MB, "
        f"peak of sampled sum {peak_of_sum_mb} MB (goal at most {GOAL_MB} MB on the sum of peaks, "
        f"every request as expected: {'met' if met else 'NOT met'})"
    )
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
