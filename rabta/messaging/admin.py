"""SMS in the admin: channels (credentials write-only, encrypted); read-only traffic, numbers masked,
and the text of a message that belongs to a report only for those who may see that report."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rabta.audit.models import AccessLog, record_access
from rabta.core.adminscope import admin_user
from rabta.messaging.models import (
    Broadcast,
    Channel,
    InboundMessage,
    OutboundMessage,
    Phone,
    Provider,
    Subscription,
)
from rabta.people.models import Role
from rabta.reports.models import Report

# Django's ModelForm and ModelAdmin take no type arguments at run time (django-stubs' do), hence the
# `type: ignore[type-arg]` on the classes below, as in the other apps' admin modules.


class ChannelForm(forms.ModelForm):  # type: ignore[type-arg]
    # Credentials are typed in, encrypted on save, and never shown again.
    account_sid = forms.CharField(label=_("Account SID (Twilio)"), required=False)
    auth_token = forms.CharField(label=_("Auth token (Twilio)"), required=False, widget=forms.PasswordInput)
    api_base = forms.URLField(
        label=_("API base URL (Twilio-compatible)"), required=False, assume_scheme="https"
    )
    send_url = forms.URLField(label=_("Send URL (generic JSON)"), required=False, assume_scheme="https")
    secret = forms.CharField(
        label=_("Signing secret (generic JSON)"), required=False, widget=forms.PasswordInput
    )

    class Meta:
        model = Channel
        fields = [
            "name", "provider", "number", "active", "is_default", "reply_channel",
            "max_per_minute", "cost_per_segment",
        ]  # fmt: skip

    def save(self, commit: bool = True) -> Channel:
        channel: Channel = super().save(commit=False)
        creds = channel.credentials if channel.credentials_encrypted else {}
        for name in ("account_sid", "auth_token", "api_base", "send_url", "secret"):
            if self.cleaned_data.get(name):
                creds[name] = self.cleaned_data[name]
        channel.set_credentials(creds)
        if commit:
            channel.save()
        return channel


class AdminOnly:
    """SMS configuration and traffic are for administrators."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and getattr(request.user, "role", "") == Role.ADMIN)

    def has_view_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


class ReadOnly(AdminOnly):
    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False


@admin.register(Channel)
class ChannelAdmin(AdminOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    form = ChannelForm
    list_display = ["name", "provider", "number", "active", "is_default", "inbound_url"]
    readonly_fields = ["inbound_url"]

    @admin.display(description=_("inbound webhook URL"))
    def inbound_url(self, obj: Channel) -> str:
        if not obj.pk or obj.provider == Provider.CONSOLE:
            return "-"
        name = "sms:twilio_inbound" if obj.provider == Provider.TWILIO else "sms:generic_inbound"
        return settings.RABTA_PUBLIC_URL.rstrip("/") + reverse(name, kwargs={"slug": obj.inbound_slug})


@admin.register(Phone)
class PhoneAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["number_masked", "language", "opted_out", "discreet", "created_at"]
    list_filter = ["language", "opted_out", "discreet"]
    fields = readonly_fields = (
        "number_masked",
        "language",
        "opted_out",
        "opted_out_at",
        "discreet",
        "created_at",
    )


class MessageBodies(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    """Bodies of messages that belong to a report follow that report's content_visible_to.

    The detail page shows such a body only to someone who may read the report (and logs the view);
    lists show no body at all, and there is no search, so a search by text cannot find one either.
    """

    HIDDEN = _("hidden: part of a report you cannot see")

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> InboundMessage | OutboundMessage | None:
        obj: InboundMessage | OutboundMessage | None = super().get_object(request, object_id, from_field)
        if obj is not None:
            # A mark on this request's instance, read by the display methods below (not a model field).
            obj.body_shown = obj.report_id is None or (  # type: ignore[union-attr]
                Report.objects.content_visible_to(request.user).filter(pk=obj.report_id).exists()
            )
        return obj

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: InboundMessage | OutboundMessage | None = None,
    ) -> HttpResponse:
        if obj is not None and getattr(obj, "body_shown", False):
            record_access(
                actor=admin_user(request), action=AccessLog.Action.VIEW_SMS, obj=obj, detail="admin"
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description=_("message"))
    def message_body(self, obj: InboundMessage | OutboundMessage) -> str:
        return obj.body if getattr(obj, "body_shown", False) else str(self.HIDDEN)

    @admin.display(description=_("error"))
    def error_shown(self, obj: InboundMessage) -> str:
        # An error's text may quote the message it failed on.
        return obj.error if getattr(obj, "body_shown", False) else str(self.HIDDEN)


@admin.register(InboundMessage)
class InboundAdmin(MessageBodies):
    list_display = ["received_at", "channel", "masked", "status"]
    list_filter = ["status", "channel"]
    fields = readonly_fields = (
        "channel",
        "provider_message_id",
        "masked",
        "message_body",
        "received_at",
        "status",
        "processed_at",
        "error_shown",
    )
    list_select_related = ["channel", "phone"]

    @admin.display(description=_("from"))
    def masked(self, obj: InboundMessage) -> str:
        return obj.phone.number_masked


@admin.register(OutboundMessage)
class OutboundAdmin(MessageBodies):
    list_display = ["created_at", "channel", "masked", "purpose", "segments", "status", "attempts"]
    list_filter = ["status", "purpose", "channel"]
    fields = readonly_fields = (
        "channel", "masked", "purpose", "message_body", "encoding", "segments", "cost_estimate", "status",
        "attempts", "last_error", "provider_message_id", "created_at", "sent_at", "status_at",
    )  # fmt: skip
    list_select_related = ["channel", "phone"]

    @admin.display(description=_("to"))
    def masked(self, obj: OutboundMessage) -> str:
        return obj.phone.number_masked


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["masked", "beat", "active", "pending", "created_at", "confirmed_at", "ended_at"]
    list_filter = ["active", "pending"]
    fields = readonly_fields = (
        "masked",
        "beat",
        "active",
        "pending",
        "created_at",
        "confirmed_at",
        "ended_at",
    )
    list_select_related = ["phone", "beat"]

    @admin.display(description=_("number"))
    def masked(self, obj: Subscription) -> str:
        return obj.phone.number_masked


@admin.register(Broadcast)
class BroadcastAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["created_at", "author", "status", "recipients", "segments_total", "cost_estimate"]
    list_filter = ["status"]
    exclude = ["beats"]
