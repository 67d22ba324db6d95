"""Demo places: a district modelled on Lower Dir around Timergara (34.83 N, 71.84 E).

Three police stations (Timergara with the women's desk, Balambat, Talash) and fourteen beats. The
beat boundaries are Voronoi cells of fixed points near each place, clipped to an irregular district
outline about 11 km across: plausible, never overlapping, and the same on every run. Names and
areas are real places of the area, spelled in Latin script, Urdu and Pashto; the shapes and
populations are made up (adults 15+, more young people than old, as in the 2017 census shape for
the district).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import shapely
from django.urls import reverse
from django.utils import translation
from shapely.geometry import MultiPoint, Point, Polygon

from rabta.core.demo import DemoContext
from rabta.lib.geo import geojson_from_polygon
from rabta.places.models import AGE_BANDS, Beat, District, PoliceStation

DISTRICT_CODE = "LDIR-DEMO"
DEMO_BEAT_CODE = "GUL"
CENTRE = (71.856, 34.810)  # lon, lat: between Timergara, Balambat and Talash


@dataclass(frozen=True)
class StationSpec:
    code: str
    name: str
    name_ur: str
    name_ps: str
    address: str
    phone: str


STATIONS = (
    StationSpec(
        "TMG",
        "Timergara",
        "تیمرگرہ",
        "تیمرګره",
        "Police Station Timergara, Chitral Road, Timergara",
        "0945-9250101",
    ),
    StationSpec(
        "BLB", "Balambat", "بلمبٹ", "بلمبټ", "Police Station Balambat, Main Road, Balambat", "0945-9250201"
    ),
    StationSpec(
        "TLS", "Talash", "تالاش", "تالاش", "Police Station Talash, Chakdara Road, Talash", "0945-9250301"
    ),
)
# The one women's desk of the district, at Timergara: Monday to Saturday, 09:00-17:00.
WOMENS_DESK_STATION = "TMG"
WOMENS_DESK_PHONE = "0945-9250120"
WOMENS_DESK_DAYS = "123456"
WOMENS_DESK_HOURS = (dt.time(9, 0), dt.time(17, 0))


@dataclass(frozen=True)
class BeatSpec:
    code: str
    station: str
    name: str
    name_ur: str
    name_ps: str
    lon: float  # the point the Voronoi cell grows from: roughly where the place is
    lat: float
    areas: str  # in Latin script; then the same places in Urdu and in Pashto script
    areas_ur: str
    areas_ps: str
    languages: tuple[str, ...]
    adults: int  # people aged 15 and over, both genders


BEATS = (
    BeatSpec(
        "TMB",
        "TMG",
        "Timergara Bazaar",
        "تیمرگرہ بازار",
        "تیمرګره بازار",
        71.842,
        34.828,
        "Main Bazaar, Chitral Road, General Bus Stand, DHQ Hospital, Timergara Chowk",
        "مین بازار، چترال روڈ، جنرل بس اسٹینڈ، ڈی ایچ کیو ہسپتال، تیمرگرہ چوک",
        "مین بازار، چترال روډ، جنرل بس اډه، ډي اېچ کيو روغتون، تیمرګره چوک",
        ("ps", "ur", "hno"),
        6800,
    ),
    BeatSpec(
        "GUL",
        "TMG",
        "Gulabad",
        "گل آباد",
        "ګل اباد",
        71.825,
        34.842,
        "Gulabad, Gulabad Chowk, Bagh Mohalla, Girls High School Gulabad",
        "گل آباد، گل آباد چوک، باغ محلہ، گرلز ہائی اسکول گل آباد",
        "ګل اباد، ګل اباد چوک، باغ محله، د نجونو عالي ښوونځی ګل اباد",
        ("ps", "ur"),
        4200,
    ),
    BeatSpec(
        "KHG",
        "TMG",
        "Khungai",
        "کھونگئی",
        "خونګۍ",
        71.856,
        34.849,
        "Khungai, Khungai Bala, Khungai Payan, Panjkora bridge",
        "کھونگئی، کھونگئی بالا، کھونگئی پایان، پنجکوڑہ پل",
        "خونګۍ، بره خونګۍ، کوزه خونګۍ، د پنجکوړې پل",
        ("ps",),
        3100,
    ),
    BeatSpec(
        "SHG",
        "TMG",
        "Shagai",
        "شگئی",
        "شګۍ",
        71.811,
        34.823,
        "Shagai, Shagai Bazaar, Sherkhanai, College Colony",
        "شگئی، شگئی بازار، شیرخانئی، کالج کالونی",
        "شګۍ، شګۍ بازار، شېرخانۍ، کالج کالوني",
        ("ps", "ur"),
        3600,
    ),
    BeatSpec(
        "RBT",
        "TMG",
        "Rabat",
        "رباط",
        "رباط",
        71.822,
        34.800,
        "Rabat, Rabat Kalay, Ziarat, Degree College Road",
        "رباط، رباط کلے، زیارت، ڈگری کالج روڈ",
        "رباط، رباط کلی، زیارت، ډګري کالج سړک",
        ("ps",),
        2900,
    ),
    BeatSpec(
        "KTG",
        "TMG",
        "Kotigram",
        "کوٹی گرام",
        "کوټي ګرام",
        71.836,
        34.864,
        "Kotigram, Kotigram Bala, Shahi Khel",
        "کوٹی گرام، کوٹی گرام بالا، شاہی خیل",
        "کوټي ګرام، بره کوټي ګرام، شاهي خېل",
        ("ps", "hno"),
        2600,
    ),
    BeatSpec(
        "BBZ",
        "BLB",
        "Balambat Bazaar",
        "بلمبٹ بازار",
        "بلمبټ بازار",
        71.872,
        34.826,
        "Balambat Bazaar, Tehsil Office, Balambat Chowk, Hospital Road",
        "بلمبٹ بازار، تحصیل آفس، بلمبٹ چوک، ہسپتال روڈ",
        "بلمبټ بازار، د تحصیل دفتر، بلمبټ چوک، د روغتون سړک",
        ("ps", "ur"),
        5400,
    ),
    BeatSpec(
        "MYR",
        "BLB",
        "Mayar",
        "میاڑ",
        "میاړ",
        71.889,
        34.847,
        "Mayar, Mayar Jandool Road, Dheri",
        "میاڑ، میاڑ جندول روڈ، ڈھیری",
        "میاړ، میاړ جندول سړک، ډېرۍ",
        ("ps",),
        3300,
    ),
    BeatSpec(
        "HJB",
        "BLB",
        "Haji Abad",
        "حاجی آباد",
        "حاجي اباد",
        71.881,
        34.804,
        "Haji Abad, Koto, Sadbar Kalay",
        "حاجی آباد، کوٹو، صدبر کلے",
        "حاجي اباد، کوټو، صدبر کلی",
        ("ps",),
        2700,
    ),
    BeatSpec(
        "JBG",
        "BLB",
        "Jabagai",
        "جبگئی",
        "جبګۍ",
        71.902,
        34.824,
        "Jabagai, Ganorai, Khazana Dheri",
        "جبگئی، گنوڑئی، خزانہ ڈھیری",
        "جبګۍ، ګنوړۍ، خزانه ډېرۍ",
        ("ps",),
        2400,
    ),
    BeatSpec(
        "DSK",
        "TLS",
        "Dushkhel",
        "دوش خیل",
        "دوش خېل",
        71.858,
        34.792,
        "Dushkhel, Bagh Dushkhel, Morkai",
        "دوش خیل، باغ دوش خیل، مورکئی",
        "دوش خېل، باغ دوش خېل، مورکۍ",
        ("ps",),
        2800,
    ),
    BeatSpec(
        "TLB",
        "TLS",
        "Talash Bazaar",
        "تالاش بازار",
        "تالاش بازار",
        71.845,
        34.775,
        "Talash Bazaar, Sheikhan Bazaar, Talash Chowk, Girls Degree College",
        "تالاش بازار، شیخان بازار، تالاش چوک، گرلز ڈگری کالج",
        "تالاش بازار، شېخان بازار، تالاش چوک، د نجونو ډګري کالج",
        ("ps", "ur"),
        5100,
    ),
    BeatSpec(
        "TRM",
        "TLS",
        "Tormang",
        "تورمنگ",
        "تورمنګ",
        71.821,
        34.761,
        "Tormang, Tormang Dheri, Kambat",
        "تورمنگ، تورمنگ ڈھیری، کمبٹ",
        "تورمنګ، تورمنګ ډېرۍ، کمبټ",
        ("ps",),
        2500,
    ),
    BeatSpec(
        "ZMD",
        "TLS",
        "Zaimdara",
        "زیم درہ",
        "زیم دره",
        71.866,
        34.757,
        "Zaimdara, Shamshi Khan, Qila",
        "زیم درہ، شمشی خان، قلعہ",
        "زیم دره، شمشي خان، قلا",
        ("ps", "hno"),
        3000,
    ),
)

# Age shape of adults (15+) in rural Khyber Pakhtunkhwa: young people are the largest group.
AGE_SHARES = {"15_29": 0.43, "30_44": 0.28, "45_59": 0.18, "60": 0.11}


def district_outline() -> Polygon:
    """An irregular outline around the three towns, the same on every run (no randomness)."""
    vertices = []
    count = 22
    for i in range(count):
        angle = 2 * math.pi * i / count
        # A few overlapping waves make ridges and valleys instead of an ellipse.
        wobble = (
            1
            + 0.06 * math.sin(3 * angle + 0.7)
            + 0.04 * math.cos(5 * angle + 0.2)
            + 0.03 * math.sin(9 * angle)
        )
        lon = CENTRE[0] + 0.064 * wobble * math.cos(angle)
        lat = CENTRE[1] + 0.074 * wobble * math.sin(angle)
        vertices.append((round(lon, 6), round(lat, 6)))
    return Polygon(vertices)


def beat_polygons() -> dict[str, Polygon]:
    """Voronoi cells of the beats' points, clipped to the outline, keyed by beat code."""
    outline = district_outline()
    points = MultiPoint([(spec.lon, spec.lat) for spec in BEATS])
    cells = shapely.voronoi_polygons(points, extend_to=outline, ordered=True)
    result: dict[str, Polygon] = {}
    for spec, cell in zip(BEATS, shapely.get_parts(cells), strict=True):
        clipped = shapely.set_precision(cell.intersection(outline), 1e-6)
        if not isinstance(clipped, Polygon) or not clipped.contains(Point(spec.lon, spec.lat)):
            raise AssertionError(f"demo beat {spec.code} does not contain its own point")
        result[spec.code] = clipped
    return result


