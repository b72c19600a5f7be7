"""Installs declared routes: identity, validation, idempotency, serialization."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from api.auth import Authenticator
from api.routing import Call, Endpoint, RouteTable, dump, parse_body, parse_query
from connections.idempotency import IdempotencyStore
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
        store = request.app[IDEMPOTENCY_KEY]
        raw = body.model_dump(mode="json") if body is not None else None
        fingerprint = store.fingerprint(request.method, request.path, raw)
        stored = await store.begin(identity.tenant_id, key, fingerprint)
        if stored is not None:
            response = _response(stored.status, stored.body, stored.location)
            response.headers["Idempotent-Replayed"] = "true"
            return response
        try:
            status, out, location = _respond(endpoint, request, await endpoint.handler(call))
        except BaseException:
            await store.abandon(identity.tenant_id, key)
            raise
        await store.finish(identity.tenant_id, key, status, out, location)
        return _response(status, out, location)

    handle.__name__ = endpoint.operation_id
    return handle


def install(app: web.Application, *tables: RouteTable) -> None:
    """Add every declared endpoint to ``app``'s router."""
    for table in tables:
        for endpoint in table.endpoints:
            app.router.add_route(endpoint.method, endpoint.path, _handler(endpoint))
