"""The HTTP session API as the terminal chat uses it, over httpx.

Every failure to reach the service becomes :class:`ServiceUnreachableError` with a fixed
reason, and every error answer becomes :class:`ApiError` with the service's own message:
httpx's exception text is never shown, since it may repeat a URL or header. A session the
service no longer knows (it restarted without Redis, or the session expired) is
:class:`SessionGoneError`.

Once a conversation runs, a dropped connection (the service restarting, say) is tried
again with a growing pause, a few times only (about 15 seconds in all). A turn is sent
again only when it cannot have arrived (the connection was never made): a turn is not
idempotent, and the service may have taken it before the connection broke.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

__all__ = [
    "RETRY_DELAYS",
    "SESSIONS_PATH",
    "ApiError",
    "Identity",
    "ServiceUnreachableError",
    "SessionClient",
    "SessionGoneError",
]

SESSIONS_PATH = "/api/v1/agents/ingestion/sessions"
# A turn answers at once (background work reports later), but a busy service may queue it.
_TIMEOUT = httpx.Timeout(10.0, read=120.0)
# The event stream sends a keep-alive every 15 s; no read timeout, the follower closes it.
_STREAM_TIMEOUT = httpx.Timeout(10.0, read=None)
# Pauses before each new try: long enough for a service to restart, short enough that a
# service that is really gone is said so within about 15 s.
RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)
_SAFE_TO_REPEAT = frozenset({"GET"})

OnRetry = Callable[[float, str], None]


class ServiceUnreachableError(Exception):
    """The service did not answer: nothing listens there, or it did not answer in time.

    Attributes:
        url: The service's base URL.
        reason: Why, in words fit for the terminal.
        maybe_sent: The request may have reached the service before the connection broke.
    """

    def __init__(self, url: str, reason: str, *, maybe_sent: bool = False) -> None:
        """Remember where and why, in words fit for the terminal."""
        super().__init__(f"cannot reach the service at {url}: {reason}")
        self.url = url
        self.reason = reason
        self.maybe_sent = maybe_sent


class ApiError(Exception):
    """The service answered with an error body ``{"error": {"code", "message"}}``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        """Keep the HTTP status and the service's code and message."""
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class SessionGoneError(ApiError):
    """The service does not know the session (404).

    It restarted without Redis, or the session expired or was deleted; the answers and
    staged secrets are gone with it.
    """


@dataclass(frozen=True)
class Identity:
    """Who chats: gateway headers (tenant, user, roles), or a bearer token when given.

    Attributes:
        tenant: Sent as ``X-Tenant-Id``.
        user: Sent as ``X-User-ID``.
        roles: Comma-separated, sent as ``X-User-Roles``.
        token: A JWT; when set it replaces the three headers.
    """

    tenant: str
    user: str
    roles: str
    token: str | None = None

    def __repr__(self) -> str:
        shown = "***" if self.token else None
        return f"Identity(tenant={self.tenant!r}, user={self.user!r}, token={shown})"

    def headers(self) -> dict[str, str]:
        """The request headers that carry this identity."""
        if self.token:
            return {"Authorization": f"Bearer {self.token}"}
        return {"X-Tenant-Id": self.tenant, "X-User-ID": self.user, "X-User-Roles": self.roles}


def _unsent(exc: httpx.TransportError) -> bool:
    """Whether the request certainly never reached the service (no connection was made)."""
    return isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


def _reason(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.ConnectTimeout | httpx.ReadTimeout | httpx.PoolTimeout):
        return "it did not answer in time"
    if isinstance(exc, httpx.ConnectError):
        return "nothing answers there (is `ingestion-agent serve` running?)"
    return "the connection failed"


def _error(response: httpx.Response, *, session: bool = False) -> ApiError:
    """The error answer; on a session's own path a 404 is :class:`SessionGoneError`."""
    kind = SessionGoneError if session and response.status_code == 404 else ApiError
    try:
        body = response.json()
        error = body["error"]
        return kind(response.status_code, str(error["code"]), str(error["message"]))
    except (ValueError, KeyError, TypeError):
        return kind(
            response.status_code, "http_error", f"The service answered HTTP {response.status_code}."
        )


