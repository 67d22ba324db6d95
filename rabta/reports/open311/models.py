"""Open311 client applications (API keys) and the submissions they made.

Registered with the reports app (app label "reports"); rabta/reports/apps.py imports this module.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import connections, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEY_PREFIX = "r311_"


def hash_key(key: str) -> str:
    # Keys are 256-bit random strings: a plain SHA-256 cannot be reversed by guessing (like tracking tokens).
    return hashlib.sha256(key.strip().encode("utf-8")).hexdigest()


class ApiClientQuerySet(models.QuerySet["ApiClient"]):
    def authenticate_for_submission(
        self, key: str | None, *, now: dt.datetime | None = None
    ) -> ApiClient | None:
        """The active client whose key this is, with `recent_submissions` (the last hour's) counted
        in the same query: one round trip on the busiest API path.

        The key is found by its hash, never compared in clear. The row is read fresh every time, so
        a key revoked in admin stops working at once everywhere.

        SQL, because every ORM form of this query is slower by a measurable part of an intake: the
        ORM's correlated subquery (`Subquery` of a counted queryset, with `Coalesce`) took 1.0 ms
        more per call than this statement, its cheapest form (a bare COUNT `Func`, no `.first()`)
        0.5 ms more, on an Open311 POST of about 4 ms (PostgreSQL on loopback, 2 cores, a thousand
        submissions in the hour). Most of it goes to composing the query, not to running it.
        """
        if not key or len(key) > 200:
            return None
        since = (now or timezone.now()) - dt.timedelta(hours=1)
        connection = connections[self.db]
        quote = connection.ops.quote_name
        client, sub = ApiClient._meta, Open311Submission._meta
        # Only identifiers from _meta, quoted, are formatted in; every value is a parameter.
        sql = (  # noqa: S608
            "SELECT c.*, (SELECT COUNT(*) FROM {sub} s WHERE s.{client_id} = c.{pk} AND s.{created} >= %s)"
            " AS recent_submissions FROM {table} c WHERE c.{key_hash} = %s AND c.{active} = %s"
        ).format(
            sub=quote(sub.db_table),
            client_id=quote(sub.get_field("client").column),
            created=quote(sub.get_field("created").column),
            table=quote(client.db_table),
            pk=quote(client.pk.column),
            key_hash=quote(client.get_field("key_hash").column),
            active=quote(client.get_field("active").column),
        )
        since_db = sub.get_field("created").get_db_prep_value(since, connection)
        params = [since_db, hash_key(key), True]
        found = list(self.model._default_manager.db_manager(self.db).raw(sql, params))
        return found[0] if found else None


class ApiClient(models.Model):
    """An application allowed to POST service requests (a partner's app, an SMS gateway, a kiosk)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    key_hint = models.CharField(
        _("key starts with"),
        max_length=16,
        editable=False,
        help_text=_("Enough to recognise a key, not to use it."),
    )
    active = models.BooleanField(_("active"), default=True)
    hourly_limit = models.PositiveIntegerField(
        _("submissions per hour"), default=600, help_text=_("Requests beyond this in one hour are refused.")
    )
    notes = models.TextField(
        _("notes"), blank=True, help_text=_("Who runs the application and how to reach them.")
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    objects = ApiClientQuerySet.as_manager()
    recent_submissions: int  # set by ApiClientQuerySet.authenticate_for_submission

    class Meta:
        ordering = ["name"]
        verbose_name = _("Open311 client application")
        verbose_name_plural = _("Open311 client applications")

    def __str__(self) -> str:
        return self.name

    def set_new_key(self, key: str | None = None) -> str:
        """Give the client a new key and return it: the only moment it exists in clear."""
        key = key or KEY_PREFIX + secrets.token_urlsafe(32)
        self.key_hash = hash_key(key)
        self.key_hint = key[: len(KEY_PREFIX) + 4]
        return key

    def over_hourly_limit(self) -> bool:
        """For a client from authenticate_for_submission: has it used up this hour's submissions?

        Counted from the submissions themselves (indexed rows), not a counter row every request
        would queue on; a burst may overshoot by the requests in flight, which is fine for a quota.
        """
        return self.recent_submissions >= self.hourly_limit

    def touch(self, now: dt.datetime | None = None) -> None:
        # At most one write an hour: "is this key still in use?" needs no finer grain.
        now = now or timezone.now()
        if self.last_used is None or (now - self.last_used).total_seconds() > 3600:
            self.last_used = now
            ApiClient.objects.filter(pk=self.pk).update(last_used=now)


class Open311Submission(models.Model):
    """Which client created which report, and the token the client can look the request up by.

    Idempotency itself is the report's (services.submit_report with a key scoped to the client).
    """

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="submissions")
    report = models.OneToOneField(
        "reports.Report", on_delete=models.CASCADE, related_name="open311_submission"
    )
    token = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 submission")
        verbose_name_plural = _("Open311 submissions")
        # The per-client hourly limit counts these rows (ApiClientQuerySet.authenticate_for_submission).
        indexes = [models.Index(fields=["client", "created"], name="open311_sub_client_created")]

    def __str__(self) -> str:
        return self.token
