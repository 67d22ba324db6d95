"""Staff pages for what residents wrote: which beats have unread texts, reading and tagging a beat's
texts, counts by theme, raising a theme as a priority, and the list of themes."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from rabta.feedback import themes
from rabta.feedback.models import FreeText, Theme
from rabta.people.auth import StaffRequest, staff_required
from rabta.people.models import Role
from rabta.places.models import Beat

THEME_EDITORS = frozenset({Role.STATION_HEAD, Role.DISTRICT_COORDINATOR, Role.ADMIN})
# Analysts read and count; the police of the beat act on what residents raise.
RAISERS = themes.READER_ROLES - {Role.ANALYST}


class ThemeForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Theme
        fields = ["code", "name", "name_ur", "name_ps"]
        widgets = {
            "name_ur": forms.TextInput(attrs={"dir": "rtl"}),
            "name_ps": forms.TextInput(attrs={"dir": "rtl"}),
        }


class TagForm(forms.Form):
    text = forms.UUIDField(widget=forms.HiddenInput)
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def _reader(request: StaffRequest) -> None:
    if not themes.may_read(request.user):
        raise PermissionDenied


@staff_required
@never_cache
@require_http_methods(["GET"])
def text_beats(request: StaffRequest) -> HttpResponse:
    _reader(request)
    unread = FreeText.objects.visible_to(request.user).filter(reviewed=False)
    beats = Beat.objects.visible_to(request.user).select_related("station").order_by("name")[:200]
    counts = dict(unread.values("beat_id").annotate(n=Count("pk")).values_list("beat_id", "n"))
    rows = [(beat, counts.get(beat.pk, 0)) for beat in beats]
    return render(request, "feedback/themes_beats.html", {"rows": rows})


@staff_required
@never_cache
@require_http_methods(["GET", "POST"])
def beat_texts(request: StaffRequest, code: str) -> HttpResponse:
    _reader(request)
    beat = get_object_or_404(Beat.objects.visible_to(request.user), code=code)
    if request.method == "POST":
        form = TagForm(request.POST)
        if not form.is_valid():
            return HttpResponse(gettext("That form was not complete."), status=400)
        item = get_object_or_404(
            FreeText.objects.visible_to(request.user), pk=form.cleaned_data["text"], beat=beat
        )
        themes.tag(user=request.user, item=item, themes=form.cleaned_data["themes"])
        return redirect("feedback:beat_texts", code=beat.code)
    texts = themes.unreviewed(user=request.user, beat=beat)
    rows = [(t, TagForm(initial={"text": t.item.pk, "themes": list(t.item.themes.all())})) for t in texts]
    return render(
        request,
        "feedback/themes_texts.html",
        {
            "beat": beat,
            "rows": rows,
            "counts": themes.counts(user=request.user, beat=beat),
            "may_raise": request.user.role in RAISERS,
        },
    )


@staff_required
@require_POST
def raise_theme(request: StaffRequest, code: str) -> HttpResponse:
    if request.user.role not in RAISERS:
        raise PermissionDenied
    beat = get_object_or_404(Beat.objects.visible_to(request.user), code=code)
    raw = request.POST.get("theme", "")
    # A tampered or stale form: a bad id is the client's error, an unknown one is not found.
    if not (raw.isascii() and raw.isdigit()):
        return HttpResponseBadRequest(gettext("Choose a theme from the list."))
    theme = get_object_or_404(Theme, pk=int(raw))
    try:
        themes.raise_as_priority(by=request.user, beat=beat, theme=theme)
    except themes.NothingToRaise:
        messages.error(
            request,
            gettext("No answer from this beat is tagged with that theme, so there is nothing to raise."),
        )
        return redirect("feedback:beat_texts", code=beat.code)
    messages.success(request, gettext("Raised as a priority for this beat."))
    return redirect("feedback:beat_texts", code=beat.code)


@staff_required
@require_http_methods(["GET", "POST"])
def theme_list(request: StaffRequest) -> HttpResponse:
    _reader(request)
    may_edit = request.user.role in THEME_EDITORS
    form = ThemeForm(request.POST or None)
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        if form.is_valid():
            form.save()
            return redirect("feedback:themes")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "feedback/themes_list.html",
        {"themes": Theme.objects.all(), "form": form, "may_edit": may_edit},
        status=status,
    )
