"""CORS for an embedded widget: only its own routes, only for configured origins.

A page on another origin that embeds ``widget.js`` calls this service with ``fetch``. The
browser allows that only if the service says so; we say so for the origins listed in
``INGESTION_AGENT_WIDGET_ORIGINS`` and only on what the widget uses (``/widget/identity``
and the session API), never on the rest of the REST API. Credentials (a gateway's cookie)
are allowed, which is why origins are exact, never ``*``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Handler

__all__ = [
    "ALLOWED_HEADERS",
    "ALLOWED_METHODS",
    "ORIGINS_KEY",
    "cors_headers",
    "normalize_origin",
    "preflight",
]

ORIGINS_KEY = web.AppKey("widget_origins", frozenset)
ALLOWED_METHODS = ("GET", "POST", "DELETE")
# What the widget sends: JSON bodies, a bearer token (jwt mode) or the local identity.
ALLOWED_HEADERS = ("Authorization", "Content-Type", "X-Tenant-Id", "X-User-ID", "X-User-Roles")
_SCOPE = ("/widget/identity", "/api/v1/agents/ingestion/sessions")
_MAX_AGE = "600"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_origin(value: str) -> str:
    """``scheme://host[:port]`` in the form a browser's ``Origin`` header carries it.

    Raises:
        ValueError: ``value`` is not an http(s) origin (a path, a wildcard, credentials...).
    """
    text = value.strip()
    parts = urlsplit(text)
    if (
        parts.scheme not in _DEFAULT_PORTS
        or not parts.hostname
        or parts.username is not None
        or parts.password is not None
        or parts.path not in {"", "/"}
        or parts.query
        or parts.fragment
        or "*" in text
    ):
        raise ValueError(f"not an origin (scheme://host[:port]): {text!r}")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"not an origin (bad port): {text!r}") from exc
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    suffix = "" if port is None or port == _DEFAULT_PORTS[parts.scheme] else f":{port}"
    return f"{parts.scheme}://{host}{suffix}"


def _allowed_origin(request: web.Request) -> str | None:
    origin = request.headers.get("Origin")
    if origin is None or not request.path.startswith(_SCOPE):
        return None
    allowed: frozenset[str] = request.app[ORIGINS_KEY]
    return origin if origin.lower() in allowed else None


@web.middleware
async def preflight(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer a CORS preflight from an allowed origin; anything else goes on unchanged."""
    origin = _allowed_origin(request) if request.method == "OPTIONS" else None
    wanted = request.headers.get("Access-Control-Request-Method", "").upper()
    if origin is None or wanted not in ALLOWED_METHODS:
        return await handler(request)
    return web.Response(
        status=204,
        headers={
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Credentials": "true",
            "Access-Control-Allow-Methods": ", ".join(ALLOWED_METHODS),
            "Access-Control-Allow-Headers": ", ".join(ALLOWED_HEADERS),
            "Access-Control-Max-Age": _MAX_AGE,
            "Vary": "Origin",
        },
    )


async def cors_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Let an allowed origin read the answer (errors and event streams included)."""
    origin = _allowed_origin(request)
    if origin is None or request.method == "OPTIONS":
        return
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Allow-Credentials"] = "true"
    response.headers["Access-Control-Expose-Headers"] = "X-Request-Id"
    response.headers.add("Vary", "Origin")
