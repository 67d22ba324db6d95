"""What residents are shown about their report, shared by the web pages and the other channels:
who will read it, in plain words, and the private link to follow it."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from rabta.reports.models import Report, Sensitivity


def who_reads(report: Report) -> str:
    """Who will be able to read the report, as visible_to and content_visible_to decide it."""
    if report.category.sensitivity == Sensitivity.CONDUCT:
        return _("It goes to the oversight body, never to the station.")
    if report.women_only_content:
        return _("Only women officers of the women's desk will read it.")
    if report.category.sensitivity == Sensitivity.WOMENS_DESK:
        return _("The women officers of the women's desk and the station head will read it.")
    return _("The police of your neighbourhood and their station head will read it.")


def tracking_url(request: HttpRequest, token: str, language: str) -> str:
    """The private tracking link, absolute for the request's host, in the resident's language."""
    with translation.override(language):
        path = reverse("reports:track", kwargs={"token": token})
    return request.build_absolute_uri(path)
