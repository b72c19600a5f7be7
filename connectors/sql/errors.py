"""Classified failures shared by the database connectors, with plain messages.

Each database maps its own error codes (SQLSTATE, MySQL error numbers, Snowflake codes) to
one of these builders, so the same failure reads the same whatever the product. Messages
name what to check and hold no secret: never the password, never the driver's own text.
"""

from __future__ import annotations

import structlog

from connectors.errors import (
    AuthError,
    ConnectionFailedError,
    ConnectorError,
    InvalidConfigError,
    ResourceNotFoundError,
    ServerError,
)
from connectors.results import FailureClass
from core.redaction import redact_text

__all__ = [
    "auth_failed",
    "bad_cursor_column",
    "cannot_read",
    "connection_lost",
    "network_error",
    "no_such_database",
    "no_such_table",
    "server_busy",
    "timed_out",
    "tls_failed",
    "tls_required",
    "unexpected",
    "unreachable",
    "where",
]

log = structlog.get_logger(__name__)


def where(host: str, port: int) -> str:
    """``host:port`` for messages, with IPv6 addresses bracketed."""
    shown = f"[{host}]" if ":" in host else host
    return f"{shown}:{port}"


def unreachable(label: str, host: str, port: int) -> ConnectionFailedError:
    """Nothing answered (refused, no route)."""
    return ConnectionFailedError(
        f"Could not reach {label} at {where(host, port)}: nothing accepted the connection. "
        "Check the host and port, that the server is running, and that a firewall lets "
        "us in.",
        field="host",
    )


def timed_out(label: str, host: str, port: int, seconds: float) -> ConnectionFailedError:
    """The server did not answer in time."""
    return ConnectionFailedError(
        f"{label} at {where(host, port)} did not answer within {seconds:g} seconds. Check "
        "the host and port, and that a firewall does not silently drop the connection.",
        failure=FailureClass.TIMEOUT,
        field="host",
    )


def network_error(
    label: str, host: str, port: int, exc: OSError, seconds: float
) -> ConnectionFailedError:
    """A socket-level failure while connecting, classified by its kind."""
    if isinstance(exc, TimeoutError):
        return timed_out(label, host, port, seconds)
    return unreachable(label, host, port)


def connection_lost(label: str) -> ConnectionFailedError:
    """The connection broke while talking."""
    return ConnectionFailedError(
        f"The connection to {label} was lost. Trying again may help; if it keeps "
        "happening, check the network and the server's logs.",
        field="host",
    )


def tls_required(label: str, sslmode: str) -> ConnectionFailedError:
    """We asked for TLS and the server does not offer it."""
    return ConnectionFailedError(
        f"{label} does not offer TLS, but sslmode is {sslmode}. Enable TLS on the server, "
        "or choose an sslmode that allows an unencrypted connection if the network is "
        "trusted.",
        failure=FailureClass.TLS,
        field="sslmode",
    )


def tls_failed(label: str, host: str, sslmode: str) -> ConnectionFailedError:
    """The TLS handshake or the certificate check failed."""
    return ConnectionFailedError(
        f"The TLS connection to {label} failed (sslmode {sslmode}): the server's "
        f"certificate is not trusted or not valid for {host}. Check the certificate, or "
        "use sslmode require to encrypt without verifying it.",
        failure=FailureClass.TLS,
        field="sslmode",
    )


def auth_failed(label: str, username: str, *, field: str = "password") -> AuthError:
    """The login was refused: wrong password, unknown user, or a user that may not log in.

    ``field`` is the likelier culprit: ``username`` when the server says the user does not
    exist or may not log in.
    """
    return AuthError(
        f"{label} refused the login of user {username}: the password is wrong, the user "
        "does not exist, or it may not log in. Check the username and password.",
        field=field,
    )


def no_such_database(label: str, database: str) -> ResourceNotFoundError:
    """The database named in the config does not exist (or is invisible to the user)."""
    return ResourceNotFoundError(
        f"{label} has no database named {database} (or the user may not see it). Check "
        "the database name; names can be case-sensitive.",
        field="database",
    )


def no_such_table(label: str, stream: str) -> ResourceNotFoundError:
    """A stream to read no longer exists."""
    return ResourceNotFoundError(
        f"{label} has no table or view {stream} (or the user may not see it). Run "
        "discovery again to see the streams that exist.",
        field="streams",
    )


def cannot_read(label: str, username: str, what: str, grant: str) -> AuthError:
    """The user may log in but not read what is needed."""
    return AuthError(
        f"User {username} can log in to {label} but may not read {what}. {grant}",
        failure=FailureClass.PERMISSION_DENIED,
        field="username",
    )


def server_busy(label: str) -> ConnectorError:
    """The server refused for a passing reason (too many connections, starting up)."""
    return ServerError(
        f"{label} is busy or not ready (too many connections, starting up or shutting "
        "down). Try again in a moment.",
    )


def unexpected(label: str, code: object, exc: BaseException) -> ConnectorError:
    """A failure we do not classify: logged for an operator (redacted), not shown."""
    log.warning(
        "sql_unclassified_error",
        database=label,
        code=str(code),
        error_type=type(exc).__name__,
        error=redact_text(str(exc)),
    )
    suffix = f" (error {code})" if code not in (None, "") else ""
    return ConnectorError(
        f"{label} returned an unexpected error{suffix}. The details were logged for an operator.",
    )


def bad_cursor_column(stream: str) -> InvalidConfigError:
    """The configured cursor column cannot be compared or ordered."""
    return InvalidConfigError(
        f"The cursor column chosen for {stream} cannot be compared or ordered. Choose a "
        "timestamp or an increasing number column.",
        field="cursor_fields",
    )
