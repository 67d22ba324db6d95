from django.test import Client

from tests.conftest import World
from tests.paths import url_for


def test_home_lists_stations_and_searches_by_area(world: World, client: Client) -> None:
    response = client.get(url_for("places:home"), {"q": "khungai"})
    assert response.status_code == 200
    body = response.content.decode()
    assert url_for("site:beat", "GUL") in body
    assert "1 neighbourhood found" in body
    assert "Balambat" in body  # station list for browsing without search


def test_root_redirects_by_accept_language(world: World, client: Client) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ur,en;q=0.5")
    assert response.status_code == 302
    assert response["Location"] == url_for("places:home", lang="ur")


def test_beat_page_shows_officers_women_marked_and_desk(world: World, client: Client) -> None:
    response = client.get(url_for("site:beat", "GUL"))
    body = response.content.decode()
    assert response.status_code == 200
    assert world.beat_officer.get_full_name() in body
    assert world.womens_desk_officer.get_full_name() in body
    assert "Woman officer" in body
    assert "Monday to Saturday, 09:00 to 17:00" in body
    assert world.other_beat_officer.get_full_name() not in body


def test_beat_without_desk_points_to_district_desk(world: World, client: Client) -> None:
    body = client.get(url_for("site:beat", "RBT")).content.decode()
    assert "This station has no women's desk" in body
    assert "Timergara" in body


def test_find_by_location(world: World, client: Client) -> None:
    assert client.get(url_for("places:find"), {"lat": 34.805, "lon": 71.805})["Location"] == url_for(
        "site:beat", "GUL"
    )
    outside = client.get(url_for("places:find"), {"lat": 10, "lon": 10})
    assert outside.status_code == 404
    assert "not in any neighbourhood" in outside.content.decode()
    assert client.get(url_for("places:find"), {"lat": "x", "lon": 71}).status_code == 400


def test_urdu_page_is_rtl(world: World, client: Client) -> None:
    body = client.get(url_for("site:beat", "GUL", lang="ur")).content.decode()
    assert '<html lang="ur" dir="rtl">' in body
    body = client.get(url_for("site:beat", "GUL", lang="ps")).content.decode()
    assert '<html lang="ps" dir="rtl">' in body
