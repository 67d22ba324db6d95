"""Writes to places that touch many rows at once: importing beats from GeoJSON.

The import is all or nothing. Every feature is checked first and every problem collected, so one
run lists everything wrong with a file; only a clean file is written, inside one transaction.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import shapely
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from rabta.lib.geo import GeometryError, find_overlaps, geojson_from_polygon, polygon_from_geojson
from rabta.places.lookup import beat_index
from rabta.places.models import AGE_BANDS, GENDERS, Beat, PoliceStation

POPULATION_KEYS = tuple(f"{g}_{b}" for g in GENDERS for b in AGE_BANDS)
TEXT_KEYS = ("name", "name_ur", "name_ps", "areas", "areas_ur", "areas_ps")
AREA_KEYS = frozenset({"areas", "areas_ur", "areas_ps"})
KNOWN_KEYS = frozenset({"code", "station", "languages", *TEXT_KEYS, *POPULATION_KEYS})
# Two beats may share an edge; an overlap counts once it exceeds this share of the smaller beat.
OVERLAP_TOLERANCE = 0.001
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,4})?$")
# RFC 7946 drops "crs"; older files may still declare one, and only WGS84 longitude/latitude fits.
_WGS84_NAMES = {"urn:ogc:def:crs:ogc:1.3:crs84", "urn:ogc:def:crs:epsg::4326", "epsg:4326", "crs84"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth knowing) about the file, tied to a feature where there is one."""

    message: str
    index: int | None = None  # position in the file's "features" array, from 0
    code: str = ""
    name: str = ""

    def __str__(self) -> str:
        if self.index is None:
            return self.message
        label = f"features[{self.index}]"
        named = [f'code "{self.code}"' if self.code else "", f'name "{self.name}"' if self.name else ""]
        if any(named):
            label += " (" + ", ".join(n for n in named if n) + ")"
        return f"{label}: {self.message}"


@dataclass(frozen=True)
class BeatOverlap:
    first: str  # beat codes
    second: str
    share: float  # overlap area as a share of the smaller beat, 0..1
    second_in_database: bool


@dataclass
class ImportResult:
    dry_run: bool
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    overlaps: list[BeatOverlap] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run and bool(self.created or self.updated)

    def summary(self) -> str:
        if self.errors:
            return _("Refused: %(n)d problem(s) found; nothing was written.") % {"n": len(self.errors)}
        counts = _("%(created)d created, %(updated)d updated, %(unchanged)d unchanged") % {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
        }
        if self.dry_run:
            return _("Dry run: the file is valid and would give %(counts)s; nothing was written.") % {
                "counts": counts
            }
        if not self.written:
            return _("Nothing to change: %(counts)s.") % {"counts": counts}
        return _("Imported: %(counts)s.") % {"counts": counts}


@dataclass
class _Row:
    """A feature that passed every check, ready to compare with the database."""

    index: int
    code: str
    geometry: Any
    values: dict[str, Any]  # model field -> value, only for properties the feature gives


def import_beats(
    *, data: str | bytes | Mapping[str, Any], dry_run: bool = False, fail_on_overlap: bool = False
) -> ImportResult:
    """Create or update beats (matched by code) from a GeoJSON FeatureCollection.

    Beats not named in the file are left alone. A property the feature leaves out keeps its
    current value (a new beat gets the default); a property given as null is cleared.
    """
    result = ImportResult(dry_run=dry_run)
    collection = _parse_collection(data, result)
    if collection is None:
        return result
    with transaction.atomic():
        stations = dict(PoliceStation.objects.values_list("code", "pk"))
        rows = _check_features(collection["features"], stations, result)
        beats = Beat.objects.order_by()
        if not dry_run:
            # Hold the stored beats until commit so an edit made meanwhile is not silently overwritten.
            beats = beats.select_for_update(of=("self",))
        existing = {beat.code: beat for beat in beats}
        _check_overlaps(rows, existing, result, fail_on_overlap=fail_on_overlap)
        if result.errors:
            return result
        # Each beat to write, with the fields that changed (None for a new beat).
        changed: list[tuple[Beat, list[str] | None]] = []
        for row in rows:
            beat = existing.get(row.code)
            if beat is None:
                beat = Beat(code=row.code)
                for name, value in row.values.items():
                    setattr(beat, name, value)
                result.created.append(row.code)
                changed.append((beat, None))
                continue
            fields = [name for name, value in row.values.items() if getattr(beat, name) != value]
            if not fields:
                result.unchanged.append(row.code)
                continue
            for name in fields:
                setattr(beat, name, row.values[name])
            result.updated.append(row.code)
            changed.append((beat, fields))
        if not dry_run:
            for beat, changed_fields in changed:
                # Beat.save computes the centroid and stamps updated_at; saving invalidates the index.
                beat.save(update_fields=changed_fields)
            # Other threads may rebuild the index from the old rows before this commits: drop it again.
            transaction.on_commit(beat_index.invalidate)
    return result


