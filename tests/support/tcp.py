"""Loopback TCP servers that stand between a client and a real server (slow or broken peers).

:func:`serve_tcp` runs one task per connection and cancels those still open when it
ends; the caller's handler decides what passes (everything, late: ``tests/api/web``'s slow
relay; the start of each answer only: ``tests/connectors/s3/faults.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

__all__ = ["Handler", "pipe", "serve_tcp"]

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Copy ``reader`` to ``writer`` until ``reader`` ends."""
    while data := await reader.read(65536):
        writer.write(data)
        await writer.drain()


@contextlib.asynccontextmanager
async def serve_tcp(handle: Handler) -> AsyncIterator[int]:
    """Serve ``handle`` on a free loopback port, one task per connection; yield the port."""
    tasks: set[asyncio.Task[None]] = set()

    def track(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.ensure_future(handle(reader, writer))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    server = await asyncio.start_server(track, "127.0.0.1", 0)
    try:
        yield int(server.sockets[0].getsockname()[1])
    finally:
        server.close()
        for task in list(tasks):
            task.cancel()
        for task in list(tasks):
            with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                await task
        await server.wait_closed()
