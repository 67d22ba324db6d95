from django import template
from django.utils.translation import gettext as _

from rabta.core.languages import SPOKEN_LANGUAGES

register = template.Library()


@register.filter
def language_names(codes: list[str] | None) -> str:
    names = [str(SPOKEN_LANGUAGES.get(code, code)) for code in codes or []]
    return _(", ").join(names)


@register.filter
def tel(number: str) -> str:
    """A dialable form for tel:/sms: links: digits and a leading +."""
    number = (number or "").strip()
    return ("+" if number.startswith("+") else "") + "".join(c for c in number if c.isdigit())
