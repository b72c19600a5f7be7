"""A TCP relay that waits before connecting each client to the real server.

It makes a real S3 server (SeaweedFS) answer slowly, so a connection test and a discovery
run long enough for a browser to show their progress. Bytes pass through unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

from tests.support.tcp import pipe, serve_tcp

__all__ = ["slow_relay"]


async def _forward(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """One direction; its end closes the connection it writes to, as the peer's end would."""
    try:
        await pipe(reader, writer)
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


@contextlib.asynccontextmanager
async def slow_relay(upstream_url: str, delay: float) -> AsyncIterator[str]:
    """Relay to ``upstream_url`` on a loopback port, ``delay`` seconds late per connection.

    Yields the relay's URL (same scheme as the upstream).
    """
    target = urlsplit(upstream_url)
    host, port = target.hostname or "127.0.0.1", target.port or 80

    async def handle(
        client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter
    ) -> None:
        try:
            await asyncio.sleep(delay)
            up_reader, up_writer = await asyncio.open_connection(host, port)
        except (OSError, asyncio.CancelledError):
            client_writer.close()
            return
        await asyncio.gather(_forward(client_reader, up_writer), _forward(up_reader, client_writer))

    async with serve_tcp(handle) as relay_port:
        yield f"{target.scheme}://127.0.0.1:{relay_port}"
