"""Reads for SMS: channels, phones, the waiting conversation, broadcasts and their audiences, the
simulator's thread, and the report-side lookups the conversation makes. Nothing here writes."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from rabta.core import sql
from rabta.messaging.models import (
    Broadcast,
    Channel,
    Conversation,
    Phone,
    Provider,
    phone_index,
)
from rabta.people.models import User
from rabta.places.models import Beat
from rabta.reports import selectors as report_selectors
from rabta.reports.models import Category, Report

# ---- channels and phones ------------------------------------------------------------------------


def default_channel() -> Channel | None:
    """The channel outbound SMS go through: the active default, else the oldest active one."""
    return Channel.objects.filter(active=True).order_by("-is_default", "pk").first()


def find_webhook_channel(slug: str, provider: str) -> Channel | None:
    """The active channel a webhook URL names. Read fresh on every request: a channel switched off
    or given a new secret in the admin takes effect at once. Raw SQL: it runs on every delivery."""
    return sql.first_row(Channel, inbound_slug=slug, provider=provider, active=True)


def console_channel() -> Channel | None:
    return Channel.objects.filter(provider=Provider.CONSOLE, active=True).order_by("pk").first()


def find_phone(e164: str) -> Phone | None:
    return Phone.objects.for_number(e164).first()


def find_phone_id(e164: str) -> int | None:
    """The id of a number's Phone row (one indexed lookup, no decryption; raw SQL: it runs on every
    delivery)."""
    found = sql.first_value(Phone, "pk", number_index=phone_index(e164))
    return int(found) if found is not None else None


def waiting_conversation(phone: Phone) -> Conversation | None:
    """The phone's guided exchange, expired or not (the conversation decides what an expired one means)."""
    return Conversation.objects.filter(phone=phone).first()


def console_thread(phone: Phone, *, last: int = 10) -> list[tuple[str, dt.datetime, str, str]]:
    """The last messages both ways through a console channel, oldest first:
    (direction, when, body, status)."""
    inbound = phone.inbound.filter(channel__provider=Provider.CONSOLE).order_by("-received_at")[:last]
    outbound = phone.outbound.filter(channel__provider=Provider.CONSOLE).order_by("-created_at")[:last]
    return sorted(
        [("in", m.received_at, m.body, "") for m in inbound]
        + [("out", m.created_at, m.body, str(m.get_status_display())) for m in outbound],
        key=lambda item: item[1],
    )


# ---- broadcasts ----------------------------------------------------------------------------------


def subscribers(*, beat_ids: list[int], station_id: int | None, district_id: int | None) -> QuerySet[Phone]:
    """Phones subscribed to any of the beats, or anywhere in the station or district; opted-out excluded."""
    beats_q = Q(subscriptions__beat_id__in=beat_ids)
    if station_id:
        beats_q |= Q(subscriptions__beat__station_id=station_id)
    if district_id:
        beats_q |= Q(subscriptions__beat__station__district_id=district_id)
    return Phone.objects.filter(beats_q, subscriptions__active=True, opted_out=False).distinct()


def broadcast_subscribers(broadcast: Broadcast) -> QuerySet[Phone]:
    return subscribers(
        beat_ids=list(broadcast.beats.values_list("pk", flat=True)),
        station_id=broadcast.station_id,
        district_id=broadcast.district_id,
    )


def recent_broadcasts(user: User, *, limit: int = 50) -> list[Broadcast]:
    """The broadcasts list page: the latest ones the user may see."""
    return list(Broadcast.objects.visible_to(user).select_related("author", "station", "district")[:limit])


def find_broadcast(user: User, pk: int) -> Broadcast | None:
    return Broadcast.objects.visible_to(user).filter(pk=pk).first()


# ---- what the conversation looks up ----------------------------------------------------------------


def active_categories() -> list[Category]:
    """Active categories in the web form's order (Category's default ordering: position, name)."""
    return list(report_selectors.active_categories())


def category(pk: int) -> Category:
    return Category.objects.get(pk=pk)


def report_beat(pk: int) -> Beat:
    """A beat as a new report needs it (its station, no boundary)."""
    return Beat.objects.defer("boundary").select_related("station").get(pk=pk)


def find_report(pk: int | None, *, with_category: bool = False) -> Report | None:
    if pk is None:
        return None
    reports = Report.objects.select_related("category") if with_category else Report.objects.all()
    return reports.filter(pk=pk).first()
