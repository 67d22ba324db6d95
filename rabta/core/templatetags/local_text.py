"""Staff-written text in the reader's language, marked with its own language and direction.

    {% local meeting "title" %}                  <bdi lang="ur" dir="rtl">…</bdi>
    {% local item "outcome" block="p" lines=True class="outcome" %}
    {% local officer "public_bio" as bio %}{% if bio %}…{{ bio }}…{% endif %}
    {% local officer "display_name" label=False %}  a name in Latin letters is not "in English"
    {{ meeting|local_plain:"title" }}            the text alone (for attributes and plain text)

Text the reader gets in another language than their own carries a label in theirs: "(in English)".
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language_bidi

from rabta.core.localized import local_text, localized, reader_language

register = template.Library()


@register.simple_tag
def local(
    obj: Any, field: str, block: str = "", lines: bool = False, label: bool = True, **attrs: str
) -> SafeString:
    text = localized(obj, field)
    if not text:
        return SafeString("")
    body = linebreaksbr(text.text) if lines else conditional_escape(text.text)
    # A version's language is known; the main text's was read from its letters, so its
    # direction is left to the browser (its first strong letter).
    direction = text.direction if text.is_version else "auto"
    note = SafeString("")
    if text.is_fallback and label:
        note = format_html(
            ' <bdi class="in-lang" lang="{}" dir="{}">({})</bdi>',
            reader_language(),
            "rtl" if get_language_bidi() else "ltr",
            text.fallback_label,
        )
    extra = format_html_join("", ' {}="{}"', ((name, value) for name, value in attrs.items() if value))
    if block in {"p", "div"}:
        # The label ends the paragraph; inline, it follows the text's isolate, outside it.
        return format_html(
            '<{} lang="{}" dir="{}"{}>{}{}</{}>', block, text.language, direction, extra, body, note, block
        )
    return format_html('<bdi lang="{}" dir="{}"{}>{}</bdi>{}', text.language, direction, extra, body, note)


@register.filter
def local_plain(obj: Any, field: str) -> str:
    return local_text(obj, field)


@register.filter
def bdi(value: Any, lang: str = "") -> SafeString:
    """The value isolated from the text around it (a name, a date or a number inside a sentence):
    `{% blocktranslate with station=station.local_name|bdi %}`."""
    if value in (None, ""):
        return SafeString("")
    if lang:
        return format_html('<bdi lang="{}">{}</bdi>', lang, value)
    return format_html("<bdi>{}</bdi>", value)