def _parse_collection(
    data: str | bytes | Mapping[str, Any], result: ImportResult
) -> Mapping[str, Any] | None:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            result.errors.append(Problem(_("The file is not UTF-8 text, so it cannot be GeoJSON.")))
            return None
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            result.errors.append(
                Problem(
                    _("The file is not JSON (line %(line)d, column %(col)d: %(msg)s).")
                    % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg}
                )
            )
            return None
    if not isinstance(data, Mapping):
        result.errors.append(Problem(_("The file is JSON but not GeoJSON: expected an object at the top.")))
        return None
    kind = data.get("type")
    if kind != "FeatureCollection":
        result.errors.append(
            Problem(
                _('The file is not a GeoJSON FeatureCollection (its "type" is %(kind)s).')
                % {"kind": json.dumps(kind) if kind is not None else _("missing")}
            )
        )
        return None
    crs = data.get("crs")
    if crs is not None:
        crs_name = (
            str(((crs or {}).get("properties") or {}).get("name", "")) if isinstance(crs, Mapping) else ""
        )
        if crs_name.lower() not in _WGS84_NAMES:
            result.errors.append(
                Problem(
                    _(
                        "The file declares the coordinate system %(crs)s; GeoJSON (RFC 7946) needs WGS84 "
                        "longitude/latitude. Re-export it as EPSG:4326."
                    )
                    % {"crs": json.dumps(crs_name or crs)}
                )
            )
            return None
    features = data.get("features")
    if not isinstance(features, list):
        result.errors.append(Problem(_('The FeatureCollection has no "features" list.')))
        return None
    if not features:
        result.errors.append(Problem(_("The FeatureCollection has no features: there is nothing to import.")))
        return None
    return data


def _check_features(features: list[Any], stations: dict[str, int], result: ImportResult) -> list[_Row]:
    rows: list[_Row] = []
    first_seen: dict[str, int] = {}
    unknown_keys: set[str] = set()
    for index, feature in enumerate(features):
        if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
            result.errors.append(Problem(_('this is not a GeoJSON Feature (no "type": "Feature").'), index))
            continue
        props = feature.get("properties")
        if props is None:
            props = {}
        if not isinstance(props, Mapping):
            result.errors.append(Problem(_('"properties" must be an object.'), index))
            continue
        raw_code, raw_name = props.get("code"), props.get("name")
        label_code = str(raw_code)[:40] if raw_code not in (None, "") else ""
        label_name = str(raw_name)[:80] if raw_name not in (None, "") else ""
        problems: list[str] = []
        values: dict[str, Any] = {}
        unknown_keys.update(k for k in props if k not in KNOWN_KEYS)

        code = _required_text(props, "code", problems)
        if code is not None:
            _clean_field("code", code, values, problems)
            if code in first_seen:
                problems.append(
                    _('the code "%(code)s" is already used by features[%(other)d]; codes must be unique.')
                    % {"code": code, "other": first_seen[code]}
                )
            else:
                first_seen[code] = index
        name = _required_text(props, "name", problems)
        if name is not None:
            _clean_field("name", name, values, problems)
        station_code = _required_text(props, "station", problems)
        if station_code is not None:
            if station_code in stations:
                values["station_id"] = stations[station_code]
            else:
                problems.append(
                    _(
                        'the station "%(station)s" does not exist '
                        "(give the code of an existing police station)."
                    )
                    % {"station": station_code}
                )
        for key in ("name_ur", "name_ps", *sorted(AREA_KEYS)):
            if key in props:
                _optional_text(props, key, values, problems)
        if "languages" in props:
            _languages(props["languages"], values, problems)
        for key in POPULATION_KEYS:
            if key in props:
                _population(props, key, values, problems)
        geometry = None
        try:
            geometry = polygon_from_geojson(feature.get("geometry"))
        except GeometryError as exc:
            problems.append(str(exc))
        else:
            # Stored as plain 2D GeoJSON (lists, not tuples) so a re-import compares equal.
            values["boundary"] = json.loads(json.dumps(geojson_from_polygon(shapely.force_2d(geometry))))

        if problems:
            result.errors.extend(Problem(message, index, label_code, label_name) for message in problems)
        elif code is not None:
            rows.append(_Row(index=index, code=code, geometry=geometry, values=values))
    if unknown_keys:
        result.warnings.append(
            Problem(
                _("These properties are not part of the mapping and were ignored: %(keys)s.")
                % {"keys": ", ".join(sorted(unknown_keys))}
            )
        )
    return rows


