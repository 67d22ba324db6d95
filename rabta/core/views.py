from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability for uptime checks.

    Always 200 while the process serves requests (it is alive); the body says whether the
    database answered, so a monitor can tell "down" from "up but degraded".
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database_ok = True
    except DatabaseError:
        database_ok = False
    return JsonResponse(
        {"status": "ok" if database_ok else "degraded", "database": database_ok},
    )
