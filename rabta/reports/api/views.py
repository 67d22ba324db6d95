"""Staff JSON API for reports at /api/v1/reports/: the triage pages' data and actions as JSON.

Authentication: the staff session only (log in at /<lang>/staff/login/ with password and TOTP code);
DRF's session authentication also enforces CSRF on writes. No token or basic authentication: either
would let a client skip the second factor. Every lookup starts from visible_to(user): out of scope is 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from rabta.core.errors import NotVisible
from rabta.people.models import User
from rabta.reports import selectors, services, triage
from rabta.reports.api import serializers as s
from rabta.reports.api.pagination import QueuePagination
from rabta.reports.lifecycle import Status
from rabta.reports.models import Report


class IsVerifiedStaff(BasePermission):
    """A staff role with a second factor verified in this session (like people.auth.staff_required)."""

    message = "Log in as staff with your authenticator code first."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        verified = getattr(user, "is_verified", None)
        return bool(user and user.is_authenticated and user.is_staff_role and verified and verified())


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, with `NotVisible` answered as the 404 it is (never a 403 or a 500)."""
    if isinstance(exc, NotVisible):
        exc = Http404(str(exc) or "not found")
    return drf_exception_handler(exc, context)


class QueueQuerySerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(
        choices=["open", "all", *Status.values],
        required=False,
        default="open",
        allow_blank=True,
        help_text="Default (also when empty): open.",
    )
    category = serializers.CharField(
        required=False, default="", allow_blank=True, help_text="Category code, e.g. street_lighting."
    )
    beat = serializers.CharField(required=False, default="", allow_blank=True, help_text="Beat code.")
    assigned = serializers.ChoiceField(
        choices=["", "me", "none"], required=False, default="", allow_blank=True
    )
    overdue = serializers.BooleanField(required=False, default=False, help_text="Only overdue reports.")

    def validate_status(self, value: str) -> str:
        # DRF reads an empty query value as absent; the schema says so by allowing "".
        return value or "open"


INVALID = OpenApiResponse(
    s.INVALID_SCHEMA, description="Invalid input, or an action the report's status does not allow."
)
ERRORS = {
    400: INVALID,
    404: OpenApiResponse(description="Not found or out of scope."),
    415: OpenApiResponse(s.ErrorSerializer, description="The body is not JSON (Content-Type)."),
}
REFUSED = OpenApiResponse(
    s.ErrorSerializer,
    description="Refused and written to the access log: the reporter did not agree to be contacted, or "
    "the report is for women officers of the women's desk only.",
)


