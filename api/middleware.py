"""Request middleware: request ids bound into every log line, and the error envelope."""

from __future__ import annotations

import time

import structlog
from aiohttp import web
from aiohttp.typedefs import Handler
from ulid import ULID

from api.errors import ApiError, error_response, status_for
from connections.errors import CheckFailedError, ServiceError
from connectors.errors import ConnectorError
from core.redaction import redact_text
from sessions import SessionError

__all__ = ["error_middleware", "request_context_middleware"]

log = structlog.get_logger("api")

_REQUEST_ID = "X-Request-Id"
_MAX_REQUEST_ID = 64


@web.middleware
async def request_context_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Bind request, tenant and user ids to the logging context for this request."""
    incoming = request.headers.get(_REQUEST_ID, "")
    request_id = incoming if incoming.isalnum() and len(incoming) <= _MAX_REQUEST_ID else None
    request_id = request_id or f"req_{ULID()}"
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(
        request_id=request_id,
        tenant_id=request.headers.get("X-Tenant-Id"),
        user_id=request.headers.get("X-User-ID"),
    )
    started = time.perf_counter()
    response = await handler(request)
    response.headers[_REQUEST_ID] = request_id
    # The path only: query strings may carry tokens.
    log.info(
        "http_request",
        method=request.method,
        path=request.path,
        status=response.status,
        duration_ms=round((time.perf_counter() - started) * 1000, 1),
    )
    return response


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn every error into the envelope; never leak a traceback or a secret."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code = exc.reason.lower().replace(" ", "_")
        return error_response(exc.status, code, exc.reason)
    except CheckFailedError as exc:
        status, code = status_for(exc)
        steps = [step.model_dump(mode="json") for step in exc.result.steps]
        return error_response(
            status,
            code,
            redact_text(exc.message),
            field=exc.field,
            extra={"failure": code, "steps": steps},
        )
    except (ApiError, ConnectorError, ServiceError, SessionError) as exc:
        status, code = status_for(exc)
        field = getattr(exc, "field", None)
        return error_response(status, code, redact_text(exc.message), field=field)
    except Exception:
        log.exception("unhandled_error", path=request.path)
        return error_response(500, "internal_error", "Something went wrong on our side.")
