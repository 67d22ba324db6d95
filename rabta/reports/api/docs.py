"""A plain, server-rendered API docs page built from the OpenAPI schema.

Swagger UI and Redoc load their JavaScript from CDNs, which Rabta forbids (no third-party scripts), and
drf-spectacular-sidecar (which would serve them locally) is not installed. So /api/docs/ renders the
schema's paths, parameters and bodies as HTML; the machine-readable schema is at /api/schema/.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from drf_spectacular.generators import SchemaGenerator

METHODS = ("get", "post", "put", "patch", "delete")


def _ref_name(schema: dict[str, Any] | None) -> str:
    if not schema:
        return ""
    ref = schema.get("$ref") or (schema.get("items") or {}).get("$ref", "")
    name = ref.rsplit("/", 1)[-1] if ref else schema.get("type", "")
    return f"{name}[]" if schema.get("type") == "array" else name


def operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if not op:
                continue
            body = (op.get("requestBody") or {}).get("content", {})
            first_body: dict[str, Any] = next(iter(body.values()), {}) if body else {}
            body_schema = first_body.get("schema")
            responses = []
            for code, resp in op.get("responses", {}).items():
                content = resp.get("content", {})
                first_content: dict[str, Any] = next(iter(content.values()), {}) if content else {}
                resp_schema = first_content.get("schema")
                responses.append(
                    {
                        "code": code,
                        "schema": _ref_name(resp_schema),
                        "description": resp.get("description", ""),
                    }
                )
            found.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "id": op.get("operationId", ""),
                    "summary": (op.get("description") or op.get("summary") or "").strip(),
                    "parameters": [
                        {
                            "name": p.get("name"),
                            "in": p.get("in"),
                            "required": p.get("required", False),
                            "type": (p.get("schema") or {}).get("type", ""),
                            "enum": (p.get("schema") or {}).get("enum"),
                            "description": p.get("description", ""),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "body": _ref_name(body_schema),
                    "responses": responses,
                }
            )
    return found


def components(schema: dict[str, Any]) -> list[dict[str, Any]]:
    result = []
    for name, comp in sorted(schema.get("components", {}).get("schemas", {}).items()):
        props = []
        required = set(comp.get("required", []))
        for prop, spec in (comp.get("properties") or {}).items():
            kind = (
                spec.get("type") or _ref_name(spec) or ", ".join(_ref_name(x) for x in spec.get("allOf", []))
            )
            props.append(
                {
                    "name": prop,
                    "type": kind,
                    "required": prop in required,
                    "read_only": spec.get("readOnly", False),
                    "description": spec.get("description", ""),
                    "enum": spec.get("enum"),
                }
            )
        result.append({"name": name, "description": comp.get("description", ""), "properties": props})
    return result


@require_GET
def docs(request: HttpRequest) -> HttpResponse:
    # drf-spectacular's generator is not annotated.
    schema = SchemaGenerator().get_schema(request=None, public=True)  # type: ignore[no-untyped-call]
    return render(
        request,
        "reports/staff/api_docs.html",
        {"info": schema.get("info", {}), "operations": operations(schema), "components": components(schema)},
    )
