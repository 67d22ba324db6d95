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
