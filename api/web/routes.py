"""The web chat widget's routes: the page, its script and stylesheet, and the identity hint.

``/`` serves the chat page; ``/widget.js`` and ``/widget.css`` are the whole widget (plain
JavaScript and CSS, no build step), which another page can embed with one script tag. Every
answer carries a Content-Security-Policy that allows scripts and styles from this origin
only, so an injected inline script never runs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from typing import Any

from aiohttp import web

from api.dispatch import AUTH_KEY
from api.web.cors import ORIGINS_KEY, cors_headers, preflight
from api.web.identity import identity_hint

__all__ = ["CONTENT_SECURITY_POLICY", "IDENTITY_PATH", "install_widget"]

IDENTITY_PATH = "/widget/identity"
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "img-src 'self' data:",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
_SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@dataclass(frozen=True)
class _Asset:
    """A static file held in memory (they are a few kilobytes each)."""

    body: bytes
    content_type: str
    etag: str

    @classmethod
    def load(cls, name: str, content_type: str) -> _Asset:
        body = resources.files("api.web").joinpath("static", name).read_bytes()
        return cls(body, content_type, f'"{hashlib.sha256(body).hexdigest()[:32]}"')

    def respond(self, request: web.Request) -> web.Response:
        headers = {**_SECURITY_HEADERS, "ETag": self.etag, "Cache-Control": "no-cache"}
        if self.etag in request.headers.get("If-None-Match", ""):
            return web.Response(status=304, headers=headers)
        response = web.Response(body=self.body, headers=headers)
        response.content_type = self.content_type
        response.charset = "utf-8"
        return response


def _serve(asset: _Asset) -> Any:
    async def handle(request: web.Request) -> web.Response:
        return asset.respond(request)

    return handle


async def widget_identity(request: web.Request) -> web.Response:
    """Tell the page which identity to send (see ``api.web.identity``)."""
    hint = identity_hint(request.app[AUTH_KEY], request.remote, request.host, request.headers)
    return web.json_response(
        hint.model_dump(mode="json", exclude_none=True),
        headers={**_SECURITY_HEADERS, "Cache-Control": "no-store"},
    )


def _operation(operation_id: str, summary: str, media: str, schema: dict[str, Any]) -> Any:
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "tags": ["widget"],
            "responses": {
                "200": {"description": summary, "content": {media: {"schema": schema}}},
                "400": {
                    "description": "Malformed request",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                },
            },
        }
    }


def _openapi() -> dict[str, Any]:
    text = {"type": "string"}
    hint = {
        "type": "object",
        "required": ["mode"],
        "properties": {
            "mode": {"type": "string", "enum": ["local", "gateway", "token"]},
            "headers": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    }
    return {
        "/": _operation("widget_page", "The web chat page", "text/html", text),
        "/widget.js": _operation("widget_script", "The chat widget", "text/javascript", text),
        "/widget.css": _operation("widget_styles", "The widget's styles", "text/css", text),
        IDENTITY_PATH: _operation(
            "widget_identity", "Which identity the widget should send", "application/json", hint
        ),
    }


def install_widget(app: web.Application, origins: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Add the widget's routes and CORS handling to ``app``.

    Args:
        app: The application, before it starts.
        origins: The normalized web origins whose pages may embed the widget
            (``Settings.widget_allowed_origins``); none by default.

    Returns:
        The OpenAPI path items of the added routes, for the service's document.
    """
    app[ORIGINS_KEY] = origins
    app.router.add_get("/", _serve(_Asset.load("index.html", "text/html")))
    app.router.add_get("/widget.js", _serve(_Asset.load("widget.js", "text/javascript")))
    app.router.add_get("/widget.css", _serve(_Asset.load("widget.css", "text/css")))
    app.router.add_get(IDENTITY_PATH, widget_identity)
    app.middlewares.append(preflight)
    app.on_response_prepare.append(cors_headers)
    return _openapi()
