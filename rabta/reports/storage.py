"""Private storage for residents' photos: outside MEDIA_ROOT and with no URL.

MEDIA_ROOT is served to the public (officer photos, rabta.people.media) and a misconfigured reverse
proxy may serve all of it; report photos therefore live under RABTA_PRIVATE_MEDIA_ROOT, which no URL
pattern or web server should map, and reach a browser only through reports.views.photo.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.files.storage import FileSystemStorage
from django.core.signals import setting_changed
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property


@deconstructible(path="rabta.reports.storage.PrivateMediaStorage")
class PrivateMediaStorage(FileSystemStorage):
    """A FileSystemStorage rooted at RABTA_PRIVATE_MEDIA_ROOT whose files have no URL."""

    def __init__(self) -> None:
        super().__init__()
        setting_changed.connect(self._follow_private_root)

    @cached_property
    def base_location(self) -> str:
        return str(settings.RABTA_PRIVATE_MEDIA_ROOT)

    def _follow_private_root(self, *, setting: str, **kwargs: Any) -> None:
        # Tests move the root with override_settings; the cached paths must follow it.
        if setting == "RABTA_PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name: str | None) -> str:
        raise ValueError("report photos have no public URL; link to reports:photo instead")


private_storage = PrivateMediaStorage()


def move_from_public_media(names: Iterable[str]) -> int:
    """Move files stored before the private root existed from MEDIA_ROOT to it; returns how many.

    Idempotent: a name already in the private root, or missing from MEDIA_ROOT, is left alone.
    """
    public_root = Path(settings.MEDIA_ROOT).resolve()
    moved = 0
    for name in names:
        if not name:
            continue
        source = (public_root / name).resolve()
        if public_root not in source.parents or not source.is_file():
            continue
        target = Path(private_storage.path(name))
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(source), str(target))
        moved += 1
    return moved


def check_private_root(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """System check: the private root must not lie inside a directory that is served."""
    private = Path(settings.RABTA_PRIVATE_MEDIA_ROOT).resolve()
    errors: list[checks.CheckMessage] = []
    for setting in ("MEDIA_ROOT", "STATIC_ROOT"):
        served = Path(getattr(settings, setting)).resolve()
        if private == served or served in private.parents or private in served.parents:
            errors.append(
                checks.Error(
                    f"RABTA_PRIVATE_MEDIA_ROOT ({private}) overlaps {setting} ({served}), which is served "
                    "to the public: report photos would be reachable by URL",
                    hint="Give RABTA_PRIVATE_MEDIA_ROOT a directory of its own (default var/private-media).",
                    id="rabta.reports.E001",
                )
            )
    return errors