class SessionClient:
    """Start a conversation, send turns, read the session, follow its events."""

    def __init__(
        self,
        base_url: str,
        identity: Identity,
        *,
        transport: httpx.BaseTransport | None = None,
        retry_delays: Sequence[float] = RETRY_DELAYS,
        on_retry: OnRetry | None = None,
    ) -> None:
        """Talk to the service at ``base_url`` (scheme, host, port, optional path).

        ``on_retry(delay, reason)`` is called before each pause of ``retry_delays``.
        """
        self.base_url = base_url.rstrip("/")
        self._identity = identity
        self._retry_delays = tuple(retry_delays)
        self.on_retry = on_retry
        self._http = httpx.Client(
            base_url=self.base_url,
            headers=identity.headers(),
            timeout=_TIMEOUT,
            transport=transport,
        )

    def close(self) -> None:
        """Release the connection pool."""
        self._http.close()

    def _call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        retry: bool = True,
        session: bool = False,
    ) -> httpx.Response:
        delays = iter(self._retry_delays if retry else ())
        while True:
            try:
                response = self._http.request(method, path, json=body)
                break
            except httpx.TransportError as exc:
                unsent = _unsent(exc)
                delay = next(delays, None) if unsent or method in _SAFE_TO_REPEAT else None
                if delay is None:
                    raise ServiceUnreachableError(
                        self.base_url, _reason(exc), maybe_sent=not unsent
                    ) from exc
                if self.on_retry is not None:
                    self.on_retry(delay, _reason(exc))
                time.sleep(delay)
        if response.status_code >= 400:
            raise _error(response, session=session)
        return response

    def _json(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        retry: bool = True,
        session: bool = False,
    ) -> dict[str, Any]:
        response = self._call(method, path, body, retry=retry, session=session)
        try:
            data = response.json()
        except ValueError as exc:
            raise ApiError(response.status_code, "bad_response", "The answer is not JSON.") from exc
        if not isinstance(data, dict):
            raise ApiError(response.status_code, "bad_response", "The answer is not an object.")
        return data

    def start(self, *, retry: bool = False) -> dict[str, Any]:
        """Open a conversation; the welcome reply.

        Not tried again unless ``retry``: a service that is not there at the first start
        is said so at once.
        """
        return self._json("POST", SESSIONS_PATH, {}, retry=retry)

    def send(
        self, session_id: str, *, message: str | None = None, fields: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """One turn: a message, or structured fields (a secret typed at a masked prompt).

        Raises:
            SessionGoneError: The service does not know the session.
            ServiceUnreachableError: With ``maybe_sent`` when the turn may have arrived.
        """
        body: dict[str, Any] = {"fields": fields} if fields is not None else {"message": message}
        return self._json("POST", f"{SESSIONS_PATH}/{session_id}/chat", body, session=True)

    def view(self, session_id: str) -> dict[str, Any]:
        """``{session_id, state, last_reply, transcript}``.

        Raises:
            SessionGoneError: The service does not know the session.
        """
        return self._json("GET", f"{SESSIONS_PATH}/{session_id}", session=True)

    def end(self, session_id: str) -> None:
        """Delete the session (and its staged secrets); best effort, never raises.

        Tried once: leaving must not wait for a service that is gone.
        """
        try:
            self._call("DELETE", f"{SESSIONS_PATH}/{session_id}", retry=False)
        except (ServiceUnreachableError, ApiError):
            return

    def events(
        self, session_id: str, on_open: Callable[[], None] | None = None
    ) -> Iterator[dict[str, Any]]:
        """Server-sent events of the session, each ``{type, reply}``, until the stream ends.

        ``on_open`` is called once the stream is open (before any event: the service sends
        nothing until background work reports).

        Raises:
            ServiceUnreachableError: The stream could not be opened or broke off.
            SessionGoneError: The service does not know the session.
            ApiError: The service refused to open it.
        """
        url = f"{SESSIONS_PATH}/{session_id}/events"
        try:
            with self._http.stream("GET", url, timeout=_STREAM_TIMEOUT) as response:
                if response.status_code >= 400:
                    response.read()
                    raise _error(response, session=True)
                if on_open is not None:
                    on_open()
                yield from _parse_events(response.iter_lines())
        except httpx.TransportError as exc:
            raise ServiceUnreachableError(self.base_url, _reason(exc)) from exc


def _parse_events(lines: Iterator[str]) -> Iterator[dict[str, Any]]:
    """Server-sent events framing: ``data:`` lines up to a blank line make one event."""
    data: list[str] = []
    for line in lines:
        if line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
        elif not line and data:
            try:
                event = json.loads("\n".join(data))
            except ValueError:
                event = None
            data = []
            if isinstance(event, dict):
                yield event
