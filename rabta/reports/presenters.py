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


def handling_officer(report: Report) -> str:
    """ "First name, rank" of the officer the report is assigned to, in the reader's script when the
    profile has it; "" for a conduct complaint (the resident must not learn who in oversight reads
    it, nor be led to think the station does) or when nobody is assigned."""
    officer = report.assignee
    if officer is None or report.category.is_conduct or not officer.is_active:
        return ""
    profile = getattr(officer, "officer_profile", None)
    language = (translation.get_language() or "en")[:2]
    scripted = getattr(profile, f"display_name_{language}", "") if profile and language != "en" else ""
    first = (scripted.split() or [""])[0] if scripted else officer.first_name
    if not first:
        return ""
    if profile is None:
        return first
    return _("%(name)s, %(rank)s") % {"name": first, "rank": profile.get_rank_display()}
