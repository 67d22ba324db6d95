"""Finding a beat however its name is spelled: one matcher for the web search and for SMS (issue 12, point 1).

The spellings are the ones the issue reproduced: Urdu gaf on a Pashto page, alef with and without
madda, no space, Latin spacing, a misspelt bazaar, and an Urdu area name sent by SMS.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rabta.lib.text import fold_compact, key_terms, search_key, split_list
from rabta.messaging.models import Subscription
from rabta.places import search
from rabta.places.models import Beat
from rabta.places.services import import_beats
from rabta.reports.models import Report
from tests import factories
from tests.conftest import World
from tests.paths import url_for
from tests.sms_fixtures import Sms, console_channel


@pytest.fixture
def named(world: World) -> dict[str, Beat]:
    """The world's beats with names and areas in three scripts, as the demo spells them, and two more."""
    gul = world.beat_a
    gul.name_ur, gul.name_ps = "گل آباد", "ګل اباد"
    gul.areas = "Gulabad Chowk, Bagh Mohalla"
    gul.areas_ur, gul.areas_ps = "گل آباد چوک، باغ محلہ", "ګل اباد چوک، باغ محله"
    gul.save(update_fields=["name_ur", "name_ps", "areas", "areas_ur", "areas_ps"])
    station = world.beat_a.station
    tmb = factories.beat(
        station,
        code="TMB",
        name="Timergara Bazaar",
        name_ur="تیمرگرہ بازار",
        name_ps="تیمرګره بازار",
        areas="Main Bazaar, General Bus Stand",
        lon=71.83,
        lat=34.80,
    )
    dsk = factories.beat(
        station,
        code="DSK",
        name="Dushkhel",
        name_ur="دوش خیل",
        name_ps="دوش خېل",
        areas="Bagh Dushkhel",
        areas_ur="باغ دوش خیل",
        lon=71.84,
        lat=34.80,
    )
    return {"GUL": gul, "TMB": tmb, "DSK": dsk}


# ---- folding -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["گل اباد", "ګل آباد", "گلاباد", "ګل\u200cاباد", "گل  آباد", "ﮔﻞ ﺁﺑﺎﺩ", "گل ٱباد"],
)
def test_spellings_of_gulabad_in_arabic_script_fold_to_one_key(typed: str) -> None:
    assert fold_compact(typed) == fold_compact("گل آباد") == "گلاباد"


@pytest.mark.parametrize("typed", ["Gul abad", "GULABAD", "gul-abad", " Gul  Abad. "])
def test_latin_spellings_fold_case_spaces_and_hyphens(typed: str) -> None:
    assert fold_compact(typed) == "gulabad"


@pytest.mark.parametrize(
    ("one", "other"),
    [("ي", "ی"), ("ې", "ی"), ("ك", "ک"), ("ه", "ہ"), ("ۀ", "ه"), ("ة", "ه"), ("آ", "ا")],
)
def test_letter_variants_fold_alike(one: str, other: str) -> None:
    assert fold_compact(f"ب{one}ب") == fold_compact(f"ب{other}ب")


def test_the_search_key_keeps_names_and_areas_apart_and_holds_no_separator_in_a_term() -> None:
    key = search_key(
        ["GUL", "Gulabad", "گل آباد", "ګل اباد"], split_list("Gulabad, Bagh Mohalla، باغ محلہ; |x|")
    )
    assert key == "|gul|gulabad|گلاباد||baghmohalla|باغمحله|x|"
    assert key_terms(key) == (["gul", "gulabad", "گلاباد"], ["baghmohalla", "باغمحله", "x"])


def test_a_save_keeps_the_stored_key_in_step(named: dict[str, Beat]) -> None:
    gul = named["GUL"]
    gul.areas_ps = "نوی کلی"
    gul.save(update_fields=["areas_ps"])
    stored = Beat.objects.values_list("search_key", flat=True).get(pk=gul.pk)
    assert "|نویکلی|" in stored and "باغمحله" in stored  # the Urdu spelling of Bagh Mohalla is still there
    assert search.match_beats("نوی کلی", limit=5).beats == [gul]


# ---- the web search ----------------------------------------------------------------------------


