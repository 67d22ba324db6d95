"""The beat page's women's desk box: "Write to the women's desk" opens the form ready for the desk."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client

from rabta.reports.models import Category, Report, Sensitivity
from tests.conftest import World
from tests.paths import url_for

pytestmark = pytest.mark.django_db


def write_link(client: Client, beat_code: str, lang: str = "en") -> str:
    body = client.get(url_for("site:beat", beat_code, lang=lang)).content.decode()
    box = body[body.index('<section class="box women"') :]
    box = box[: box.index("</section>")]
    found = re.search(r'<a class="button alt" href="([^"]+)">([^<]+)</a>', box)
    assert found, box
    return html.unescape(found.group(1))


def test_the_desk_box_offers_writing_beside_calling(world: World, client: Client) -> None:
    body = client.get(url_for("site:beat", "GUL")).content.decode()
    assert "Call the women's desk" in body and "Write to the women's desk" in body
    assert write_link(client, "GUL") == url_for("reports:new") + "?beat=GUL&desk=women"
    # A station without a desk points to the district's desk, and writing still goes to the beat.
    assert write_link(client, "RBT", lang="ps") == url_for("reports:new", lang="ps") + "?beat=RBT&desk=women"


def test_the_link_opens_the_form_with_the_desk_category_and_a_woman_officer_only(
    world: World, client: Client
) -> None:
    desk = Category.objects.get(sensitivity=Sensitivity.WOMENS_DESK)
    body = client.get(write_link(client, "GUL")).content.decode()
    assert re.search(rf'<input type="radio" name="category" value="{desk.pk}"[^>]* checked', body)
    assert re.search(r'<input type="checkbox"[^>]*name="woman_officer_only"[^>]* checked', body)
    assert '<option value="GUL" selected>' in body


def test_writing_to_the_desk_files_a_women_only_report(
    world: World, client: Client, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    desk = Category.objects.get(sensitivity=Sensitivity.WOMENS_DESK)
    data = {
        "idempotency_key": "w" * 32,
        "category": desk.pk,
        "beat": "GUL",
        "description": "A man follows girls from the school gate every afternoon.",
        "woman_officer_only": "on",
    }
    assert client.post(url_for("reports:new"), data).status_code == 200
    report = Report.objects.get()
    assert report.category == desk and report.woman_officer_only and report.beat == world.beat_a


def test_the_desk_is_ticked_even_for_another_category(world: World, client: Client) -> None:
    theft = Category.objects.get(code="theft")
    body = client.get(url_for("reports:new"), {"desk": "women", "category": "theft"}).content.decode()
    assert re.search(rf'<input type="radio" name="category" value="{theft.pk}"[^>]* checked', body)
    assert re.search(r'<input type="checkbox"[^>]*name="woman_officer_only"[^>]* checked', body)
