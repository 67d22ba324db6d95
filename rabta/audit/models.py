"""Append-only record of who saw or changed personal data, and when."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rabta.core.scoping import ScopeUser


class AppendOnlyError(Exception):
    pass


class AccessLogQuerySet(models.QuerySet["AccessLog"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("the access log is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("the access log is append-only")


class AccessLog(models.Model):
    class Action(models.TextChoices):
        VIEW_CONTACT = "view_contact", _("viewed contact details")
        VIEW_LOCATION = "view_location", _("viewed precise location")
        VIEW_REGISTER = "view_register", _("viewed a named register")
        EXPORT = "export", _("exported data")
        CHANGE = "change", _("changed personal data")
        REFUSED = "refused", _("was refused personal data")
        VIEW_SMS = "view_sms", _("viewed SMS messages")
        VIEW_PHOTO = "view_photo", _("viewed a report's photo")
        ROLE_REQUEST = "role_request", _("asked for a sensitive role")
        ROLE_DECISION = "role_decision", _("decided on a sensitive role")
        RESET_DEVICE = "reset_device", _("reset a staff member's second factor")
        TRANSFER = "transfer", _("transferred an officer and handed over their work")
        VIEW_FREE_TEXT = "view_free_text", _("read survey comments")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("who")
    )
    action = models.CharField(_("what"), max_length=32, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    detail = models.CharField(_("detail"), max_length=200, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("the access log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("the access log is append-only")


def record_access(
    *, actor: ScopeUser, action: AccessLog.Action, obj: models.Model, detail: str = ""
) -> AccessLog:
    return AccessLog.objects.create(
        actor_id=actor.pk,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        detail=detail[:200],
    )
