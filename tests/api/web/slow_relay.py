"""A TCP relay that waits before connecting each client to the real server.

It makes a real S3 server (SeaweedFS) answer slowly, so a connection test and a discovery
run long enough for a browser to show their progress. Bytes pass through unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

__all__ = ["slow_relay"]


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
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
    tasks: set[asyncio.Task[None]] = set()

    async def handle(
        client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter
    ) -> None:
        try:
            await asyncio.sleep(delay)
            up_reader, up_writer = await asyncio.open_connection(host, port)
        except (OSError, asyncio.CancelledError):
            client_writer.close()
            return
        await asyncio.gather(_pipe(client_reader, up_writer), _pipe(up_reader, client_writer))

    def track(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.ensure_future(handle(reader, writer))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    server = await asyncio.start_server(track, "127.0.0.1", 0)
    relay_port = server.sockets[0].getsockname()[1]
    try:
        yield f"{target.scheme}://127.0.0.1:{relay_port}"
    finally:
        server.close()
        for task in list(tasks):
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()
