"""What the staff API shows of a report: never contact details, never the precise location.

Those two come only from the audited reveal endpoints (services.reveal_contact / reveal_location).
A women-only report read by someone who may not read it (Report.content_visible_to: a male
supervisor) keeps only its id, category, status, beat, assignee and deadlines: every other field is
null (lists empty, note texts blank) and `content_withheld` is true.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from rabta.people.models import User
from rabta.reports.lifecycle import Status
from rabta.reports.models import Period, Report, ReportUpdate
from rabta.reports.selectors import Nearness
from rabta.reports.triage import allowed_targets


def _name(user: User | None) -> str | None:
    return (user.get_full_name() or user.username) if user is not None else None


def _readable(context: dict[str, Any], report: Report) -> bool:
    # Reports reach these serializers only from visible_to (selectors.queue / get_visible_report).
    request = context.get("request")
    user = getattr(request, "user", None)
    return user is not None and report.content_visible_to(user, in_scope=True)


# Shown to every reader who can see the report; everything else is withheld on a women-only report.
ALWAYS_SHOWN = frozenset(
    {
        "public_id",
        "category",
        "category_name",
        "beat",
        "status",
        "status_display",
        "sensitive",
        "woman_officer_only",
        "assignee",
        "created_at",
        "first_contact_due",
        "resolution_due",
        "overdue",
        "acknowledged_at",
        "started_at",
        "resolved_at",
        "referred_at",
        "duplicate_at",
        "closed_at",
        "content_withheld",
    }
)
EMPTY_WHEN_WITHHELD = {"photos": list, "allowed_statuses": list}


class WithholdingMixin(serializers.Serializer[Report]):
    content_withheld = serializers.SerializerMethodField(
        help_text="True on a women-only report for a reader who is not a woman officer of the desk."
    )

    def get_content_withheld(self, report: Report) -> bool:
        return not _readable(self.context, report)

    def to_representation(self, instance: Report) -> Any:
        data = super().to_representation(instance)
        if not data.get("content_withheld"):
            return data
        for name in list(data):
            if name == "updates":
                data[name] = [{**u, "note": ""} for u in data[name]]
            elif name in EMPTY_WHEN_WITHHELD:
                data[name] = EMPTY_WHEN_WITHHELD[name]()
            elif name not in ALWAYS_SHOWN:
                data[name] = None
        return data


class ReportListSerializer(WithholdingMixin, serializers.ModelSerializer[Report]):
    category = serializers.CharField(source="category.code")
    category_name = serializers.CharField(source="category.local_name")
    beat = serializers.CharField(source="beat.code", allow_null=True, default=None)
    status_display = serializers.CharField(source="get_status_display")
    assignee = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    sensitive = serializers.BooleanField(source="is_sensitive")
    public_location = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "public_id",
            "category",
            "category_name",
            "beat",
            "status",
            "status_display",
            "sensitive",
            "channel",
            "anonymous",
            "assignee",
            "created_at",
            "first_contact_due",
            "resolution_due",
            "overdue",
            "public_location",
            "content_withheld",
        ]
        read_only_fields = fields

    def get_assignee(self, report: Report) -> str | None:
        return report.assignee.username if report.assignee_id and report.assignee else None

    def get_overdue(self, report: Report) -> bool:
        late = getattr(report, "is_late", None)
        return bool(late) if late is not None else report.is_overdue()

    def get_public_location(self, report: Report) -> dict[str, float] | None:
        if report.public_lat is None or report.public_lon is None:
            return None
        return {"lat": report.public_lat, "lon": report.public_lon}


class UpdateSerializer(serializers.ModelSerializer[ReportUpdate]):
    author = serializers.SerializerMethodField()
    assigned_to = serializers.SerializerMethodField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()

    class Meta:
        model = ReportUpdate
        fields = [
            "created_at",
            "author",
            "from_resident",
            "public",
            "note",
            "from_status",
            "to_status",
            "assigned_to",
        ]
        read_only_fields = fields

    def get_author(self, update: ReportUpdate) -> str | None:
        return _name(update.author)

    def get_assigned_to(self, update: ReportUpdate) -> str | None:
        return update.assigned_to.username if update.assigned_to else None


class ReportDetailSerializer(ReportListSerializer):
    updates = UpdateSerializer(many=True, read_only=True)
    duplicate_of = serializers.CharField(source="duplicate_of.public_id", allow_null=True, default=None)
    photos = serializers.SerializerMethodField()
    has_contact = serializers.BooleanField()
    staff_may_contact = serializers.BooleanField(
        help_text="The reporter agreed to be contacted and left a contact: reveal-contact can answer."
    )
    neutral_wording = serializers.BooleanField(
        source="wants_neutral_wording",
        help_text="Messages to the reporter say only that there is news (chosen, or by category).",
    )
    has_precise_location = serializers.SerializerMethodField()
    allowed_statuses = serializers.SerializerMethodField()
    # Blank when the resident gave no time of day; declared so the schema's enum includes "".
    occurred_period = serializers.ChoiceField(choices=Period.choices, allow_blank=True, read_only=True)

    class Meta(ReportListSerializer.Meta):
        fields = [
            *ReportListSerializer.Meta.fields,
            "description",
            "place_description",
            "occurred_on",
            "occurred_period",
            "language",
            "no_sms",
            "safe_call_hours",
            "woman_officer_only",
            "has_contact",
            "staff_may_contact",
            "neutral_wording",
            "has_precise_location",
            "referred_to",
            "duplicate_of",
            "closed_reason",
            "acknowledged_at",
            "started_at",
            "resolved_at",
            "referred_at",
            "duplicate_at",
            "closed_at",
            "allowed_statuses",
            "photos",
            "updates",
        ]
        read_only_fields = fields

    def get_photos(self, report: Report) -> list[dict[str, str]]:
        return [
            {
                "id": p.public_id,
                "url": reverse("reports:photo", kwargs={"public_id": p.public_id}),
                "thumbnail_url": reverse("reports:photo", kwargs={"public_id": p.public_id}) + "?thumb=1",
            }
            for p in report.photos.all()
        ]

    def get_has_precise_location(self, report: Report) -> bool:
        return report.lat is not None and report.lon is not None

    def get_allowed_statuses(self, report: Report) -> list[str]:
        return allowed_targets(report)


class NoteInSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")
    public = serializers.BooleanField(required=False, default=False)


class AcknowledgeInSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")
    public = serializers.BooleanField(required=False, default=True)


class StatusInSerializer(serializers.Serializer[Any]):
    to = serializers.ChoiceField(choices=[s for s in Status.values if s != Status.DUPLICATE])
    note = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")
    public = serializers.BooleanField(required=False, default=True)
    referred_to = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")
    reason = serializers.CharField(max_length=300, allow_blank=True, required=False, default="")


class AssignInSerializer(serializers.Serializer[Any]):
    assignee = serializers.CharField(
        allow_blank=True, required=False, default="", help_text="Username; empty to unassign."
    )


class NeutralWordingInSerializer(serializers.Serializer[Any]):
    neutral_wording = serializers.BooleanField(
        required=False,
        default=True,
        help_text="Only true is accepted: neutral wording is never switched off.",
    )

    def validate_neutral_wording(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError("Neutral wording cannot be switched off.")
        return value


class DuplicateInSerializer(serializers.Serializer[Any]):
    of = serializers.CharField(max_length=16, help_text="public_id of a suggested original (see duplicates).")
    note = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


class SuggestionSerializer(serializers.Serializer[Any]):
    public_id = serializers.CharField()
    nearness = serializers.ChoiceField(
        choices=Nearness.choices,
        help_text="A band, never metres: under 100 m, 100-300 m, or the same beat without a map point.",
    )
    nearness_label = serializers.CharField()
    created_at = serializers.DateTimeField()
    status = serializers.CharField()


class OfficerSerializer(serializers.Serializer[Any]):
    username = serializers.CharField()
    name = serializers.CharField()


class ContactSerializer(serializers.Serializer[Any]):
    phone = serializers.CharField()
    email = serializers.CharField()
    no_sms = serializers.BooleanField()
    safe_call_hours = serializers.CharField()
    woman_officer_only = serializers.BooleanField()


class LocationSerializer(serializers.Serializer[Any]):
    lat = serializers.FloatField(allow_null=True)
    lon = serializers.FloatField(allow_null=True)


class ErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()


# A 400 is either a refused action ({"detail": "..."}) or DRF's validation errors: each field (or
# "non_field_errors") with its list of messages.
INVALID_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}
