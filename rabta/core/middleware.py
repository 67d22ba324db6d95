from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# Rabta pages load nothing from another host: no CDN, font or analytics script.
# The policy makes a slip visible in the browser console instead of silently leaking
# a resident's visit to a third party. Map tiles (map pages only) come through our own host too.
POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(("/admin/", "/api/docs")):
            response.headers.setdefault("Content-Security-Policy", POLICY)
        return response


class RememberLanguageMiddleware:
    """Remember the language of a prefixed URL, so `/` later opens in the language last chosen.

    The switcher is plain links (no form, no JavaScript); this keeps the choice without an
    extra redirect on slow connections.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.utils.translation import get_language_from_path

        response = self.get_response(request)
        language = get_language_from_path(request.path_info)
        if (
            language
            and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language
            and response.status_code < 400
        ):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
                secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
                httponly=True,
            )
        return response


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body exceeds RABTA_MAX_REQUEST_BYTES, before anything reads it.

    Django's own DATA_UPLOAD_MAX_MEMORY_SIZE leaves file parts out, so a multipart body of any
    size would otherwise be streamed to temporary files. The answer is 413 in the endpoint's
    own format: an Open311 error list, API JSON, or a translated page. A body without
    Content-Length is read as empty by Django, so the declared length is the whole body.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        limit: int = settings.RABTA_MAX_REQUEST_BYTES
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            return too_large_response(request, limit)
        return self.get_response(request)


def too_large_response(request: HttpRequest, limit: int) -> HttpResponse:
    from django.shortcuts import render
    from django.utils import translation
    from django.utils.translation import gettext as _

    megabytes = max(1, limit // (1024 * 1024))
    path = request.path_info
    # LocaleMiddleware has not run yet (this comes first, so no other middleware reads the body).
    with translation.override(translation.get_language_from_request(request, check_path=True)):
        message = _("The request is too large: at most %(megabytes)d MB, photos included.") % {
            "megabytes": megabytes
        }
        machine = _machine_error(path, 413, message)
        if machine is not None:
            return machine
        return render(request, "413.html", {"message": message}, status=413)


def _machine_error(path: str, status: int, message: str) -> HttpResponse | None:
    """The error in the format of a machine endpoint (Open311 error list, API JSON), or None for pages.

    Written here rather than through rabta.reports.open311.formats: core sits below reports, and
    these answers are given before (or instead of) the endpoint's own view.
    """
    import json

    from django.http import JsonResponse
    from django.utils.html import escape

    if path.startswith("/open311/"):
        if path.endswith(".xml"):
            body = (
                f'<?xml version="1.0" encoding="utf-8"?>\n<errors><error><code>{status}</code>'
                f"<description>{escape(message)}</description></error></errors>"
            )
            return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
        return HttpResponse(
            json.dumps([{"code": status, "description": message}]),
            status=status,
            content_type="application/json",
        )
    if path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return None


# Seconds a client is asked to wait before retrying while the database is unreachable: long enough
# for a restart or failover, short enough that an SMS gateway's own retry schedule still delivers.
RETRY_AFTER_SECONDS = 30

# Read before the database is touched, so the page needs no session, user or context processor.
_UNAVAILABLE_PAGE = """<!doctype html>
<html lang="{lang}" dir="{dir}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head>
<body><main><h1>{title}</h1><p>{message}</p><p>{advice}</p></main></body></html>
"""


def is_database_unavailable(error: BaseException) -> bool:
    """True for a database that cannot be reached or cannot write now (refused, restarting, disk full).

    IntegrityError and DataError are not here: they are a bug or bad input, and stay a 4xx or 500.
    """
    from django.db import InterfaceError, OperationalError

    return isinstance(error, (OperationalError, InterfaceError))


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After, in the endpoint's own format; the page is a fixed translated string."""
    from django.utils import translation
    from django.utils.html import escape
    from django.utils.translation import gettext as _

    path = request.path_info
    with translation.override(translation.get_language_from_request(request, check_path=True)):
        message = _(
            "Rabta cannot reach its database right now. Nothing was saved; please try again in a minute."
        )
        response = _machine_error(path, 503, message)
        if response is None:
            if path.startswith("/sms/"):
                # The gateway only needs the status to retry; a body would be sent to nobody.
                response = HttpResponse(b"", status=503, content_type="text/plain")
            else:
                response = HttpResponse(
                    _UNAVAILABLE_PAGE.format(
                        lang=escape(translation.get_language() or "en"),
                        dir="rtl" if translation.get_language_bidi() else "ltr",
                        title=escape(_("Temporarily unavailable")),
                        message=escape(message),
                        advice=escape(
                            _("If you were sending a report, go back and send it again: it was not stored.")
                        ),
                    ),
                    status=503,
                    content_type="text/html; charset=utf-8",
                )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Answer 503 + Retry-After when a view (or its template) finds the database unreachable.

    Django's default is its generic HTML 500 on every endpoint and an "Internal Server Error" log
    line; a refused connection is not a bug, and clients (Open311 apps, SMS gateways) should retry.
    Listed last, so its process_exception runs first.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        import logging

        if not is_database_unavailable(exception):
            return None
        # The class name only: a driver's message may quote SQL parameters (contact details).
        logging.getLogger("rabta.core.faults").warning(
            "database unavailable (%s) on %s %s", type(exception).__name__, request.method, request.path_info
        )
        response = database_unavailable_response(request)
        # The warning above is the one line per refused request; Django would add an ERROR too.
        response._has_been_logged = True  # type: ignore[attr-defined]
        return response