class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Report]):
    """Reports in the caller's scope, overdue first."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [IsVerifiedStaff]
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-f]{16}"
    serializer_class = s.ReportListSerializer
    filter_backends: list[Any] = []
    pagination_class = QueuePagination
    # JSON only: a multipart or form body DRF cannot read became an empty one, so garbage posted to
    # assign/ unassigned the report. Other content types are a 415.
    parser_classes = [JSONParser]

    def get_exception_handler(self) -> Callable[[Exception, dict[str, Any]], Response | None]:
        return exception_handler

    @property
    def staff(self) -> User:
        """The caller: IsVerifiedStaff lets only logged-in staff members through."""
        return cast(User, self.request.user)

    def get_queryset(self) -> QuerySet[Report]:
        if self.action == "list":
            query = QueueQuerySerializer(data=self.request.query_params)
            query.is_valid(raise_exception=True)
            return selectors.queue(self.staff, selectors.QueueFilters(**query.validated_data))
        return Report.objects.visible_to(self.staff).select_related(
            "category", "beat__station", "assignee", "duplicate_of"
        )

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Report]]:
        return s.ReportDetailSerializer if self.action == "retrieve" else s.ReportListSerializer

    _report: Report | None = None

    def get_object(self) -> Report:
        if self._report is None:
            self._report = selectors.get_visible_report(self.staff, self.kwargs["public_id"])
        return self._report

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if self.detail and request.method == "POST":
            # An action on a report out of scope answers 404 before its body is read, whatever
            # the body or its content type, so a refusal never depends on what was sent.
            self.get_object()

    @extend_schema(
        parameters=[QueueQuerySerializer], responses={200: s.ReportListSerializer(many=True), 400: INVALID}
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: s.ReportDetailSerializer, 404: ERRORS[404]})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._detail(request, self.get_object())

    def _detail(self, request: Request, report: Report) -> Response:
        report = (
            Report.objects.prefetch_related("photos", "updates__author", "updates__assigned_to")
            .select_related("category", "beat__station", "assignee", "duplicate_of")
            .get(pk=report.pk)
        )
        return Response(s.ReportDetailSerializer(report, context={"request": request}).data)

    def _run(self, request: Request, do: Callable[[Report], object]) -> Response:
        report = self.get_object()
        try:
            do(report)
        except triage.ActionError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return self._detail(request, report)

    @extend_schema(request=s.AcknowledgeInSerializer, responses={200: s.ReportDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, public_id: str) -> Response:
        data = _valid(s.AcknowledgeInSerializer, request)
        return self._run(request, lambda r: triage.acknowledge(report=r, by=self.staff, **data))

    @extend_schema(request=s.StatusInSerializer, responses={200: s.ReportDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request: Request, public_id: str) -> Response:
        data = _valid(s.StatusInSerializer, request)
        return self._run(request, lambda r: triage.change_status(report=r, by=self.staff, **data))

    @extend_schema(request=s.NoteInSerializer, responses={200: s.ReportDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def notes(self, request: Request, public_id: str) -> Response:
        data = _valid(s.NoteInSerializer, request)
        return self._run(request, lambda r: triage.add_note(report=r, by=self.staff, **data))

    @extend_schema(request=s.AssignInSerializer, responses={200: s.ReportDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, public_id: str) -> Response:
        data = _valid(s.AssignInSerializer, request)
        return self._run(
            request, lambda r: triage.assign(report=r, by=self.staff, to_username=data["assignee"])
        )

    @extend_schema(responses={200: s.OfficerSerializer(many=True), 404: ERRORS[404]})
    @action(detail=True, methods=["get"], pagination_class=None)
    def assignees(self, request: Request, public_id: str) -> Response:
        officers = selectors.assignable_officers(self.get_object())
        return Response([{"username": u.username, "name": u.get_full_name() or u.username} for u in officers])

    @extend_schema(responses={200: s.SuggestionSerializer(many=True), 404: ERRORS[404]})
    @action(detail=True, methods=["get"], url_path="duplicate-suggestions", pagination_class=None)
    def duplicate_suggestions(self, request: Request, public_id: str) -> Response:
        found = selectors.duplicate_candidates(self.staff, self.get_object())
        return Response(
            [
                {
                    "public_id": r.public_id,
                    "nearness": nearness.value,
                    "nearness_label": str(nearness.label),
                    "created_at": r.created_at,
                    "status": r.status,
                }
                for r, nearness in found
            ]
        )

    @extend_schema(request=s.DuplicateInSerializer, responses={200: s.ReportDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def duplicate(self, request: Request, public_id: str) -> Response:
        data = _valid(s.DuplicateInSerializer, request)
        return self._run(
            request,
            lambda r: triage.mark_duplicate(
                report=r, by=self.staff, of_public_id=data["of"], note=data["note"]
            ),
        )

    @extend_schema(request=s.NeutralWordingInSerializer, responses={200: s.ReportDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="neutral-wording")
    def neutral_wording(self, request: Request, public_id: str) -> Response:
        """Messages to the reporter say only that there is news from now on. Cannot be switched off."""
        _valid(s.NeutralWordingInSerializer, request)
        return self._run(request, lambda r: triage.use_neutral_wording(report=r, by=self.staff))

    @extend_schema(request=None, responses={200: s.ContactSerializer, 403: REFUSED, 404: ERRORS[404]})
    @action(detail=True, methods=["post"], url_path="reveal-contact")
    def reveal_contact(self, request: Request, public_id: str) -> Response:
        """The reporter's contact details. Every call is written to the access log, refusals too."""
        try:
            contact = services.reveal_contact(report=self.get_object(), viewer=self.staff)
        except services.ContactRefused as refused:
            return _refused(refused)
        response = Response(
            {
                "phone": contact.phone,
                "email": contact.email,
                "no_sms": contact.no_sms,
                "safe_call_hours": contact.safe_call_hours,
                "woman_officer_only": contact.woman_officer_only,
            }
        )
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(request=None, responses={200: s.LocationSerializer, 403: REFUSED, 404: ERRORS[404]})
    @action(detail=True, methods=["post"], url_path="reveal-location")
    def reveal_location(self, request: Request, public_id: str) -> Response:
        """The precise location the resident gave. Every call is written to the access log, refusals too."""
        try:
            found = services.reveal_location(report=self.get_object(), viewer=self.staff)
        except services.LocationRefused as refused:
            return _refused(refused)
        response = Response({"lat": found[0], "lon": found[1]} if found else {"lat": None, "lon": None})
        response["Cache-Control"] = "no-store"
        return response


def _refused(refused: services.Refused) -> Response:
    response = Response({"detail": str(refused)}, status=status.HTTP_403_FORBIDDEN)
    response["Cache-Control"] = "no-store"
    return response


def _valid(serializer_class: type[serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
