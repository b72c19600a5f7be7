"""Errors raised by connectors.

Every error a connector raises derives from :class:`ConnectorError` and carries a
:class:`~connectors.results.FailureClass`, so callers can explain the failure in plain words
and decide what to ask the person for again. Third-party exceptions are translated at the
boundary with ``raise ... from exc``; their text is never copied into our message because
client libraries sometimes echo request details.

Whether trying again may help is decided by the failure class, not the type: a
:class:`ConnectionFailedError` that is a timeout is retryable, one that is a TLS problem
is not (an untrusted or expired certificate stays so until someone fixes it).

Tree::

    ConnectorError                     (failure: FailureClass, retryable: bool)
    ├── InvalidConfigError             invalid_config      fatal: fix the config
    ├── BlockedByPolicyError           blocked_by_policy   fatal: the connection guard refused
    ├── ConnectionFailedError          unreachable / timeout   retryable
    │                                  tls                 fatal: the certificate needs a fix
    ├── ServerError                    server_error        retryable: the peer failed or throttled
    ├── AuthError                      auth_failed / permission_denied   fatal
    ├── ResourceNotFoundError          not_found           fatal
    ├── EndpointGoneError              endpoint_gone       fatal: the receiver was retired
    └── DataFormatError                malformed_data      fatal: the file does not parse
"""

from __future__ import annotations

from connectors.results import FailureClass

__all__ = [
    "AuthError",
    "BlockedByPolicyError",
    "ConnectionFailedError",
    "ConnectorError",
    "DataFormatError",
    "EndpointGoneError",
    "InvalidConfigError",
    "ResourceNotFoundError",
    "ServerError",
]

_RETRYABLE = frozenset({FailureClass.UNREACHABLE, FailureClass.TIMEOUT, FailureClass.SERVER_ERROR})


class ConnectorError(Exception):
    """Root of every connector failure.

    Attributes:
        failure: The classified failure, stable across connectors.
        message: A plain-language explanation that never contains a secret.
        field: The config field most likely at fault, when one is.
    """

    default_failure: FailureClass = FailureClass.UNKNOWN

    def __init__(
        self, message: str, *, failure: FailureClass | None = None, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.failure = failure or self.default_failure
        self.field = field

    @property
    def retryable(self) -> bool:
        """Whether trying again later, unchanged, may succeed."""
        return self.failure in _RETRYABLE


class InvalidConfigError(ConnectorError):
    """The configuration is incomplete or malformed; nothing was contacted."""

    default_failure = FailureClass.INVALID_CONFIG


class BlockedByPolicyError(ConnectorError):
    """The connection guard refused the address (private, loopback, metadata, ...)."""

    default_failure = FailureClass.BLOCKED_BY_POLICY


class ConnectionFailedError(ConnectorError):
    """The peer could not be reached: DNS, refused, timeout or TLS.

    Unreachable and timeout are retryable; a TLS failure is not.
    """

    default_failure = FailureClass.UNREACHABLE


class ServerError(ConnectorError):
    """The peer was reached but failed (5xx) or asked us to slow down (429, SlowDown)."""

    default_failure = FailureClass.SERVER_ERROR


class AuthError(ConnectorError):
    """The peer rejected the credentials or their permissions."""

    default_failure = FailureClass.AUTH_FAILED


class ResourceNotFoundError(ConnectorError):
    """The bucket, URL, database or object does not exist."""

    default_failure = FailureClass.NOT_FOUND


class EndpointGoneError(ConnectorError):
    """The receiver says it is gone for good (HTTP 410 on a delivery)."""

    default_failure = FailureClass.ENDPOINT_GONE


class DataFormatError(ConnectorError):
    """A file or response body could not be decoded in the declared format."""

    default_failure = FailureClass.MALFORMED_DATA
