from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info


def languages(request: HttpRequest) -> dict[str, object]:
    """The language switcher: each language named in itself, linking to this page in that language."""
    current = get_language()
    path = request.get_full_path()
    choices = []
    for code, _name in settings.LANGUAGES:
        info = get_language_info(code)
        choices.append(
            {
                "code": code,
                "name_local": info["name_local"],
                "url": _in_language(path, code, current),
                "current": code == current,
            }
        )
    return {"language_choices": choices}


def _in_language(path: str, code: str, current: str | None) -> str:
    """This page in language `code`; a path that resolves to nothing (a 404) keeps its rest, re-prefixed."""
    url = translate_url(path, code)
    prefix = f"/{current}/"
    if url == path and code != current and path.startswith(prefix):
        url = f"/{code}/{path[len(prefix) :]}"
    return url
