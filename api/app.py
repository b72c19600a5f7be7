"""The aiohttp application factory."""

from __future__ import annotations

from aiohttp import web

from api import connector_types
from api.middleware import error_middleware, request_context_middleware
from api.settings import Settings
from connectors.registry import default_registry

__all__ = ["SETTINGS_KEY", "create_app"]

SETTINGS_KEY = web.AppKey("settings", Settings)
_MAX_BODY = 1 << 20


async def healthz(_request: web.Request) -> web.Response:
    """Liveness: the process answers."""
    return web.json_response({"status": "ok"})


def create_app(settings: Settings | None = None) -> web.Application:
    """Build the application with all routes and middleware."""
    settings = settings or Settings()
    app = web.Application(
        middlewares=[request_context_middleware, error_middleware], client_max_size=_MAX_BODY
    )
    app[SETTINGS_KEY] = settings
    app[connector_types.REGISTRY_KEY] = default_registry()
    app.router.add_get("/healthz", healthz)
    app.router.add_routes(connector_types.routes)
    return app