def _population(ctx: DemoContext, adults: int) -> dict[str, int]:
    fields: dict[str, int] = {}
    women_share = ctx.rng.uniform(0.48, 0.51)
    for gender, share in (("women", women_share), ("men", 1 - women_share)):
        for band in AGE_BANDS:
            noise = ctx.rng.uniform(0.92, 1.08)
            fields[f"population_{gender}_{band}"] = round(adults * share * AGE_SHARES[band] * noise)
    return fields


def demo_district_exists() -> bool:
    return District.objects.filter(code=DISTRICT_CODE).exists()


def seed(ctx: DemoContext) -> None:
    district = District(
        code=DISTRICT_CODE,
        name="Lower Dir (demo)",
        name_ur="لوئر دیر (نمونہ)",
        name_ps="لوئر دیر (نمونه)",
        province="Khyber Pakhtunkhwa",
    )
    district.full_clean()
    district.save()
    stations: dict[str, PoliceStation] = {}
    for spec in STATIONS:
        station = PoliceStation(
            district=district,
            code=spec.code,
            name=spec.name,
            name_ur=spec.name_ur,
            name_ps=spec.name_ps,
            address=spec.address,
            phone=spec.phone,
        )
        if spec.code == WOMENS_DESK_STATION:
            station.has_womens_desk = True
            station.womens_desk_phone = WOMENS_DESK_PHONE
            station.womens_desk_days = WOMENS_DESK_DAYS
            station.womens_desk_opens, station.womens_desk_closes = WOMENS_DESK_HOURS
        station.full_clean()
        station.save()
        stations[spec.code] = station

    polygons = beat_polygons()
    for beat_spec in BEATS:
        beat = Beat(
            station=stations[beat_spec.station],
            code=beat_spec.code,
            name=beat_spec.name,
            name_ur=beat_spec.name_ur,
            name_ps=beat_spec.name_ps,
            areas=beat_spec.areas,
            areas_ur=beat_spec.areas_ur,
            areas_ps=beat_spec.areas_ps,
            boundary=geojson_from_polygon(polygons[beat_spec.code]),
            languages=list(beat_spec.languages),
            **_population(ctx, beat_spec.adults),
        )
        beat.full_clean()
        beat.save()
    ctx.say(f"places: district {DISTRICT_CODE}, {len(stations)} stations, {len(BEATS)} beats")
    describe(ctx)


def describe(ctx: DemoContext) -> None:
    beat = Beat.objects.get(code=DEMO_BEAT_CODE, station__district__code=DISTRICT_CODE)
    point = beat.geometry.representative_point()
    with translation.override("en"):
        ctx.values["demo_beat_path"] = reverse("site:beat", kwargs={"code": beat.code})
    ctx.values["demo_lat"] = f"{point.y:.6f}"
    ctx.values["demo_long"] = f"{point.x:.6f}"


def reset(ctx: DemoContext) -> None:
    district = District.objects.filter(code=DISTRICT_CODE).first()
    if district is None:
        return
    for beat in Beat.objects.filter(station__district=district):
        beat.delete()  # one by one, so the beat index is invalidated
    PoliceStation.objects.filter(district=district).delete()
    district.delete()
