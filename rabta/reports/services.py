"""Writes that touch several models or send something: intake, status changes, contact reveals.

Keyword-only functions. A report the viewer may not see raises `rabta.core.errors.NotVisible`
(views answer 404); reads shared by views are in selectors.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from rabta.audit.models import AccessLog, record_access
from rabta.core.errors import NotVisible
from rabta.lib.geo import snap_to_grid
from rabta.people.models import Gender, User
from rabta.places.lookup import beat_index
from rabta.places.models import AGE_BAND_LABELS, Beat
from rabta.reports import contact as contact_crypto
from rabta.reports import tracking
from rabta.reports.lifecycle import IllegalTransition, Status
from rabta.reports.models import Category, Channel, Photo, Report, ReportUpdate
from rabta.reports.notify import Event, notify_assignee, notify_reporter
from rabta.reports.photos import ProcessedPhoto, process_upload

MAX_PHOTOS = 3
_CODE_ATTEMPTS = 8


@dataclass(frozen=True)
class Submission:
    report: Report
    token: str
    code: str
    created: bool  # False when an idempotent replay found the report made by the first request

    @property
    def display_code(self) -> str:
        return tracking.format_code(self.code)


def _credentials(idempotency_key: str | None, attempt: int) -> tuple[str, str]:
    if idempotency_key:
        return tracking.derived_credentials(idempotency_key, attempt)
    return tracking.new_token(), tracking.new_code()


def _replay(idempotency_key: str) -> Submission | None:
    report = Report.objects.filter(idempotency_key=tracking.hash_idempotency_key(idempotency_key)).first()
    if report is None:
        return None
    for attempt in range(_CODE_ATTEMPTS):
        token, code = tracking.derived_credentials(idempotency_key, attempt)
        if tracking.hash_code(code) == report.tracking_code_hash:
            return Submission(report=report, token=token, code=code, created=False)
    raise RuntimeError("stored report does not match its idempotency key")  # pragma: no cover


def replay(*, idempotency_key: str) -> Submission | None:
    """The report a form's key already made, with its credentials (derived again), or None."""
    return _replay(idempotency_key)


