"""Query counts as specifications: a list page runs a fixed number of queries, however long the list.

`assert_constant_queries(client, url, make_rows)` proves it: it renders the page with N rows and again
with 2N rows and asserts that both renders ran the same queries (so nothing runs once per row). Pass
`exactly=` one of the named counts below, whose comments list the queries, where the count itself
matters: the public pages, and the lists a station works from all day.

`captured_sql(context)` gives the SQL of a `django_assert_num_queries` / `CaptureQueriesContext` block
for a failure message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

# What every staff page pays before its own queries: the session, the user, and the OTP device that
# proves the second factor.
STAFF_REQUEST = 3

# The triage queue of a beat officer: the categories for the filter, the categories' sensitivities and
# the viewer's beats and desk (visible_to turns them into literal id lists), one page of reports with
# category, beat and assignee joined, and the count of the queue up to selectors.COUNT_UP_TO.
TRIAGE_QUEUE = STAFF_REQUEST + 5
# GET /api/v1/reports/ for a beat officer: the categories' sensitivities, the viewer's beats and desk,
# and one page of reports (keyset pages: no COUNT).
API_REPORT_LIST = STAFF_REQUEST + 3
# GET /open311/v2/requests.{json,xml}: the published categories' ids, the created_at of the 1,000th
# newest report (where the last listed day starts), and one SELECT of the reports from that day on,
# category and beat joined.
OPEN311_REQUESTS = 3
# The public beat page: the beat with its station and district, the beat's officers, the women's-desk
# officers of its station, the upcoming meetings, the SMS channel whose number the page shows, the
# beat's proactive visits (one aggregate: eight weeks and the last visit) and the desk's recent shifts.
BEAT_PAGE = 7
# A beat whose station has no women's desk also looks up the district's station that has one.
BEAT_PAGE_DESK_ELSEWHERE = BEAT_PAGE + 1
# "You said, we did": the beat, its priorities, their actions (prefetched).
YOU_SAID_WE_DID = 3
# The beat's calendar feed: the beat, its meetings.
BEAT_FEED = 2
# The public home page: the stations, their beats (prefetched); a search adds the keys that
# contain the text and the beats shown (rabta.places.search).
HOME = 2
HOME_SEARCH = HOME + 2


@dataclass
class QueryProof:
    """The two renders of a constant-queries proof."""

    small: Any  # the response with N rows
    large: Any  # the response with 2N rows
    queries: list[str]  # the SQL of the 2N render, in order

    @property
    def count(self) -> int:
        return len(self.queries)


def captured_sql(context: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in context.captured_queries]


def _numbered(queries: list[str], width: int = 240) -> str:
    return "\n".join(
        f"  {n}. {sql if len(sql) <= width else sql[:width] + '...'}" for n, sql in enumerate(queries, 1)
    )


def render_queries(client: Client, url: str, **get_kwargs: Any) -> tuple[Any, list[str]]:
    """GET `url` and return the response and the SQL it ran."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, **get_kwargs)
    return response, captured_sql(context)


def assert_constant_queries(
    client: Client,
    url: str,
    make_rows: Callable[[int], object],
    *,
    n: int = 3,
    exactly: int | None = None,
    status: int = 200,
    **get_kwargs: Any,
) -> QueryProof:
    """Assert that `url` runs as many queries with 2n rows as with n rows (and `exactly` many, if given).

    `make_rows(k)` adds k more rows that the page lists; it is called twice, with n each time. Before the
    first measured render the page is fetched once, so that what a first request does once (a session
    write, the OTP device check, a per-process cache) is not counted as a row's cost. Check in the caller
    that `proof.large` really lists the 2n rows: a filter that hid them would prove nothing.
    """
    make_rows(n)
    warm = client.get(url, **get_kwargs)
    assert warm.status_code == status, f"{url} answered {warm.status_code}, expected {status}"
    small, small_sql = render_queries(client, url, **get_kwargs)
    make_rows(n)
    large, large_sql = render_queries(client, url, **get_kwargs)
    assert large.status_code == status, f"{url} answered {large.status_code}, expected {status}"
    assert len(large_sql) == len(small_sql), (
        f"{url} runs {len(small_sql)} queries with {n} rows but {len(large_sql)} with {2 * n}: "
        f"a query per row.\nWith {n} rows:\n{_numbered(small_sql)}"
        f"\nWith {2 * n} rows:\n{_numbered(large_sql)}"
    )
    if exactly is not None:
        assert len(large_sql) == exactly, (
            f"{url} runs {len(large_sql)} queries, expected {exactly}:\n{_numbered(large_sql)}"
        )
    return QueryProof(small=small, large=large, queries=large_sql)
