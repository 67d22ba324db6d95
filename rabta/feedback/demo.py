"""Demo feedback: two closed rounds of the trust and safety survey, one running round with unused
codes, and six months of post-contact answers, shaped like the field study.

- Trust is low: about one resident in six trusts the police (17% in urban Pakistan, WJP/Gallup 2016),
  counting as trusting a mean of the two trust items of 7 or more. In Gulabad it rises in the round
  after its open talks began (90 days ago, rabta.engagement.demo).
- Women feel much less safe after dark than men, and many women never walk alone after dark.
- Younger residents, and residents of the poorer beats, rate the officer's respect lower after a contact.
- Some residents wrote a top issue or what the police should do differently, in English, Urdu and
  Pashto; the older texts are read and tagged with themes.

Everything comes from ctx.rng, so a seed on the same day gives the same answers and codes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.urls import reverse
from django.utils import translation

from rabta.core.crypto import field_cipher
from rabta.core.demo import DemoContext
from rabta.feedback.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    FREE_TEXT_CONTEXT,
    AgeBand,
    Campaign,
    CommunityResponse,
    ContactResponse,
    FreeText,
    FreeTextKind,
    Gender,
    InviteCode,
    Mode,
    Source,
    Theme,
    WalkSafety,
    first_of_month,
)
from rabta.people.models import Role, User
from rabta.places.models import Beat, District

DISTRICT_CODE = "LDIR-DEMO"
FOCUS_BEAT = "GUL"
DAYS = 182
TALKS_START_DAYS_AGO = 90
# Beats of poorer households (kacha houses, day labourers): respect after a contact is rated lower.
POOR_BEATS = ("KHG", "JBG", "MYR")
RUNNING_NAME = "Trust and safety survey, round 3"
ROUNDS = (
    # name, opens (days ago), closes (days ago), answers per beat
    ("Trust and safety survey, round 1", 130, 100, 45),
    ("Trust and safety survey, round 2", 45, 25, 45),
)
RUNNING = (RUNNING_NAME, 4, -24, 8)
UNUSED_CODES = 40

THEMES = (
    ("street-lights", "Street lights", "اسٹریٹ لائٹس", "د سړک څراغونه"),
    (
        "harassment",
        "Harassment of women and girls",
        "خواتین اور لڑکیوں کو ہراساں کرنا",
        "د ښځو او نجونو ځورونه",
    ),
    ("drugs", "Drugs", "منشیات", "نشه يي توکي"),
    ("theft", "Theft and snatching", "چوری اور چھینا جھپٹی", "غلا او لوټمار"),
    ("traffic", "Traffic and encroachments", "ٹریفک اور تجاوزات", "ټرافيک او تجاوزات"),
    ("respect", "How the police treat people", "پولیس کا رویہ", "د پولیسو چلند"),
)
TEXTS = (
    ("en", "street-lights", "The street lights on the bazaar road have been off for months."),
    ("en", "harassment", "Girls are teased at the bus stop every afternoon."),
    ("en", "drugs", "Young boys sell drugs behind the school after dark."),
    ("en", "theft", "Mobile phones are snatched near the chowk after Isha."),
    ("ur", "street-lights", "بازار والی سڑک کی بتیاں کئی مہینوں سے بند ہیں۔"),
    ("ur", "harassment", "اسکول کے باہر لڑکیوں کو تنگ کیا جاتا ہے۔"),
    ("ur", "traffic", "بازار میں ریڑھیوں کی وجہ سے راستہ بند رہتا ہے۔"),
    ("ur", "respect", "تھانے میں غریب آدمی کی بات کوئی نہیں سنتا۔"),
    ("ps", "drugs", "د ښوونځي شاته هلکان نشه کوي."),
    ("ps", "theft", "د چوک سره د ماښام وروسته موبایلونه تښتول کیږي."),
    ("ps", "harassment", "په بازار کې ښځې د ماښام وروسته نشي تللی."),
    ("ps", "respect", "پولیس له موږ سره په درناوي خبرې نه کوي."),
)
IMPROVE = (
    ("en", "respect", "Listen to us before deciding who is at fault."),
    ("ur", "respect", "غریب اور امیر دونوں کے ساتھ ایک جیسا سلوک کریں۔"),
    ("ps", "respect", "له ځوانانو سره هم په درناوي خبرې وکړئ."),
)

# After dark, walking alone (the standard fear-of-crime item): shares by gender, in WalkSafety order
# very safe, fairly safe, a bit unsafe, very unsafe, never, don't know.
DARK = {
    Gender.WOMAN: (0.03, 0.12, 0.20, 0.25, 0.35, 0.05),
    Gender.MAN: (0.28, 0.45, 0.12, 0.05, 0.05, 0.05),
}
DAY = {
    Gender.WOMAN: (0.20, 0.45, 0.20, 0.07, 0.05, 0.03),
    Gender.MAN: (0.45, 0.42, 0.08, 0.02, 0.01, 0.02),
}
WALK = (
    WalkSafety.VERY_SAFE,
    WalkSafety.FAIRLY_SAFE,
    WalkSafety.BIT_UNSAFE,
    WalkSafety.VERY_UNSAFE,
    WalkSafety.NEVER,
    WalkSafety.DONT_KNOW,
)
AGES = (AgeBand.Y15_29, AgeBand.Y30_44, AgeBand.Y45_59, AgeBand.Y60)


def _district() -> District | None:
    return District.objects.filter(code=DISTRICT_CODE).first()


def _beats(district: District) -> list[Beat]:
    return list(Beat.objects.filter(station__district=district).select_related("station").order_by("code"))


class _Answers:
    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.rng = ctx.rng
        self.cipher = field_cipher()

    def clip(self, value: float, low: int, high: int) -> int:
        return max(low, min(high, round(value)))

    def maybe(self, value: Any, skip: float = 0.04) -> Any:
        return None if self.rng.random() < skip else value

    def pick(self, shares: tuple[float, ...]) -> WalkSafety:
        return self.rng.choices(WALK, weights=shares)[0]

    def person(self) -> tuple[str, str]:
        gender = self.rng.choices((Gender.WOMAN, Gender.MAN, Gender.OTHER), weights=(0.46, 0.52, 0.02))[0]
        age = self.rng.choices(AGES, weights=(0.38, 0.30, 0.20, 0.12))[0]
        return gender, age

    def community(
        self, *, campaign: Campaign, beat: Beat, day: dt.date, mode: Mode, typist: User | None, improved: bool
    ) -> CommunityResponse:
        rng = self.rng
        gender, age = self.person()
        walk_gender = Gender.WOMAN if gender == Gender.WOMAN else Gender.MAN
        trust = rng.gauss(6.0 if improved else 4.6, 2.4)
        safety = rng.gauss(3.6 if walk_gender == Gender.WOMAN else 5.4, 2.0)
        return CommunityResponse(
            id=uuid.UUID(int=rng.getrandbits(128), version=4),
            campaign=campaign,
            beat=beat,
            mode=mode,
            entered_by=typist if mode == Mode.PAPER else None,
            answered_on=day,
            trust_respect=self.maybe(self.clip(trust + rng.gauss(0, 0.8), 0, 10)),
            trust_listen=self.maybe(self.clip(trust + rng.gauss(-0.3, 0.8), 0, 10)),
            safety=self.maybe(self.clip(safety, 0, 10)),
            walk_day=self.maybe(self.pick(DAY[walk_gender]), 0.03) or "",
            walk_dark=self.maybe(self.pick(DARK[walk_gender]), 0.03) or "",
            knows_officer=self.maybe(rng.random() < (0.45 if improved else 0.22)),
            willingness=self.maybe(self.clip(rng.gauss(6.2 if improved else 5.2, 2.4), 0, 10)),
            gender=self.maybe(gender, 0.05) or "",
            age_band=self.maybe(age, 0.07) or "",
        )

    def contact(self, *, beat: Beat, day: dt.date, improved: bool) -> ContactResponse:
        rng = self.rng
        gender, age = self.person()
        young = age == AgeBand.Y15_29
        poor = beat.code in POOR_BEATS
        base = 3.3 - (0.7 if young else 0) - (0.6 if poor else 0) + (0.4 if improved else 0)

        def item(shift: float = 0.0) -> int | None:
            return self.maybe(self.clip(rng.gauss(base + shift, 0.9), 1, 5), 0.05)

        return ContactResponse(
            id=uuid.UUID(int=rng.getrandbits(128), version=4),
            beat=beat,
            source=rng.choice((Source.CONTACT, Source.REPORT)),
            mode=rng.choices((Mode.WEB, Mode.SMS), weights=(0.3, 0.7))[0],
            answered_on=day,
            voice=item(0.1),
            neutrality=item(-0.2),
            respect=item(),
            motives=item(0.1),
            overall=item(0.2),
            gender=self.maybe(gender, 0.06) or "",
            age_band=self.maybe(age, 0.08) or "",
            started_by=rng.choice(("resident", "police", "")),
        )

    def text(
        self,
        *,
        kind: FreeTextKind,
        beat: Beat,
        campaign: Campaign | None,
        day: dt.date,
        pool: tuple[tuple[str, str, str], ...],
    ) -> tuple[FreeText, str]:
        language, theme, words = self.rng.choice(pool)
        item = FreeText(
            id=uuid.UUID(int=self.rng.getrandbits(128), version=4),
            kind=kind,
            beat=beat,
            campaign=campaign,
            month=first_of_month(day),
            language=language,
            text_encrypted=self.cipher.encrypt(words, context=FREE_TEXT_CONTEXT),
        )
        return item, theme

    def code(self) -> str:
        return "".join(self.rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _typist(beat: Beat) -> User | None:
    return (
        User.objects.filter(role=Role.OFFICER, scope_beat=beat).first()
        or User.objects.filter(
            role__in=(Role.OFFICER, Role.STATION_HEAD), scope_station=beat.station_id
        ).first()
    )


def seed(ctx: DemoContext) -> None:
    district = _district()
    if district is None:
        ctx.say("feedback: no demo district, nothing seeded")
        return
    beats = _beats(district)
    a = _Answers(ctx)
    themes = {
        code: Theme.objects.get_or_create(code=code, defaults={"name": name, "name_ur": ur, "name_ps": ps})[0]
        for code, name, ur, ps in THEMES
    }
    typists = {beat.pk: _typist(beat) for beat in beats}
    creator = User.objects.filter(role=Role.STATION_HEAD).order_by("pk").first()
    answers: list[CommunityResponse] = []
    texts: list[tuple[FreeText, str, bool]] = []
    codes: list[InviteCode] = []
    seen_codes: set[str] = set()

    def new_code() -> str:
        while True:
            code = a.code()
            if code not in seen_codes:
                seen_codes.add(code)
                return code

    for name, opens_ago, closes_ago, per_beat in (*ROUNDS, RUNNING):
        running = name == RUNNING_NAME
        opens = ctx.today - dt.timedelta(days=opens_ago)
        closes = ctx.today - dt.timedelta(days=closes_ago)
        campaign = Campaign.objects.create(name=name, opens_on=opens, closes_on=closes, created_by=creator)
        campaign.beats.set(beats)
        last_day = min(closes, ctx.today - dt.timedelta(days=1))
        span = max((last_day - opens).days, 0)
        for beat in beats:
            improved = beat.code == FOCUS_BEAT and opens_ago < TALKS_START_DAYS_AGO
            n = per_beat + (25 if beat.code == FOCUS_BEAT else 0) + ctx.rng.randint(-5, 5)
            used_codes = 0
            for _ in range(n):
                day = opens + dt.timedelta(days=ctx.rng.randint(0, span))
                mode = Mode.WEB if ctx.rng.random() < 0.55 else Mode.PAPER
                if mode == Mode.WEB or ctx.rng.random() < 0.5:
                    used_codes += 1
                    codes.append(InviteCode(campaign=campaign, beat=beat, code=new_code(), used_on=day))
                answer = a.community(
                    campaign=campaign,
                    beat=beat,
                    day=day,
                    mode=mode,
                    typist=typists[beat.pk],
                    improved=improved,
                )
                answers.append(answer)
                if ctx.rng.random() < 0.18:
                    item, theme = a.text(
                        kind=FreeTextKind.TOP_ISSUE, beat=beat, campaign=campaign, day=day, pool=TEXTS
                    )
                    texts.append((item, theme, not running))
            unused = (
                UNUSED_CODES if running and beat.code == FOCUS_BEAT else (10 if running else used_codes // 3)
            )
            codes.extend(InviteCode(campaign=campaign, beat=beat, code=new_code()) for _ in range(unused))

    contacts: list[ContactResponse] = []
    for beat in beats:
        for _ in range(40 if beat.code == FOCUS_BEAT else 18):
            days_ago = ctx.rng.randint(1, DAYS)
            day = ctx.today - dt.timedelta(days=days_ago)
            improved = beat.code == FOCUS_BEAT and days_ago < TALKS_START_DAYS_AGO
            contacts.append(a.contact(beat=beat, day=day, improved=improved))
            if ctx.rng.random() < 0.12:
                item, theme = a.text(
                    kind=FreeTextKind.IMPROVE, beat=beat, campaign=None, day=day, pool=IMPROVE
                )
                texts.append((item, theme, days_ago > 30))

    # Answers are inserted shuffled, as random keys would have them anyway.
    ctx.rng.shuffle(answers)
    CommunityResponse.objects.bulk_create(answers, batch_size=500)
    ContactResponse.objects.bulk_create(contacts, batch_size=500)
    InviteCode.objects.bulk_create(codes, batch_size=500)
    FreeText.objects.bulk_create([item for item, _, _ in texts], batch_size=500)
    reviewed = [item.pk for item, _, done in texts if done]
    FreeText.objects.filter(pk__in=reviewed).update(reviewed=True)
    Through = FreeText.themes.through
    Through.objects.bulk_create(
        [Through(freetext_id=item.pk, theme_id=themes[theme].pk) for item, theme, done in texts if done],
        batch_size=500,
    )
    ctx.say(
        f"feedback: {len(answers)} trust and safety answers in {len(ROUNDS) + 1} rounds, "
        f"{len(contacts)} post-contact answers, {len(texts)} free texts"
    )
    describe(ctx)


def _results_path() -> str:
    with translation.override("en"):
        return reverse("feedback:public_results", kwargs={"code": FOCUS_BEAT})


def describe(ctx: DemoContext) -> None:
    code = (
        InviteCode.objects.filter(
            campaign__name=RUNNING_NAME,
            beat__code=FOCUS_BEAT,
            beat__station__district__code=DISTRICT_CODE,
            used_on__isnull=True,
        )
        .order_by("pk")
        .values_list("code", flat=True)
        .first()
    )
    if code:
        ctx.values["survey_code"] = code
    with translation.override("ur"):
        ctx.values["survey_path"] = reverse("feedback:survey")
    ctx.values["feedback_results_path"] = _results_path()


def reset(ctx: DemoContext) -> None:
    district = _district()
    if district is None:
        return
    beats = Beat.objects.filter(station__district=district)
    FreeText.objects.filter(beat__in=beats).delete()
    CommunityResponse.objects.filter(beat__in=beats).delete()
    ContactResponse.objects.filter(beat__in=beats).delete()
    campaigns = Campaign.objects.filter(beats__in=beats).distinct()
    InviteCode.objects.filter(campaign__in=campaigns).delete()
    Campaign.objects.filter(pk__in=list(campaigns.values_list("pk", flat=True))).delete()
    # The demo's themes go with it unless something outside the demo was tagged with them.
    Theme.objects.filter(code__in=[code for code, *_names in THEMES], free_texts__isnull=True).delete()
