"""Logging in (password, plus a TOTP code for staff), second-factor enrolment, landing pages."""

from __future__ import annotations

import base64

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from rabta.people import approvals, lockout, selectors
from rabta.people.auth import StaffRequest, is_verified, redirect_to_login, safe_next_url, staff_required
from rabta.people.forms import LoginForm, TokenForm
from rabta.people.models import RoleRequestState, User


def _landing(user: User) -> str:
    return reverse("site:staff_home" if user.is_staff_role else "people:account")


@sensitive_post_parameters("password", "otp_token")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """One form for everyone; staff who already paired an app also give its current code.

    Throttled by rabta.people.lockout: one client guessing is refused, and many clients guessing one
    account close it for at most a minute to a connection that has not guessed wrong for it.
    """
    form = LoginForm(request.POST or None)
    status = 200
    retry_after = None
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"].strip()
        refusal = lockout.check(request, username)
        if refusal is not None:
            form.add_error(None, refusal.message)
            status, retry_after = 429, refusal.retry_after
        else:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is None:
                lockout.failed_password(request, username)
                form.add_error(None, _("That username and password do not match."))
            elif user.is_staff_role and user_has_device(user, confirmed=True):
                token = form.cleaned_data["otp_token"].strip()
                device = match_token(user, token) if token else None
                if device is None:
                    lockout.passed_password(request, username)
                    form.add_error("otp_token", _("Enter the current code from your authenticator app."))
                else:
                    login(request, user)
                    otp_login(request, device)
                    lockout.succeeded(request, username)
                    return redirect(safe_next_url(request, _landing(user)))
            else:
                login(request, user)
                lockout.succeeded(request, username)
                if user.is_staff_role:  # first staff login: pair an app before any staff page
                    return redirect("people:two_factor_setup")
                return redirect(safe_next_url(request, _landing(user)))
    response = render(
        request, "people/login.html", {"form": form, "next": safe_next_url(request)}, status=status
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("places:home")


@sensitive_post_parameters("otp_token")
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """First staff login: pair an authenticator app (TOTP) and prove it works with one code."""
    user = request.user
    if not isinstance(user, User):
        return redirect_to_login(request)
    if not user.is_staff_role:
        raise PermissionDenied
    if user_has_device(user, confirmed=True):
        # Pairing another device needs a verified session; an unverified one logs in again.
        return redirect("site:staff_home" if is_verified(user) else "people:login")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # verify_token is throttled by django-otp (growing delay after each failure).
        if device.verify_token(form.cleaned_data["otp_token"].strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            otp_login(request, device)
            # Straight on to backup codes, while the person is still thinking about a lost phone.
            return redirect(reverse("people:security") + "?enrolled=1")
        form.add_error("otp_token", _("That code did not match. Check the time on your phone and try again."))
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    # Our own generated markup (path data only), inline so no image request carries the secret.
    qr_svg = mark_safe(image.to_string(encoding="unicode"))  # noqa: S308
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "people/two_factor_setup.html",
        {"form": form, "qr_svg": qr_svg, "secret": secret},
    )


@staff_required
@never_cache
def role_requests(request: StaffRequest) -> HttpResponse:
    """Requests for sensitive roles, shown to the people who already hold that scope, and their own."""
    user = request.user
    held = selectors.requests_for(user)
    pending = list(held.filter(state=RoleRequestState.PENDING).order_by("requested_at")[:100])
    for item in pending:
        item.decidable = user.pk not in (item.requested_by_id, item.user_id)  # type: ignore[attr-defined]
    decided = held.exclude(state=RoleRequestState.PENDING).order_by("-decided_at")[:50]
    mine = (
        selectors.requests_by(user)
        .select_related("user", "decided_by", "scope_district", "scope_station", "scope_beat")
        .order_by("-requested_at")[:50]
    )
    return render(
        request,
        "people/role_requests.html",
        {"pending": pending, "decided": decided, "mine": mine, "holder": selectors.holds_a_scope(user)},
    )


@staff_required
@require_POST
def role_request_decide(request: StaffRequest, pk: int) -> HttpResponse:
    user = request.user
    # Outside the viewer's scope a request does not exist.
    item = get_object_or_404(selectors.requests_for(user), pk=pk)
    decision = request.POST.get("decision", "")
    if decision not in ("approve", "reject"):
        return HttpResponseBadRequest(_("Choose Approve or Reject."))
    try:
        if decision == "approve":
            approvals.approve(request=item, by=user)
            messages.success(request, _("Approved. The account has its new role now."))
        else:
            approvals.reject(request=item, by=user)
            messages.success(request, _("Rejected. The account keeps what it had."))
    except approvals.NotAllowed:
        raise PermissionDenied(
            _("A second person must decide: not the one who asked, not the account itself.")
        ) from None
    except approvals.AlreadyDecided:
        messages.info(request, _("This request was decided already."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("people:role_requests")


@never_cache
def account(request: HttpRequest) -> HttpResponse:
    """Where residents, volunteers and committee members land after logging in."""
    user = request.user
    if not isinstance(user, User):
        return redirect_to_login(request)
    if user.is_staff_role:
        return redirect("site:staff_home")
    return render(request, "people/account.html", {"home_beat": user.scope_beat})
