from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from rabta.core.crypto import EncryptedField


class RateCounter(models.Model):
    """A fixed-window counter for rate limits, shared by every process through the database.

    `key` is a keyed hash (see rabta.core.ratelimit): no IP address, phone number or username is
    stored. Rows of past windows are useless and are pruned by the limiter itself.
    """

    key = models.CharField(max_length=80)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="ratecounter_unique_window")
        ]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self) -> str:
        return f"{self.key[:16]}… {self.window_start:%Y-%m-%d %H:%M} = {self.count}"


class EmailPurpose(models.TextChoices):
    """Why an e-mail is sent; the admin lists this instead of the subject, which may name a report."""

    REPORTER_UPDATE = "reporter_update", _("news for a reporter")
    OVERDUE = "overdue", _("overdue report for a supervisor")
    ACTION_REMINDER = "action_reminder", _("action item reminder")
    ACCOUNT = "account", _("staff account (password reset)")
    REPORT_ACTIVITY = "report_activity", _("a resident added to an assigned report")


class EmailStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class OutboundEmail(models.Model):
    """One e-mail on its way, sent by the task worker (rabta.core.outbox), never inside a request.

    Recipient, subject and body are encrypted: a reporter's address is personal data and an overdue
    notice names a report. Once sent they are erased; a failed e-mail keeps them so an administrator
    can see that it failed. `last_error` holds only the kind of error (and an SMTP code), never the
    server's text, which quotes the address. While SENDING, `next_attempt_at` is the end of the
    worker's lease: after it, the sweep takes the e-mail back (the worker died mid-send).
    """

    purpose = models.CharField(_("purpose"), max_length=32, choices=EmailPurpose.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=EmailStatus.choices, default=EmailStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=120, blank=True)
    to_encrypted = models.TextField(blank=True)
    subject_encrypted = models.TextField(blank=True)
    body_encrypted = models.TextField(blank=True)
    # The contexts rabta.core.outbox encrypts with: `manage.py rotate_field_key` re-encrypts these too.
    encrypted_fields: ClassVar[tuple[EncryptedField, ...]] = (
        EncryptedField("to_encrypted", context="outbound-email:to"),
        EncryptedField("subject_encrypted", context="outbound-email:subject"),
        EncryptedField("body_encrypted", context="outbound-email:body"),
    )
    from_email = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outboundemail_due")]

    def __str__(self) -> str:
        return f"e-mail {self.pk} ({self.get_purpose_display()}, {self.get_status_display()})"
