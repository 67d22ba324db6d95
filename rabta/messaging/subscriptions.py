"""Beat news by SMS: who gets it, and the phone's own YES before a web sign-up starts.

A number typed on a beat page may belong to anyone, so a web sign-up only asks: it stores a pending
subscription and sends one confirmation SMS (at most one a day per number), and nothing starts until
that phone answers YES. A number that sent STOP is never messaged because of a web sign-up: only its
own START or JOIN by SMS undoes STOP. The page says the same thing whatever happened, so it tells
nobody whether a number exists, is subscribed or opted out.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rabta.core import ratelimit
from rabta.lib.phones import normalise
from rabta.messaging import selectors
from rabta.messaging.models import Phone, Purpose, Subscription
from rabta.messaging.outbound import queue_sms
from rabta.messaging.phones import phone_for
from rabta.places.models import Beat

# A YES counts for sign-ups this recent; an older one is forgotten (its SMS may be long gone).
PENDING_FOR = dt.timedelta(days=7)


def subscribe(*, phone: Phone, beat: Beat) -> Subscription:
    """Start beat news at once: for the phone's own request (JOIN by SMS)."""
    with transaction.atomic(savepoint=False):
        existing = Subscription.objects.filter(phone=phone, beat=beat, active=True).first()
        if existing:
            return existing
        try:
            with transaction.atomic():
                return Subscription.objects.create(phone=phone, beat=beat, confirmed_at=timezone.now())
        except IntegrityError:
            return Subscription.objects.get(phone=phone, beat=beat, active=True)


def unsubscribe_all(*, phone: Phone) -> int:
    """End every subscription of the phone (LEAVE); a sign-up still waiting for YES ends too."""
    now = timezone.now()
    Subscription.objects.filter(phone=phone, pending=True).update(pending=False, ended_at=now)
    return Subscription.objects.filter(phone=phone, active=True).update(active=False, ended_at=now)


def confirmation_text(*, beat: Beat, language: str) -> str:
    with translation.override(language):
        # Translators: the phone answers with the word YES (the SMS commands understand it); keep it
        # short, two SMS at most.
        return _("Rabta: reply YES to get news for %(beat)s by SMS. Ignore this if you did not ask.") % {
            "beat": beat.local_name
        }


def request_subscription(*, raw_number: str, beat: Beat, language: str) -> None:
    """A sign-up from a beat page: ask the phone, in the page's language, to confirm with YES.

    Does nothing for a number that sent STOP or already gets this beat's news, and sends no second
    confirmation within the "subscribe_confirm" limit (a stranger cannot flood a number). A pending
    row exists only when its SMS was queued, so a YES starts only beats the phone was told about.
    Raises InvalidPhoneNumber.
    """
    e164 = normalise(raw_number)
    existing = selectors.find_phone(e164)
    if existing is not None and existing.opted_out:
        return
    if selectors.default_channel() is None:
        return
    phone_id = (existing or phone_for(e164, language=language)).pk
    with transaction.atomic():
        # Locked as the inbound worker locks it: a STOP handled meanwhile is seen here.
        phone = Phone.objects.select_for_update().get(pk=phone_id)
        if phone.opted_out:
            return
        rows = Subscription.objects.filter(phone=phone, beat=beat)
        if rows.filter(active=True).exists():
            return
        if not ratelimit.hit("subscribe_confirm", phone.number_index):
            return
        pending = rows.filter(pending=True, created_at__gte=timezone.now() - PENDING_FOR).first()
        if pending is None:
            Subscription.objects.create(phone=phone, beat=beat, active=False, pending=True)
        queue_sms(
            phone=phone,
            body=confirmation_text(beat=beat, language=language),
            # Not a reply the phone asked for: a phone that opts out before it goes gets nothing.
            purpose=Purpose.NOTIFICATION,
        )


def confirm_pending_subscriptions(*, phone: Phone) -> list[Subscription]:
    """The phone said YES: start the beat news it was asked about in the last PENDING_FOR.

    Returns the subscriptions started (empty when nothing was waiting; a second YES changes
    nothing). A phone that sent STOP starts nothing: only START or JOIN undoes STOP. Older
    sign-ups, and ones for beats the phone already gets, stop waiting.
    """
    if phone.opted_out:
        return []
    now = timezone.now()
    started: list[Subscription] = []
    with transaction.atomic():
        waiting = list(
            Subscription.objects.select_for_update().filter(phone=phone, pending=True).order_by("pk")
        )
        active_beats = set(
            Subscription.objects.filter(phone=phone, active=True).values_list("beat_id", flat=True)
        )
        for row in waiting:
            row.pending = False
            if row.created_at < now - PENDING_FOR or row.beat_id in active_beats:
                row.ended_at = now
                row.save(update_fields=["pending", "ended_at"])
                continue
            row.active, row.confirmed_at = True, now
            try:
                with transaction.atomic():
                    row.save(update_fields=["pending", "active", "confirmed_at"])
            except IntegrityError:
                # Started meanwhile by JOIN from the same phone: that subscription stands.
                row.active, row.confirmed_at, row.ended_at = False, None, now
                row.save(update_fields=["pending", "active", "confirmed_at", "ended_at"])
                continue
            active_beats.add(row.beat_id)
            started.append(row)
    return started
