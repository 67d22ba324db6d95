"""A staff account over its life: backup codes, a lost-device reset by a manager, password reset."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from rabta.core import ratelimit
from rabta.core.errors import NotVisible
from rabta.people import accounts, selectors
from rabta.people.auth import StaffRequest, staff_required
from rabta.people.forms import ConfirmResetForm, StaffPasswordResetForm
from rabta.people.models import STAFF_ROLES, User


def _no_store(response: HttpResponse) -> HttpResponse:
    # The page with fresh backup codes must not stay in any cache or the browser's history store.
    response["Cache-Control"] = "no-store, private"
    return response


@staff_required
@never_cache
@require_http_methods(["GET", "POST"])
def security(request: StaffRequest) -> HttpResponse:
    """The account's second factor: how many backup codes are left, and making a new set.

    New codes are in the answer to the POST only; no later page can show them again.
    """
    user = request.user
    codes: list[str] = []
    if request.method == "POST":
        codes = accounts.make_backup_codes(user=user)
    response = render(
        request,
        "people/security.html",
        {
            "codes": codes,
            "codes_left": selectors.backup_codes_left(user),
            "just_enrolled": request.GET.get("enrolled") == "1" and not codes,
        },
    )
    return _no_store(response)


def _managed(manager: User) -> Any:
    return selectors.users_for(manager).filter(role__in=STAFF_ROLES).exclude(pk=manager.pk)


@staff_required
@never_cache
def staff_people(request: StaffRequest) -> HttpResponse:
    """Staff accounts the viewer manages, each with a way to reset a lost second factor."""
    people = list(
        _managed(request.user)
        .select_related("scope_station", "scope_beat", "scope_district")
        .order_by("username")[:300]
    )
    return render(request, "people/staff_people.html", {"people": people})


@staff_required
@never_cache
@require_http_methods(["GET", "POST"])
def reset_device(request: StaffRequest, pk: int) -> HttpResponse:
    """Confirm, then reset one managed account's authenticator and backup codes."""
    target = get_object_or_404(_managed(request.user), pk=pk)
    form = ConfirmResetForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.reset_second_factor(target=target, by=request.user)
        except NotVisible:
            raise Http404 from None
        messages.success(
            request,
            _(
                "Done. %(name)s must now set a new password with “Forgot your password?” on the "
                "login page and then pair a new authenticator app."
            )
            % {"name": target.get_full_name() or target.username},
        )
        return redirect("people:staff_people")
    return render(
        request,
        "people/reset_device.html",
        {"target": target, "form": form, "has_authenticator": selectors.has_authenticator(target)},
    )


@method_decorator(never_cache, name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link by e-mail; the answer is the same for every address.

    Requests count per client (over the limit: 429, whoever the address belongs to) and e-mails per
    address (over the limit: the usual answer, but no e-mail), so the form can neither flood a
    mailbox nor tell whether an account exists.
    """

    form_class = StaffPasswordResetForm
    template_name = "people/password_reset_form.html"
    email_template_name = "people/password_reset_email.txt"
    subject_template_name = "people/password_reset_subject.txt"
    success_url = reverse_lazy("people:password_reset_done")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not ratelimit.hit("password_reset", "client:" + ratelimit.client_fingerprint(request)):
            window = settings.RABTA_RATE_LIMITS["password_reset"][1]
            response = render(
                request,
                "people/password_reset_form.html",
                {"form": self.get_form(), "limited": True},
                status=429,
            )
            response["Retry-After"] = str(window)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: StaffPasswordResetForm) -> HttpResponse:
        address = form.cleaned_data["email"].strip().casefold()
        if not ratelimit.hit("password_reset_address", "email:" + address):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "people/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Set the new password. Changing it ends every other session of the account (Django checks a
    hash of the password on each request), and this one is not logged in: the person logs in with
    the new password and their code, or pairs a new app after a device reset."""

    template_name = "people/password_reset_confirm.html"
    success_url = reverse_lazy("people:password_reset_complete")
    post_reset_login = False


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "people/password_reset_complete.html"