def _required_text(props: Mapping[str, Any], key: str, problems: list[str]) -> str | None:
    value = props.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.append(_('the property "%(key)s" is missing (it is required).') % {"key": key})
        return None
    if not isinstance(value, str):
        problems.append(
            _('the property "%(key)s" must be text, not %(value)s.')
            % {"key": key, "value": json.dumps(value)}
        )
        return None
    return " ".join(value.split())


def _optional_text(props: Mapping[str, Any], key: str, values: dict[str, Any], problems: list[str]) -> None:
    value = props[key]
    if value is None:
        value = ""
    elif key in AREA_KEYS and isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = ("، " if key != "areas" else ", ").join(" ".join(v.split()) for v in value if v.strip())
    elif not isinstance(value, str):
        problems.append(
            _('the property "%(key)s" must be text, not %(value)s.')
            % {"key": key, "value": json.dumps(value)}
        )
        return
    _clean_field(key, " ".join(value.split()), values, problems)


def _clean_field(name: str, value: Any, values: dict[str, Any], problems: list[str]) -> None:
    """Run the model field's own checks (length, allowed characters) and keep the value if it passes."""
    model_field = Beat._meta.get_field(name)
    try:
        values[name] = model_field.clean(value, None)  # type: ignore[union-attr]
    except ValidationError as exc:
        problems.extend(
            _('the property "%(key)s" is not valid: %(why)s') % {"key": name, "why": m} for m in exc.messages
        )


def _languages(value: Any, values: dict[str, Any], problems: list[str]) -> None:
    if value is None:
        values["languages"] = []
        return
    if isinstance(value, str):
        items: list[Any] = value.split(",")
    elif isinstance(value, list):
        items = value
    else:
        problems.append(
            _('the property "languages" must be a list or a comma-separated text, such as "ps, ur".')
        )
        return
    codes: list[str] = []
    for item in items:
        code = item.strip().lower() if isinstance(item, str) else item
        if code == "":
            continue
        if not isinstance(code, str) or not _LANGUAGE_CODE.match(code):
            problems.append(
                _('the language %(value)s is not a language code such as "ps", "ur" or "en".')
                % {"value": json.dumps(item)}
            )
            return
        if code not in codes:
            codes.append(code)
    values["languages"] = codes


def _population(props: Mapping[str, Any], key: str, values: dict[str, Any], problems: list[str]) -> None:
    value = props[key]
    if value is None:
        number: Any = 0
    elif isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)  # spreadsheets and GIS tools often write counts as 1200.0
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number = int(value.strip())
    else:
        number = None
    if number is None:
        problems.append(
            _('the property "%(key)s" must be a whole number, not %(value)s.')
            % {"key": key, "value": json.dumps(value)}
        )
        return
    if number < 0:
        problems.append(
            _('the property "%(key)s" is negative (%(value)d); a population cannot be.')
            % {"key": key, "value": number}
        )
        return
    _clean_field(f"population_{key}", number, values, problems)


def _check_overlaps(
    rows: list[_Row], existing: dict[str, Beat], result: ImportResult, *, fail_on_overlap: bool
) -> None:
    """Overlaps among the file's beats and with beats already stored (that the file does not replace)."""
    in_file = {row.code: row for row in rows}
    items: list[tuple[tuple[str, bool], Any]] = [((row.code, False), row.geometry) for row in rows]
    for code, beat in existing.items():
        if code in in_file:
            continue
        try:
            items.append(((code, True), polygon_from_geojson(beat.boundary)))
        except GeometryError:
            continue  # a broken stored boundary is not this file's fault; the index skips it too
    for overlap in find_overlaps(items, tolerance=OVERLAP_TOLERANCE):
        first, first_db = cast(tuple[str, bool], overlap.first)
        second, second_db = cast(tuple[str, bool], overlap.second)
        if first_db and second_db:
            continue  # an old overlap between stored beats; this import neither makes nor mends it
        if first_db:
            first, second, second_db = second, first, True
        result.overlaps.append(BeatOverlap(first, second, overlap.area_share, second_db))
        if second_db:
            other = _('the stored beat "%(code)s" (%(name)s)') % {
                "code": second,
                "name": existing[second].name,
            }
        else:
            other = _('the beat "%(code)s" of features[%(index)d]') % {
                "code": second,
                "index": in_file[second].index,
            }
        message = _("overlaps %(other)s by %(share)s of the smaller one.") % {
            "other": other,
            "share": f"{overlap.area_share:.1%}",
        }
        row = in_file[first]
        problem = Problem(message, row.index, row.code, row.values.get("name", ""))
        (result.errors if fail_on_overlap else result.warnings).append(problem)
