"""Small builders for test data. Plain functions: explicit, no magic sequences to chase."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django_otp.plugins.otp_totp.models import TOTPDevice

from rabta.people.models import Gender, OfficerProfile, Rank, Role, User
from rabta.places.models import Beat, District, PoliceStation

_seq = itertools.count(1)


def square(lon: float, lat: float, size: float = 0.01) -> dict[str, Any]:
    """A GeoJSON square polygon with its south-west corner at (lon, lat)."""
    return {
        "type": "Polygon",
        "coordinates": [
            [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
        ],
    }


def district(**kw: Any) -> District:
    n = next(_seq)
    kw.setdefault("code", f"D{n}")
    kw.setdefault("name", f"District {n}")
    return District.objects.create(**kw)


def station(district_obj: District | None = None, **kw: Any) -> PoliceStation:
    n = next(_seq)
    kw.setdefault("code", f"PS{n}")
    kw.setdefault("name", f"Station {n}")
    kw.setdefault("phone", "0945-9250001")
    if kw.get("has_womens_desk"):
        kw.setdefault("womens_desk_phone", "0945-9250099")
        kw.setdefault("womens_desk_days", "123456")
        kw.setdefault("womens_desk_opens", dt.time(9, 0))
        kw.setdefault("womens_desk_closes", dt.time(17, 0))
    return PoliceStation.objects.create(district=district_obj or district(), **kw)


def beat(
    station_obj: PoliceStation | None = None, *, lon: float = 71.8, lat: float = 34.8, **kw: Any
) -> Beat:
    n = next(_seq)
    kw.setdefault("code", f"B{n}")
    kw.setdefault("name", f"Beat {n}")
    kw.setdefault("boundary", square(lon, lat))
    kw.setdefault("population_women_15_29", 1200)
    kw.setdefault("population_women_30_44", 900)
    kw.setdefault("population_women_45_59", 600)
    kw.setdefault("population_women_60", 300)
    kw.setdefault("population_men_15_29", 1300)
    kw.setdefault("population_men_30_44", 950)
    kw.setdefault("population_men_45_59", 650)
    kw.setdefault("population_men_60", 320)
    return Beat.objects.create(station=station_obj or station(), **kw)


TEST_PASSWORD = "correct horse battery"


def user(role: str = Role.RESIDENT, *, password: str = TEST_PASSWORD, **kw: Any) -> User:
    n = next(_seq)
    kw.setdefault("username", f"user{n}")
    kw.setdefault("first_name", "Test")
    kw.setdefault("last_name", f"Person{n}")
    u = User(role=role, **kw)
    u.set_password(password)
    u.full_clean()
    u.save()
    return u


def officer(
    *,
    station_obj: PoliceStation,
    beats: list[Beat] | tuple[Beat, ...] = (),
    gender: str = Gender.MAN,
    role: str = Role.OFFICER,
    on_womens_desk: bool = False,
    **kw: Any,
) -> User:
    scope: dict[str, Any] = {}
    if role == Role.OFFICER and len(beats) == 1:
        scope["scope_beat"] = beats[0]
    else:
        scope["scope_station"] = station_obj
    u = user(role, **scope, **kw)
    profile = OfficerProfile.objects.create(
        user=u,
        rank=Rank.CONSTABLE,
        service_number=f"SN{next(_seq):05d}",
        gender=gender,
        station=station_obj,
        languages=["ps", "ur"],
        on_womens_desk=on_womens_desk,
    )
    profile.beats.set(beats)
    return u


def totp_device(u: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=u, name="test", confirmed=True)


def report(category_code: str = "street_lighting", *, beat_obj: Beat | None = None, **kw: Any) -> Any:
    """A resident's report through the real intake service; returns the Submission (report, token, code)."""
    from rabta.reports.models import Category
    from rabta.reports.services import submit_report

    kw.setdefault("description", "The street light near the mosque has been out for a week.")
    return submit_report(category=Category.objects.get(code=category_code), beat=beat_obj, **kw)


def contact(
    beat_obj: Beat,
    *,
    officer_obj: User | None = None,
    at: dt.datetime | None = None,
    minutes: int = 30,
    kind: str = "foot_patrol",
    proactive: bool | None = None,
    **kw: Any,
) -> Any:
    """A presence contact on one beat, written directly (the logging service has its own tests), and
    counted in the board's day rows as the service counts it."""
    from django.utils import timezone

    from rabta.presence import rollup
    from rabta.presence.models import Contact, is_proactive_kind

    started = at or timezone.now() - dt.timedelta(hours=1)
    if officer_obj is None:
        officer_obj = User.objects.filter(officer_profile__beats=beat_obj).first() or officer(
            station_obj=beat_obj.station, beats=[beat_obj]
        )
    c = Contact.objects.create(
        officer=officer_obj,
        station=beat_obj.station,
        kind=kind,
        proactive=is_proactive_kind(kind) if proactive is None else proactive,
        started_at=started,
        ended_at=started + dt.timedelta(minutes=minutes),
        **kw,
    )
    c.beats.add(beat_obj)
    rollup.add_contact(c, [beat_obj.pk])
    return c
