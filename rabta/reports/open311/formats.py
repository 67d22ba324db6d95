"""Open311 GeoReport v2 wire formats: the same data as JSON or XML, and the spec's error lists.

The spec's XML is element-per-field with a fixed root and item name per resource
(<services><service>..., <service_requests><request>..., <errors><error>...); JSON is the list of the
same objects. Nested lists (a service definition's attributes and their values) use the singular item
names below.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from django.http import HttpResponse

FORMATS = ("json", "xml")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# A list under one of these keys holds elements named by the value.
LIST_ITEMS = {"attributes": "attribute", "values": "value", "keywords": "keyword"}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value: Any, tag: str) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child, key)
    elif isinstance(value, list | tuple):
        item = LIST_ITEMS.get(tag, "item")
        for child in value:
            _fill(ET.SubElement(element, item), child, item)
    else:
        element.text = _text(value)


def to_xml(root: str, item: str, objects: list[dict[str, Any]] | dict[str, Any]) -> bytes:
    """A UTF-8 XML document: <root><item>...</item>...</root>, or <root>...</root> for a single dict."""
    element = ET.Element(root)
    if isinstance(objects, dict):
        _fill(element, objects, root)
    else:
        for obj in objects:
            _fill(ET.SubElement(element, item), obj, item)
    body: bytes = ET.tostring(element, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body


def render(
    fmt: str, root: str, item: str, objects: list[dict[str, Any]] | dict[str, Any], *, status: int = 200
) -> HttpResponse:
    if fmt == "xml":
        body = to_xml(root, item, objects)
    else:
        body = json.dumps(objects, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES.get(fmt, CONTENT_TYPES["xml"]))
    # Public data, but a client's view of it should not be shared through caches keyed on the URL alone.
    response["Cache-Control"] = "no-store" if status >= 400 or root == "service_requests" else "max-age=300"
    return response


def errors(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    """The spec's error response: a list of {code, description}; the HTTP status says the same code."""
    items = [{"code": status, "description": text} for text in descriptions]
    return render(fmt if fmt in FORMATS else "xml", "errors", "error", items, status=status)
