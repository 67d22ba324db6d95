"""What residents wrote: staff in scope read (decrypted, logged), tag and count; a theme becomes a
priority whose text names the theme and the count, never what anyone wrote."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.db.models import QuerySet
from django.utils import timezone

from rabta.audit.models import AccessLog
from rabta.engagement.models import Priority
from rabta.feedback import services
from rabta.feedback.models import FreeText, Mode, Theme
from tests.conftest import World, verified_client
from tests.test_feedback_survey import running_campaign, url

pytestmark = pytest.mark.django_db

WORDS = "Boys harass girls near the school gate every afternoon"


def _texts(world: World, n: int = 3) -> None:
    campaign = running_campaign(world)
    for i in range(n):
        services.save_community_answer(
            beat_id=world.beat_a.pk,
            campaign_id=campaign.pk,
            mode=Mode.WEB,
            answers={"safety": 3},
            top_issue=f"{WORDS} ({i})",
            language="en",
        )


def _logs(world: World) -> QuerySet[AccessLog]:
    """The reads logged on beat A's texts."""
    return AccessLog.objects.filter(object_type="places.beat", object_id=str(world.beat_a.pk))


def _theme() -> Theme:
    # A code of its own: the demo's themes (a managed list, kept by its reset) may be in the database.
    return Theme.objects.create(
        code="test-harassment", name="Harassment", name_ur="ہراسانی", name_ps="ځورونه"
    )


def test_officer_reads_texts_of_his_beat_and_it_is_logged(world: World) -> None:
    _texts(world)
    page = verified_client(world.beat_officer).get(url("beat_texts", code=world.beat_a.code))
    assert page.status_code == 200 and WORDS in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    # Filtered to this actor and beat: other tests in the session (the demo) may leave rows behind.
    log = _logs(world).get(actor=world.beat_officer)
    assert log.action == AccessLog.Action.VIEW_FREE_TEXT and "3 unread texts" in log.detail


@pytest.mark.parametrize("persona", ["other_beat_officer", "other_station_head"])
def test_wrong_scope_is_404(world: World, persona: str) -> None:
    _texts(world)
    assert (
        verified_client(getattr(world, persona)).get(url("beat_texts", code=world.beat_a.code)).status_code
        == 404
    )
    assert not _logs(world).exists()


@pytest.mark.parametrize("persona", ["oversight"])
def test_oversight_does_not_read_survey_comments(world: World, persona: str) -> None:
    _texts(world)
    assert (
        verified_client(getattr(world, persona)).get(url("beat_texts", code=world.beat_a.code)).status_code
        == 403
    )


def test_tagging_marks_read_and_counts_by_theme(world: World) -> None:
    _texts(world)
    theme = _theme()
    client = verified_client(world.station_head)
    for item in FreeText.objects.filter(beat=world.beat_a)[:2]:
        response = client.post(
            url("beat_texts", code=world.beat_a.code), {"text": item.pk, "themes": [theme.pk]}
        )
        assert response.status_code == 302
    assert FreeText.objects.filter(beat=world.beat_a, reviewed=True).count() == 2
    page = client.get(url("beat_texts", code=world.beat_a.code))
    assert [(c.theme, c.count) for c in page.context["counts"]] == [(theme, 2)]
    assert len(page.context["rows"]) == 1  # only the unread one is shown


def test_a_text_of_another_beat_cannot_be_tagged_through_this_one(world: World) -> None:
    campaign = running_campaign(world, beats=[world.beat_c])
    services.save_community_answer(
        beat_id=world.beat_c.pk, campaign_id=campaign.pk, mode=Mode.WEB, answers={}, top_issue="far away"
    )
    item = FreeText.objects.get(beat=world.beat_c)
    client = verified_client(world.station_head)
    assert client.post(url("beat_texts", code=world.beat_a.code), {"text": item.pk}).status_code == 404
    item.refresh_from_db()
    assert not item.reviewed


def test_raising_a_theme_makes_a_priority_without_the_words(world: World) -> None:
    _texts(world)
    theme = _theme()
    for item in FreeText.objects.filter(beat=world.beat_a):
        item.themes.add(theme)
    client = verified_client(world.beat_officer)
    assert client.post(url("raise_theme", code=world.beat_a.code), {"theme": theme.pk}).status_code == 302
    priority = Priority.objects.get(beat=world.beat_a)
    assert priority.beat == world.beat_a and priority.created_by == world.beat_officer
    assert "Harassment" in priority.issue and "3" in priority.issue
    assert "ہراسانی" in priority.issue_ur and "ځورونه" in priority.issue_ps
    for text in (priority.issue, priority.issue_ur, priority.issue_ps):
        assert "school" not in text and "harass girls" not in text
    assert priority.raised_on == timezone.localdate()


def test_analyst_reads_but_does_not_raise(world: World) -> None:
    theme = _theme()
    client = verified_client(world.analyst)
    assert client.get(url("texts")).status_code == 200
    assert client.post(url("raise_theme", code=world.beat_a.code), {"theme": theme.pk}).status_code == 403


def test_theme_page_adds_themes_for_managers_only(world: World) -> None:
    data = {"code": "lights", "name": "Street lights", "name_ur": "اسٹریٹ لائٹس", "name_ps": "د سړک څراغونه"}
    assert verified_client(world.beat_officer).post(url("themes"), data).status_code == 403
    assert verified_client(world.station_head).post(url("themes"), data).status_code == 302
    assert Theme.objects.get(code="lights").name_ps == "د سړک څراغونه"


def test_texts_are_dated_to_the_month(world: World) -> None:
    _texts(world, n=1)
    assert FreeText.objects.get(beat=world.beat_a).month == timezone.localdate().replace(day=1)
    assert isinstance(FreeText.objects.get(beat=world.beat_a).month, dt.date)


@pytest.mark.parametrize("value", ["abc", "1.5", "-1", "", "٣", "9" * 30])
def test_raising_with_a_bad_theme_id_is_400(world: World, value: str) -> None:
    _texts(world)
    client = verified_client(world.beat_officer)
    response = client.post(url("raise_theme", code=world.beat_a.code), {"theme": value})
    # Thirty nines are digits: a well-formed id that matches no theme.
    assert response.status_code == (404 if value.isascii() and value.isdigit() else 400)
    assert not Priority.objects.filter(beat=world.beat_a).exists()


def test_raising_an_unknown_theme_is_404(world: World) -> None:
    theme = _theme()
    client = verified_client(world.beat_officer)
    response = client.post(url("raise_theme", code=world.beat_a.code), {"theme": theme.pk + 1000})
    assert response.status_code == 404
    assert not Priority.objects.filter(beat=world.beat_a).exists()


def test_raising_a_theme_no_text_carries_is_refused(world: World) -> None:
    _texts(world)
    theme = _theme()
    client = verified_client(world.beat_officer)
    response = client.post(url("raise_theme", code=world.beat_a.code), {"theme": theme.pk})
    assert response.status_code == 302
    assert response["Location"] == url("beat_texts", code=world.beat_a.code)
    assert not Priority.objects.filter(beat=world.beat_a).exists()
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert said == ["No answer from this beat is tagged with that theme, so there is nothing to raise."]
