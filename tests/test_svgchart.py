"""Server-drawn trend and bar charts (rabta.lib.svgchart): gaps, suppression, mirroring, size."""

from __future__ import annotations

import pickle
import xml.etree.ElementTree as ET

import pytest
from django.template import Context, Template

from rabta.lib.svgchart import Point, Svg, bars, format_number, nice_ceiling, trend

NS = "{http://www.w3.org/2000/svg}"
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def parse(chart: Svg) -> ET.Element:
    return ET.fromstring(chart.markup)  # noqa: S314 - our own output in a test


def titles(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{NS}title")]


def all_text(root: ET.Element) -> str:
    return " ".join(t for t in root.itertext())


def circles(root: ET.Element) -> list[tuple[float, float]]:
    return [(float(c.get("cx", "")), float(c.get("cy", ""))) for c in root.iter(f"{NS}circle")]


def test_points_sit_where_the_scale_puts_them_and_a_gap_breaks_the_line() -> None:
    chart = trend([("a", 0.0, False), ("b", 50.0, False), ("c", None, False), ("d", 100.0, False)], y_max=100)
    root = parse(chart)
    # 312 units across 4 points: centres 78 apart; the plot runs from y 106 (zero) up to y 12 (100).
    assert circles(root) == [(43, 106), (121, 59), (277, 12)]
    line = [p.get("d") for p in root.iter(f"{NS}path") if p.get("stroke-width") == "2"]
    assert line == ["M43 106L121 59M277 12"]
    assert titles(root) == ["a: 0", "b: 50", "c: –", "d: 100"]
    assert root.get("viewBox") == "0 0 320 120" and root.get("direction") == "ltr"


def test_rtl_puts_the_newest_point_on_the_left() -> None:
    points = [("a", 0.0, False), ("b", 50.0, False), ("c", 100.0, False)]
    ltr, rtl = circles(parse(trend(points, y_max=100))), circles(parse(trend(points, y_max=100, rtl=True)))
    assert rtl[0][0] > rtl[-1][0] and ltr[0][0] < ltr[-1][0]
    assert [x for x, _ in rtl] == [320 - x for x, _ in ltr]
    assert [y for _, y in rtl] == [y for _, y in ltr]
    root = parse(trend(points, y_max=100, rtl=True))
    assert root.get("direction") == "rtl"
    first, last = [(t.get("x"), t.text) for t in root.iter(f"{NS}text")][1:]
    assert first == ("316", "a") and last == ("4", "c")


def test_a_suppressed_point_shows_no_number() -> None:
    values = [10, 20, 40, 50, 60, 70, 80, 90, 100, 110, 120, 140]  # no digit 3 anywhere
    points = [(m, float(v), False) for m, v in zip(MONTHS, values, strict=True)]
    points[4] = ("May", 3.0, True)  # the caller's hidden count must not reach the page
    root = parse(trend(points, suppressed_text="fewer than five", y_max=200))
    assert "May: fewer than five" in titles(root)
    assert "3" not in all_text(root)
    grey = [r for r in root.iter(f"{NS}rect") if r.get("fill") == "#e4e6ea"]
    assert len(grey) == 1 and grey[0].find(f"{NS}title") is not None
    # Eleven drawn values; the line stops at the hidden one and starts again after it.
    assert len(circles(root)) == 11
    line = next(p.get("d", "") for p in root.iter(f"{NS}path") if p.get("stroke-width") == "2")
    assert line.count("M") == 2


def test_bars_style_draws_zero_as_a_sliver_and_no_data_as_nothing() -> None:
    root = parse(trend([("a", 0.0, False), ("b", None, False), ("c", 10.0, False)], y_max=10, style="bar"))
    drawn = [(r.get("y"), r.get("height")) for r in root.iter(f"{NS}rect") if r.get("fill") == "#0b5d4b"]
    assert drawn == [("105", "1"), ("12", "94")]
    assert titles(root) == ["a: 0", "b: –", "c: 10"]


def test_target_line_and_a_scale_rounded_up() -> None:
    root = parse(
        trend([("a", 72.0, False), ("b", 81.0, False)], target=90, target_label="Target", unit_suffix="%")
    )
    target = next(p for p in root.iter(f"{NS}path") if p.get("stroke-dasharray") == "4 3")
    assert target.get("d") == "M4 21.4H316"  # 90 of 100 between y 106 and y 12
    assert titles(root) == ["Target: 90%", "a: 72%", "b: 81%"]
    assert next(root.iter(f"{NS}text")).text == "100%"


def test_negative_values_move_the_baseline() -> None:
    root = parse(trend([("a", -5.0, False), ("b", 10.0, False)], y_max=10))
    assert circles(root) == [(82, 106), (238, 12)]
    grid = next(root.iter(f"{NS}path")).get("d")
    assert grid == "M4 12H316M4 74.7H316"  # zero a third of the way up from -5 to 10


def test_twelve_months_fit_in_three_kilobytes_and_parse() -> None:
    points: list[Point] = [(f"{m} 2025", 1234.5 + i, i == 3) for i, m in enumerate(MONTHS)]
    points[7] = ("Aug 2025", None, False)
    chart = trend(points, title="Proactive contacts per 1,000 residents", target=1300, target_label="Target")
    assert len(chart.markup.encode()) < 3000
    root = parse(chart)
    assert root.tag == f"{NS}svg" and titles(root)[0] == "Proactive contacts per 1,000 residents"
    assert len(titles(root)) == 1 + 1 + 12
    markup = chart.markup
    assert "<script" not in markup and "href" not in markup and "style=" not in markup
    assert "font-family" not in markup
    assert "http" not in markup.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_labels_are_escaped_and_a_template_writes_the_chart_as_it_is() -> None:
    chart = trend([('<b>"&', 5.0, False)], title="a < b")
    root = parse(chart)
    assert titles(root) == ["a < b", '<b>"&: 5']
    rendered = Template("{{ chart }}|{{ chart.width }}").render(Context({"chart": chart}))
    assert rendered == chart.markup + "|320" and rendered.startswith("<svg ")
    # The cache pickles what it keeps; the size comes back with the markup.
    kept = pickle.loads(pickle.dumps(chart))  # noqa: S301 - our own object in a test
    assert (kept, kept.width, kept.height, type(kept)) == (chart, 320, 120, Svg)


def test_no_points_is_still_a_chart() -> None:
    root = parse(trend([]))
    assert circles(root) == [] and [t.text for t in root.iter(f"{NS}text")] == ["1"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [(80.3, 100.0), (80.0, 80.0), (30.0, 30.0), (31.0, 40.0), (0.3, 0.3), (1.2, 1.5), (7.0, 8.0), (0.0, 1.0)],
)
def test_nice_ceiling(value: float, expected: float) -> None:
    assert nice_ceiling(value) == expected


def test_format_number() -> None:
    assert [format_number(v) for v in (3.0, 72.46, 0.25, 1e-12)] == ["3", "72.5", "0.2", "0"]


def test_bars_lengths_values_and_suppression() -> None:
    items = [("Women", 50.0, False), ("Men", 4.0, True), ("Youth", None, False)]
    chart = bars(items, x_max=100, suppressed_text="fewer than 5", title="By group")
    root = parse(chart)
    assert (chart.width, chart.height, root.get("viewBox")) == (320, 82, "0 0 320 82")
    rects = [(r.get("x"), r.get("y"), r.get("width"), r.get("fill")) for r in root.iter(f"{NS}rect")]
    # The track is 320 - 2 * 4 - 48 = 264 units: 50 of 100 is 132.
    assert rects == [("4", "17", "132", "#0b5d4b"), ("4", "43", "8", "#e4e6ea")]
    texts = [(t.get("x"), t.text) for t in root.iter(f"{NS}text")]
    assert texts == [
        ("4", "Women"),
        ("140", "50"),
        ("4", "Men"),
        ("16", "fewer than 5"),
        ("4", "Youth"),
        ("8", "–"),
    ]
    assert "4.0" not in all_text(root) and " 4" not in all_text(root)


def test_bars_rtl_grow_from_the_right() -> None:
    root = parse(bars([("خواتین", 50.0, False), ("مرد", 1.0, True)], x_max=100, rtl=True))
    assert root.get("direction") == "rtl"
    rects = [(r.get("x"), r.get("width")) for r in root.iter(f"{NS}rect")]
    assert rects == [("184", "132"), ("308", "8")]
    assert [(t.get("x"), t.text) for t in root.iter(f"{NS}text")] == [
        ("316", "خواتین"),
        ("180", "50"),
        ("316", "مرد"),
        ("304", "–"),
    ]


def test_bars_scale_rounds_up_and_refuses_negatives() -> None:
    root = parse(bars([("a", 7.0, False), ("b", 3.5, False)]))
    assert [r.get("width") for r in root.iter(f"{NS}rect")] == ["231", "115.5"]  # of 8, the next round number
    with pytest.raises(ValueError, match="negative"):
        bars([("a", -1.0, False)])
