"""The one place where error roots become HTTP statuses and the error envelope.

Every error response is ``{"error": {"code", "message", "field"?}}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from aiohttp import web

from connections.errors import (
    CheckFailedError,
    ConflictError,
    ConnectorFailedError,
    IdempotencyError,
    NotFoundError,
    PermissionDeniedError,
    ServiceError,
    UnauthenticatedError,
    UnavailableError,
    ValidationError,
)
from connections.vault import VaultError
from connectors.errors import ConnectorError
from connectors.results import FailureClass
from sessions import SessionConflictError, SessionError, SessionLimitError, SessionNotFoundError

__all__ = ["CONNECTOR_STATUS", "SERVICE_STATUS", "ApiError", "error_response", "status_for"]


class ApiError(Exception):
    """An error raised by a route handler, with its HTTP status already decided."""

    def __init__(self, status: int, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field


CONNECTOR_STATUS: Mapping[FailureClass, int] = MappingProxyType(
    {
        FailureClass.INVALID_CONFIG: 422,
        FailureClass.BLOCKED_BY_POLICY: 422,
        FailureClass.AUTH_FAILED: 422,
        FailureClass.PERMISSION_DENIED: 422,
        FailureClass.NOT_FOUND: 422,
        FailureClass.MALFORMED_DATA: 422,
        FailureClass.UNREACHABLE: 502,
        FailureClass.TIMEOUT: 504,
        FailureClass.TLS: 502,
        FailureClass.SERVER_ERROR: 502,
        FailureClass.ENDPOINT_GONE: 502,
        # An unclassified connector failure is ours until someone classifies it.
        FailureClass.UNKNOWN: 500,
    }
)
"""The HTTP status of a connector failure, by its class."""


SERVICE_STATUS: Mapping[type[ServiceError], int] = MappingProxyType(
    {
        NotFoundError: 404,
        PermissionDeniedError: 403,
        UnauthenticatedError: 401,
        ValidationError: 422,
        ConflictError: 409,
        IdempotencyError: 422,
        CheckFailedError: 422,
        UnavailableError: 503,
        # A key or ciphertext problem is ours, not the caller's; its message names no secret.
        VaultError: 500,
    }
)
"""The HTTP status of each connection-service error class."""


_SESSION_STATUS: dict[type[SessionError], int] = {
    SessionLimitError: 503,
    SessionConflictError: 409,
    SessionNotFoundError: 404,
}


def status_for(exc: Exception) -> tuple[int, str]:
    """The HTTP status and error code for an exception escaping a handler."""
    if isinstance(exc, ApiError):
        return exc.status, exc.code
    if isinstance(exc, CheckFailedError) and exc.result.failure is not None:
        return 422, exc.result.failure.value
    if isinstance(exc, ConnectorError | ConnectorFailedError):
        # Before ServiceError: the client's ConnectorFailedError is one, coded by its failure.
        return CONNECTOR_STATUS.get(exc.failure, 500), exc.failure.value
    if isinstance(exc, ServiceError):
        return SERVICE_STATUS.get(type(exc), 400), exc.code
    if isinstance(exc, SessionError):
        return _SESSION_STATUS.get(type(exc), 400), exc.code
    return 500, "internal_error"


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    field: str | None = None,
    extra: dict[str, Any] | None = None,
) -> web.Response:
    """The error envelope."""
    body: dict[str, Any] = {"code": code, "message": message}
    if field:
        body["field"] = field
    body.update(extra or {})
    return web.json_response({"error": body}, status=status)
