"""manage.py import_beats and places.services.import_beats: all or nothing, idempotent, overlaps reported."""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from rabta.places import lookup
from rabta.places.lookup import beat_index
from rabta.places.models import Beat
from rabta.places.services import import_beats
from tests import factories

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "beats.geojson"


@pytest.fixture(autouse=True)
def _fresh_index() -> Iterator[None]:
    beat_index.invalidate()
    yield
    beat_index.invalidate()


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # The messages are translated; these tests read the English ones, whatever a test before left active.
    with translation.override("en"):
        yield


@pytest.fixture
def places(db: Any) -> SimpleNamespace:
    """The conftest world's places without its ten users: station TMG with GUL and SHG, BLB with RBT."""
    district = factories.district(code="LD", name="Lower Dir Test")
    tmg = factories.station(district, code="TMG", name="Timergara", has_womens_desk=True)
    blb = factories.station(district, code="BLB", name="Balambat")
    factories.beat(tmg, code="GUL", name="Gulabad", lon=71.80, lat=34.80)
    factories.beat(tmg, code="SHG", name="Shagai", lon=71.81, lat=34.80)
    factories.beat(blb, code="RBT", name="Rabat", lon=71.82, lat=34.80)
    return SimpleNamespace(station_a=tmg, station_b=blb)


@pytest.fixture
def example() -> dict[str, Any]:
    return json.loads(EXAMPLE.read_text())


def feature(
    code: str, *, lon: float = 71.86, lat: float = 34.86, size: float = 0.005, **props: Any
) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"code": code, "name": f"Beat {code}", "station": "TMG", **props},
        "geometry": factories.square(lon, lat, size),
    }


