"""Benchmark: finding a beat by name (rabta.places.search.match_beats, the web search and SMS).

Creates a scratch database (SQLite under var/ by default, or the PostgreSQL of --database-url; its
test_ copy is created and dropped), adds BEATS beats (default 2,000: a province) with names made of
Pashto place-name parts in Latin, Urdu and Pashto script and four areas each, then times
match_beats for QUERIES texts of each kind:

  exact     a beat's name or area as residents type it (any script, spaces moved, Urdu letters
            on Pashto names)
  part      a common name part that many beats contain ("abad", "کلی"): the list is cut at 20
  similar   a name with one letter wrong, missing or doubled: nothing contains it, the nearest
            spellings are scored
  miss      words that name no beat (every stage runs and finds nothing)

Prints p50 and p95 per kind and over all, queries per search, and writes
bench/results/beat_search.json.

Run: .venv/bin/python bench/beat_search.py [--beats 2000] [--queries 300] [--seed 7]
     [--database-url postgres://postgres@127.0.0.1:5432/rabta_bench]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Place-name parts of the region: (Latin, Urdu, Pashto).
FIRST = [
    ("Gul", "گل", "ګل"),
    ("Shah", "شاہ", "شاه"),
    ("Khan", "خان", "خان"),
    ("Haji", "حاجی", "حاجي"),
    ("Mir", "میر", "میر"),
    ("Sher", "شیر", "شېر"),
    ("Bagh", "باغ", "باغ"),
    ("Kot", "کوٹ", "کوټ"),
    ("Zar", "زر", "زر"),
    ("Sadbar", "صدبر", "صدبر"),
    ("Mayar", "میاڑ", "میاړ"),
    ("Tor", "تور", "تور"),
    ("Spin", "سپین", "سپین"),
    ("Nawa", "نوا", "نوا"),
    ("Dush", "دوش", "دوش"),
    ("Shamil", "شامل", "شامل"),
    ("Ganj", "گنج", "ګنج"),
    ("Rahim", "رحیم", "رحیم"),
    ("Qadir", "قادر", "قادر"),
    ("Jan", "جان", "جان"),
]
SECOND = [
    ("abad", "آباد", "اباد"),
    ("kalay", "کلے", "کلی"),
    ("dheri", "ڈھیری", "ډېرۍ"),
    ("khel", "خیل", "خېل"),
    ("gram", "گرام", "ګرام"),
    ("pur", "پور", "پور"),
    ("bandai", "بانڈئی", "بانډۍ"),
    ("gai", "گئی", "ګۍ"),
    ("mang", "منگ", "منګ"),
    ("dara", "درہ", "دره"),
]
THIRD = [
    ("Bala", "بالا", "بره"),
    ("Payan", "پایان", "کوزه"),
    ("Bazaar", "بازار", "بازار"),
    ("Chowk", "چوک", "چوک"),
    ("Colony", "کالونی", "کالوني"),
    ("Mohalla", "محلہ", "محله"),
    ("Road", "روڈ", "سړک"),
    ("Kandao", "کنڈاؤ", "کنډاو"),
    ("Banda", "بانڈہ", "بانډه"),
    ("Sar", "سر", "سر"),
]
MISSES = [
    "streetlight broken",
    "bijli nahi hai",
    "چوری ہو گئی",
    "سړک خراب دی",
    "police station phone",
    "Peshawar",
    "Islamabad Expressway",
    "مدد چاہیے",
    "hello",
    "xyzzy",
]


def configure(database_url: str) -> None:
    os.environ.update(
        DATABASE_URL=database_url,
        DEBUG="0",
        RABTA_ENV_FILE="",
        SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        RABTA_FIELD_KEY=base64.urlsafe_b64encode(b"b" * 32).decode(),
        ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SETTINGS_MODULE="rabta.settings",
    )
    import django

    django.setup()


def names(count: int) -> list[tuple[str, str, str]]:
    combos = [
        (f"{a[0]}{b[0]} {c[0]}", f"{a[1]}{b[1]} {c[1]}", f"{a[2]}{b[2]} {c[2]}")
        for a in FIRST
        for b in SECOND
        for c in THIRD
    ]
    if count > len(combos):
        raise SystemExit(f"at most {len(combos)} beats")
    return combos[:count]


def make_beats(count: int, rng: random.Random) -> list[tuple[str, str, str]]:
    from rabta.places.models import Beat, District, PoliceStation

    district = District.objects.create(code="BENCH", name="Bench")
    station = PoliceStation.objects.create(district=district, code="BST", name="Bench station")
    square = {
        "type": "Polygon",
        "coordinates": [[[71, 34], [71.01, 34], [71.01, 34.01], [71, 34.01], [71, 34]]],
    }
    spelled = names(count)
    beats = []
    for n, (latin, urdu, pashto) in enumerate(spelled):
        areas = rng.sample(spelled, 4)
        beat = Beat(
            station=station,
            code=f"B{n:04d}",
            name=latin,
            name_ur=urdu,
            name_ps=pashto,
            areas=", ".join(a[0] + " Chowk" for a in areas),
            areas_ur="، ".join(a[1] + " چوک" for a in areas),
            areas_ps="، ".join(a[2] + " چوک" for a in areas),
            boundary=square,
        )
        beat.search_key = beat.make_search_key()
        beats.append(beat)
    Beat.objects.bulk_create(beats, batch_size=500)
    return spelled


def typo(word: str, rng: random.Random) -> str:
    letters = list(word)
    i = rng.randrange(1, len(letters) - 1)
    match rng.randrange(3):
        case 0:
            letters[i] = "q" if letters[i] != "q" else "x"
        case 1:
            del letters[i]
        case _:
            letters.insert(i, letters[i])
    return "".join(letters)


def texts(spelled: list[tuple[str, str, str]], n: int, rng: random.Random) -> dict[str, list[str]]:
    exact = []
    for _ in range(n):
        latin, urdu, pashto = rng.choice(spelled)
        exact.append(rng.choice([latin.replace(" ", ""), urdu.replace("آ", "ا"), pashto.replace("ګ", "گ")]))
    parts = [rng.choice(["abad", "کلی", "khel", "بازار", "Gul"]) for _ in range(n)]
    similar = [typo(rng.choice(spelled)[0], rng) for _ in range(n)]
    miss = [rng.choice(MISSES) for _ in range(n)]
    return {"exact": exact, "part": parts, "similar": similar, "miss": miss}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--beats", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default=f"sqlite:///{ROOT / 'var' / 'bench_beat_search.sqlite3'}")
    args = parser.parse_args()
    configure(args.database_url)

    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from rabta.places.search import match_beats

    rng = random.Random(args.seed)
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        spelled = make_beats(args.beats, rng)
        results: dict[str, dict[str, float]] = {}
        every: list[float] = []
        for kind, items in texts(spelled, args.queries, rng).items():
            match_beats(items[0], limit=20)  # warm the connection and the statement cache
            times, found, queries = [], 0, 0
            for text in items:
                with CaptureQueriesContext(connection) as captured:
                    start = time.perf_counter()
                    matches = match_beats(text, limit=20)
                    times.append((time.perf_counter() - start) * 1000)
                found += bool(matches.beats)
                queries += len(captured.captured_queries)
                reset_queries()
            every.extend(times)
            results[kind] = {
                "p50_ms": round(statistics.median(times), 2),
                "p95_ms": round(percentile(times, 0.95), 2),
                "found_share": round(found / len(items), 3),
                "queries_per_search": round(queries / len(items), 2),
            }
            print(
                f"{kind:8} p50 {results[kind]['p50_ms']:6.2f} ms  p95 {results[kind]['p95_ms']:6.2f} ms  "
                f"found {found}/{len(items)}  {results[kind]['queries_per_search']} queries/search"
            )
        overall = {
            "p50_ms": round(statistics.median(every), 2),
            "p95_ms": round(percentile(every, 0.95), 2),
        }
        print(
            f"all      p50 {overall['p50_ms']:6.2f} ms  p95 {overall['p95_ms']:6.2f} ms  "
            f"({len(every)} searches)"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    out = {
        "beats": args.beats,
        "queries_per_kind": args.queries,
        "seed": args.seed,
        "database": connection.vendor,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
        "kinds": results,
        "all": overall,
    }
    target = ROOT / "bench" / "results" / f"beat_search_{connection.vendor}.json"
    target.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(f"written: {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
