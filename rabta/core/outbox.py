"""Every e-mail Rabta sends: written to the outbox, sent by the task worker, retried with backoff.

`queue_email` writes one OutboundEmail row per recipient and, in the same transaction, queues
`rabta.core.outbox_tasks.send_email` for it: the worker sees both once the caller commits. A web
request therefore never waits for (or fails with) the mail server. `deliver` claims the row with
a lease, sends it through Django's mail backend and either marks it SENT (erasing recipient,
subject and body) or schedules the next attempt after an exponentially growing pause; after
RABTA_EMAIL_MAX_ATTEMPTS it is FAILED and shown on the admin's "outgoing e-mails" page. The
periodic sweep hands back rows whose own task never ran (a stopped worker) or whose worker died
mid-send.

Nothing here logs an address, a subject or a body: only the row's id, its purpose and the kind of
error. An SMTP server's error text quotes the recipient, so it is never stored either.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone
from django.utils.module_loading import import_string

from rabta.core.crypto import field_cipher
from rabta.core.models import EmailPurpose, EmailStatus, OutboundEmail
from rabta.core.tasks import enqueue_now

logger = logging.getLogger(__name__)

SEND_EMAIL = "rabta.core.outbox_tasks.send_email"
_CONTEXT = "outbound-email"
# A row claimed by a worker that died is taken back after this long (the SMTP timeout, twice, plus room).
_LEASE_SLACK = dt.timedelta(seconds=60)
# The sweep leaves a due row to its own scheduled task for this long before queueing another.
_SWEEP_GRACE = dt.timedelta(minutes=1)


def _encrypt(value: str, field: str) -> str:
    return field_cipher().encrypt(value, context=f"{_CONTEXT}:{field}")


def _decrypt(token: str, field: str) -> str:
    return field_cipher().decrypt(token, context=f"{_CONTEXT}:{field}")


def _enqueue(email_id: int, when: dt.datetime | None = None) -> None:
    task = import_string(SEND_EMAIL)
    if when is None:
        enqueue_now(task, email_id)
    else:
        task.using(run_after=when).enqueue(email_id)


def queue_email(
    *, to: list[str], subject: str, body: str, purpose: EmailPurpose, from_email: str | None = None
) -> list[OutboundEmail]:
    """Put one e-mail per address in the outbox; each is sent by the worker after commit."""
    now = timezone.now()
    rows = [
        OutboundEmail.objects.create(
            purpose=purpose,
            to_encrypted=_encrypt(address, "to"),
            subject_encrypted=_encrypt(str(subject), "subject"),
            body_encrypted=_encrypt(str(body), "body"),
            from_email=from_email or settings.DEFAULT_FROM_EMAIL,
            next_attempt_at=now,
        )
        for address in dict.fromkeys(a for a in to if a)
    ]
    # The task row is written in the caller's transaction (the database task backend), so the worker
    # sees the e-mail and its task together once it commits, and neither if it rolls back.
    for row in rows:
        _enqueue(row.pk)
    return rows


def retry_delay(attempts: int) -> dt.timedelta:
    """The pause after the `attempts`-th failure: base, 2x, 4x, ... (1, 2, 4, 8 minutes by default)."""
    return dt.timedelta(seconds=settings.RABTA_EMAIL_RETRY_SECONDS * 2 ** max(attempts - 1, 0))


def _error_label(exc: Exception) -> str:
    """The kind of error, and an SMTP reply code where there is one; never the server's words."""
    code = getattr(exc, "smtp_code", None)
    label = type(exc).__name__
    if isinstance(exc, smtplib.SMTPResponseException) and isinstance(code, int):
        label = f"{label} {code}"
    return label[:120]


def _claim(email_id: int, now: dt.datetime) -> bool:
    lease = now + dt.timedelta(seconds=2 * settings.EMAIL_TIMEOUT) + _LEASE_SLACK
    return bool(
        OutboundEmail.objects.filter(
            pk=email_id,
            status__in=[EmailStatus.QUEUED, EmailStatus.SENDING],
            next_attempt_at__lte=now,
        ).update(status=EmailStatus.SENDING, next_attempt_at=lease)
    )


def deliver(email_id: int) -> str:
    """Try to send one queued e-mail; returns its status afterwards ("skipped" when not due/claimed)."""
    now = timezone.now()
    if not _claim(email_id, now):
        return "skipped"
    row = OutboundEmail.objects.get(pk=email_id)
    try:
        message = EmailMessage(
            subject=_decrypt(row.subject_encrypted, "subject"),
            body=_decrypt(row.body_encrypted, "body"),
            from_email=row.from_email or settings.DEFAULT_FROM_EMAIL,
            to=[_decrypt(row.to_encrypted, "to")],
            connection=get_connection(fail_silently=False),
        )
        message.send()
    except Exception as exc:
        return _failed(row, exc)
    row.status = EmailStatus.SENT
    row.sent_at = timezone.now()
    row.attempts += 1
    row.next_attempt_at = None
    row.last_error = ""
    row.to_encrypted = row.subject_encrypted = row.body_encrypted = ""
    row.save(
        update_fields=[
            "status",
            "sent_at",
            "attempts",
            "next_attempt_at",
            "last_error",
            "to_encrypted",
            "subject_encrypted",
            "body_encrypted",
        ]
    )
    return EmailStatus.SENT


def _failed(row: OutboundEmail, exc: Exception) -> str:
    row.attempts += 1
    row.last_error = _error_label(exc)
    if row.attempts >= settings.RABTA_EMAIL_MAX_ATTEMPTS:
        row.status = EmailStatus.FAILED
        row.next_attempt_at = None
        logger.error(
            "e-mail %s (%s) failed for good after %s attempts (%s)",
            row.pk,
            row.purpose,
            row.attempts,
            row.last_error,
        )
    else:
        row.status = EmailStatus.QUEUED
        row.next_attempt_at = timezone.now() + retry_delay(row.attempts)
        logger.warning(
            "e-mail %s (%s) attempt %s failed (%s); next at %s",
            row.pk,
            row.purpose,
            row.attempts,
            row.last_error,
            row.next_attempt_at.isoformat(),
        )
    row.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
    if row.status == EmailStatus.QUEUED and row.next_attempt_at is not None:
        _enqueue(row.pk, row.next_attempt_at)
    return str(row.status)


def sweep_due(now: dt.datetime | None = None) -> int:
    """Queue a send for every e-mail whose own task is late (a stopped worker) or whose lease ran out."""
    now = now or timezone.now()
    late = OutboundEmail.objects.filter(
        status__in=[EmailStatus.QUEUED, EmailStatus.SENDING], next_attempt_at__lte=now - _SWEEP_GRACE
    ).values_list("pk", flat=True)
    ids = list(late[:500])
    for email_id in ids:
        _enqueue(email_id)
    return len(ids)
