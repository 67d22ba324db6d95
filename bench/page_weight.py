"""Page weight of the demo's public pages, in every language (issue 2, item 9; bench/README.md quotes it).

Renders each page of tests/public_pages.PUBLIC_PAGES with Django's test client against the demo database
(var/rabta.env, made by `make demo` or `make seed`), and prints, per page and language: the HTML gzipped
and raw, and the HTML with every stylesheet and script it links, gzipped, against the budgets
(14 KiB HTML, 50 KiB with CSS/JS), plus any URL that points to another host. The same measurement as
tests/test_page_budget.py, on real demo data instead of the test world.

Run: make seed && .venv/bin/python bench/page_weight.py [--json bench/results/page_weight.json]
Exits 1 when a page is over budget or points elsewhere.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rabta.settings")
os.environ.setdefault("RABTA_ENV_FILE", str(ROOT / "var" / "rabta.env"))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import translation  # noqa: E402

from rabta.people.models import Role, User  # noqa: E402
from rabta.places.models import Beat  # noqa: E402
from tests.public_pages import HTML_BUDGET, PAGE_BUDGET, PAGE_LANGUAGES, PUBLIC_PAGES, measure  # noqa: E402


class DemoWorld:
    """What PUBLIC_PAGES entries ask of the test `world`, taken from the demo district.

    Entries that need test-only objects (an attribute not provided here) are reported and skipped.
    """

    def __init__(self, beat: Beat) -> None:
        self.beat_a = beat
        self.station_a = beat.station
        self.district = beat.station.district
        officer = User.objects.filter(officer_profile__beats=beat, role=Role.OFFICER).order_by("pk").first()
        if officer is not None:
            self.beat_officer = officer

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"the demo has no '{name}' for page weights")


def demo_beat(demo_txt: Path) -> Beat | None:
    """The beat var/demo.txt names (demo_beat_path), else the first beat with officers."""
    if demo_txt.is_file():
        for line in demo_txt.read_text().splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "demo_beat_path":
                code = value.strip().rstrip("/").rsplit("/", 1)[-1]
                beat = Beat.objects.select_related("station__district").filter(code=code).first()
                if beat:
                    return beat
    return (
        Beat.objects.select_related("station__district")
        .filter(officers__isnull=False)
        .order_by("code")
        .first()
        or Beat.objects.select_related("station__district").order_by("code").first()
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    parser.add_argument("--demo-txt", metavar="PATH", default=str(ROOT / "var" / "demo.txt"))
    args = parser.parse_args()

    beat = demo_beat(Path(args.demo_txt))
    if beat is None:
        print("The demo database has no beats: run `make seed` (or `make demo`) first.", file=sys.stderr)
        return 2
    world = DemoWorld(beat)
    host = next((h for h in settings.ALLOWED_HOSTS if h not in ("*", "")), "localhost").lstrip(".")
    client = Client(HTTP_HOST=host)
    print(
        f"Demo pages, beat {beat.code}; budgets: HTML {HTML_BUDGET // 1024} KiB gz,"
        f" with CSS/JS {PAGE_BUDGET // 1024} KiB gz"
    )
    rows: list[dict[str, Any]] = []
    failed = False
    for page in PUBLIC_PAGES:
        for language in PAGE_LANGUAGES:
            # Some entries create what their page shows (a tracked report...): measure inside a
            # transaction that is rolled back, so the demo database is left as it was.
            with transaction.atomic():
                try:
                    with translation.override(language):
                        path = page.path(world)
                except AttributeError as exc:
                    transaction.set_rollback(True)
                    print(f"{page.name:<24} {language}  skipped: {exc}")
                    continue
                weight = measure(client, page.name, language, path, host=host)
                transaction.set_rollback(True)
            over = (
                weight.html_gzip > HTML_BUDGET
                or weight.total_gzip > PAGE_BUDGET
                or weight.status != page.status
            )
            failed = failed or over or bool(weight.offsite)
            flag = "  OVER BUDGET" if over else ""
            print(weight.line() + flag)
            for url in weight.offsite:
                print(f"    points to another host: {url}")
            rows.append(
                {
                    "page": page.name,
                    "language": language,
                    "path": path,
                    "status": weight.status,
                    "html_bytes": weight.html_bytes,
                    "html_gzip": weight.html_gzip,
                    "total_gzip": weight.total_gzip,
                    "assets_gzip": weight.assets,
                    "offsite": weight.offsite,
                }
            )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
