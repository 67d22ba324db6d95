"""Logging a contact by SMS, for officers without a smartphone: `LOG <kind> <beat> [minutes]`.

The command word and the kinds have English, Urdu (Urdu script and Roman Urdu) and Pashto words;
the confirmation is in the language of the command word. Only a number registered to an officer
(OfficerPhone) is answered here; from any other number the text goes on to the resident
conversation, which answers it as it answers any text it does not know, so nothing says that the
command exists. Plugged into messaging through rabta.messaging.commands (see apps.py).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rabta.core.errors import NotVisible
from rabta.lib.text import ascii_digits, fold, fold_compact, squash_spaces
from rabta.messaging.models import Phone
from rabta.people.models import User
from rabta.places.models import Beat
from rabta.presence import selectors, services
from rabta.presence.models import ContactChannel, ContactKind, OfficerPhone

# Folded command words and the language each one answers in.
COMMAND_WORDS: dict[str, str] = {
    "log": "en",
    fold("اندراج"): "ur",
    fold("درج"): "ur",
    "darj": "ur-latn",
    fold("ثبت"): "ps",
}

# Short words for the kinds, folded; several per kind where officers say it several ways.
KIND_WORDS: dict[str, ContactKind] = {
    word: kind
    for kind, words in {
        ContactKind.FOOT_PATROL: ("patrol", "foot", "gasht", "گشت", "ګزمه", "گزمه", "پیدل"),
        ContactKind.VEHICLE_PATROL: ("vehicle", "mobile", "car", "gari", "گاڑی", "موبائل", "موټر"),
        ContactKind.DOOR_TO_DOOR: ("door", "house", "ghar", "گھر", "کور"),
        ContactKind.SHOP_VISIT: ("shop", "market", "dukan", "دکان", "دوکان"),
        ContactKind.SCHOOL_VISIT: ("school", "college", "سکول", "اسکول", "ښوونځی", "مکتب"),
        ContactKind.CHECK_IN: ("elders", "elder", "committee", "jirga", "جرگہ", "جرګه", "بزرگ", "مشران"),
        ContactKind.WOMENS_OUTREACH: ("women", "khawateen", "خواتین", "ښځې", "ښځو"),
        ContactKind.CALL_RESPONSE: ("call", "کال", "زنګ"),
        ContactKind.REPORT_FOLLOW_UP: ("followup", "follow", "report", "پیروی", "تعقیب"),
        ContactKind.OTHER: ("other", "digar", "دیگر", "نور"),
    }.items()
    for word in (fold(w) for w in words)
}
MAX_MINUTES = 16 * 60
# Client ids of SMS contacts are made from the inbound message: a message handled twice is one contact.
SMS_NAMESPACE = uuid.UUID("6f1c2b0e-3d4a-4c55-9a7e-2b8f1d0c7a61")


def officer_of(phone: Phone) -> User | None:
    link = (
        OfficerPhone.objects.select_related("officer__officer_profile")
        .filter(phone=phone, officer__is_active=True)
        .first()
    )
    if link is None or not services.can_log(link.officer):
        return None
    return link.officer


def _find_beat(officer: User, words: list[str]) -> Beat | None:
    if not words:
        home = selectors.home_beats(officer)
        return home[0] if len(home) == 1 else None
    wanted = fold_compact(" ".join(words))
    for beat in selectors.beats_to_log(officer):
        names = (beat.code, beat.name, beat.name_ur, beat.name_ps)
        if wanted in {fold_compact(n) for n in names if n}:
            return beat
    return None


def usage() -> str:
    return _(
        "Send LOG, the kind, the beat and the minutes, for example: LOG patrol Gulabad 45. "
        "Kinds: patrol, vehicle, door, shop, school, elders, women, call, followup, other."
    )


def handle_officer_sms(*, phone: Phone, text: str, inbound_id: int | None) -> list[str] | None:
    """Replies to an officer's LOG, or None for any other text or any other number."""
    words = squash_spaces(text).split(" ")
    language = COMMAND_WORDS.get(fold(words[0])) if words and words[0] else None
    if language is None:
        return None
    officer = officer_of(phone)
    if officer is None:
        return None
    with translation.override(language):
        return [_log(officer, words[1:], inbound_id)]


def _log(officer: User, args: list[str], inbound_id: int | None) -> str:
    if not args or fold(args[0]) not in KIND_WORDS:
        return usage()
    kind = KIND_WORDS[fold(args[0])]
    rest = args[1:]
    minutes = services.DEFAULT_MINUTES[kind]
    if rest and ascii_digits(rest[-1]).isdigit():
        minutes = int(ascii_digits(rest[-1])[:4])
        rest = rest[:-1]
        if not 1 <= minutes <= MAX_MINUTES:
            return usage()
    beat = _find_beat(officer, rest)
    if beat is None:
        return _(
            "No beat of yours is called that. "
            "Send the beat's name or code, for example: LOG patrol Gulabad 45."
        )
    ended = timezone.now().replace(second=0, microsecond=0)
    client_id = uuid.uuid5(SMS_NAMESPACE, f"inbound:{inbound_id}") if inbound_id else uuid.uuid4()
    try:
        logged = services.log_contact(
            officer=officer,
            kind=kind,
            beats=[beat],
            started_at=ended - dt.timedelta(minutes=minutes),
            ended_at=ended,
            channel=ContactChannel.SMS,
            client_id=client_id,
        )
    except (ValidationError, NotVisible):
        return usage()
    contact = logged.contact
    return _("Logged: %(kind)s, %(beat)s, %(start)s-%(end)s. Thank you.") % {
        "kind": contact.get_kind_display(),
        "beat": beat.local_name,
        "start": timezone.localtime(contact.started_at).strftime("%H:%M"),
        "end": timezone.localtime(contact.ended_at).strftime("%H:%M"),
    }
