"""A TCP proxy in front of the real S3 server that breaks answers off, for failure tests.

Everything the client sends reaches SeaweedFS unchanged; of what SeaweedFS answers, each
connection passes the first ``budget`` bytes and then either closes (a download that
breaks off) or goes silent (a download that stalls). Listings are small and pass; a large
object's body is cut in the middle.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal
from urllib.parse import urlsplit

from tests.support.tcp import pipe, serve_tcp

__all__ = ["breaking_proxy"]

Fault = Literal["close", "stall"]


async def _answer(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, budget: int, fault: Fault
) -> None:
    passed = 0
    while data := await reader.read(65536):
        room = budget - passed
        writer.write(data[:room])
        await writer.drain()
        passed += len(data)
        if passed >= budget:
            if fault == "stall":
                await asyncio.Event().wait()  # until the proxy shuts down
            return


@asynccontextmanager
async def breaking_proxy(endpoint_url: str, *, budget: int, fault: Fault) -> AsyncIterator[str]:
    """Serve a proxy to ``endpoint_url`` on loopback; yield its URL."""
    target = urlsplit(endpoint_url)

    async def handle(
        client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter
    ) -> None:
        server_reader, server_writer = await asyncio.open_connection(target.hostname, target.port)
        upstream = asyncio.ensure_future(pipe(client_reader, server_writer))
        try:
            await _answer(server_reader, client_writer, budget, fault)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            upstream.cancel()
            for writer in (client_writer, server_writer):
                writer.close()

    async with serve_tcp(handle) as port:
        yield f"http://127.0.0.1:{port}"