def submit_report(
    *,
    category: Category,
    description: str,
    beat: Beat | None = None,
    lat: float | None = None,
    lon: float | None = None,
    place_description: str = "",
    occurred_on: dt.date | None = None,
    occurred_period: str = "",
    channel: str = Channel.WEB,
    language: str = "en",
    phone: str = "",
    email: str = "",
    no_sms: bool = False,
    safe_call_hours: str = "",
    woman_officer_only: bool = False,
    contact_consent: bool | None = None,
    neutral_wording: bool = False,
    survey_wanted: bool | None = None,
    reporter_gender: str = "",
    reporter_age_band: str = "",
    photos: Sequence[IO[bytes] | ProcessedPhoto] = (),
    idempotency_key: str | None = None,
    subject_officer: User | None = None,
    beat_id: int | None = None,
    on_created: Callable[[Report], object] | None = None,
) -> Submission:
    """Create a report with its credentials, photos and first update (deadlines: reports.tasks).

    Photos may be uploaded files (checked here; PhotoError propagates) or already processed.
    `contact_consent` says whether staff may see and use the contact; by default a contact given
    (web form, API) is given to be used. The SMS channel passes False unless the resident said yes:
    the number it came from is then kept only to answer STATUS and carry updates, and the report is
    anonymous to staff. With an idempotency key, a second call returns the first call's report and
    credentials.
    `reporter_gender` and `reporter_age_band` are the reporter's optional answers (blank: not
    given), kept for counts only (Report.reporter_gender).
    `beat_id` may stand in for `beat` when the caller already looked the point up (no Beat row is
    read). `on_created(report)` runs inside the report's own transaction, so a caller's extra rows
    commit with the report or not at all without a transaction of its own around this call: called
    outside any transaction, an intake is one BEGIN ... COMMIT and no savepoint.
    """
    if idempotency_key:
        existing = _replay(idempotency_key)
        if existing is not None:
            return existing
    if len(photos) > MAX_PHOTOS:
        raise ValidationError(f"at most {MAX_PHOTOS} photos")
    if reporter_gender not in ("", *Gender.values) or reporter_age_band not in ("", *AGE_BAND_LABELS):
        raise ValidationError("unknown reporter gender or age band")
    processed = [p if isinstance(p, ProcessedPhoto) else process_upload(p) for p in photos]

    phone_e164 = contact_crypto.normalise_phone(phone) if phone.strip() else ""
    email_norm = contact_crypto.normalise_email(email) if email.strip() else ""
    consent = bool(phone_e164 or email_norm) if contact_consent is None else contact_consent
    consent = consent and bool(phone_e164 or email_norm)
    if beat is not None:
        beat_id = beat.pk
    elif beat_id is None and lat is not None and lon is not None:
        beat_id = beat_index.beat_id_at(lat, lon)
    public_lat = public_lon = None
    if lat is not None and lon is not None:
        public_lat, public_lon = snap_to_grid(lat, lon)

    report = Report(
        category=category,
        beat_id=beat_id,
        lat=lat,
        lon=lon,
        public_lat=public_lat,
        public_lon=public_lon,
        place_description=place_description.strip()[:300],
        description=description.strip(),
        occurred_on=occurred_on,
        occurred_period=occurred_period,
        channel=channel,
        language=language[:8] or "en",
        subject_officer=subject_officer,
        anonymous=not consent,
        contact_consent=consent,
        neutral_wording=neutral_wording,
        no_sms=no_sms,
        safe_call_hours=safe_call_hours.strip()[:100],
        woman_officer_only=woman_officer_only,
        survey_wanted=survey_wanted,
        reporter_gender=reporter_gender,
        reporter_age_band=reporter_age_band,
        idempotency_key=tracking.hash_idempotency_key(idempotency_key) if idempotency_key else None,
    )
    if phone_e164:
        report.contact_phone_encrypted = contact_crypto.encrypt_phone(phone_e164)
        report.contact_phone_index = contact_crypto.phone_index(phone_e164)
    if email_norm:
        report.contact_email_encrypted = contact_crypto.encrypt_email(email_norm)
        report.contact_email_index = contact_crypto.email_index(email_norm)
    if beat is not None:
        report.beat = beat  # keeps the caller's object (and its station) on the report
    report.created_at = timezone.now()
    report.set_deadlines()

    for attempt in range(_CODE_ATTEMPTS):
        token, code = _credentials(idempotency_key, attempt)
        report.tracking_token_hash = tracking.hash_token(token)
        report.tracking_code_hash = tracking.hash_code(code)
        try:
            with transaction.atomic():
                report.save(force_insert=True)
                for item in processed:
                    _save_photo(report, item)
                ReportUpdate.objects.create(
                    report=report,
                    author=None,
                    public=False,
                    to_status=Status.NEW,
                    created_at=report.created_at,
                )
                if on_created is not None:
                    on_created(report)
        except IntegrityError:
            report.pk = None
            report._state.adding = True
            if idempotency_key:
                existing = _replay(idempotency_key)
                if existing is not None:  # the twin request won the race
                    return existing
            if Report.objects.filter(tracking_code_hash=report.tracking_code_hash).exists():
                continue  # code collision: draw again
            raise
        break
    else:  # pragma: no cover - 8 collisions in a 9e9 space
        raise RuntimeError("could not allocate a tracking code")

    transaction.on_commit(lambda: _after_submit(report))
    return Submission(report=report, token=token, code=code, created=True)


def _save_photo(report: Report, item: ProcessedPhoto) -> Photo:
    photo = Photo(report=report, width=item.width, height=item.height)
    photo.image.save("photo.jpg", ContentFile(item.image), save=False)
    photo.thumbnail.save("thumb.jpg", ContentFile(item.thumbnail), save=False)
    photo.save()
    return photo


def _after_submit(report: Report) -> None:
    notify_reporter(report=report, event="received")


# ---- lifecycle with notifications ---------------------------------------------------------


def change_status(
    *,
    report: Report,
    by: User,
    to: str,
    note: str = "",
    public: bool = True,
    referred_to: str = "",
    duplicate_of: Report | None = None,
    reason: str = "",
    note_ur: str = "",
    note_ps: str = "",
) -> ReportUpdate:
    """Move a report to status `to` (IllegalTransition if not allowed) and tell the reporter."""
    with transaction.atomic():
        if to == Status.ACKNOWLEDGED and report.status == Status.DUPLICATE:
            update = report.reopen(by=by, note=note, public=public)
        elif to == Status.ACKNOWLEDGED:
            update = report.acknowledge(by=by, note=note, public=public)
        elif to == Status.IN_PROGRESS and report.status in (Status.RESOLVED, Status.REFERRED):
            update = report.reopen(by=by, note=note, public=public)
        elif to == Status.IN_PROGRESS:
            update = report.start(by=by, note=note, public=public)
        elif to == Status.RESOLVED:
            update = report.resolve(by=by, note=note, public=public)
        elif to == Status.REFERRED:
            update = report.refer(by=by, to=referred_to, note=note, public=public)
        elif to == Status.DUPLICATE:
            if duplicate_of is None:
                raise IllegalTransition(report.status, to, "say which report it duplicates")
            update = report.mark_duplicate(by=by, of=duplicate_of, note=note, public=public)
        elif to == Status.CLOSED:
            update = report.close(by=by, reason=reason, note=note, public=public)
        else:
            raise IllegalTransition(report.status, to)
        _keep_note_versions(update, note_ur=note_ur, note_ps=note_ps)
        transaction.on_commit(lambda: _notify(report, "status"))
    return update


