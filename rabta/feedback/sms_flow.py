"""The two surveys as SMS questions: one question per message, answered with one number.

Every message here stays within two segments in English, Urdu and Pashto (134 UCS-2 characters),
which tests/test_feedback_sms.py checks for every question, in every language. The scales are the
instruments' (docs/feedback.md): agreement 1-5 with 0 for "prefer not to say"; the 0-10 items take
their 0 as an answer, so "prefer not to say" is a star (or X) there.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from rabta.feedback.models import PJ_ITEMS, AgeBand, Gender, StartedBy, SurveyKind, WalkSafety


class Scale(enum.Enum):
    AGREE = "agree"  # 1-5, 0 prefer not
    TEN = "ten"  # 0-10, * prefer not
    CHOICE = "choice"  # 1..n, 0 prefer not
    TEXT = "text"  # a few words, 0 to skip


@dataclass(frozen=True)
class Step:
    field: str
    scale: Scale
    ask: Callable[[], str]
    # For CHOICE: the stored value of reply 1, 2, ...
    choices: tuple[Any, ...] = ()

    def single_digit(self) -> bool:
        return self.scale in (Scale.AGREE, Scale.CHOICE)


def _agree(item: str) -> str:
    return _("%(item)s Reply 1 strongly disagree to 5 strongly agree, 0 prefer not to say.") % {"item": item}


GENDER = Step(
    "gender",
    Scale.CHOICE,
    lambda: _("You are: 1 a woman, 2 a man, 3 other. 0 prefer not to say."),
    (Gender.WOMAN, Gender.MAN, Gender.OTHER),
)
AGE = Step(
    "age_band",
    Scale.CHOICE,
    lambda: _("Your age: 1 is 15-29, 2 is 30-44, 3 is 45-59, 4 is 60 or more. 0 prefer not to say."),
    (AgeBand.Y15_29, AgeBand.Y30_44, AgeBand.Y45_59, AgeBand.Y60),
)


def _walk(question: str) -> str:
    return _(
        "%(question)s 1 very safe, 2 fairly safe, 3 a bit unsafe, 4 very unsafe, "
        "5 never walk alone, 6 don't know. 0 prefer not."
    ) % {"question": question}


WALK_CHOICES = (
    WalkSafety.VERY_SAFE,
    WalkSafety.FAIRLY_SAFE,
    WalkSafety.BIT_UNSAFE,
    WalkSafety.VERY_UNSAFE,
    WalkSafety.NEVER,
    WalkSafety.DONT_KNOW,
)

CONTACT_STEPS: tuple[Step, ...] = (
    Step("voice", Scale.AGREE, lambda: _agree(_("The officer let me explain my side."))),
    Step(
        "neutrality",
        Scale.AGREE,
        lambda: _agree(_("The officer's decisions were based on facts, not on who I am.")),
    ),
    Step("respect", Scale.AGREE, lambda: _agree(_("The officer treated me with respect."))),
    Step(
        "motives",
        Scale.AGREE,
        lambda: _agree(_("The officer was trying to do what is best for people here.")),
    ),
    Step(
        "overall",
        Scale.AGREE,
        lambda: _agree(_("Overall I am satisfied with how my matter was handled.")),
    ),
    Step(
        "started_by",
        Scale.CHOICE,
        lambda: _("Who started the contact? 1 I did, 2 the police did. 0 prefer not to say."),
        (StartedBy.RESIDENT, StartedBy.POLICE),
    ),
    GENDER,
    AGE,
    Step(
        "free_text",
        Scale.TEXT,
        lambda: _("What should the police do differently? Reply in a few words, or 0 to finish."),
    ),
)

COMMUNITY_STEPS: tuple[Step, ...] = (
    Step(
        "trust_respect",
        Scale.TEN,
        lambda: _(
            "The police in this neighbourhood treat local residents with respect. "
            "Reply 0 disagree to 10 agree, * prefer not to say."
        ),
    ),
    Step(
        "trust_listen",
        Scale.TEN,
        lambda: _(
            "The police here listen to and take into account the concerns of local residents. "
            "Reply 0 disagree to 10 agree, * prefer not to say."
        ),
    ),
    Step(
        "safety",
        Scale.TEN,
        lambda: _(
            "How safe do you feel from crime in your neighbourhood? "
            "Reply 0 not at all to 10 very safe, * prefer not."
        ),
    ),
    Step("walk_day", Scale.CHOICE, lambda: _walk(_("Walking alone here by day?")), WALK_CHOICES),
    Step("walk_dark", Scale.CHOICE, lambda: _walk(_("Walking alone here after dark?")), WALK_CHOICES),
    Step(
        "knows_officer",
        Scale.CHOICE,
        lambda: _("Do you know a police officer here by name or by sight? 1 yes, 2 no. 0 prefer not to say."),
        (True, False),
    ),
    Step(
        "willingness",
        Scale.TEN,
        lambda: _(
            "If you saw a crime here, how likely would you report it to the police? "
            "Reply 0 not at all to 10 certainly, * prefer not."
        ),
    ),
    GENDER,
    AGE,
    Step(
        "top_issue",
        Scale.TEXT,
        lambda: _(
            "What is the number one problem here you want the police to deal with? "
            "A few words, or 0 to finish."
        ),
    ),
)

STEPS: dict[str, tuple[Step, ...]] = {
    SurveyKind.CONTACT: CONTACT_STEPS,
    SurveyKind.COMMUNITY: COMMUNITY_STEPS,
}


def question(kind: str, step: int) -> str:
    """Question `step` (from 0) of survey `kind`, with its number: "3/9 ..." ."""
    steps = STEPS[kind]
    return f"{step + 1}/{len(steps)} {steps[step].ask()}"


# The scored fields of CommunityResponse the SMS survey fills (the rest are demographics and text).
COMMUNITY_FIELDS = tuple(step.field for step in COMMUNITY_STEPS[:7])
WALK_FIELDS = frozenset({"walk_day", "walk_dark"})

SKIP_MARKS = frozenset({"*", "x", "-", "#"})


class NotAnAnswer(Exception):
    """The reply does not answer the step it was sent for."""


def read_number(step: Step, token: str) -> object:
    """The stored value of one reply token for `step` (None: prefer not to say)."""
    if step.scale is Scale.TEN:
        if token.lower() in SKIP_MARKS:
            return None
        if token.isdigit() and int(token) <= 10:
            return int(token)
        raise NotAnAnswer
    if not token.isdigit() or len(token) != 1:
        raise NotAnAnswer
    number = int(token)
    if number == 0:
        return None
    if step.scale is Scale.AGREE:
        if number > 5:
            raise NotAnAnswer
        return number
    if number > len(step.choices):
        raise NotAnAnswer
    return step.choices[number - 1]


def welcome(kind: str) -> str:
    if kind == SurveyKind.CONTACT:
        return _("Thank you. 9 short questions; your answers are anonymous. Send END to stop at any time.")
    return _("Thank you. 10 short questions; your answers are anonymous. Send END to stop at any time.")


def not_understood() -> str:
    return _("Please reply with one of the numbers offered. Send END to stop the survey.")


def thanks() -> str:
    return _("Thank you, your answers are saved. They are anonymous: nobody can tell they came from you.")


def stopped() -> str:
    return _("The survey is stopped and nothing was saved. Thank you.")


def declined() -> str:
    return _("OK, we will not ask you. Thank you.")


__all__ = [
    "COMMUNITY_FIELDS",
    "COMMUNITY_STEPS",
    "CONTACT_STEPS",
    "PJ_ITEMS",
    "STEPS",
    "WALK_FIELDS",
    "NotAnAnswer",
    "Scale",
    "Step",
    "declined",
    "not_understood",
    "question",
    "read_number",
    "stopped",
    "thanks",
    "welcome",
]