def _found(client: Client, lang: str, text: str) -> tuple[list[str], str]:
    response = client.get(url_for("places:home", lang=lang, query={"q": text}))
    assert response.status_code == 200
    html = response.content.decode()
    codes = [beat.code for beat in response.context["results"]]
    return codes, html


@pytest.mark.parametrize(
    ("lang", "typed"),
    [("ps", "گل اباد"), ("ps", "ګل آباد"), ("ur", "گلاباد"), ("en", "Gul abad"), ("ur", "گل آباد")],
)
def test_every_spelling_of_the_issue_finds_gulabad_on_the_web(
    client: Client, named: dict[str, Beat], lang: str, typed: str
) -> None:
    codes, html = _found(client, lang, typed)
    assert codes == ["GUL"]
    assert url_for("site:beat", "GUL", lang=lang) in html
    assert "No place has exactly that spelling" not in html


def test_a_misspelt_bazaar_finds_the_nearest_spelling_and_says_so(
    client: Client, named: dict[str, Beat]
) -> None:
    codes, html = _found(client, "en", "Timergara bazar")
    assert codes == ["TMB"]
    assert "No place has exactly that spelling. Places with a similar name:" in html
    assert url_for("site:beat", "TMB") in html


def test_an_area_name_in_urdu_finds_its_beat_and_not_a_beat_with_one_word_alike(
    client: Client, named: dict[str, Beat]
) -> None:
    assert _found(client, "ur", "باغ محلہ")[0] == ["GUL"]
    assert _found(client, "ps", "باغ محله")[0] == ["GUL"]
    assert _found(client, "ur", "باغ")[0] == ["DSK", "GUL"]  # both have a Bagh: in list order


def test_a_beat_code_and_a_part_of_a_name_still_find_it(client: Client, named: dict[str, Beat]) -> None:
    assert _found(client, "en", "tmb")[0] == ["TMB"]
    assert _found(client, "en", "bus stand")[0] == ["TMB"]


@pytest.mark.parametrize("typed", ["Gulabd", "Gulabaad", "Timergra Bazaar", "گلآبات"])
def test_one_letter_wrong_finds_the_similar_name(named: dict[str, Beat], typed: str) -> None:
    found = search.match_beats(typed, limit=5)
    assert found.similar and [b.code for b in found.beats][:1] in (["GUL"], ["TMB"])


@pytest.mark.parametrize(
    "typed",
    ["streetlight", "Peshawar", "rabta", "police station", "bijli", "چوری", "سڑک خراب ہے", "xyz", "zq"],
)
def test_unrelated_words_find_nothing(client: Client, named: dict[str, Beat], typed: str) -> None:
    assert search.match_beats(typed, limit=20).beats == []
    codes, html = _found(client, "en", typed)
    assert codes == [] and "Nothing matched" in html


def test_the_best_match_comes_first_exact_before_contains(named: dict[str, Beat]) -> None:
    factories.beat(named["GUL"].station, code="GLB", name="Gulabad Bala", lon=71.85, lat=34.80)
    found = search.match_beats("gulabad", limit=5)
    assert [b.code for b in found.beats] == ["GUL", "GLB"]
    assert found.best() == [named["GUL"]]  # what one SMS means by it
    assert [b.code for b in search.match_beats("bala", limit=5).best()] == ["GLB"]


def test_a_search_is_two_queries_and_a_similar_one_too(named: dict[str, Beat]) -> None:
    for n in range(30):
        factories.beat(named["GUL"].station, name=f"Kalay {n}", areas=f"Dheri {n}", lon=72.0 + n / 10)
    with CaptureQueriesContext(connection) as found:
        assert len(search.match_beats("kalay", limit=20).beats) == 20
    search.match_beats("Gulabd", limit=20)  # builds this process's index of terms (one query)
    with CaptureQueriesContext(connection) as similar:
        assert search.match_beats("Timergara bazar", limit=20).beats == [named["TMB"]]
    assert len(found.captured_queries) == 2  # the keys that contain it; the 20 beats shown
    assert len(similar.captured_queries) == 2  # none contain it (the terms are in memory); the beat kept


