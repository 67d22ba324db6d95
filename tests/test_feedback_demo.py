"""The demo's survey data tells the field study's story, and var/demo.txt leads to a live code."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from statistics import mean
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import QuerySet
from django.test import Client, override_settings

from rabta.feedback.models import (
    NOT_RATED,
    UNSAFE,
    Campaign,
    CommunityResponse,
    ContactResponse,
    FreeText,
    Gender,
    InviteCode,
    Mode,
    WalkSafety,
)
from tests.demo_cleanup import last_access_log_id, undo_demo

SEED_DAY = "2025-06-02"


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[dict[str, str]]:
    path = tmp_path_factory.mktemp("demo") / "demo.txt"
    with django_db_blocker.unblock():
        logged_before = last_access_log_id()
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            call_command("seed_demo", "--today", SEED_DAY, "--write", str(path), stdout=io.StringIO())
        yield dict(line.split("=", 1) for line in Path(path).read_text(encoding="utf-8").splitlines())
        undo_demo(access_log_after=logged_before)
        assert not CommunityResponse.objects.exists() and not Campaign.objects.exists()


def unsafe_after_dark(answers: QuerySet[CommunityResponse]) -> float:
    rated = [a.walk_dark for a in answers if a.walk_dark and a.walk_dark not in NOT_RATED]
    return sum(1 for w in rated if w in UNSAFE) / len(rated)


def never_alone(answers: QuerySet[CommunityResponse]) -> float:
    given = [a.walk_dark for a in answers if a.walk_dark]
    return sum(1 for w in given if w == WalkSafety.NEVER) / len(given)


def trusting(answers: QuerySet[CommunityResponse]) -> float:
    scores = [
        (a.trust_respect + a.trust_listen) / 2
        for a in answers
        if a.trust_respect is not None and a.trust_listen is not None
    ]
    return sum(1 for s in scores if s >= 7) / len(scores)


@pytest.mark.django_db
def test_two_closed_rounds_and_one_running(demo: dict[str, str]) -> None:
    import datetime as dt

    today = dt.date.fromisoformat(SEED_DAY)
    campaigns = Campaign.objects.filter(beats__station__district__code="LDIR-DEMO").distinct()
    assert campaigns.closed(today=today).count() == 2
    assert campaigns.running(today=today).count() == 1
    for campaign in campaigns:
        assert campaign.responses.count() > 50
    modes = set(CommunityResponse.objects.values_list("mode", flat=True))
    assert {Mode.WEB, Mode.PAPER} <= modes
    assert not CommunityResponse.objects.filter(mode=Mode.PAPER, entered_by__isnull=True).exists()


@pytest.mark.django_db
def test_women_feel_much_less_safe_after_dark(demo: dict[str, str]) -> None:
    women = CommunityResponse.objects.filter(gender=Gender.WOMAN)
    men = CommunityResponse.objects.filter(gender=Gender.MAN)
    assert unsafe_after_dark(women) > unsafe_after_dark(men) + 0.3
    assert never_alone(women) > 0.25 > 0.1 > never_alone(men)
    assert mean(a.safety for a in women if a.safety is not None) < mean(
        a.safety for a in men if a.safety is not None
    )


@pytest.mark.django_db
def test_trust_is_low_and_rises_in_gulabad(demo: dict[str, str]) -> None:
    first = CommunityResponse.objects.filter(campaign__name__endswith="round 1")
    second = CommunityResponse.objects.filter(campaign__name__endswith="round 2")
    assert 0.10 < trusting(first) < 0.25
    assert 0.10 < trusting(second.exclude(beat__code="GUL")) < 0.25
    assert trusting(second.filter(beat__code="GUL")) > trusting(first.filter(beat__code="GUL")) + 0.1


@pytest.mark.django_db
def test_younger_and_poorer_residents_rate_respect_lower(demo: dict[str, str]) -> None:
    answers = ContactResponse.objects.exclude(respect__isnull=True)
    assert answers.count() > 200
    days = sorted(answers.values_list("answered_on", flat=True))
    assert (days[-1] - days[0]).days > 150  # six months of post-contact answers
    young = [a.respect for a in answers.filter(age_band="15_29")]
    older = [a.respect for a in answers.filter(age_band__in=["45_59", "60"])]
    assert mean(young) < mean(older) - 0.3
    poor = [a.respect for a in answers.filter(beat__code__in=["KHG", "JBG", "MYR"])]
    rest = [a.respect for a in answers.exclude(beat__code__in=["KHG", "JBG", "MYR"])]
    assert mean(poor) < mean(rest) - 0.3


@pytest.mark.django_db
def test_free_texts_in_three_languages_with_themes(demo: dict[str, str]) -> None:
    texts = FreeText.objects.all()
    assert set(texts.values_list("language", flat=True)) == {"en", "ur", "ps"}
    assert texts.filter(reviewed=True, themes__isnull=False).exists()
    assert texts.filter(reviewed=False).exists()


@pytest.mark.django_db
def test_demo_txt_survey_code_opens_the_survey(demo: dict[str, str]) -> None:
    code = InviteCode.objects.get(code=demo["survey_code"])
    assert code.used_on is None and code.beat.code == "GUL" and code.campaign.name.endswith("round 3")
    assert demo["survey_path"] == "/ur/survey/"
    assert demo["feedback_results_path"].startswith("/en/") and "/GUL/" in demo["feedback_results_path"]
    with time_machine.travel(f"{SEED_DAY} 12:00 +05:00", tick=False):
        response = Client().post(demo["survey_path"], {"code": demo["survey_code"]})
    assert response.status_code == 200 and 'name="trust_respect"' in response.content.decode()
    with time_machine.travel(f"{SEED_DAY} 12:00 +05:00", tick=False):
        results = Client().get(demo["feedback_results_path"])
    assert results.status_code == 200 and "Gulabad" in results.content.decode()


def _fingerprint() -> tuple[object, ...]:
    answers = CommunityResponse.objects.order_by("id")
    return (
        answers.count(),
        tuple(answers.values_list("trust_respect", "walk_dark", "gender")[:50]),
        ContactResponse.objects.count(),
        FreeText.objects.count(),
    )


@pytest.mark.django_db
def test_the_demo_is_deterministic(demo: dict[str, str], tmp_path: Path) -> None:
    before = _fingerprint()
    again = tmp_path / "demo.txt"
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        call_command("seed_demo", "--today", SEED_DAY, "--reset", "--write", str(again), stdout=io.StringIO())
    values = dict(line.split("=", 1) for line in again.read_text(encoding="utf-8").splitlines())
    assert values["survey_code"] == demo["survey_code"]
    assert _fingerprint() == before