def collection(*features: dict[str, Any]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


def snapshot() -> list[tuple[Any, ...]]:
    """Everything stored about beats, to prove a refused import wrote nothing."""
    return sorted(
        Beat.objects.values_list("code", "name", "station_id", "boundary", "population_men_60", "updated_at")
    )


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_beats", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refuse(path: Path, *args: str, summary: str = "nothing was written") -> str:
    err = io.StringIO()
    with pytest.raises(CommandError, match=summary):
        call_command("import_beats", str(path), *args, stdout=io.StringIO(), stderr=err)
    return err.getvalue()


# --- the example file and re-imports --------------------------------------------------------------


def test_example_file_imports_with_the_documented_mapping(
    places: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lookup, "RECHECK_SECONDS", 3600.0)
    assert beat_index.beat_id_at(34.8306, 71.8357) is None  # index built before the import
    out, err = run(str(EXAMPLE))
    assert "Imported: 3 created, 0 updated, 0 unchanged." in out
    assert err == ""  # the three beats share edges: no overlap warning
    hc = Beat.objects.get(code="TMG-HC")
    assert hc.station == places.station_a
    assert (hc.name, hc.name_ur, hc.name_ps) == ("Hospital Colony", "ہسپتال کالونی", "د روغتون کالونۍ")
    assert hc.areas == "Hospital Colony, DHQ Hospital back gate, Nursing hostel"  # a list, joined
    assert hc.languages == ["ps", "ur"]  # from the text "ps, ur"
    assert Beat.objects.get(code="TMG-CRN").languages == ["ps", "ur", "hno"]
    assert (hc.population_women_15_29, hc.population_men_60) == (410, 98)
    assert hc.geometry.contains(hc.geometry.representative_point())
    # The index sees the new beats at once, though the recheck interval has not passed.
    for beat in Beat.objects.filter(code__startswith="TMG-"):
        assert beat_index.beat_id_at(beat.centroid_lat, beat.centroid_lon) == beat.pk


def test_reimporting_the_same_file_changes_nothing_and_says_so(places: Any) -> None:
    run(str(EXAMPLE))
    before = snapshot()
    out, _ = run(str(EXAMPLE))
    assert "Nothing to change: 0 created, 0 updated, 3 unchanged." in out
    assert snapshot() == before  # not even updated_at moved


def test_reimport_updates_by_code_and_keeps_what_the_file_leaves_out(
    places: Any, example: dict[str, Any], tmp_path: Path
) -> None:
    run(str(EXAMPLE))
    changed = copy.deepcopy(example)
    props = changed["features"][1]["properties"]
    props["name"] = "Chitral Road (North)"
    props["men_60"] = 90
    del props["name_ur"]  # left out: keeps the stored spelling
    props["areas"] = None  # null: cleared
    path = tmp_path / "changed.geojson"
    path.write_text(json.dumps(changed))
    out, _ = run(str(path))
    assert "0 created, 1 updated, 2 unchanged" in out
    crn = Beat.objects.get(code="TMG-CRN")
    assert (crn.name, crn.population_men_60, crn.name_ur, crn.areas) == (
        "Chitral Road (North)",
        90,
        "چترال روڈ شمالی",
        "",
    )
    assert Beat.objects.count() == 6  # the world's three are left alone


def test_an_update_is_stamped_so_other_processes_see_the_new_name(
    places: Any, example: dict[str, Any], tmp_path: Path
) -> None:
    run(str(EXAMPLE))
    before = Beat.objects.get(code="TMG-CRN")
    renamed = copy.deepcopy(example)
    renamed["features"][1]["properties"]["name"] = "Chitral Road (North)"
    path = tmp_path / "renamed.geojson"
    path.write_text(json.dumps(renamed))
    run(str(path))
    after = Beat.objects.get(code="TMG-CRN")
    assert after.name == "Chitral Road (North)"
    assert after.updated_at > before.updated_at
    assert (after.centroid_lat, after.centroid_lon) == (before.centroid_lat, before.centroid_lon)


def test_dry_run_reports_and_writes_nothing(places: Any) -> None:
    before = snapshot()
    out, _ = run(str(EXAMPLE), "--dry-run")
    assert "would create: TMG-HC, TMG-CRN, TMG-PRS" in out
    assert "Dry run" in out and "nothing was written" in out
    assert snapshot() == before


def test_multipolygon_and_lenient_numbers_are_accepted(places: Any) -> None:
    multi = {
        "type": "MultiPolygon",
        "coordinates": [
            factories.square(71.90, 34.90, 0.004)["coordinates"],
            factories.square(71.91, 34.90, 0.004)["coordinates"],
        ],
    }
    f = feature("ISL", women_15_29="1200", men_15_29=1300.0, languages=["PS", "ur", "ps"])
    f["geometry"] = multi
    result = import_beats(data=collection(f))
    assert result.created == ["ISL"]
    beat = Beat.objects.get(code="ISL")
    assert (beat.population_women_15_29, beat.population_men_15_29, beat.languages) == (
        1200,
        1300,
        ["ps", "ur"],
    )
    assert beat.boundary["type"] == "MultiPolygon"


def test_unknown_properties_are_named_in_a_warning(places: Any) -> None:
    result = import_beats(data=collection(feature("NEW", Station="TMG", populaton=5)))
    assert result.ok
    assert any("Station, populaton" in str(w) for w in result.warnings)


# --- refusals: nothing written, every problem named -----------------------------------------------

BOW_TIE = {
    "type": "Polygon",
    "coordinates": [[[71.86, 34.86], [71.87, 34.87], [71.87, 34.86], [71.86, 34.87], [71.86, 34.86]]],
}


def _bad(case: str) -> tuple[str, list[str]]:
    """A file for each refusal case, and the words its message must contain."""
    good = feature("GOOD", lon=71.95, lat=34.95)
    # An update of a stored beat rides along in every bad file: it must not be applied either.
    rename = feature("GUL", lon=71.80, lat=34.80, size=0.01, name="Renamed")
    if case == "not json":
        return "{not json", ["not JSON", "line 1"]
    if case == "not geojson":
        return json.dumps([1, 2]), ["not GeoJSON"]
    if case == "a feature, not a collection":
        return json.dumps(feature("X")), ["not a GeoJSON FeatureCollection", '"Feature"']
    if case == "no features":
        return collection(), ["no features"]
    if case == "projected crs":
        data = json.loads(collection(good))
        data["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32643"}}
        return json.dumps(data), ["EPSG::32643", "WGS84"]
    if case == "bow-tie":
        bad = feature("BOW", name="Bow Tie")
        bad["geometry"] = BOW_TIE
        return collection(good, rename, bad), [
            'features[2] (code "BOW", name "Bow Tie")',
            "not valid",
            "Self-intersection",
        ]
    if case == "point geometry":
        bad = feature("PT")
        bad["geometry"] = {"type": "Point", "coordinates": [71.86, 34.86]}
        return collection(rename, bad), ['features[1] (code "PT"', "Polygon or MultiPolygon"]
    if case == "missing name":
        bad = feature("NONAME")
        del bad["properties"]["name"]
        return collection(good, rename, bad), ['features[2] (code "NONAME")', '"name" is missing']
    if case == "missing code":
        bad = feature("X", name="Nameless code")
        del bad["properties"]["code"]
        return collection(bad, rename), ['features[0] (name "Nameless code")', '"code" is missing']
    if case == "unknown station":
        return collection(good, rename, feature("LOST", station="NOPE")), [
            'features[2] (code "LOST"',
            'station "NOPE" does not exist',
        ]
    if case == "duplicate code":
        return collection(good, rename, feature("GOOD", lon=71.97, lat=34.97)), [
            'features[2] (code "GOOD"',
            "already used by features[0]",
        ]
    if case == "negative population":
        return collection(good, rename, feature("NEG", women_60=-4)), [
            'features[2] (code "NEG"',
            '"women_60" is negative',
        ]
    if case == "fractional population":
        return collection(rename, feature("FRAC", men_30_44=12.5)), [
            'features[1] (code "FRAC"',
            "whole number",
        ]
    if case == "bad code characters":
        return collection(rename, feature("has space")), [
            'features[1] (code "has space"',
            '"code" is not valid',
        ]
    if case == "bad language":
        return collection(rename, feature("LNG", languages=["Pashto!"])), [
            'features[1] (code "LNG"',
            "language code",
        ]
    if case == "not a feature":
        return collection(rename, {"type": "Polygon"}), ["features[1]", "not a GeoJSON Feature"]
    raise AssertionError(case)


