"""manage.py import_beats FILE.geojson: create or update beats from a GeoJSON FeatureCollection."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, DjangoHelpFormatter

from rabta.places.services import import_beats


class _HelpFormatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Keeps the property table in the help laid out as written."""


class Command(BaseCommand):
    help = """Import beats from a GeoJSON FeatureCollection (RFC 7946: WGS84 longitude, latitude).

Each Feature is one beat. Geometry: Polygon or MultiPolygon, valid (no self-intersection).
Properties:
  code        required  unique beat code: letters, digits, - and _ (matches existing beats)
  name        required  name in Latin script
  name_ur               name in Urdu script
  name_ps               name in Pashto script
  station     required  code of an existing police station
  areas                 villages, mohallas, landmarks in Latin script: text, or a list of texts
  areas_ur, areas_ps    the same places in Urdu and in Pashto script (text or list)
  languages             language codes: a list ["ps", "ur"] or text "ps, ur"
  women_15_29, women_30_44, women_45_59, women_60,
  men_15_29,   men_30_44,   men_45_59,   men_60
                        population by gender and age band (60 = 60+): whole numbers >= 0

Beats are matched by code: new codes are created, known ones updated; beats not in the file
are left alone. A property left out keeps its stored value; null clears it. Running the same
file again changes nothing. Any problem refuses the whole file: nothing is written, every
problem is listed with its feature (features[i], code, name), and the command exits with 1.
Beats that overlap each other or stored beats (beyond 0.1% of the smaller; shared edges are
fine) are reported as warnings, or refused with --fail-on-overlap.

Example: manage.py import_beats docs/examples/beats.geojson --dry-run"""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = _HelpFormatter
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="GeoJSON file to import, or - to read standard input")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
        parser.add_argument(
            "--fail-on-overlap", action="store_true", help="refuse the file if any beats overlap"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["file"]
        if name == "-":
            data = sys.stdin.buffer.read()
        else:
            try:
                data = Path(name).read_bytes()
            except OSError as exc:
                raise CommandError(f"cannot read {name}: {exc.strerror or exc}") from None
        result = import_beats(
            data=data, dry_run=options["dry_run"], fail_on_overlap=options["fail_on_overlap"]
        )
        for problem in result.errors:
            self.stderr.write(f"error: {problem}")
        for problem in result.warnings:
            self.stderr.write(self.style.WARNING(f"warning: {problem}"))
        if not result.ok:
            raise CommandError(result.summary())
        done = ("would create", "would update") if result.dry_run else ("created", "updated")
        for label, codes in zip(done, (result.created, result.updated), strict=True):
            if codes and options["verbosity"] >= 1:
                self.stdout.write(f"{label}: {', '.join(codes)}")
        self.stdout.write(self.style.SUCCESS(result.summary()))
