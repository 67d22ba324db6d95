"""The per-beat, per-day sums of contacts (BeatDay) the presence board reads.

`add_contact` runs in the logging service's transaction: one INSERT ... ON CONFLICT (beat, day) DO
UPDATE for all the contact's beats, adding to the counts in the statement itself, so two officers
logging on the same beat at once both count (PostgreSQL locks the row for the second; SQLite
serialises writers). `rebuild_rollup` recomputes the rows from the contacts in one GROUP BY, after a
bulk load that bypasses the service, or an admin's edit of a contact.

Days are local days of the default time zone, as the board counts them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connections, models, router, transaction
from django.db.models import Count, Max, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from rabta.places.models import Beat
from rabta.presence.board import night_q
from rabta.presence.models import BeatDay, Contact, is_night

_UPSERT = (
    "INSERT INTO {table} ({beat}, {day}, {contacts}, {proactive}, {night}, {last}) VALUES {rows} "
    "ON CONFLICT ({beat}, {day}) DO UPDATE SET "
    "{contacts} = {table}.{contacts} + excluded.{contacts}, "
    "{proactive} = {table}.{proactive} + excluded.{proactive}, "
    "{night} = {table}.{night} + excluded.{night}, "
    # GREATEST ignores NULLs on PostgreSQL but SQLite's max() returns NULL: spelled out for both.
    "{last} = CASE WHEN excluded.{last} IS NULL THEN {table}.{last} "
    "WHEN {table}.{last} IS NULL OR excluded.{last} > {table}.{last} THEN excluded.{last} "
    "ELSE {table}.{last} END"
)


# Identifiers from _meta, quoted, and the ORM's own compiled SELECT; values are its parameters.
_REBUILD = (
    "INSERT INTO {table} ({columns}) SELECT s.beat_id, s.day, s.n, s.pro, s.night, s.last FROM ({select}) s"
)


def add_contact(contact: Contact, beat_ids: Sequence[int]) -> None:
    """Count a contact just saved on each of its beats' day rows. Call inside its transaction."""
    if not beat_ids:
        return
    meta = BeatDay._meta
    connection = connections[router.db_for_write(BeatDay)]
    quote = connection.ops.quote_name
    columns = {name: quote(_column(field)) for name, field in _FIELDS.items()}
    sql = _UPSERT.format(
        table=quote(meta.db_table),
        rows=", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(beat_ids)),
        **columns,
    )
    day = timezone.localdate(contact.started_at, timezone.get_default_timezone())
    proactive = 1 if contact.proactive else 0
    night = 1 if contact.proactive and is_night(contact.started_at) else 0
    last = contact.started_at if contact.proactive else None
    day_db = meta.get_field("day").get_db_prep_save(day, connection)
    last_db = meta.get_field("last_proactive_at").get_db_prep_save(last, connection)
    values: list[Any] = []
    for beat_id in beat_ids:
        values += [beat_id, day_db, 1, proactive, night, last_db]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)


def _column(name: str) -> str:
    field = BeatDay._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column
    return field.column


_FIELDS = {
    "beat": "beat",
    "day": "day",
    "contacts": "contacts",
    "proactive": "proactive",
    "night": "proactive_night",
    "last": "last_proactive_at",
}


@transaction.atomic
def rebuild_rollup(*, beats: Iterable[Beat] | None = None) -> int:
    """Recompute the day rows of `beats` (every beat when None) from their contacts; the row count.
    Day rows of beats without contacts are not written: the board reads a missing row as zero."""
    through = Contact.beats.through
    links = through.objects.all()
    rows = BeatDay.objects.all()
    if beats is not None:
        ids = [b.pk for b in beats]
        links = links.filter(beat_id__in=ids)
        rows = rows.filter(beat_id__in=ids)
    rows.delete()
    proactive = Q(contact__proactive=True)
    sums = (
        links.values("beat_id", day=TruncDate("contact__started_at", tzinfo=timezone.get_default_timezone()))
        .annotate(
            n=Count("contact_id"),
            pro=Count("contact_id", filter=proactive),
            night=Count("contact_id", filter=proactive & night_q("contact__")),
            last=Max("contact__started_at", filter=proactive),
        )
        .order_by()
    )
    # INSERT ... SELECT: the sums never leave the database (a million contacts make 340,000 rows).
    connection = connections[router.db_for_write(BeatDay)]
    select, params = sums.query.get_compiler(connection=connection).as_sql()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(_column(f)) for f in _FIELDS.values())
    sql = _REBUILD.format(table=quote(BeatDay._meta.db_table), columns=columns, select=select)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)
