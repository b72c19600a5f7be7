"""The HTTP boundary of the webhook connector: httpx failures and statuses, classified.

One place turns httpx exceptions and unwelcome status codes into classified
:class:`~connectors.errors.ConnectorError` s. Like httpx's own ``map_httpcore_exceptions``,
:func:`translate_http_errors` wraps every request; nothing else in the package catches
httpx exceptions. Messages name the host or a query-less URL and never copy the library's
text, which can echo request details.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar
from urllib.parse import urljoin, urlsplit

import httpx

from connectors.errors import (
    AuthError,
    ConnectionFailedError,
    ConnectorError,
    DataFormatError,
    EndpointGoneError,
    InvalidConfigError,
    ResourceNotFoundError,
    ServerError,
)
from connectors.results import FailureClass
from connectors.webhook.config import display_url

__all__ = [
    "USER_AGENT",
    "is_success",
    "retry_after_seconds",
    "status_error",
    "timeout_of",
    "translate_http_errors",
]

USER_AGENT = "ingestion-agent-webhook/0.1"

# OpenSSL verify codes worth explaining; anything else gets the general sentence.
_CERT_PROBLEMS = {
    10: "has expired",
    18: "is self-signed",
    19: "is signed by a private certificate authority this service does not trust",
    20: "is signed by a certificate authority this service does not trust",
    62: "was issued for a different host name",
}
# Statuses that say the receiver refused what was sent, not who sent it.
_REFUSED_PAYLOAD = frozenset({400, 409, 413, 415, 422})


_E = TypeVar("_E", bound=BaseException)


def _host_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc.rpartition("@")[2] or "the server"


def _find_cause(exc: BaseException, kind: type[_E]) -> _E | None:
    """The first exception of ``kind`` along the cause / context chain of ``exc``."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _tls_error(exc: BaseException, host: str) -> ConnectionFailedError | None:
    cert = _find_cause(exc, ssl.SSLCertVerificationError)
    if cert is not None:
        problem = _CERT_PROBLEMS.get(cert.verify_code, "may be self-signed or for another host")
        return ConnectionFailedError(
            f"The TLS certificate of {host} could not be verified: it {problem}. Nothing was sent.",
            failure=FailureClass.TLS,
            field="url",
        )
    if _find_cause(exc, ssl.SSLError) is not None:
        return ConnectionFailedError(
            f"The TLS handshake with {host} failed. Is it an https:// server with a "
            "current TLS version?",
            failure=FailureClass.TLS,
            field="url",
        )
    return None


@contextmanager
def translate_http_errors(url: str, *, timeout: float) -> Iterator[None]:
    """Translate httpx exceptions raised inside the block into classified errors.

    :class:`ConnectorError` s (such as the guard's ``BlockedByPolicyError``) pass through
    unchanged.

    Args:
        url: The URL being requested; only its host appears in messages.
        timeout: The configured timeout, quoted when it runs out.

    Raises:
        ConnectorError: Classified, with a plain message and the httpx error as cause.
    """
    host = _host_of(url)
    try:
        yield
    except ConnectorError:
        raise
    except httpx.TimeoutException as exc:
        raise ConnectionFailedError(
            f"{host} did not answer within {timeout:g} seconds.",
            failure=FailureClass.TIMEOUT,
            field="url",
        ) from exc
    except httpx.TransportError as exc:
        tls = _tls_error(exc, host)
        if tls is not None:
            raise tls from exc
        if isinstance(exc, httpx.UnsupportedProtocol):
            raise InvalidConfigError(
                "The URL must start with https:// (or http://).", field="url"
            ) from exc
        if isinstance(exc, httpx.ConnectError):
            raise ConnectionFailedError(
                f"Could not connect to {host}. Check the host name and port, and that the "
                "server accepts connections from this service.",
                field="url",
            ) from exc
        if isinstance(exc, httpx.RemoteProtocolError):
            message = f"{host} closed the connection without a valid HTTP answer."
        else:
            message = f"The connection to {host} broke off."
        raise ConnectionFailedError(message, field="url") from exc
    except httpx.DecodingError as exc:
        raise DataFormatError(
            f"The response from {host} could not be decompressed (bad Content-Encoding)."
        ) from exc
    except httpx.InvalidURL as exc:
        raise InvalidConfigError("This is not a valid URL.", field="url") from exc
    except httpx.HTTPError as exc:
        raise ConnectorError(f"The request to {host} failed.") from exc


def is_success(status: int) -> bool:
    """Whether ``status`` is 2xx."""
    return 200 <= status < 300


def status_error(
    response: httpx.Response, *, url: str, has_auth: bool, delivery: bool = False
) -> ConnectorError:
    """Classify a non-2xx answer.

    Args:
        response: The answer; only its status and ``Location`` header are used.
        url: The requested URL (shown without its query string).
        has_auth: Whether an auth header was sent, to tell a refusal from a missing one.
        delivery: Whether this answered a sink delivery: 410 then means the receiver was
            retired (``endpoint_gone``) and other refusals mean the payload was refused.
    """
    status = response.status_code
    where = display_url(url)
    error: ConnectorError
    if 300 <= status < 400:
        location = response.headers.get("location")
        target = f" to {display_url(urljoin(url, location))}" if location else " elsewhere"
        error = InvalidConfigError(
            f"{where} redirects{target} (HTTP {status}). Redirects are not followed, so "
            "credentials never go to another place; use the final URL.",
            field="url",
        )
    elif status in (401, 403) and not has_auth:
        error = AuthError(
            f"{where} wants credentials (HTTP {status}). Add an auth header.",
            field="auth_header",
        )
    elif status in (401, 403):
        hint = "the auth header and the signing secret" if delivery else "the auth header"
        error = AuthError(
            f"{where} refused the credentials (HTTP {status}). Check {hint}.",
            field="auth_header",
        )
    elif status == 410 and delivery:
        error = EndpointGoneError(
            f"The receiver at {where} says it is gone for good (HTTP 410). Update the URL "
            "or remove this sink.",
            field="url",
        )
    elif status in (404, 410):
        error = ResourceNotFoundError(f"There is nothing at {where} (HTTP {status}).", field="url")
    elif status == 408:
        error = ConnectionFailedError(
            f"{where} gave up waiting for the request (HTTP 408).",
            failure=FailureClass.TIMEOUT,
        )
    elif status == 429:
        error = ServerError(f"{where} is limiting requests (HTTP 429). Try again later.")
    elif status >= 500:
        error = ServerError(f"{where} answered with a server error (HTTP {status}).")
    elif delivery and status in _REFUSED_PAYLOAD:
        error = DataFormatError(f"The receiver at {where} refused the delivery (HTTP {status}).")
    else:
        error = ConnectorError(f"{where} answered with an unexpected HTTP {status}.")
    return error


def timeout_of(client: httpx.AsyncClient) -> float:
    """The client's read timeout in seconds, to quote when it runs out."""
    timeout = client.timeout
    return timeout.read or timeout.connect or 0.0


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delta-seconds or an HTTP date).

    Returns ``None`` when the header is absent or unreadable.
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
