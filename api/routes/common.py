"""What route modules share: the service key and common query parameters."""

from __future__ import annotations

from aiohttp import web

from api.routing import Call, Query
from connections.service import ConnectionService

__all__ = ["CURSOR", "LIMIT", "SERVICE_KEY", "service"]

SERVICE_KEY = web.AppKey("connection_service", ConnectionService)
LIMIT = Query("limit", int, "Page size.", default=50, minimum=1, maximum=200)
CURSOR = Query("cursor", str, "Where the previous page ended (its nextCursor).")


def service(call: Call) -> ConnectionService:
    """The connection service of the app handling ``call``."""
    return call.request.app[SERVICE_KEY]
