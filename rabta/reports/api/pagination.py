"""Pages for the staff API. The report list pages by keyset: `limit` and an opaque `cursor` from
the `next` link.

A page starts after the last report of the page before (selectors.QueueCursor), so every page costs
what the first costs; an OFFSET would read and drop every earlier row, and an exact COUNT would read
the whole scope on every page. Bad numbers and cursors are a 400, never a database error: DRF's own
paginators fall back to defaults on text they cannot read and pass any integer to the database.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination, LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from rabta.reports.selectors import QueueCursor, QueuePage, queue_page

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
_DIGITS = re.compile(r"[0-9]{1,12}")
# Far beyond any district's rows, far inside every database's integer range.
MAX_OFFSET = 10_000_000


def _number(request: Request, name: str, *, minimum: int) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if not _DIGITS.fullmatch(raw) or int(raw) < minimum:
        message = _("%(name)s must be a whole number of at least %(minimum)d.")
        raise ValidationError({name: [message % {"name": name, "minimum": minimum}]})
    return int(raw)


class QueuePagination(BasePagination):
    limit_query_param = "limit"
    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset: QuerySet[Any], request: Request, view: Any = None) -> list[Any]:
        self.request = request
        limit = self._limit(request)
        raw = request.query_params.get(self.cursor_query_param)
        try:
            after = QueueCursor.decode(raw) if raw else None
        except ValueError as exc:
            message = _("Use the cursor from a page's next link.")
            raise ValidationError({self.cursor_query_param: [message]}) from exc
        self.page: QueuePage = queue_page(queryset, after=after, size=limit)
        return self.page.reports

    def _limit(self, request: Request) -> int:
        raw = request.query_params.get(self.limit_query_param)
        if raw is None:
            return DEFAULT_LIMIT
        if not _DIGITS.fullmatch(raw) or int(raw) < 1:
            message = _("%(name)s must be a whole number of at least %(minimum)d.")
            raise ValidationError({self.limit_query_param: [message % {"name": "limit", "minimum": 1}]})
        # Clamped as DRF clamps it: more than MAX_LIMIT is MAX_LIMIT.
        return min(int(raw), MAX_LIMIT)

    def next_link(self) -> str | None:
        if self.page.next is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, self.page.next.encode())

    def first_link(self) -> str:
        return remove_query_param(self.request.build_absolute_uri(), self.cursor_query_param)

    def get_paginated_response(self, data: Any) -> Response:
        return Response({"next": self.next_link(), "first": self.first_link(), "results": data})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["next", "first", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page, or null on the last page.",
                },
                "first": {"type": "string", "format": "uri", "description": "The first page."},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.limit_query_param,
                "required": False,
                "in": "query",
                "description": (
                    f"Results per page (default {DEFAULT_LIMIT}; more than {MAX_LIMIT} is {MAX_LIMIT})."
                ),
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": (
                    "Where the page starts: copy it from the `next` link of the page before. "
                    "Absent or empty: the first page."
                ),
                "schema": {"type": "string", "pattern": r"^((-|[0-9]{1,17})\.[0-9]{1,17}\.[0-9a-f]{16})?$"},
            },
        ]


class StaffPagination(LimitOffsetPagination):
    """Limit/offset pages for the smaller staff lists (contacts, targets): bounded numbers, a 400
    for text that is not one."""

    default_limit = DEFAULT_LIMIT
    max_limit = MAX_LIMIT

    def get_limit(self, request: Request) -> int:
        limit = _number(request, self.limit_query_param, minimum=1)
        return self.default_limit if limit is None else min(limit, self.max_limit)

    def get_offset(self, request: Request) -> int:
        offset = _number(request, self.offset_query_param, minimum=0)
        if offset is not None and offset > MAX_OFFSET:
            message = _("offset may be at most %(maximum)d.")
            raise ValidationError({"offset": [message % {"maximum": MAX_OFFSET}]})
        return offset or 0

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        limit, offset = super().get_schema_operation_parameters(view)
        limit["schema"].update({"minimum": 1})
        limit["description"] = (
            f"Results per page (default {DEFAULT_LIMIT}; more than {MAX_LIMIT} is {MAX_LIMIT})."
        )
        offset["schema"].update({"minimum": 0, "maximum": MAX_OFFSET})
        return [limit, offset]
