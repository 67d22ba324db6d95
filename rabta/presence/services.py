"""Writes of the presence app. Contacts: logging one (from the form, the offline outbox, SMS), the
feedback consent that may come with it, revealing its private point, officers' SMS phones."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rabta.audit.models import AccessLog, record_access
from rabta.core.crypto import field_cipher
from rabta.core.errors import NotVisible
from rabta.lib.phones import InvalidPhoneNumber, normalise
from rabta.messaging.models import Phone
from rabta.messaging.phones import phone_for
from rabta.people.models import Role, User
from rabta.places.models import Beat
from rabta.presence import rollup
from rabta.presence.models import (
    FEEDBACK_PHONE,
    PEOPLE_MET_FIELDS,
    Contact,
    ContactChannel,
    ContactKind,
    FeedbackConsent,
    OfficerPhone,
    is_proactive_kind,
)
from rabta.reports.models import Report

# Who logs contacts: the people who do the patrols and visits. Coordinators, analysts and
# oversight read them; they do not make them.
LOGGING_ROLES = frozenset({Role.OFFICER, Role.WOMENS_DESK, Role.STATION_HEAD})

# How long a contact of each kind usually lasts: the form's and SMS's default when no time is given.
DEFAULT_MINUTES: dict[str, int] = {
    ContactKind.FOOT_PATROL: 60,
    ContactKind.VEHICLE_PATROL: 60,
    ContactKind.DOOR_TO_DOOR: 30,
    ContactKind.SHOP_VISIT: 15,
    ContactKind.SCHOOL_VISIT: 45,
    ContactKind.CHECK_IN: 45,
    ContactKind.WOMENS_OUTREACH: 45,
    ContactKind.CALL_RESPONSE: 30,
    ContactKind.REPORT_FOLLOW_UP: 30,
    ContactKind.OTHER: 30,
}
MAX_DURATION = dt.timedelta(hours=16)
# An entry kept offline for a long trip still arrives; anything older is a mistake in the date.
MAX_AGE = dt.timedelta(days=14)
MAX_PEOPLE = 5000


def can_log(user: User) -> bool:
    return bool(user.is_active and user.role in LOGGING_ROLES)


def default_window(kind: str, *, now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """(started, ended) for a contact of `kind` that has just ended."""
    ended = (now or timezone.now()).replace(second=0, microsecond=0)
    return ended - dt.timedelta(minutes=DEFAULT_MINUTES.get(kind, 30)), ended


@dataclass(frozen=True)
class Logged:
    contact: Contact
    created: bool  # False: the same client id was sent before, and this is the contact it made


def _check(
    *,
    officer: User,
    kind: str,
    beats: Sequence[Beat],
    started_at: dt.datetime,
    ended_at: dt.datetime,
    lat: float | None,
    lon: float | None,
    counts: Mapping[str, int],
    report: Report | None,
) -> None:
    errors: dict[str, str] = {}
    if kind not in ContactKind.values:
        errors["kind"] = _("Choose what kind of contact it was.")
    if not beats:
        errors["beats"] = _("Choose the beat.")
    else:
        visible = set(
            Beat.objects.visible_to(officer)
            .filter(pk__in=[b.pk for b in beats])
            .order_by()  # a set: the beats' ordering joins the stations for nothing
            .values_list("pk", flat=True)
        )
        if visible != {b.pk for b in beats}:
            raise NotVisible("beat out of scope")
        if len({b.station_id for b in beats}) > 1:
            errors["beats"] = _("Choose beats of one station only.")
    now = timezone.now()
    if ended_at < started_at:
        errors["ended_at"] = _("A contact cannot end before it starts.")
    elif ended_at - started_at > MAX_DURATION:
        errors["ended_at"] = _("A contact lasts at most 16 hours. Log a long duty as several contacts.")
    if started_at > now + dt.timedelta(minutes=10) or ended_at > now + dt.timedelta(minutes=10):
        errors["started_at"] = _("A contact cannot be in the future.")
    elif started_at < now - MAX_AGE:
        errors["started_at"] = _("A contact can be logged up to 14 days later, not more.")
    if (lat is None) != (lon is None) or (
        lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180)
    ):
        errors["lat"] = _("The GPS point could not be read. Leave it out or try again.")
    for name in counts:
        if name not in PEOPLE_MET_FIELDS or not 0 <= int(counts[name]) <= MAX_PEOPLE:
            errors[name] = _("Enter a number from 0 to 5000.")
    if report is not None and not Report.objects.visible_to(officer).filter(pk=report.pk).exists():
        raise NotVisible("report out of scope")
    if errors:
        raise ValidationError(errors)


def log_contact(
    *,
    officer: User,
    kind: str,
    beats: Sequence[Beat],
    started_at: dt.datetime,
    ended_at: dt.datetime,
    proactive: bool | None = None,
    place: str = "",
    lat: float | None = None,
    lon: float | None = None,
    counts: Mapping[str, int] | None = None,
    note: str = "",
    report: Report | None = None,
    meeting_id: int | None = None,
    channel: str = ContactChannel.WEB,
    client_id: uuid.UUID | None = None,
    recorded_by: User | None = None,
    feedback_phone: str = "",
    feedback_language: str = "ur",
) -> Logged:
    """Record a contact for `officer`, once per client id: sent again (Back and Send, the outbox
    resending after a lost answer, an SMS retried) it returns the contact the first send made.

    `proactive` None takes it from the kind. A feedback phone (the resident agreed to one message
    later) is stored encrypted beside it. ValidationError for what the officer can fix; NotVisible
    for a beat, report or meeting outside the officer's scope; PermissionDenied-like ValidationError
    for a role that does not log contacts.
    """
    client_id = client_id or uuid.uuid4()
    existing = Contact.objects.filter(officer=officer, client_id=client_id).first()
    if existing is not None:
        return Logged(existing, created=False)
    if not can_log(officer):
        raise ValidationError(_("Only officers and station heads log contacts."))
    counts = dict(counts or {})
    _check(
        officer=officer,
        kind=kind,
        beats=beats,
        started_at=started_at,
        ended_at=ended_at,
        lat=lat,
        lon=lon,
        counts=counts,
        report=report,
    )
    if meeting_id is not None:
        meetings: Any = Contact._meta.get_field("meeting").related_model._default_manager  # type: ignore[union-attr]
        if not meetings.visible_to(officer).filter(pk=meeting_id).exists():
            raise NotVisible("meeting out of scope")
    phone = ""
    if feedback_phone.strip():
        try:
            phone = normalise(feedback_phone)
        except InvalidPhoneNumber:
            raise ValidationError(
                {"feedback_phone": _("Enter a phone number such as 0300 1234567.")}
            ) from None
    contact = Contact(
        officer=officer,
        station_id=beats[0].station_id,
        kind=kind,
        proactive=is_proactive_kind(kind) if proactive is None else proactive,
        started_at=started_at,
        ended_at=ended_at,
        place=" ".join(place.split())[:200],
        lat=lat,
        lon=lon,
        note=note.strip()[:2000],
        report=report,
        meeting_id=meeting_id,
        channel=channel,
        client_id=client_id,
        recorded_by=recorded_by or officer,
        **{name: int(counts.get(name, 0)) for name in PEOPLE_MET_FIELDS},
    )
    try:
        with transaction.atomic():
            contact.save()
            # A new contact has no beats yet: one INSERT, not set()'s SELECT of the current ones.
            beat_ids = list(dict.fromkeys(b.pk for b in beats))
            through = Contact.beats.through
            through.objects.bulk_create([through(contact_id=contact.pk, beat_id=pk) for pk in beat_ids])
            rollup.add_contact(contact, beat_ids)
            if phone:
                FeedbackConsent.objects.create(
                    contact=contact,
                    phone_encrypted=field_cipher().encrypt(phone, context=FEEDBACK_PHONE),
                    language=feedback_language,
                )
    except IntegrityError:
        # The same entry arrived twice at once (two tabs, a retry racing the first send).
        first = Contact.objects.filter(officer=officer, client_id=client_id).first()
        if first is None:
            raise
        return Logged(first, created=False)
    return Logged(contact, created=True)


def reveal_point(*, contact: Contact, viewer: User) -> tuple[float, float] | None:
    """The contact's private GPS point for a viewer in scope, written to the access log."""
    if not Contact.objects.visible_to(viewer).filter(pk=contact.pk).exists():
        raise NotVisible("no such contact")
    if contact.lat is None or contact.lon is None:
        return None
    record_access(
        actor=viewer, action=AccessLog.Action.VIEW_LOCATION, obj=contact, detail="contact GPS point"
    )
    return contact.lat, contact.lon


