from __future__ import annotations

import base64
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from rabta.core import ratelimit
from rabta.people.auth import staff_required
from rabta.people.forms import LoginForm, TokenForm
from rabta.people.models import OfficerProfile


def _next_url(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return candidate
    return default


@sensitive_post_parameters("password", "otp_token")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        client_ok = ratelimit.hit("login", "client:" + ratelimit.client_fingerprint(request))
        user_ok = ratelimit.hit("login", "user:" + username.strip().lower())
        if not (client_ok and user_ok):
            form.add_error(None, _("Too many attempts. Wait 15 minutes and try again."))
            status = 429
        else:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is None:
                form.add_error(None, _("That username and password do not match."))
            elif user.is_staff_role and user_has_device(user, confirmed=True):
                device = match_token(user, form.cleaned_data["otp_token"].strip()) if form.cleaned_data["otp_token"] else None
                if device is None:
                    form.add_error("otp_token", _("Enter the current code from your authenticator app."))
                else:
                    login(request, user)
                    otp_login(request, device)
                    return redirect(_next_url(request, "people:staff_home"))
            else:
                login(request, user)
                if user.is_staff_role:
                    return redirect("people:two_factor_setup")
                return redirect(_next_url(request, "places:home"))
    return render(request, "people/login.html", {"form": form, "next": _next_url(request, "")}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("places:home")


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """First staff login: pair an authenticator app (TOTP) and prove it works with one code."""
    user = request.user
    if not user.is_authenticated or not user.is_staff_role:
        return redirect("people:login")
    if user_has_device(user, confirmed=True):
        return redirect("people:staff_home" if user.is_verified() else "people:login")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["otp_token"].strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect("people:staff_home")
        form.add_error("otp_token", _("That code did not match. Check the time on your phone and try again."))
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "people/two_factor_setup.html",
        {"form": form, "qr_svg": buffer.getvalue().decode(), "secret": secret},
    )


@staff_required
def staff_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    beats = user.beats_in_scope().select_related("station")  # type: ignore[union-attr]
    profile = OfficerProfile.objects.filter(user=user).select_related("station").first()
    return render(request, "people/staff_home.html", {"beats": beats[:200], "beat_count": beats.count(), "profile": profile})
