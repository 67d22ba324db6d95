from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability for uptime checks.

    200 when the database answered, 503 when it did not: a process that cannot reach its
    database cannot take a report, and a monitor watching only the status must notice. The
    body names no error (a driver's message could reveal hosts or parameters).
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database_ok = True
    except DatabaseError:
        database_ok = False
    response = JsonResponse(
        {"status": "ok" if database_ok else "degraded", "database": database_ok},
        status=200 if database_ok else 503,
    )
    if not database_ok:
        from rabta.core.middleware import RETRY_AFTER_SECONDS

        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
