"""Errors of the connection service.

Tree::

    ServiceError                       (code, message, field)
    ├── NotFoundError          404     the object does not exist for this tenant
    ├── PermissionDeniedError  403     the caller's roles do not grant the permission
    ├── UnauthenticatedError   401     no usable identity
    ├── ValidationError        422     bad input; names the field; nothing changed
    ├── ConflictError          409     e.g. a duplicate name
    ├── IdempotencyError       422     an Idempotency-Key reused with another body
    ├── CheckFailedError       422     a save-time ping failed; carries the CheckResult
    ├── ConnectorFailedError   422/5xx a connector failed; carries its failure class
    └── UnavailableError       503     a remote connection service did not answer (retryable)

``api/errors.py`` maps these to HTTP statuses in one place. The connection clients raise only
these: a connector's own :class:`~connectors.errors.ConnectorError` becomes a
:class:`ConnectorFailedError` (:func:`connector_failed`), so the conversation needs nothing
from ``connectors``. Another tenant's object is a
``NotFoundError``, never a ``PermissionDeniedError``: its existence is not disclosed.
"""

from __future__ import annotations

from connectors.errors import ConnectorError
from connectors.results import CheckResult, FailureClass

__all__ = [
    "PERMISSION_MESSAGE",
    "CheckFailedError",
    "ConflictError",
    "ConnectorFailedError",
    "IdempotencyError",
    "NotFoundError",
    "PermissionDeniedError",
    "ServiceError",
    "UnauthenticatedError",
    "UnavailableError",
    "ValidationError",
    "connector_failed",
]

PERMISSION_MESSAGE = "You don't have permission. Contact your administrator."


class ServiceError(Exception):
    """Root of every connection-service error."""

    code = "service_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFoundError(ServiceError):
    """No such object for this tenant."""

    code = "not_found"


class PermissionDeniedError(ServiceError):
    """The caller may not do this."""

    code = "permission_denied"

    def __init__(self, message: str = PERMISSION_MESSAGE) -> None:
        super().__init__(message)


class UnauthenticatedError(ServiceError):
    """The request carries no usable identity."""

    code = "unauthenticated"


class ValidationError(ServiceError):
    """The input is invalid; nothing was changed."""

    code = "validation_failed"


class ConflictError(ServiceError):
    """The change conflicts with existing state (a duplicate name, say)."""

    code = "conflict"


class IdempotencyError(ServiceError):
    """An Idempotency-Key was reused with a different request."""

    code = "idempotency_key_reused"


class CheckFailedError(ServiceError):
    """The save-time connection ping failed."""

    code = "check_failed"

    def __init__(self, result: CheckResult, *, field: str | None = None) -> None:
        super().__init__(result.message, field=field or result.field)
        self.result = result


class ConnectorFailedError(ServiceError):
    """A connector failed (unreachable, refused the login, ...); ``failure`` says how.

    Attributes:
        failure: The connector's failure class; also the error's ``code``.
        field: The config field most likely at fault, when one is.
    """

    code = "connector_failed"

    def __init__(self, message: str, *, failure: FailureClass, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.failure = failure
        self.code = failure.value


def connector_failed(exc: ConnectorError) -> ConnectorFailedError:
    """The connection service's error for a connector's (raise it ``from exc``)."""
    return ConnectorFailedError(exc.message, failure=exc.failure, field=exc.field)


class UnavailableError(ServiceError):
    """The connection service could not be reached or failed; trying again may work."""

    code = "service_unavailable"