def feedback_phone(*, consent: FeedbackConsent) -> str:
    """The phone a resident gave for one feedback message; empty once used or erased."""
    if consent.erased_at or consent.used_at or not consent.phone_encrypted:
        return ""
    return field_cipher().decrypt(consent.phone_encrypted, context=FEEDBACK_PHONE)


@transaction.atomic
def use_feedback_consent(*, consent: FeedbackConsent) -> str:
    """Take the phone for the one message it was given for, and erase it: it is never used twice."""
    locked = FeedbackConsent.objects.select_for_update().get(pk=consent.pk)
    phone = feedback_phone(consent=locked)
    now = timezone.now()
    locked.phone_encrypted, locked.used_at, locked.erased_at = "", now, now
    locked.save(update_fields=["phone_encrypted", "used_at", "erased_at"])
    return phone


def check_officer_phone(*, officer: User, number: str) -> str:
    """The number in E.164 if `officer` may log contacts from it; ValidationError otherwise."""
    if not can_log(officer):
        raise ValidationError({"officer": _("Only officers and station heads log contacts.")})
    try:
        e164 = normalise(number)
    except InvalidPhoneNumber:
        raise ValidationError({"number": _("Enter a phone number such as 0300 1234567.")}) from None
    taken = OfficerPhone.objects.filter(phone__in=Phone.objects.for_number(e164)).exclude(officer=officer)
    if taken.exists():
        raise ValidationError({"number": _("Another officer logs from this number.")})
    return e164


@transaction.atomic
def register_officer_phone(*, officer: User, number: str, by: User) -> OfficerPhone:
    """Let `officer` log contacts by SMS from `number`, replacing any number registered before."""
    e164 = check_officer_phone(officer=officer, number=number)
    link, _created = OfficerPhone.objects.update_or_create(
        officer=officer, defaults={"phone": phone_for(e164), "registered_by": by}
    )
    record_access(
        actor=by, action=AccessLog.Action.CHANGE, obj=link, detail="registered an officer's SMS phone"
    )
    return link
