"""Demo people: 22 officers of the three demo stations and one login per role.

Logins are the role names (``officer``, ``womens_desk``...), passwords ``rabta-demo-<tag>``
(PASSWORD_TAGS), and every staff login has a confirmed TOTP device with a fixed secret
(``totp_secret_<role>`` in var/demo.txt; ``manage.py totp_code <login>`` prints the current code).
Demo users carry an e-mail address at ``demo.rabta.invalid``: that is how a reset finds them, and it
never matches a real account.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.management.base import CommandError
from django.db.models import Q
from django_otp.plugins.otp_totp.models import TOTPDevice

from rabta.audit.models import AccessLog
from rabta.core.demo import DemoContext
from rabta.people.models import STAFF_ROLES, Gender, OfficerProfile, Rank, Role, TrainingRecord, User
from rabta.places.demo import DISTRICT_CODE
from rabta.places.models import Beat, PoliceStation

DEMO_EMAIL_DOMAIN = "demo.rabta.invalid"
DEMO_DEVICE_NAME = "demo authenticator"


# A short tag per role: "rabta-demo-<role>" itself is refused by the similarity validator
# (too close to the login for the long role names), and demo passwords pass every validator.
PASSWORD_TAGS: dict[str, str] = {
    Role.RESIDENT: "res",
    Role.VOLUNTEER: "vol",
    Role.COMMITTEE_MEMBER: "cm",
    Role.OFFICER: "ofc",
    Role.WOMENS_DESK: "wd",
    Role.STATION_HEAD: "sho",
    Role.DISTRICT_COORDINATOR: "dc",
    Role.OVERSIGHT: "ovs",
    Role.ANALYST: "ana",
    Role.ADMIN: "adm",
}


def demo_password(role: str) -> str:
    return f"rabta-demo-{PASSWORD_TAGS[role]}"


def demo_totp_secret(role: str) -> str:
    """A fixed base32 secret per staff role (20 bytes, as authenticator apps expect)."""
    digest = hashlib.sha256(f"rabta-demo-totp:{role}".encode()).digest()[:20]
    return base64.b32encode(digest).decode("ascii")


@dataclass(frozen=True)
class OfficerSpec:
    username: str
    first_name: str
    last_name: str
    gender: str
    rank: str
    station: str
    beats: tuple[str, ...]
    languages: tuple[str, ...]
    role: str = Role.OFFICER
    on_womens_desk: bool = False
    duty_phone: str = ""
    bio: str = ""


W, M = Gender.WOMAN, Gender.MAN
OFFICERS = (
    # Timergara (women's desk)
    OfficerSpec(
        "station_head",
        "Fazal",
        "Rahim",
        M,
        Rank.INSPECTOR,
        "TMG",
        ("TMB",),
        ("ps", "ur", "en"),
        role=Role.STATION_HEAD,
        duty_phone="0311-9250101",
        bio="Station House Officer, Timergara. My door is open on Thursdays after Zuhr prayer "
        "for anyone who wants to raise a problem with the police.",
    ),
    OfficerSpec(
        "officer",
        "Ali",
        "Khan",
        M,
        Rank.ASI,
        "TMG",
        ("GUL",),
        ("ps", "ur", "en"),
        duty_phone="0311-9250110",
        bio="Your beat officer for Gulabad since 2023. I trained in community policing and hold an open "
        "talk at Gulabad Chowk every Monday afternoon: shopkeepers, young people and families are welcome.",
    ),
    OfficerSpec(
        "womens_desk",
        "Sana",
        "Ahmed",
        W,
        Rank.SI,
        "TMG",
        ("GUL", "TMB"),
        ("ps", "ur", "en"),
        role=Role.WOMENS_DESK,
        on_womens_desk=True,
        duty_phone="0311-9250120",
        bio="I run the women's desk at Timergara. Women can call or visit me, or ask for a meeting "
        "at the girls' school instead of the station.",
    ),
    OfficerSpec(
        "rukhsana.bibi",
        "Rukhsana",
        "Bibi",
        W,
        Rank.ASI,
        "TMG",
        ("SHG", "RBT"),
        ("ps", "ur"),
        role=Role.WOMENS_DESK,
        on_womens_desk=True,
        duty_phone="0311-9250121",
        bio="Women's desk officer. I visit Shagai and Rabat every week with a lady health worker.",
    ),
    OfficerSpec(
        "nazia.gul",
        "Nazia",
        "Gul",
        W,
        Rank.HEAD_CONSTABLE,
        "TMG",
        ("KHG",),
        ("ps", "ur"),
        bio="Beat officer for Khungai. Ask me about the youth volunteer group.",
    ),
    OfficerSpec("asif.iqbal", "Asif", "Iqbal", M, Rank.CONSTABLE, "TMG", ("TMB",), ("ps", "ur", "hno")),
    OfficerSpec(
        "sher.ali",
        "Sher",
        "Ali",
        M,
        Rank.HEAD_CONSTABLE,
        "TMG",
        ("SHG",),
        ("ps", "ur"),
        bio="Beat officer for Shagai and the college colony.",
    ),
    OfficerSpec(
        "zahid.ullah", "Zahid", "Ullah", M, Rank.ASI, "TMG", ("RBT",), ("ps",), duty_phone="0311-9250114"
    ),
    OfficerSpec("hidayat.ullah", "Hidayat", "Ullah", M, Rank.CONSTABLE, "TMG", ("KTG",), ("ps", "hno")),
    OfficerSpec("noor.muhammad", "Noor", "Muhammad", M, Rank.CONSTABLE, "TMG", ("GUL", "KHG"), ("ps",)),
    # Balambat
    OfficerSpec(
        "shah.faisal",
        "Shah",
        "Faisal",
        M,
        Rank.INSPECTOR,
        "BLB",
        ("BBZ",),
        ("ps", "ur", "en"),
        role=Role.STATION_HEAD,
        duty_phone="0311-9250201",
        bio="Station House Officer, Balambat.",
    ),
    OfficerSpec(
        "amjad.ali",
        "Amjad",
        "Ali",
        M,
        Rank.ASI,
        "BLB",
        ("BBZ",),
        ("ps", "ur"),
        bio="Beat officer for Balambat Bazaar. Traders' committee meets with me on the first Saturday.",
    ),
    OfficerSpec("bakht.zada", "Bakht", "Zada", M, Rank.HEAD_CONSTABLE, "BLB", ("MYR",), ("ps",)),
    OfficerSpec(
        "rahim.gul", "Rahim", "Gul", M, Rank.CONSTABLE, "BLB", ("HJB",), ("ps",), duty_phone="0311-9250213"
    ),
    OfficerSpec("waqar.ahmad", "Waqar", "Ahmad", M, Rank.CONSTABLE, "BLB", ("JBG",), ("ps", "ur")),
    OfficerSpec(
        "shazia.begum",
        "Shazia",
        "Begum",
        W,
        Rank.ASI,
        "BLB",
        ("BBZ", "MYR"),
        ("ps", "ur"),
        duty_phone="0311-9250220",
        bio="Women can reach me in Balambat; for the women's desk I can arrange a visit from Timergara.",
    ),
    # Talash
    OfficerSpec(
        "saeed.khan",
        "Saeed",
        "Khan",
        M,
        Rank.INSPECTOR,
        "TLS",
        ("TLB",),
        ("ps", "ur", "en"),
        role=Role.STATION_HEAD,
        duty_phone="0311-9250301",
        bio="Station House Officer, Talash.",
    ),
    OfficerSpec("javed.iqbal", "Javed", "Iqbal", M, Rank.ASI, "TLS", ("TLB",), ("ps", "ur")),
    OfficerSpec("inam.ullah", "Inam", "Ullah", M, Rank.HEAD_CONSTABLE, "TLS", ("TRM",), ("ps",)),
    OfficerSpec("muhammad.ayaz", "Muhammad", "Ayaz", M, Rank.CONSTABLE, "TLS", ("ZMD",), ("ps", "hno")),
    OfficerSpec(
        "ihsan.ullah",
        "Ihsan",
        "Ullah",
        M,
        Rank.CONSTABLE,
        "TLS",
        ("DSK",),
        ("ps",),
        duty_phone="0311-9250315",
    ),
    OfficerSpec(
        "farzana.bibi",
        "Farzana",
        "Bibi",
        W,
        Rank.HEAD_CONSTABLE,
        "TLS",
        ("DSK", "TLB"),
        ("ps", "ur"),
        bio="I meet women's groups in Talash and Dushkhel every second Wednesday.",
    ),
)

# Names as residents read them (Urdu, Pashto script), and introductions in Urdu and Pashto. Some
# introductions are left in English or in Urdu only, so the demo shows the "in English" label.
LOCAL_NAMES = {
    "station_head": ("فضل رحیم", "فضل رحیم"),
    "officer": ("علی خان", "علي خان"),
    "womens_desk": ("ثناء احمد", "ثنا احمد"),
    "rukhsana.bibi": ("رخسانہ بی بی", "رخسانه بي بي"),
    "nazia.gul": ("نازیہ گل", "نازیه ګل"),
    "asif.iqbal": ("آصف اقبال", "آصف اقبال"),
    "sher.ali": ("شیر علی", "شېر علي"),
    "zahid.ullah": ("زاہد اللہ", "زاهد الله"),
    "hidayat.ullah": ("ہدایت اللہ", "هدایت الله"),
    "noor.muhammad": ("نور محمد", "نور محمد"),
    "shah.faisal": ("شاہ فیصل", "شاه فیصل"),
    "amjad.ali": ("امجد علی", "امجد علي"),
    "bakht.zada": ("بخت زادہ", "بخت زاده"),
    "rahim.gul": ("رحیم گل", "رحیم ګل"),
    "waqar.ahmad": ("وقار احمد", "وقار احمد"),
    "shazia.begum": ("شازیہ بیگم", "شازیه بېګم"),
    "saeed.khan": ("سعید خان", "سعید خان"),
    "javed.iqbal": ("جاوید اقبال", "جاوېد اقبال"),
    "inam.ullah": ("انعام اللہ", "انعام الله"),
    "muhammad.ayaz": ("محمد ایاز", "محمد ایاز"),
    "ihsan.ullah": ("احسان اللہ", "احسان الله"),
    "farzana.bibi": ("فرزانہ بی بی", "فرزانه بي بي"),
}
LOCAL_BIOS = {
    "station_head": (
        "ایس ایچ او، تھانہ تیمرگرہ۔ جمعرات کو نمازِ ظہر کے بعد میرا دروازہ ہر اُس شخص کے لیے کھلا ہے"
        " جو پولیس کے سامنے کوئی مسئلہ رکھنا چاہے۔",
        "اېس اېچ او، تیمرګره تھانه۔ د پنجشنبې په ورځ د ماسپښین له لمانځه وروسته زما دروازه د هر هغه"
        " چا لپاره خلاصه ده چې له پولیسو سره کومه ستونزه شریکول غواړي۔",
    ),
    "officer": (
        "2023 سے گل آباد میں آپ کا بیٹ افسر ہوں۔ میں نے کمیونٹی پولیسنگ کی تربیت لی ہے اور ہر پیر کی"
        " سہ پہر گل آباد چوک پر کھلی کچہری لگاتا ہوں: دکاندار، نوجوان اور خاندان سب آ سکتے ہیں۔",
        "له 2023 راهیسې په ګل اباد کې ستاسو د بیټ افسر یم۔ ما د ټولنیزې پولیسۍ روزنه اخیستې ده او هره"
        " دوشنبه ماسپښین په ګل اباد چوک کې کھلې کچهرۍ جوړوم: دوکانداران، ځوانان او کورنۍ ټول راتلای شي۔",
    ),
    "womens_desk": (
        "میں تیمرگرہ میں خواتین ڈیسک چلاتی ہوں۔ خواتین مجھے فون کر سکتی ہیں یا مجھ سے مل سکتی ہیں، یا"
        " تھانے کے بجائے لڑکیوں کے اسکول میں ملاقات کا کہہ سکتی ہیں۔",
        "زه په تیمرګره کې د ښځو ډیسک چلوم۔ ښځې ماته زنګ وهلای شي یا ما لیدلای شي، یا د تھانې پر ځای"
        " د نجونو په ښوونځي کې د لیدو غوښتنه کولای شي۔",
    ),
    "rukhsana.bibi": (
        "خواتین ڈیسک کی افسر۔ میں ہر ہفتے ایک لیڈی ہیلتھ ورکر کے ساتھ شگئی اور رباط جاتی ہوں۔",
        "د ښځو ډیسک افسره۔ زه هره اونۍ د یوې لېډي هېلټ ورکرې سره شګۍ او رباط ته ځم۔",
    ),
    "nazia.gul": ("کھونگئی کی بیٹ افسر۔ نوجوانوں کے رضاکار گروپ کے بارے میں مجھ سے پوچھیں۔", ""),
    "shah.faisal": ("ایس ایچ او، تھانہ بلامبٹ۔", "اېس اېچ او، بلامبټ تھانه۔"),
    "amjad.ali": (
        "بلامبٹ بازار کا بیٹ افسر۔ تاجروں کی کمیٹی ہر مہینے کے پہلے ہفتے کو مجھ سے ملتی ہے۔",
        "د بلامبټ بازار بیټ افسر۔ د سوداګرو کمېټه د هرې میاشتې په لومړۍ شنبه له ما سره ګوري۔",
    ),
    "shazia.begum": (
        "خواتین بلامبٹ میں مجھ سے رابطہ کر سکتی ہیں؛ خواتین ڈیسک کے لیے میں تیمرگرہ سے ملاقات کا"
        " انتظام کر سکتی ہوں۔",
        "ښځې په بلامبټ کې له ما سره اړیکه نیولای شي؛ د ښځو ډیسک لپاره زه له تیمرګرې څخه د لیدو"
        " بندوبست کولای شم۔",
    ),
    "saeed.khan": ("ایس ایچ او، تھانہ تالاش۔", "اېس اېچ او، تالاش تھانه۔"),
    "farzana.bibi": (
        "میں ہر دوسرے بدھ کو تالاش اور دوشخیل میں خواتین کے گروپوں سے ملتی ہوں۔",
        "زه هره دویمه چهارشنبه په تالاش او دوشخېل کې د ښځو له ډلو سره ګورم۔",
    ),
}


@dataclass(frozen=True)
class AccountSpec:
    role: str
    first_name: str
    last_name: str
    scope: str  # "", "beat:GUL", "station:TMG" or "district"


# Logins without an officer profile. Officer-type roles get theirs from OFFICERS (username = role).
ACCOUNTS = (
    AccountSpec(Role.RESIDENT, "Zarmina", "Bibi", "beat:GUL"),
    AccountSpec(Role.VOLUNTEER, "Hamid", "Ullah", "beat:GUL"),
    AccountSpec(Role.COMMITTEE_MEMBER, "Akbar", "Khan", "beat:GUL"),
    AccountSpec(Role.DISTRICT_COORDINATOR, "Tariq", "Mehmood", "district"),
    AccountSpec(Role.OVERSIGHT, "Naila", "Shah", "district"),
    AccountSpec(Role.ANALYST, "Bilal", "Ahmad", "district"),
    AccountSpec(Role.ADMIN, "Demo", "Administrator", ""),
)

COURSES = (
    ("Community policing foundation course", "Police Training College, Hangu"),
    ("Gender-sensitive policing and the women's desk", "KP Police with UN Women"),
    ("Dispute Resolution Councils: procedure and referrals", "District Police Lower Dir"),
    ("Handling complaints of violence against women", "Police Training School, Swat"),
    ("First aid and emergency response", "Rescue 1122 Lower Dir"),
    ("Respectful conduct and procedural justice", "Police Training College, Hangu"),
)


def _new_user(username: str, role: str, first_name: str, last_name: str, scope: dict[str, object]) -> User:
    if User.objects.filter(username=username).exists():
        raise CommandError(
            f"A user named {username!r} exists that is not part of the demo; "
            "rename it before seeding the demo."
        )
    user = User(
        username=username,
        role=role,
        first_name=first_name,
        last_name=last_name,
        email=f"{username}@{DEMO_EMAIL_DOMAIN}",
        is_superuser=role == Role.ADMIN,
        **scope,
    )
    if username == role:  # a demo login
        password = demo_password(role)
        validate_password(password, user)
        user.set_password(password)
    else:
        # Officers shown on beat pages but not meant for logging in: PBKDF2 for 20 more
        # passwords would only slow the seed down.
        user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


def _add_device(user: User) -> None:
    secret = base64.b32decode(demo_totp_secret(user.role))
    TOTPDevice.objects.create(user=user, name=DEMO_DEVICE_NAME, key=secret.hex(), confirmed=True)


def seed(ctx: DemoContext) -> None:
    stations = {s.code: s for s in PoliceStation.objects.filter(district__code=DISTRICT_CODE)}
    beats = {b.code: b for b in Beat.objects.filter(station__district__code=DISTRICT_CODE)}
    service_numbers: set[str] = set()
    for spec in OFFICERS:
        if spec.role == Role.OFFICER and len(spec.beats) == 1:
            scope: dict[str, object] = {"scope_beat": beats[spec.beats[0]]}
        else:
            scope = {"scope_station": stations[spec.station]}
        user = _new_user(spec.username, spec.role, spec.first_name, spec.last_name, scope)
        while True:
            number = f"LD-{ctx.rng.randint(10_000, 99_999)}"
            if number not in service_numbers:
                service_numbers.add(number)
                break
        profile = OfficerProfile(
            user=user,
            rank=spec.rank,
            service_number=number,
            gender=spec.gender,
            station=stations[spec.station],
            languages=list(spec.languages),
            display_name_ur=LOCAL_NAMES.get(spec.username, ("", ""))[0],
            display_name_ps=LOCAL_NAMES.get(spec.username, ("", ""))[1],
            public_bio=spec.bio,
            public_bio_ur=LOCAL_BIOS.get(spec.username, ("", ""))[0],
            public_bio_ps=LOCAL_BIOS.get(spec.username, ("", ""))[1],
            duty_phone=spec.duty_phone,
            on_womens_desk=spec.on_womens_desk,
        )
        profile.full_clean()
        profile.save()
        profile.beats.set([beats[code] for code in spec.beats])
        _seed_training(ctx, profile, spec)
        if spec.role in STAFF_ROLES and spec.username == spec.role:
            _add_device(user)

    for account in ACCOUNTS:
        scope = {}
        if account.scope.startswith("beat:"):
            scope = {"scope_beat": beats[account.scope[5:]]}
        elif account.scope.startswith("station:"):
            scope = {"scope_station": stations[account.scope[8:]]}
        elif account.scope == "district":
            scope = {"scope_district": next(iter(stations.values())).district}
        user = _new_user(account.role, account.role, account.first_name, account.last_name, scope)
        if account.role in STAFF_ROLES:
            _add_device(user)
    ctx.say(f"people: {len(OFFICERS)} officers, {len(Role.values)} demo logins")
    describe(ctx)


def _seed_training(ctx: DemoContext, profile: OfficerProfile, spec: OfficerSpec) -> None:
    courses = list(COURSES)
    chosen = ctx.rng.sample(courses, k=ctx.rng.randint(0, 3))
    if spec.on_womens_desk and courses[1] not in chosen:
        chosen.append(courses[1])
    for course, provider in chosen:
        TrainingRecord.objects.create(
            officer=profile,
            course=course,
            provider=provider,
            completed_on=ctx.today - dt.timedelta(days=ctx.rng.randint(60, 1500)),
        )
    if spec.username in (Role.OFFICER, Role.WOMENS_DESK):
        # The field study's two young officers had "recently" taken the community policing course.
        TrainingRecord.objects.update_or_create(
            officer=profile,
            course=COURSES[0][0],
            defaults={"provider": COURSES[0][1], "completed_on": ctx.today - dt.timedelta(days=200)},
        )


def describe(ctx: DemoContext) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=Role.values)}
    for role in Role.values:
        ctx.values[f"login_{role}"] = role
        ctx.values[f"password_{role}"] = demo_password(role)
        if role in STAFF_ROLES:
            ctx.values[f"totp_secret_{role}"] = demo_totp_secret(role)
        if role in users:
            ctx.accounts[role] = users[role]


def reset(ctx: DemoContext) -> None:
    in_demo = (
        Q(email__iendswith="@" + DEMO_EMAIL_DOMAIN)
        | Q(scope_district__code=DISTRICT_CODE)
        | Q(scope_station__district__code=DISTRICT_CODE)
        | Q(scope_beat__station__district__code=DISTRICT_CODE)
        | Q(officer_profile__station__district__code=DISTRICT_CODE)
    )
    users = User.objects.filter(in_demo)
    # The access log is append-only and keeps its actors: retire those accounts instead.
    logged = set(AccessLog.objects.filter(actor__in=users).values_list("actor_id", flat=True))
    for user in users.filter(pk__in=logged):
        OfficerProfile.objects.filter(user=user).delete()
        TOTPDevice.objects.filter(user=user).delete()
        user.username = f"retired-{user.pk}-{user.username}"[:150]
        user.email = ""
        user.is_active = False
        user.is_superuser = False
        user.role = Role.RESIDENT
        user.scope_district = user.scope_station = user.scope_beat = None
        user.set_unusable_password()
        user.save(
            update_fields=[
                "username",
                "email",
                "is_active",
                "is_superuser",
                "role",
                "scope_district",
                "scope_station",
                "scope_beat",
                "password",
            ]
        )
    users.exclude(pk__in=logged).delete()
