"""Six months of demo reports with the field study's patterns, and the demo Open311 client.

Patterns (seeds/000, Findings and Case-01/02):
* evening street harassment, reported to the women's desk ("a woman officer only"), handled by women officers;
* a cluster of streetlight reports in one beat (Gulabad) over six weeks, some merged as duplicates and
  referred to the electricity company, the last ones still open;
* disputes between neighbours referred to a Dispute Resolution Council;
* a few complaints about police conduct, which only oversight sees;
* the rest: theft, drugs, youth violence, nuisance, traffic; a few recent reports are overdue.

Texts are in English, Urdu and Pashto. Everything is drawn from ctx.rng and dated from ctx.today.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from shapely.geometry import Point

from rabta.core.demo import DemoContext
from rabta.people.models import Gender, OfficerProfile, Role, User
from rabta.places.models import Beat
from rabta.reports.models import Category, Channel, Period, Report, ReportUpdate
from rabta.reports.open311.models import ApiClient
from rabta.reports.services import replay, submit_report

DISTRICT_CODE = "LDIR-DEMO"
CLUSTER_BEAT = "GUL"
DEMO_CLIENT_NAME = "Demo partner app (Open311)"
# Fixed so var/demo.txt and the README can quote it; it only opens the demo database.
DEMO_OPEN311_KEY = "r311_demo-district-key-not-for-production"
# The form key of the two-way tracking demo report (its link is derived from it and the server secret).
TWO_WAY_KEY = "demo-two-way-tracking-not-a-real-key"

TEXTS: dict[str, dict[str, list[str]]] = {
    "street_harassment": {
        "en": [
            "Young men on motorbikes follow girls from the college gate to the bus stop every evening.",
            "A group stands outside the shop after Maghrib and passes remarks at women going home.",
        ],
        "ur": [
            "شام کو کالج کے گیٹ سے بس اسٹاپ تک موٹر سائیکل پر لڑکے لڑکیوں کا پیچھا کرتے ہیں۔",
            "مغرب کے بعد دکان کے باہر کچھ لڑکے کھڑے ہو کر گھر جاتی خواتین پر آوازیں کستے ہیں۔",
        ],
        "ps": [
            "ماښام مهال ځوانان په موټرسایکلونو د کالج له دروازې تر بس تمځای پورې د نجونو پسې ځي.",
            "د ماښام له لمانځه وروسته ځینې هلکان د دوکان مخې ته ولاړ وي او ښځو ته خبرې کوي.",
        ],
    },
    "violence_against_women": {
        "en": [
            "My sister is beaten at home and is afraid to go to the station. Please send a woman officer."
        ],
        "ur": ["میری بہن کو گھر میں مارا جاتا ہے، وہ تھانے جانے سے ڈرتی ہے۔ خاتون افسر بھیجیں۔"],
        "ps": ["زما خور په کور کې وهل کېږي او تاڼې ته له تللو وېرېږي. مهرباني وکړئ ښځینه افسره راولېږئ."],
    },
    "street_lighting": {
        "en": [
            "The street lights on the lane behind the girls' school have been dark for two weeks.",
            "Three poles near the chowk have no light; people avoid the road after dark.",
        ],
        "ur": [
            "گرلز اسکول کے پیچھے والی گلی کی بتیاں دو ہفتوں سے بند ہیں۔",
            "چوک کے قریب تین کھمبوں پر روشنی نہیں، رات کو لوگ یہ راستہ نہیں لیتے۔",
        ],
        "ps": [
            "د نجونو د ښوونځي شاته کوڅه کې څراغونه دوه اونۍ کېږي چې بند دي.",
            "چوک ته نږدې درې پایې رڼا نه لري، خلک د شپې له دې لارې نه ځي.",
        ],
    },
    "neighbour_dispute": {
        "en": ["Our neighbour built his wall on our land; the elders could not settle it."],
        "ur": ["ہمسائے نے ہماری زمین پر دیوار بنا لی ہے، جرگہ فیصلہ نہیں کر سکا۔"],
        "ps": ["ګاونډي زموږ په ځمکه دیوال جوړ کړی، جرګې یې فیصله ونه کړای شوه."],
    },
    "police_conduct": {
        "en": ["At the checkpoint the officer shouted at my old father and kept his card for an hour."],
        "ur": ["ناکے پر اہلکار نے میرے بوڑھے والد پر چیخا اور ایک گھنٹہ شناختی کارڈ رکھا۔"],
        "ps": ["په ناکه کې اهلکار زما په زاړه پلار چیغې کړې او یو ساعت یې کارت وساته."],
    },
    "theft": {
        "en": ["Two motorbikes were stolen from outside the mosque during Friday prayers."],
        "ur": ["جمعہ کی نماز کے دوران مسجد کے باہر سے دو موٹر سائیکلیں چوری ہو گئیں۔"],
        "ps": ["د جمعې د لمانځه پر مهال د جومات له مخې دوه موټرسایکلونه غلا شول."],
    },
    "drugs": {
        "en": ["Boys gather in the empty plot by the river and sell ice in the evening."],
        "ur": ["دریا کے پاس خالی پلاٹ میں لڑکے شام کو آئس بیچتے ہیں۔"],
        "ps": ["د سیند څنګ ته په تش پلاټ کې هلکان ماښام آیس پلوري."],
    },
    "youth_violence": {
        "en": ["Students of two schools fight near the bus stand almost every day."],
        "ur": ["دو اسکولوں کے طلبہ تقریباً روز بس اڈے کے قریب لڑتے ہیں۔"],
        "ps": ["د دوو ښوونځیو زده کوونکي تقریباً هره ورځ د بس اډې ته نږدې جګړه کوي."],
    },
    "public_nuisance": {
        "en": ["Loud aerial firing at weddings late at night; children are frightened."],
        "ur": ["شادیوں میں رات گئے ہوائی فائرنگ ہوتی ہے، بچے ڈر جاتے ہیں۔"],
        "ps": ["په ودونو کې د شپې ناوخته هوايي ډزې کېږي، ماشومان وېرېږي."],
    },
    "traffic_danger": {
        "en": ["Rickshaws park on both sides of the road near the hospital; ambulances cannot pass."],
        "ur": ["ہسپتال کے قریب سڑک کے دونوں طرف رکشے کھڑے ہوتے ہیں، ایمبولینس نہیں گزر سکتی۔"],
        "ps": ["روغتون ته نږدې د سړک دواړو خواوو ته رکشې ولاړې وي، امبولانس نه شي تېرېدای."],
    },
}
BACKGROUND = ["theft", "drugs", "youth_violence", "public_nuisance", "traffic_danger"]


def _point_in(beat: Beat, ctx: DemoContext) -> tuple[float, float]:
    geom = beat.geometry
    minx, miny, maxx, maxy = geom.bounds
    for _ in range(200):
        lon, lat = ctx.rng.uniform(minx, maxx), ctx.rng.uniform(miny, maxy)
        if geom.contains(Point(lon, lat)):
            return lat, lon
    point = geom.representative_point()
    return point.y, point.x


def _text(ctx: DemoContext, category: str) -> tuple[str, str]:
    language = ctx.rng.choices(["ps", "ur", "en"], weights=[5, 3, 2])[0]
    return ctx.rng.choice(TEXTS[category][language]), language


class _Seeder:
    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.categories = {c.code: c for c in Category.objects.all()}
        self.beats = list(
            Beat.objects.filter(station__district__code=DISTRICT_CODE).select_related("station")
        )
        self.by_code = {b.code: b for b in self.beats}
        self.count = 0

    def officer_for(self, beat: Beat, *, woman: bool = False) -> User | None:
        profiles = OfficerProfile.objects.filter(station_id=beat.station_id, user__is_active=True)
        if woman:
            profiles = profiles.filter(on_womens_desk=True, gender=Gender.WOMAN)
        else:
            profiles = profiles.filter(beats=beat)
        profile = profiles.select_related("user").order_by("user__username").first()
        if profile is None:
            return User.objects.filter(role=Role.STATION_HEAD, scope_station_id=beat.station_id).first()
        return profile.user

    def report(
        self,
        category: str,
        beat: Beat,
        days_ago: int,
        hour: int,
        *,
        at: tuple[float, float] | None = None,
        **kw: Any,
    ) -> Report:
        created = self.ctx.local_datetime(days_ago, hour, self.ctx.rng.randrange(60))
        lat, lon = at or _point_in(beat, self.ctx)
        text, language = _text(self.ctx, category)
        period = Period.EVENING if 17 <= hour < 21 else Period.NIGHT if hour >= 21 or hour < 5 else ""
        submission = submit_report(
            category=self.categories[category],
            description=text,
            beat=beat,
            lat=lat,
            lon=lon,
            occurred_on=created.date(),
            occurred_period=kw.pop("occurred_period", period),
            channel=kw.pop(
                "channel", self.ctx.rng.choice([Channel.WEB, Channel.WEB, Channel.SMS, Channel.DESK])
            ),
            language=language,
            **kw,
        )
        report = submission.report
        # Back-date: the report, its deadlines and its first update, as if received `days_ago`.
        report.created_at = created
        report.set_deadlines()
        Report.objects.filter(pk=report.pk).update(
            created_at=created,
            first_contact_due=report.first_contact_due,
            resolution_due=report.resolution_due,
        )
        report.updates.update(created_at=created)
        self.count += 1
        return report

    def move(self, report: Report, method: str, by: User | None, hours_after: float, **kw: Any) -> None:
        """Run a lifecycle method, then date it `hours_after` the report arrived (never in the future)."""
        moment = min(
            report.created_at + dt.timedelta(hours=hours_after), self.ctx.now - dt.timedelta(hours=1)
        )
        update: ReportUpdate = getattr(report, method)(by=by, **kw)
        ReportUpdate.objects.filter(pk=update.pk).update(created_at=moment)
        stamps = {
            name: moment
            for name in (
                "acknowledged_at",
                "started_at",
                "resolved_at",
                "referred_at",
                "duplicate_at",
                "closed_at",
            )
            if getattr(report, name) and getattr(report, name) > moment
        }
        if stamps:
            Report.objects.filter(pk=report.pk).update(**stamps)
            for name, value in stamps.items():
                setattr(report, name, value)


def seed(ctx: DemoContext) -> None:
    s = _Seeder(ctx)
    if not s.beats:
        return
    rng = ctx.rng
    desk_beats = [b for b in s.beats if b.station.has_womens_desk] or s.beats

    # 1. Evening harassment through the women's desk.
    for _ in range(22):
        beat = rng.choice(desk_beats)
        category = "violence_against_women" if rng.random() < 0.2 else "street_harassment"
        days = rng.randrange(2, 180)
        report = s.report(
            category,
            beat,
            days,
            rng.choice([17, 18, 18, 19, 19, 20]),
            woman_officer_only=True,
            phone=rng.choice(["", "", "0300 " + str(rng.randrange(1_000_000, 9_999_999))]),
            no_sms=rng.random() < 0.6,
            safe_call_hours=rng.choice(["", "10am-1pm", "after Asr"]),
        )
        woman = s.officer_for(beat, woman=True)
        s.move(report, "acknowledge", woman, rng.uniform(2, 20), note="A woman officer will call you.")
        if days > 10:
            s.move(report, "start", woman, rng.uniform(24, 60))
            if rng.random() < 0.7:
                s.move(report, "resolve", woman, rng.uniform(60, 300), note="Patrols at the bus stop 5-8 pm.")

    # 2. A streetlight cluster in one beat, over the last six weeks.
    cluster_beat = s.by_code.get(CLUSTER_BEAT, s.beats[0])
    centre = cluster_beat.geometry.representative_point()
    first: Report | None = None
    officer = s.officer_for(cluster_beat)
    for i, days in enumerate([*sorted(rng.sample(range(4, 42), 12), reverse=True), 2, 1]):
        at = (centre.y + rng.uniform(-0.0012, 0.0012), centre.x + rng.uniform(-0.0012, 0.0012))
        report = s.report("street_lighting", cluster_beat, days, rng.choice([19, 20, 21]), at=at)
        if days < 3:
            continue  # the newest are still new
        if first is None:
            first = report
            s.move(report, "acknowledge", officer, 6)
            s.move(
                report,
                "refer",
                officer,
                30,
                to="PESCO (electricity company), Timergara",
                note="Poles reported.",
            )
        elif days > 14 and i % 2:
            s.move(report, "mark_duplicate", officer, 5, of=first)
        else:
            s.move(report, "acknowledge", officer, rng.uniform(3, 30))

    # 3. Disputes referred to a Dispute Resolution Council.
    for _ in range(12):
        beat = rng.choice(s.beats)
        days = rng.randrange(5, 175)
        report = s.report("neighbour_dispute", beat, days, rng.randrange(9, 18))
        by = s.officer_for(beat)
        s.move(report, "acknowledge", by, rng.uniform(4, 20))
        council = f"Dispute Resolution Council {beat.station.name}"
        s.move(
            report, "refer", by, rng.uniform(24, 96), to=council, note="The council will call both families."
        )
        if days > 40 and rng.random() < 0.6:
            s.move(report, "close", by, rng.uniform(200, 600), reason="Settled by the council")

    # 4. A few complaints about police conduct: only oversight handles them.
    overseer = User.objects.filter(role=Role.OVERSIGHT, is_active=True).order_by("pk").first()
    for _ in range(4):
        beat = rng.choice(s.beats)
        subject = s.officer_for(beat)
        report = s.report(
            "police_conduct", beat, rng.randrange(3, 150), rng.randrange(9, 20), subject_officer=subject
        )
        if overseer is not None:
            s.move(
                report,
                "acknowledge",
                overseer,
                rng.uniform(10, 40),
                note="The oversight body has your complaint.",
            )

    # 5. Everything else, with a realistic mix of outcomes; recent ones left waiting (some overdue).
    for _ in range(70):
        beat = rng.choice(s.beats)
        days = rng.randrange(1, 180)
        category = rng.choice(BACKGROUND)
        report = s.report(category, beat, days, rng.randrange(7, 23))
        by = s.officer_for(beat)
        if days <= 3 and rng.random() < 0.7:
            continue  # no first contact yet: overdue when older than a day
        s.move(report, "acknowledge", by, rng.uniform(1, 30))
        if days > 7:
            s.move(report, "start", by, rng.uniform(30, 72))
            if rng.random() < 0.75:
                s.move(
                    report,
                    "resolve",
                    by,
                    rng.uniform(72, 400),
                    note="Action taken; thank you for telling us.",
                )

    # 6. Waiting for first contact now: two within the 24 hours, three overdue (one at the women's desk).
    for days, category, beat in (
        (1, "theft", rng.choice(s.beats)),
        (1, "public_nuisance", rng.choice(s.beats)),
        (2, "drugs", rng.choice(s.beats)),
        (3, "youth_violence", rng.choice(s.beats)),
    ):
        s.report(category, beat, days, rng.randrange(8, 20))
    s.report("street_harassment", rng.choice(desk_beats), 2, 19, woman_officer_only=True, no_sms=True)

    _two_way(s, cluster_beat, officer)

    client = ApiClient.objects.filter(name=DEMO_CLIENT_NAME).first() or ApiClient(name=DEMO_CLIENT_NAME)
    client.set_new_key(DEMO_OPEN311_KEY)
    client.notes = "Demo only: the key is printed in var/demo.txt."
    client.save(update_fields=["key_hash", "key_hint", "notes"] if client.pk else None)
    ctx.say(f"reports: {s.count} demo reports over six months; Open311 demo client")
    describe(ctx)


def _two_way(s: _Seeder, beat: Beat, officer: User | None) -> None:
    """7. Two-way tracking: a streetlight resolved five days ago that the resident said is not fixed,
    with a photo-less addition before; the tracking page names the officer. Its private link goes
    to var/demo.txt (the form's key is fixed, so the credentials are derived again on every run)."""
    if officer is None:
        return
    report = s.report("street_lighting", beat, 12, 20, idempotency_key=TWO_WAY_KEY, channel=Channel.WEB)
    report.assign(to=officer, by=officer)
    s.move(report, "acknowledge", officer, 4, note="We have asked the electricity company to check.")
    s.move(report, "start", officer, 20)
    report.add_resident_info(
        text="The pole by the girls' school is leaning too.", now=s.ctx.now - dt.timedelta(days=9)
    )
    s.move(report, "resolve", officer, 24 * 7, note="The lamp was replaced.")
    report.refresh_from_db()
    report.not_fixed(reason="It went out again after two nights.", now=s.ctx.now - dt.timedelta(days=1))
    describe_two_way(s.ctx)


def describe_two_way(ctx: DemoContext) -> None:
    found = replay(idempotency_key=TWO_WAY_KEY)
    if found is not None:
        with translation.override("ps"):
            ctx.values["two_way_tracking_path"] = reverse("reports:track", kwargs={"token": found.token})


def describe(ctx: DemoContext) -> None:
    describe_two_way(ctx)
    if ApiClient.objects.filter(name=DEMO_CLIENT_NAME, active=True).exists():
        ctx.values["open311_api_key"] = DEMO_OPEN311_KEY
    ctx.values["open311_services"] = "/open311/v2/services.json"


def reset(ctx: DemoContext) -> None:
    demo = Q(beat__station__district__code=DISTRICT_CODE)
    Report.objects.filter(demo).delete()
    ApiClient.objects.filter(name=DEMO_CLIENT_NAME, submissions__isnull=True).delete()
