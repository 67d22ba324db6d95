"""Beat codes in URLs are matched without regard to case: /en/beats/gul/ leads to /en/beats/GUL/.

People type codes from posters, SMS replies and word of mouth, in whatever case their keyboard
gives. A redirect (not a second page at the other spelling) keeps one address per beat for links,
caches and search engines.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from rabta.core.errors import NotVisible
from rabta.places.models import Beat


def beat_code_ignoring_case(code: str) -> str | None:
    """The stored code of the one beat whose code equals `code` ignoring case; None for none or several."""
    codes = list(Beat.objects.filter(code__iexact=code).values_list("code", flat=True)[:2])
    return codes[0] if len(codes) == 1 else None


def canonical_beat_code(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Redirect a GET whose `code` names a beat in another case to the same URL with the stored code.

    Only when the view found nothing: the exact code costs no extra query, and a view's 404 for
    another reason (its beat exists) stays a 404.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, code: str, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, code=code, **kwargs)
        except (Http404, NotVisible):
            if request.method not in ("GET", "HEAD") or request.resolver_match is None:
                raise
            stored = beat_code_ignoring_case(code)
            if stored is None or stored == code:
                raise
            match = request.resolver_match
            url = reverse(match.view_name, args=match.args, kwargs={**match.kwargs, "code": stored})
            query = request.META.get("QUERY_STRING", "")
            return HttpResponseRedirect(f"{url}?{query}" if query else url)

    return wrapper
