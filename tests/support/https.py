"""Real HTTP(S) servers on loopback, with certificates made in the test by ``trustme``."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import trustme
from aiohttp import web

__all__ = ["TestTLS", "make_tls", "serve"]


@dataclass(frozen=True)
class TestTLS:
    """A throw-away certificate authority and a server certificate for localhost."""

    __test__ = False  # not a test class, despite the name

    ca: trustme.CA
    server_context: ssl.SSLContext
    client_context: ssl.SSLContext


def make_tls() -> TestTLS:
    """A CA, a server context for ``localhost``/``127.0.0.1`` and a client trusting the CA."""
    ca = trustme.CA()
    cert = ca.issue_cert("localhost", "127.0.0.1")
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server)
    client = ssl.create_default_context()
    ca.configure_trust(client)
    return TestTLS(ca=ca, server_context=server, client_context=client)


@asynccontextmanager
async def serve(
    app: web.Application, *, tls: ssl.SSLContext | None = None, host: str = "127.0.0.1"
) -> AsyncIterator[str]:
    """Serve ``app`` on a free loopback port; yield its base URL."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, 0, ssl_context=tls)
    await site.start()
    port = runner.addresses[0][1]
    scheme = "https" if tls else "http"
    name = "localhost" if tls else host
    try:
        yield f"{scheme}://{name}:{port}"
    finally:
        await runner.cleanup()
