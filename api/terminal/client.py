"""The HTTP session API as the terminal chat uses it, over httpx.

Every failure to reach the service becomes :class:`ServiceUnreachableError` with a fixed
reason, and every error answer becomes :class:`ApiError` with the service's own message:
httpx's exception text is never shown, since it may repeat a URL or header.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

__all__ = ["SESSIONS_PATH", "ApiError", "Identity", "ServiceUnreachableError", "SessionClient"]

SESSIONS_PATH = "/api/v1/agents/ingestion/sessions"
# A turn answers at once (background work reports later), but a busy service may queue it.
_TIMEOUT = httpx.Timeout(10.0, read=120.0)
# The event stream sends a keep-alive every 15 s; no read timeout, the follower closes it.
_STREAM_TIMEOUT = httpx.Timeout(10.0, read=None)


class ServiceUnreachableError(Exception):
    """The service did not answer: nothing listens there, or it did not answer in time."""

    def __init__(self, url: str, reason: str) -> None:
        """Remember where and why, in words fit for the terminal."""
        super().__init__(f"cannot reach the service at {url}: {reason}")
        self.url = url
        self.reason = reason


class ApiError(Exception):
    """The service answered with an error body ``{"error": {"code", "message"}}``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        """Keep the HTTP status and the service's code and message."""
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


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


def _reason(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.ConnectTimeout | httpx.ReadTimeout | httpx.PoolTimeout):
        return "it did not answer in time"
    if isinstance(exc, httpx.ConnectError):
        return "nothing answers there (is `ingestion-agent serve` running?)"
    return "the connection failed"


def _error(response: httpx.Response) -> ApiError:
    try:
        body = response.json()
        error = body["error"]
        return ApiError(response.status_code, str(error["code"]), str(error["message"]))
    except (ValueError, KeyError, TypeError):
        return ApiError(
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
    ) -> None:
        """Talk to the service at ``base_url`` (scheme, host, port, optional path)."""
        self.base_url = base_url.rstrip("/")
        self._identity = identity
        self._http = httpx.Client(
            base_url=self.base_url,
            headers=identity.headers(),
            timeout=_TIMEOUT,
            transport=transport,
        )

    def close(self) -> None:
        """Release the connection pool."""
        self._http.close()

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        try:
            response = self._http.request(method, path, json=body)
        except httpx.TransportError as exc:
            raise ServiceUnreachableError(self.base_url, _reason(exc)) from exc
        if response.status_code >= 400:
            raise _error(response)
        return response

    def _json(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self._call(method, path, body)
        try:
            data = response.json()
        except ValueError as exc:
            raise ApiError(response.status_code, "bad_response", "The answer is not JSON.") from exc
        if not isinstance(data, dict):
            raise ApiError(response.status_code, "bad_response", "The answer is not an object.")
        return data

    def start(self) -> dict[str, Any]:
        """Open a conversation; the welcome reply."""
        return self._json("POST", SESSIONS_PATH, {})

    def send(
        self, session_id: str, *, message: str | None = None, fields: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """One turn: a message, or structured fields (a secret typed at a masked prompt)."""
        body: dict[str, Any] = {"fields": fields} if fields is not None else {"message": message}
        return self._json("POST", f"{SESSIONS_PATH}/{session_id}/chat", body)

    def view(self, session_id: str) -> dict[str, Any]:
        """``{session_id, state, last_reply, transcript}``."""
        return self._json("GET", f"{SESSIONS_PATH}/{session_id}")

    def end(self, session_id: str) -> None:
        """Delete the session (and its staged secrets); best effort, never raises."""
        try:
            self._call("DELETE", f"{SESSIONS_PATH}/{session_id}")
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
            ApiError: The service refused to open it.
        """
        url = f"{SESSIONS_PATH}/{session_id}/events"
        try:
            with self._http.stream("GET", url, timeout=_STREAM_TIMEOUT) as response:
                if response.status_code >= 400:
                    response.read()
                    raise _error(response)
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
