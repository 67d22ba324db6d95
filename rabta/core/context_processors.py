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
                "url": translate_url(path, code),
                "current": code == current,
            }
        )
    return {"language_choices": choices}
