"""``GET /api/v1/connector-types``: the agent's and every face's source of connector facts.

Field specs, aliases, DSN schemes, what to ask again after each failure class and why
discovery may find nothing: the chat reads them here (through its connection client), so a
remote connection service and the chat cannot disagree.
"""

from __future__ import annotations

from aiohttp import web

from api.errors import ApiError
from api.routing import Call, Query, RouteTable
from connections.schemas import ConnectorTypeList, ConnectorTypeOut, spec_out
from connectors.registry import ConnectorRegistry
from connectors.spec import Role

__all__ = ["REGISTRY_KEY", "routes"]

REGISTRY_KEY = web.AppKey("connector_registry", ConnectorRegistry)
routes = RouteTable()


_ROLE = Query(
    "role", str, "Only types that can serve this role.", enum=tuple(r.value for r in Role)
)


@routes.route(
    "GET",
    "/api/v1/connector-types",
    summary="List connector types",
    tag="connectors",
    response=ConnectorTypeList,
    query=(_ROLE,),
    public=True,
)
async def list_connector_types(call: Call) -> ConnectorTypeList:
    """Types with labels, aliases, roles, fields and the facts the chat uses about them."""
    registry = call.request.app[REGISTRY_KEY]
    role = call.query["role"]
    items = [spec_out(s) for s in registry.specs(Role(role) if role else None)]
    return ConnectorTypeList(items=items, pagination={"total": len(items)})


@routes.route(
    "GET",
    "/api/v1/connector-types/{type}",
    summary="Get a connector type",
    tag="connectors",
    response=ConnectorTypeOut,
    public=True,
)
async def get_connector_type(call: Call) -> ConnectorTypeOut:
    """One connector type, by name in any case."""
    try:
        connector = call.request.app[REGISTRY_KEY][call.path["type"]]
    except KeyError:
        raise ApiError(404, "not_found", "No such connector type.") from None
    return spec_out(connector.spec)
