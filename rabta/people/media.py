"""Officer photos for the public beat pages, served by Django in production too.

Only a file named by the photo field of a public profile (is_public, active account) is served;
every other path under /media/ is a 404, whatever lies in MEDIA_ROOT. Report photos are not in
MEDIA_ROOT at all (reports.storage) and never come through here.
"""

from __future__ import annotations

from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404, HttpRequest
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from rabta.people.models import OfficerProfile

PREFIX = "officers/"
# A day, not a year: hiding an officer (is_public off, account closed) should take the photo off
# browsers and shared caches soon; a new upload gets a new file name (the storage adds a suffix).
MAX_AGE = 24 * 3600


@require_safe
def officer_photo(request: HttpRequest, name: str) -> FileResponse:
    stored = PREFIX + name
    if ".." in name.split("/") or "\\" in name or "\x00" in name:
        raise Http404("no such photo")
    profile = OfficerProfile.objects.public().filter(photo=stored).first()
    if profile is None:
        raise Http404("no such photo")
    try:
        handle = profile.photo.storage.open(stored, "rb")
    except (FileNotFoundError, SuspiciousFileOperation):
        raise Http404("photo file missing") from None
    response = FileResponse(handle, content_type="image/jpeg")
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    response["X-Content-Type-Options"] = "nosniff"
    return response