REFUSALS = [
    "not json",
    "not geojson",
    "a feature, not a collection",
    "no features",
    "projected crs",
    "bow-tie",
    "point geometry",
    "missing name",
    "missing code",
    "unknown station",
    "duplicate code",
    "negative population",
    "fractional population",
    "bad code characters",
    "bad language",
    "not a feature",
]


@pytest.mark.parametrize("case", REFUSALS)
def test_a_bad_file_is_refused_whole_with_the_feature_and_problem_named(
    places: Any, tmp_path: Path, case: str
) -> None:
    text, words = _bad(case)
    path = tmp_path / "bad.geojson"
    path.write_text(text)
    before = snapshot()
    err = refuse(path)
    for word in words:
        assert word in err
    assert snapshot() == before
    assert not Beat.objects.filter(code="GOOD").exists()
    assert Beat.objects.get(code="GUL").name == "Gulabad"


def test_every_problem_of_a_file_is_listed_in_one_run(places: Any, tmp_path: Path) -> None:
    bow = feature("BOW")
    bow["geometry"] = BOW_TIE
    nameless = feature("NONAME")
    del nameless["properties"]["name"]
    path = tmp_path / "bad.geojson"
    path.write_text(collection(feature("OK1"), bow, nameless, feature("LOST", station="NOPE", men_60=-1)))
    err = refuse(path, summary=r"Refused: 4 problem\(s\) found; nothing was written")
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 4
    assert errors[0].startswith('error: features[1] (code "BOW"') and "Self-intersection" in errors[0]
    assert errors[1].startswith('error: features[2] (code "NONAME"') and '"name" is missing' in errors[1]
    assert errors[2].startswith('error: features[3] (code "LOST"') and 'station "NOPE"' in errors[2]
    assert errors[3].startswith('error: features[3] (code "LOST"') and '"men_60" is negative' in errors[3]
    assert not Beat.objects.filter(code="OK1").exists()


def test_unreadable_file_is_a_clear_error(places: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_beats", str(tmp_path / "missing.geojson"))
    path = tmp_path / "latin1.geojson"
    path.write_bytes('{"name": "caf\xe9"}'.encode("latin-1"))
    err = refuse(path)
    assert "not UTF-8" in err


# --- overlaps --------------------------------------------------------------------------------------


def test_overlaps_with_stored_beats_and_within_the_file_are_warned(places: Any) -> None:
    # GUL is the stored square 71.80-71.81 x 34.80-34.81; HALF covers its eastern half and beyond.
    half = feature("HALF", lon=71.805, lat=34.80, size=0.01, name="Half")
    inner = feature("INNER", lon=71.807, lat=34.801, size=0.002)
    result = import_beats(data=collection(half, inner))
    assert result.ok and result.created == ["HALF", "INNER"]
    pairs = {(o.first, o.second): o for o in result.overlaps}
    assert pairs[("HALF", "GUL")].share == pytest.approx(0.5, rel=0.01)
    assert pairs[("HALF", "GUL")].second_in_database
    assert pairs[("HALF", "SHG")].share == pytest.approx(0.5, rel=0.01)
    # INNER lies wholly inside HALF (which pair order find_overlaps gives does not matter).
    (inner_pair,) = [o for o in result.overlaps if {o.first, o.second} == {"HALF", "INNER"}]
    assert inner_pair.share == pytest.approx(1.0) and not inner_pair.second_in_database
    messages = [str(w) for w in result.warnings]
    assert (
        'features[0] (code "HALF", name "Half"): '
        'overlaps the stored beat "GUL" (Gulabad) by 50.0% of the smaller one.' in messages
    )
    assert any(
        m.endswith("of features[0] by 100.0% of the smaller one.")
        or m.endswith('the beat "INNER" of features[1] by 100.0% of the smaller one.')
        for m in messages
    )


def test_fail_on_overlap_refuses_the_file(places: Any, tmp_path: Path) -> None:
    path = tmp_path / "overlap.geojson"
    path.write_text(
        collection(feature("FINE", lon=71.95, lat=34.95), feature("HALF", lon=71.805, lat=34.80, size=0.01))
    )
    before = snapshot()
    err = refuse(path, "--fail-on-overlap")
    assert 'features[1] (code "HALF"' in err and 'stored beat "GUL"' in err
    assert snapshot() == before
    # Without the flag the same file goes in, with the warning on stderr.
    out, err = run(str(path))
    assert "2 created" in out and 'warning: features[1] (code "HALF"' in err


def test_a_beat_replaced_by_the_file_is_not_an_overlap_with_its_old_self(places: Any) -> None:
    moved = feature("GUL", lon=71.803, lat=34.80, size=0.005, name="Gulabad")
    result = import_beats(data=collection(moved))
    assert result.updated == ["GUL"]
    assert result.overlaps == []
