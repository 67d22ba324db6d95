"""Limit/offset pages for the staff API, with bounds: a bad number is a 400, never a database error.

DRF's LimitOffsetPagination silently falls back to the default on text it cannot read and passes any
integer to the database, so `?offset=10**30` overflowed SQLite's and PostgreSQL's integers (a 500).
Here `limit` and `offset` must be plain non-negative integers; `limit` is clamped to MAX_LIMIT as DRF
clamps it, and `offset` past MAX_OFFSET is refused.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# Far beyond any district's reports, far inside every database's integer range.
MAX_OFFSET = 10_000_000
_DIGITS = re.compile(r"[0-9]{1,12}")


def _number(request: Request, name: str, *, minimum: int) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if not _DIGITS.fullmatch(raw) or int(raw) < minimum:
        message = _("%(name)s must be a whole number of at least %(minimum)d.")
        raise ValidationError({name: [message % {"name": name, "minimum": minimum}]})
    return int(raw)


class StaffPagination(LimitOffsetPagination):
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
