"""A scriptable HTTPS receiver on loopback, and connectors pointed at it.

The receiver records every request it gets (method, path, headers, body, arrival time)
and answers each path as scripted: a status, headers such as ``Retry-After``, a body in
any format, an ETag it honours, or a delay.
"""

from __future__ import annotations

import asyncio
import base64
import io
import ssl
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web

from connectors.base import ConnectorContext
from connectors.formats import infer_columns, write_records
from connectors.guard import NetworkPolicy
from connectors.spec import DataFormat
from connectors.webhook import DeliveryPolicy, WebhookConnector
from tests.support.https import TestTLS, make_tls

# Canary secrets: no message, step, detail or error may ever contain them.
AUTH_HEADER = "Bearer canary-auth-4f1d9c7e2b8a"
SIGNING_SECRET = "whsec_" + base64.b64encode(b"canary-signing-key-0123456789abc").decode()
LOOPBACK = NetworkPolicy.from_string("127.0.0.0/8")
# Tiny waits so retry tests take milliseconds; Retry-After tests override the cap.
FAST_RETRIES = DeliveryPolicy(max_attempts=3, backoff_base=0.01, backoff_max=0.05)

MEDIA_TYPES = {
    DataFormat.CSV: "text/csv",
    DataFormat.JSON: "application/json",
    DataFormat.NDJSON: "application/x-ndjson",
    DataFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def encode(fmt: DataFormat, records: Sequence[dict[str, Any]]) -> bytes:
    """``records`` as a file body in ``fmt``."""
    buffer = io.BytesIO()
    columns = [c.name for c in infer_columns(records)]
    write_records(buffer, fmt, records, columns)
    return buffer.getvalue()


@dataclass(frozen=True)
class Reply:
    """One scripted answer."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    delay: float = 0.0

    @classmethod
    def data(cls, fmt: DataFormat, records: Sequence[dict[str, Any]], **kwargs: Any) -> Reply:
        """A 200 carrying ``records`` in ``fmt`` with the matching content type."""
        headers = {"Content-Type": MEDIA_TYPES[fmt], **kwargs.pop("headers", {})}
        return cls(body=encode(fmt, records), headers=headers, **kwargs)


@dataclass(frozen=True)
class Received:
    """One request as the receiver saw it."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    at: float


class Receiver:
    """The app behind the server: scripted answers per (method, path), every request kept."""

    def __init__(self) -> None:
        self.base_url = ""
        self.requests: list[Received] = []
        self._script: dict[tuple[str, str], list[Reply]] = {}

    def url(self, path: str) -> str:
        """The full URL of ``path`` on this server."""
        return f"{self.base_url}{path}"

    def script(self, path: str, *replies: Reply, method: str = "*") -> None:
        """Answer ``path`` with ``replies`` in turn; the last one repeats."""
        self._script[(method, path)] = list(replies)

    def received(self, method: str | None = None) -> list[Received]:
        """The requests received, optionally only those with ``method``."""
        return [r for r in self.requests if method is None or r.method == method]

    def _next(self, method: str, path: str) -> Reply:
        replies = self._script.get((method, path)) or self._script.get(("*", path))
        if not replies:
            return Reply(status=404)
        return replies.pop(0) if len(replies) > 1 else replies[0]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.requests.append(
            Received(
                method=request.method,
                path=request.path,
                query=request.query_string,
                headers={k.lower(): v for k, v in request.headers.items()},
                body=body,
                at=asyncio.get_running_loop().time(),
            )
        )
        reply = self._next(request.method, request.path)
        if reply.delay:
            await asyncio.sleep(reply.delay)
        headers = dict(reply.headers)
        if reply.etag is not None:
            headers["ETag"] = reply.etag
            if request.headers.get("If-None-Match") == reply.etag:
                return web.Response(status=304, headers={"ETag": reply.etag})
        return web.Response(status=reply.status, body=reply.body, headers=headers)


@pytest.fixture(scope="session")
def tls() -> TestTLS:
    """One throw-away CA and localhost certificate for the whole session."""
    return make_tls()


@pytest.fixture
async def receiver(tls: TestTLS) -> AsyncIterator[Receiver]:
    """A fresh HTTPS receiver on 127.0.0.1 for one test."""
    receiver = Receiver()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", receiver.handle)
    # Cancel handlers whose client went away, so a deliberately slow answer cannot hold
    # up the server's shutdown.
    runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=tls.server_context)
    await site.start()
    port = runner.addresses[0][1]
    receiver.base_url = f"https://127.0.0.1:{port}"
    try:
        yield receiver
    finally:
        await runner.cleanup()


def make_context(
    tls: TestTLS,
    *,
    trust: ssl.SSLContext | None = None,
    network: NetworkPolicy = LOOPBACK,
    timeout: float = 2.0,
) -> ConnectorContext:
    """A context reaching loopback and trusting the test CA (unless told otherwise)."""
    return ConnectorContext(
        network=network, ssl_context=trust or tls.client_context, timeout=timeout, sample_rows=50
    )


@pytest.fixture
def connector(tls: TestTLS) -> WebhookConnector:
    """A connector that trusts the test CA, reaches loopback and retries quickly."""
    return WebhookConnector(make_context(tls), delivery_policy=FAST_RETRIES)