def _keep_note_versions(update: ReportUpdate, *, note_ur: str, note_ps: str) -> None:
    """The Urdu and Pashto versions of a public note; an internal one keeps none (no resident reads it)."""
    if not (update.public and update.note):
        return
    versions = {"note_ur": note_ur.strip(), "note_ps": note_ps.strip()}
    fields = [name for name, text in versions.items() if text]
    for name in fields:
        setattr(update, name, versions[name])
    if fields:
        update.save(update_fields=fields)


def add_note(
    *, report: Report, by: User, note: str, public: bool, note_ur: str = "", note_ps: str = ""
) -> ReportUpdate:
    if not note.strip():
        raise ValidationError("a note needs text")
    with transaction.atomic():
        update = report.add_note(by=by, note=note, public=public)
        _keep_note_versions(update, note_ur=note_ur, note_ps=note_ps)
        if public:
            transaction.on_commit(lambda: _notify(report, "note"))
    return update


def assign(*, report: Report, to: User | None, by: User) -> ReportUpdate:
    """Assign to someone who may read the report: a sensitive report never goes to a male officer,
    and a women-only one only to a woman officer of the desk (not to a station head who is a man)."""
    if to is not None and not report.content_visible_to(to):
        raise PermissionDenied("the assignee cannot read this report")
    return report.assign(to=to, by=by)


def use_neutral_wording(*, report: Report) -> bool:
    """Messages about the report say only "there is news" from now on (a resident asked, say by
    phone). Only ever switched on: the reporter's own choice is never undone by staff."""
    if report.neutral_wording:
        return False
    report.neutral_wording = True
    report.save(update_fields=["neutral_wording", "updated_at"])
    return True


def _notify(report: Report, event: Event) -> None:
    notify_reporter(report=report, event=event)


# ---- the resident's additions (tracking page, SMS) ----------------------------------------------

# A resident's photos after intake, on top of the report's own: enough to show a change, not a gallery.
MAX_LATER_PHOTOS = 3
# The same words again this soon are a double tap or a resent SMS, not news.
_REPEAT_WINDOW = dt.timedelta(minutes=10)


class AdditionRefused(ValueError):
    """The resident cannot add this; str() is a translated message for them."""


def _repeat_of(report: Report, note: str, now: dt.datetime, *, status_change: bool) -> ReportUpdate | None:
    recent = report.updates.filter(from_resident=True, created_at__gte=now - _REPEAT_WINDOW, note=note)
    recent = recent.exclude(to_status="") if status_change else recent.filter(to_status="")
    return recent.order_by("-created_at", "-pk").first()


def _same_photo_since(report: Report, photo: ProcessedPhoto, since: dt.datetime) -> bool:
    # A re-sent form's photo is re-encoded to the same size; a different photo almost never is.
    return report.photos.filter(created_at__gte=since, width=photo.width, height=photo.height).exists()


def add_information(*, report: Report, text: str, photo: ProcessedPhoto | None = None) -> ReportUpdate:
    """More words and/or a photo from whoever holds the tracking code; the assignee is told.

    Nothing about the sender is kept: the update has no author and the photo is re-encoded like
    the report's own. A closed report takes nothing (a new concern is a new report); the same words
    within ten minutes are stored once.
    """
    text = (text or "").strip()
    if not text and photo is None:
        raise AdditionRefused(_("Write something or choose a photo."))
    if report.status == Status.CLOSED:
        raise AdditionRefused(_("This report is closed. For a new concern, send a new report."))
    now = timezone.now()
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        earlier = _repeat_of(locked, text[:2000], now, status_change=False)
        if earlier is not None and (photo is None or _same_photo_since(locked, photo, earlier.created_at)):
            return earlier
        if photo is not None:
            if locked.photos.count() >= MAX_PHOTOS + MAX_LATER_PHOTOS:
                raise AdditionRefused(_("This report already has all the photos it can take."))
            _save_photo(locked, photo)
        update = locked.add_resident_info(text=text, now=now)
        transaction.on_commit(lambda: notify_assignee(report=locked, event="resident_info"))
    return update


def say_not_fixed(*, report: Report, reason: str) -> ReportUpdate:
    """The resident reopens a resolved report (Report.not_fixed: within 30 days, with a reason).

    IllegalTransition when the report is not resolved or was resolved too long ago. Sent twice
    (a double tap, the same SMS again), the second finds the first and changes nothing.
    """
    now = timezone.now()
    with transaction.atomic():
        locked = Report.objects.select_for_update().select_related("category").get(pk=report.pk)
        earlier = _repeat_of(locked, (reason or "").strip()[:2000], now, status_change=True)
        if earlier is not None and locked.status != Status.RESOLVED:
            return earlier
        update = locked.not_fixed(reason=reason, now=now)
        transaction.on_commit(lambda: notify_assignee(report=locked, event="resident_not_fixed"))
        transaction.on_commit(lambda: _notify(locked, "status"))
    report.refresh_from_db()
    return update


