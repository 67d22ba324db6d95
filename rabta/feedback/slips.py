"""Printable slips: the short code, a QR code (inline SVG) of the survey link with the code, and the
address to type for people without a QR reader."""

from __future__ import annotations

from dataclasses import dataclass

import qrcode
import qrcode.image.svg
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from rabta.feedback.models import InviteCode


@dataclass(frozen=True)
class Slip:
    code: str
    qr_svg: SafeString


def survey_address(request: HttpRequest) -> str:
    """The entry page, as a person types it: host and path, no scheme."""
    return request.get_host() + reverse("feedback:survey")


def survey_link(request: HttpRequest, code: str) -> str:
    return request.build_absolute_uri(reverse("feedback:survey") + "?" + urlencode({"code": code}))


def qr_svg(text: str) -> SafeString:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    # Our own generated markup (path data only), inline so the page needs no image requests.
    return mark_safe(image.to_string(encoding="unicode"))  # noqa: S308


def slips_for(request: HttpRequest, codes: list[InviteCode]) -> list[Slip]:
    return [Slip(code=code.display, qr_svg=qr_svg(survey_link(request, code.code))) for code in codes]