# ---- SMS ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    ["شامل باغ محلہ", "JOIN Gul abad", "شامل گلاباد", "ګډون ګل آباد", "JOIN Gulabd"],
)
def test_sms_join_finds_the_beat_however_it_is_spelled(named: dict[str, Beat], message: str) -> None:
    sms = Sms(console_channel())
    replies = sms.send(message)
    assert Subscription.objects.filter(phone=sms.phone, beat=named["GUL"], active=True).exists(), replies
    assert Subscription.objects.count() == 1


def test_sms_join_with_a_misspelt_bazaar_joins_the_nearest_beat(named: dict[str, Beat]) -> None:
    sms = Sms(console_channel())
    sms.send("JOIN Timergara bazar")
    assert list(Subscription.objects.values_list("beat__code", flat=True)) == ["TMB"]


def test_sms_report_with_a_misspelt_place_keeps_the_words_after_it_as_the_description(
    named: dict[str, Beat],
) -> None:
    Sms(console_channel()).send("REPORT 3 Gulabd streetlight broken near the school")
    report = Report.objects.get()
    assert report.beat == named["GUL"] and report.description == "streetlight broken near the school"


def test_a_beat_renamed_is_found_by_its_new_near_spelling_at_once(named: dict[str, Beat]) -> None:
    assert search.match_beats("Gulabd", limit=5).beats == [named["GUL"]]
    named["GUL"].name = "Gulbahar"
    named["GUL"].save(update_fields=["name"])
    assert search.match_beats("Gulbahr", limit=5).beats == [named["GUL"]]


def test_sms_join_with_unrelated_words_joins_nothing(named: dict[str, Beat]) -> None:
    sms = Sms(console_channel())
    sms.send("شامل تھے تین آدمی")  # "three men were involved"
    sms.send("JOIN streetlight")
    assert not Subscription.objects.exists()


def test_sms_report_names_the_place_in_urdu_script_and_keeps_the_rest_as_the_description(
    named: dict[str, Beat],
) -> None:
    sms = Sms(console_channel())
    sms.send("REPORT 3 گلاباد بجلی کا کھمبا ٹوٹا ہوا ہے")
    report = Report.objects.get()
    assert report.beat == named["GUL"]
    assert report.description.startswith("بجلی")


# ---- import ------------------------------------------------------------------------------------


def _feature(code: str, **props: Any) -> dict[str, Any]:
    ring = [[72.5, 34.5], [72.51, 34.5], [72.51, 34.51], [72.5, 34.51], [72.5, 34.5]]
    return {
        "type": "Feature",
        "properties": {"code": code, "name": "Shamil Bagh", "station": "TMG", **props},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def test_import_stores_areas_in_three_scripts_and_the_search_finds_each(world: World) -> None:  # station TMG
    collection = {
        "type": "FeatureCollection",
        "features": [
            _feature(
                "SHB",
                areas=["Shamil Bagh", "Old Mandi"],
                areas_ur=["شامل باغ", "پرانی منڈی"],
                areas_ps="شامل باغ، زړه منډي",
            )
        ],
    }
    result = import_beats(data=json.dumps(collection))
    assert result.errors == [] and result.created == ["SHB"]
    beat = Beat.objects.get(code="SHB")
    assert (beat.areas, beat.areas_ur, beat.areas_ps) == (
        "Shamil Bagh, Old Mandi",
        "شامل باغ، پرانی منڈی",
        "شامل باغ، زړه منډي",
    )
    for typed in ("old mandi", "پرانی منڈی", "زړه منډي", "زره منډی"):
        assert search.match_beats(typed, limit=5).beats == [beat], typed
    assert import_beats(data=json.dumps(collection)).unchanged == ["SHB"]

    collection["features"][0]["properties"]["areas_ps"] = ["نوی بازار"]
    assert import_beats(data=json.dumps(collection)).updated == ["SHB"]
    assert search.match_beats("نوی بازار", limit=5).beats == [Beat.objects.get(code="SHB")]
    assert search.match_beats("زړه منډي", limit=5).beats == []


def test_import_refuses_areas_that_are_not_text(world: World) -> None:
    collection = {"type": "FeatureCollection", "features": [_feature("SHB", areas_ur=42)]}
    result = import_beats(data=json.dumps(collection))
    assert not Beat.objects.filter(code="SHB").exists()
    assert any('"areas_ur" must be text' in str(problem) for problem in result.errors)
    assert not any("not part of the mapping" in str(w) for w in result.warnings)
