"""``GET /api/v1/connector-types``: the agent's and every face's source of field specs."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from api.errors import ApiError
from connectors.registry import ConnectorRegistry
from connectors.spec import ConnectorSpec, Role

__all__ = ["REGISTRY_KEY", "routes"]

REGISTRY_KEY = web.AppKey("connector_registry", ConnectorRegistry)
routes = web.RouteTableDef()


def spec_json(spec: ConnectorSpec) -> dict[str, Any]:
    """The public shape of a connector type."""
    return {
        "type": spec.type,
        "label": spec.label,
        "description": spec.description,
        "aliases": list(spec.aliases),
        "roles": [r.value for r in spec.roles],
        "fields": [
            {
                "name": f.name,
                "label": f.label,
                "kind": f.kind,
                "secret": f.secret,
                "required": f.required,
                "example": None if f.secret else f.example,
                "prompt": f.prompt,
                "default": f.default,
                "choices": list(f.choices),
                "roles": [r.value for r in f.roles],
            }
            for f in spec.fields
        ],
    }


@routes.get("/api/v1/connector-types")
async def list_types(request: web.Request) -> web.Response:
    """List connector types, optionally only those serving ``?role=``."""
    registry = request.app[REGISTRY_KEY]
    role_param = request.query.get("role")
    try:
        role = Role(role_param.upper()) if role_param else None
    except ValueError:
        raise ApiError(
            400, "invalid_parameter", "role must be INVENTORY_SOURCE or RESULTS_SINK.", field="role"
        ) from None
    items = [spec_json(s) for s in registry.specs(role)]
    return web.json_response({"items": items, "pagination": {"total": len(items)}})


@routes.get("/api/v1/connector-types/{type}")
async def get_type(request: web.Request) -> web.Response:
    """One connector type."""
    registry = request.app[REGISTRY_KEY]
    try:
        connector = registry[request.match_info["type"]]
    except KeyError:
        raise ApiError(404, "not_found", "No such connector type.") from None
    return web.json_response(spec_json(connector.spec))
