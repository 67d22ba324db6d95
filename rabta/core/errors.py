"""Domain errors that views answer in one way, so services never speak HTTP."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from django.http import Http404


class NotVisible(Exception):
    """The object does not exist for this viewer.

    Raised by services and selectors instead of `Http404`; views answer it with a 404 (never 403),
    so that a probe cannot tell a hidden record from one that does not exist.
    """


_P = ParamSpec("_P")
_R = TypeVar("_R")


def not_visible_is_404(view: Callable[_P, _R]) -> Callable[_P, _R]:
    """Answer `NotVisible` raised anywhere below a view with Django's 404 page."""

    @wraps(view)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return view(*args, **kwargs)
        except NotVisible as exc:
            raise Http404(str(exc) or "not found") from exc

    return wrapper
