"""The OpenAPI 3.1 document, generated from the declared routes and their pydantic models."""

from __future__ import annotations

import re
from typing import Any

from pydantic import TypeAdapter

from api.routing import Endpoint, Query, RouteTable

__all__ = ["build_openapi"]

_REF = "#/components/schemas/{model}"
_PATH_PARAM = re.compile(r"{(\w+)}")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_ERROR_TEXT = {
    400: "Malformed request",
    401: "No usable identity",
    403: "You don't have permission. Contact your administrator.",
    404: "Not found (also another tenant's object)",
    409: "Conflict",
    422: "Invalid input, or a failed connection check",
}
_ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "field": {"type": "string"},
                "failure": {"type": "string"},
                "steps": {"type": "array", "items": {"type": "object"}},
            },
        }
    },
}


class _Schemas:
    """Collects component schemas while endpoints are described."""

    def __init__(self) -> None:
        self.components: dict[str, Any] = {"Error": _ERROR_SCHEMA}

    def ref(self, type_: Any, mode: str) -> dict[str, Any]:
        schema = TypeAdapter(type_).json_schema(
            mode=mode,  # type: ignore[arg-type]
            by_alias=True,
            ref_template=_REF,
        )
        self.components.update(schema.pop("$defs", {}))
        title = schema.get("title")
        if schema.get("type") == "object" and isinstance(title, str):
            name = _UNSAFE.sub("_", title)
            self.components[name] = schema
            return {"$ref": _REF.format(model=name)}
        return schema


def _query_schema(param: Query) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer" if param.type is int else "string"}
    if param.enum:
        schema["enum"] = list(param.enum)
    if param.minimum is not None:
        schema["minimum"] = param.minimum
    if param.maximum is not None:
        schema["maximum"] = param.maximum
    if param.default is not None:
        schema["default"] = param.default
    return schema


def _operation(endpoint: Endpoint, schemas: _Schemas) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PATH_PARAM.findall(endpoint.path)
    ]
    parameters += [
        {
            "name": p.name,
            "in": "query",
            "required": False,
            "description": p.description,
            "schema": _query_schema(p),
        }
        for p in endpoint.query
    ]
    if endpoint.creates:
        parameters.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": "A replay returns the first response; another body is a 422.",
                "schema": {"type": "string", "minLength": 1, "maxLength": 200},
            }
        )
    responses: dict[str, Any] = {}
    if endpoint.status == 204:
        responses["204"] = {"description": "Done"}
    else:
        success: dict[str, Any] = {
            "description": endpoint.summary,
            "content": {
                "application/json": {"schema": schemas.ref(endpoint.response, "serialization")}
            },
        }
        if endpoint.status == 201:
            success["headers"] = {"Location": {"schema": {"type": "string"}}}
        responses[str(endpoint.status)] = success
    if endpoint.public:
        errors: tuple[int, ...] = (400, 404) if _PATH_PARAM.search(endpoint.path) else (400,)
    else:
        errors = endpoint.errors
    if endpoint.creates:
        errors = (*errors, 409)
    for status in sorted(set(errors)):
        responses[str(status)] = {
            "description": _ERROR_TEXT.get(status, "Error"),
            "content": {"application/json": {"schema": {"$ref": _REF.format(model="Error")}}},
        }
    operation: dict[str, Any] = {
        "operationId": endpoint.operation_id,
        "summary": endpoint.summary,
        "tags": [endpoint.tag],
        "parameters": parameters,
        "responses": responses,
    }
    if endpoint.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": schemas.ref(endpoint.body, "validation")}},
        }
    if endpoint.public:
        operation["security"] = []
    return operation


def build_openapi(*tables: RouteTable, version: str) -> dict[str, Any]:
    """The whole document for ``tables``."""
    schemas = _Schemas()
    paths: dict[str, dict[str, Any]] = {}
    for table in tables:
        for endpoint in table.endpoints:
            paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = _operation(
                endpoint, schemas
            )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "ingestion-agent",
            "version": version,
            "description": "Connect data sources and results sinks; the API behind the chat.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas.components,
            "securitySchemes": {
                "tenantHeader": {"type": "apiKey", "in": "header", "name": "X-Tenant-Id"},
                "userHeader": {"type": "apiKey", "in": "header", "name": "X-User-ID"},
                "rolesHeader": {"type": "apiKey", "in": "header", "name": "X-User-Roles"},
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            },
        },
        "security": [
            {"tenantHeader": [], "userHeader": [], "rolesHeader": []},
            {"bearer": []},
        ],
    }
