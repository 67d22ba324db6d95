"""Staff JSON API for presence at /api/v1/presence/: contacts and per-beat targets, read only.

Same rules as the reports API (rabta.reports.api.views): the staff session with a verified second
factor only, every lookup from visible_to (out of scope is 404). A contact's GPS point is not in
its body: it comes from the audited reveal-point endpoint, like a report's precise location.
Contacts are logged through the form (and its offline outbox) or by SMS, not through this API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from rabta.people.models import User
from rabta.presence import selectors, services
from rabta.presence.models import BeatTarget, Contact, ContactKind
from rabta.reports.api.pagination import StaffPagination
from rabta.reports.api.views import IsVerifiedStaff, exception_handler

NOT_FOUND = OpenApiResponse(description="Not found or out of scope.")
INVALID = OpenApiResponse(description="Invalid query parameters.")


class PeopleMetSerializer(serializers.Serializer[Any]):
    women_15_29 = serializers.IntegerField(source="met_women_15_29")
    women_30_44 = serializers.IntegerField(source="met_women_30_44")
    women_45_59 = serializers.IntegerField(source="met_women_45_59")
    women_60 = serializers.IntegerField(source="met_women_60")
    men_15_29 = serializers.IntegerField(source="met_men_15_29")
    men_30_44 = serializers.IntegerField(source="met_men_30_44")
    men_45_59 = serializers.IntegerField(source="met_men_45_59")
    men_60 = serializers.IntegerField(source="met_men_60")


class PresenceContactSerializer(serializers.Serializer[Contact]):
    id = serializers.IntegerField()
    officer = serializers.CharField(source="officer.username")
    station = serializers.CharField(source="station.code")
    beats = serializers.SerializerMethodField()
    kind = serializers.ChoiceField(choices=ContactKind.choices)
    kind_display = serializers.CharField(source="get_kind_display")
    proactive = serializers.BooleanField()
    at_night = serializers.BooleanField(help_text="Started between 19:00 and 06:00 local time.")
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField()
    place = serializers.CharField()
    people_met = PeopleMetSerializer(source="*")
    note = serializers.CharField()
    report = serializers.CharField(source="report.public_id", allow_null=True, default=None)
    meeting = serializers.IntegerField(source="meeting_id", allow_null=True)
    channel = serializers.CharField()
    has_point = serializers.SerializerMethodField(help_text="A private GPS point is kept (see reveal-point).")

    def get_beats(self, contact: Contact) -> list[str]:
        return sorted(b.code for b in contact.beats.all())

    def get_has_point(self, contact: Contact) -> bool:
        return contact.lat is not None and contact.lon is not None


class PointSerializer(serializers.Serializer[Any]):
    lat = serializers.FloatField(allow_null=True)
    lon = serializers.FloatField(allow_null=True)


class ContactQuerySerializer(serializers.Serializer[Any]):
    beat = serializers.CharField(
        required=False, default="", allow_blank=True, max_length=32, help_text="Beat code."
    )
    kind = serializers.ChoiceField(
        choices=["", *ContactKind.values], required=False, default="", allow_blank=True
    )
    proactive = serializers.ChoiceField(
        choices=["", "true", "false"], required=False, default="", allow_blank=True, help_text="Empty: both."
    )
    since = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Started on or after."
    )


class ContactViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Contact]):
    """Contacts on the caller's beats, newest first."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [IsVerifiedStaff]
    serializer_class = PresenceContactSerializer
    pagination_class = StaffPagination
    filter_backends: list[Any] = []
    lookup_value_regex = "[0-9]{1,12}"

    def get_exception_handler(self) -> Callable[[Exception, dict[str, Any]], Response | None]:
        return exception_handler

    @property
    def staff(self) -> User:
        return cast(User, self.request.user)

    def get_queryset(self) -> QuerySet[Contact]:
        contacts = selectors.contacts_for(self.staff)
        if self.action != "list":
            return contacts
        query = ContactQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        if data["beat"]:
            contacts = contacts.filter(beats__code=data["beat"])
        if data["kind"]:
            contacts = contacts.filter(kind=data["kind"])
        if data["proactive"]:
            contacts = contacts.filter(proactive=data["proactive"] == "true")
        if data["since"]:
            contacts = contacts.filter(started_at__date__gte=data["since"])
        return contacts

    @extend_schema(
        parameters=[ContactQuerySerializer],
        responses={200: PresenceContactSerializer(many=True), 400: INVALID},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: PresenceContactSerializer, 404: NOT_FOUND})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(request=None, responses={200: PointSerializer, 404: NOT_FOUND})
    @action(detail=True, methods=["post"], url_path="reveal-point")
    def reveal_point(self, request: Request, pk: str) -> Response:
        """The contact's private GPS point. Every call that returns one is written to the access log."""
        found = services.reveal_point(contact=self.get_object(), viewer=self.staff)
        response = Response({"lat": found[0], "lon": found[1]} if found else {"lat": None, "lon": None})
        response["Cache-Control"] = "no-store"
        return response


class TargetSerializer(serializers.Serializer[BeatTarget]):
    beat = serializers.CharField(source="beat.code")
    station = serializers.CharField(source="beat.station.code")
    proactive_per_week = serializers.IntegerField()
    night_share_percent = serializers.IntegerField()
    max_days_between = serializers.IntegerField()
    updated_at = serializers.DateTimeField()


class TargetViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[BeatTarget]):
    """Per-beat presence targets on the caller's beats (set by station heads on the targets page)."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [IsVerifiedStaff]
    serializer_class = TargetSerializer
    pagination_class = StaffPagination
    filter_backends: list[Any] = []

    def get_exception_handler(self) -> Callable[[Exception, dict[str, Any]], Response | None]:
        return exception_handler

    def get_queryset(self) -> QuerySet[BeatTarget]:
        user = cast(User, self.request.user)
        return (
            BeatTarget.objects.visible_to(user).select_related("beat__station").order_by("beat__code", "pk")
        )

    @extend_schema(responses={200: TargetSerializer(many=True), 400: INVALID})
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)


__all__ = ["ContactViewSet", "TargetViewSet"]