# ---- staff reveals (audited) --------------------------------------------------------------


class Refused(PermissionDenied):
    """A staff member who can see the report may not have this detail; the refusal is logged.
    str() is a translated message for the officer. A PermissionDenied, so unmapped it is a 403."""

    reason = ""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ContactRefused(Refused):
    pass


class LocationRefused(Refused):
    pass


WOMEN_ONLY = "women's desk only"
NO_CONSENT = "reporter did not agree to be contacted"
ERASED = "contact erased under the retention period"


def _check_visible(report: Report, viewer: User) -> None:
    if not Report.objects.visible_to(viewer).filter(pk=report.pk).exists():
        raise NotVisible("no such report")


def _refuse(error: type[Refused], *, report: Report, viewer: User, what: str, reason: str) -> Refused:
    record_access(actor=viewer, action=AccessLog.Action.REFUSED, obj=report, detail=f"{what}: {reason}")
    if reason == WOMEN_ONLY:
        message = _("Only women officers of the women's desk can see this. Your request was recorded.")
    elif reason == ERASED and report.contact_erased_at:
        message = _("The contact details were erased on %(date)s, when their retention period ended.") % {
            "date": formats.date_format(timezone.localtime(report.contact_erased_at), "DATE_FORMAT")
        }
    else:
        message = _("The reporter did not agree to be contacted. Your request was recorded.")
    refused = error(str(message))
    refused.reason = reason
    return refused


def reveal_contact(*, report: Report, viewer: User) -> contact_crypto.Contact:
    """The reporter's contact for a staff member allowed to read the report; every call is logged.

    NotVisible out of scope (nothing logged: the report does not exist for the viewer). ContactRefused,
    after an AccessLog REFUSED row, when the report is women-only and the viewer is not a woman
    officer of the desk, or when the reporter did not agree to be contacted (an anonymous report,
    or an SMS report whose sender did not say yes): the kept number only carries updates.
    """
    _check_visible(report, viewer)
    if not report.content_visible_to(viewer, in_scope=True):
        raise _refuse(ContactRefused, report=report, viewer=viewer, what="contact", reason=WOMEN_ONLY)
    if report.contact_erased_at:
        raise _refuse(ContactRefused, report=report, viewer=viewer, what="contact", reason=ERASED)
    if not report.contact_consent:
        raise _refuse(ContactRefused, report=report, viewer=viewer, what="contact", reason=NO_CONSENT)
    record_access(actor=viewer, action=AccessLog.Action.VIEW_CONTACT, obj=report, detail="reporter contact")
    return contact_crypto.decrypt_contact(report)


def reveal_location(*, report: Report, viewer: User) -> tuple[float, float] | None:
    """The precise point, logged; LocationRefused (logged) on a women-only report for anyone but a
    woman officer of the desk."""
    _check_visible(report, viewer)
    if not report.content_visible_to(viewer, in_scope=True):
        raise _refuse(LocationRefused, report=report, viewer=viewer, what="location", reason=WOMEN_ONLY)
    if report.lat is None or report.lon is None:
        return None
    record_access(actor=viewer, action=AccessLog.Action.VIEW_LOCATION, obj=report, detail="precise location")
    return report.lat, report.lon


def open_photo(*, public_id: str, viewer: User, thumbnail: bool = False) -> Photo:
    """A report's photo (or its thumbnail) for a viewer who may read the report's content; logged.

    NotVisible when there is no such photo or its report is out of the viewer's scope (nothing
    logged), and also, after an AccessLog REFUSED row, when the viewer sees that the report exists
    but may not read it (a women-only report): the view answers 404 in every case, so the answer
    does not tell a curious officer which photos exist.
    """
    item = Photo.objects.select_related("report").filter(public_id=public_id).first()
    if item is None or not Report.objects.visible_to(viewer).filter(pk=item.report_id).exists():
        raise NotVisible("no such photo")
    what = "photo thumbnail" if thumbnail else "photo"
    if not item.report.content_visible_to(viewer, in_scope=True):
        record_access(
            actor=viewer, action=AccessLog.Action.REFUSED, obj=item.report, detail=f"{what}: {WOMEN_ONLY}"
        )
        raise NotVisible("no such photo")
    record_access(
        actor=viewer, action=AccessLog.Action.VIEW_PHOTO, obj=item.report, detail=f"{what} {item.public_id}"
    )
    return item
