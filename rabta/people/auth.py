"""Staff access: a password and a verified TOTP device, or nothing."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_otp import user_has_device


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A staff page: a staff role, logged in, with a second factor verified in this session."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request)
        if not user.is_staff_role:  # type: ignore[union-attr]
            raise PermissionDenied
        if not user.is_verified():  # type: ignore[union-attr]
            if user_has_device(user, confirmed=True):
                # A session that skipped the code: start again from the login page.
                logout(request)
                return redirect_to_login(request)
            return redirect("people:two_factor_setup")
        return view(request, *args, **kwargs)

    return wrapper


def redirect_to_login(request: HttpRequest) -> HttpResponse:
    from django.contrib.auth.views import redirect_to_login as django_redirect

    return django_redirect(request.get_full_path())
