"""Staff access: a password and a verified TOTP device, or nothing."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec

from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login as django_redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import user_has_device
from django_otp.admin import OTPAdminSite

if TYPE_CHECKING:
    from rabta.people.models import User


class StaffRequest(HttpRequest):
    """A request that passed `staff_required`: its user is a logged-in staff member with a verified
    second factor. Staff views take this type, so `request.user` is a `User`, not `User | AnonymousUser`."""

    user: User


_P = ParamSpec("_P")


def is_verified(user: User) -> bool:
    """Whether this session proved the second factor (django_otp's middleware adds `is_verified`)."""
    return bool(user.is_verified())  # type: ignore[attr-defined]


def staff_required(
    view: Callable[Concatenate[StaffRequest, _P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, _P], HttpResponse]:
    """A staff page: a staff role, logged in, with a second factor verified in this session.

    Anonymous -> login page; a non-staff role -> 403; staff without a device -> enrolment;
    staff with a device whose session skipped the code -> logged out and sent to log in again.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: _P.args, **kwargs: _P.kwargs) -> HttpResponse:
        user = request.user
        if isinstance(user, AnonymousUser):
            return redirect_to_login(request)
        if not user.is_staff_role:
            raise PermissionDenied
        if not is_verified(user):
            if user_has_device(user, confirmed=True):
                logout(request)
                return redirect_to_login(request)
            return redirect("people:two_factor_setup")
        return view(request, *args, **kwargs)  # type: ignore[arg-type]  # checked above: a StaffRequest

    return wrapper


def redirect_to_login(request: HttpRequest, next_url: str | None = None) -> HttpResponse:
    return django_redirect_to_login(next_url or request.get_full_path(), reverse("people:login"))


def safe_next_url(request: HttpRequest, default: str = "") -> str:
    """The `next` parameter when it is a path on this site; otherwise `default`.

    Only absolute paths are accepted ("/en/staff/"): no scheme, no host, no "//evil" or "/\\evil",
    and no bare words that `redirect()` would try to resolve as view names.
    """
    candidate = (request.POST.get("next") or request.GET.get("next") or "").strip()
    if (
        candidate.startswith("/")
        and not candidate.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=False
        )
    ):
        return candidate
    return default


class RabtaAdminSite(OTPAdminSite):
    """The Django admin, entered only through Rabta's own login (rate-limited, with TOTP enrolment).

    django_otp's admin login form would be a second, unthrottled place to guess passwords.
    """

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        next_url = safe_next_url(request, default=reverse("admin:index", current_app=self.name))
        if self.has_permission(request):
            return redirect(next_url)
        user = request.user
        if not isinstance(user, AnonymousUser) and is_verified(user):
            # Logged in with a second factor but not an admin-site role: no way in, say so.
            raise PermissionDenied
        return redirect_to_login(request, next_url)
