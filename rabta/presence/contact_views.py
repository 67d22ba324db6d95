"""Staff pages for contacts: the log form (also the offline outbox's endpoint), the list, one contact.

The form posts without JavaScript. With it, rabta/static/rabta/contact-outbox.js keeps each entry in
the phone's outbox and posts it with `X-Rabta-Outbox: 1`; that request gets JSON back instead of a
redirect, and the same entry sent twice is answered with the contact the first one made.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from rabta.core.errors import NotVisible, not_visible_is_404
from rabta.people.auth import StaffRequest, staff_required
from rabta.presence import selectors, services
from rabta.presence.export import can_export
from rabta.presence.forms import ContactLogForm
from rabta.presence.models import ContactChannel, ContactKind
from rabta.presence.services import DEFAULT_MINUTES

OUTBOX_HEADER = "X-Rabta-Outbox"
PAGE_SIZE = 50


def _from_outbox(request: StaffRequest) -> bool:
    return request.headers.get(OUTBOX_HEADER) == "1"


def _errors(form: ContactLogForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


@staff_required
@never_cache
@require_http_methods(["GET", "POST"])
def contact_log(request: StaffRequest) -> HttpResponse:
    user = request.user
    if not services.can_log(user):
        raise PermissionDenied
    outbox = _from_outbox(request)
    form = ContactLogForm(request.POST or None, user=user)
    if request.method == "POST":
        logged = None
        if form.is_valid():
            data = form.cleaned_data
            try:
                logged = services.log_contact(
                    officer=user,
                    kind=data["kind"],
                    beats=list(data["beats"]),
                    started_at=data["started_at"],
                    ended_at=data["ended_at"],
                    proactive=form.proactive_value(),
                    place=data["place"],
                    lat=data.get("lat"),
                    lon=data.get("lon"),
                    counts=form.counts(),
                    note=data["note"],
                    report=data.get("report"),
                    meeting_id=data["meeting"].pk if data.get("meeting") else None,
                    channel=ContactChannel.OUTBOX if outbox else ContactChannel.WEB,
                    client_id=data["client_id"],
                    feedback_phone=data["feedback_phone"] if data.get("feedback_consent") else "",
                    feedback_language=data.get("feedback_language") or "ur",
                )
            except NotVisible:
                form.add_error(None, _("That beat, report or meeting is not one of yours."))
            except ValidationError as exc:
                _errors(form, exc)
        if logged is not None:
            if logged.created:
                messages.success(
                    request, _("Contact saved: %(kind)s.") % {"kind": logged.contact.get_kind_display()}
                )
            else:
                messages.info(request, _("This contact was already saved."))
            if outbox:
                return JsonResponse(
                    {
                        "id": logged.contact.pk,
                        "client_id": str(logged.contact.client_id),
                        "created": logged.created,
                        "url": reverse("presence:contact", args=[logged.contact.pk]),
                    },
                    status=201 if logged.created else 200,
                )
            return redirect("presence:contact_log")
        if outbox:
            return JsonResponse(
                {"errors": {k: [str(e) for e in v] for k, v in form.errors.items()}}, status=400
            )
    return render(
        request,
        "presence/contact_log.html",
        {
            "form": form,
            "recent": selectors.recent_contacts(user=user),
            "minutes_by_kind": {kind: DEFAULT_MINUTES[kind] for kind in ContactKind.values},
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@staff_required
@require_http_methods(["GET"])
def contact_list(request: StaffRequest) -> HttpResponse:
    contacts = selectors.contacts_for(request.user)
    beat = request.GET.get("beat", "")
    if beat:
        contacts = contacts.filter(beats__code=beat[:32])
    page = Paginator(contacts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "presence/contact_list.html",
        {
            "page": page,
            "beat": beat,
            "can_log": services.can_log(request.user),
            "can_export": can_export(request.user),
        },
    )


@staff_required
@never_cache
@require_http_methods(["GET"])
@not_visible_is_404
def contact_detail(request: StaffRequest, pk: int) -> HttpResponse:
    contact = selectors.find_contact(user=request.user, pk=pk)
    return render(request, "presence/contact_detail.html", {"contact": contact, "point": None})


@staff_required
@never_cache
@require_POST
@not_visible_is_404
def contact_point(request: StaffRequest, pk: int) -> HttpResponse:
    """The private GPS point, shown on request and written to the access log, like a report's."""
    contact = selectors.find_contact(user=request.user, pk=pk)
    point = services.reveal_point(contact=contact, viewer=request.user)
    return render(
        request, "presence/contact_detail.html", {"contact": contact, "point": point, "revealed": True}
    )
