"""Installs declared routes: identity, validation, idempotency, serialization."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from api.auth import Authenticator
from api.routing import Call, Endpoint, RouteTable, dump, parse_body, parse_query
from connections.idempotency import IdempotencyStore, StoredResponse
from connections.identity import Identity

__all__ = ["AUTH_KEY", "IDEMPOTENCY_KEY", "install"]

AUTH_KEY = web.AppKey("authenticator", Authenticator)
# Public routes (health, connector types, the OpenAPI document) run as nobody.
ANONYMOUS = Identity(tenant_id="", user_id="", roles=(), permissions=frozenset())
IDEMPOTENCY_KEY = web.AppKey("idempotency", IdempotencyStore)


def _respond(endpoint: Endpoint, request: web.Request, result: Any) -> tuple[int, Any, str | None]:
    if result is None:
        return 204, None, None
    body = dump(result)
    location = None
    if endpoint.status == 201 and isinstance(body, dict) and "id" in body:
        location = f"{request.path.rstrip('/')}/{body['id']}"
    return endpoint.status, body, location


def _response(status: int, body: Any, location: str | None) -> web.Response:
    if status == 204:
        return web.Response(status=204)
    response = web.json_response(body, status=status)
    if location:
        response.headers["Location"] = location
    return response


def _handler(endpoint: Endpoint) -> Any:
    async def handle(request: web.Request) -> web.Response:
        identity = ANONYMOUS if endpoint.public else request.app[AUTH_KEY].identify(request)
        query = parse_query(endpoint, request)
        body = await parse_body(endpoint, request)
        call = Call(
            request=request,
            identity=identity,
            body=body,
            path=dict(request.match_info),
            query=query,
        )
        key = request.headers.get("Idempotency-Key")
        if not (endpoint.creates and key is not None):
            return _response(*_respond(endpoint, request, await endpoint.handler(call)))

        async def work() -> StoredResponse:
            return StoredResponse(*_respond(endpoint, request, await endpoint.handler(call)))

        stored = await request.app[IDEMPOTENCY_KEY].run(
            identity.tenant_id,
            key,
            method=request.method,
            path=request.path,
            body=body.model_dump(mode="json") if body is not None else None,
            work=work,
        )
        response = _response(stored.status, stored.body, stored.location)
        if stored.replayed:
            response.headers["Idempotent-Replayed"] = "true"
        return response

    handle.__name__ = endpoint.operation_id
    return handle


def install(app: web.Application, *tables: RouteTable) -> None:
    """Add every declared endpoint to ``app``'s router."""
    for table in tables:
        for endpoint in table.endpoints:
            app.router.add_route(endpoint.method, endpoint.path, _handler(endpoint))
