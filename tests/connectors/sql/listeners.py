"""A TCP server on loopback that accepts connections and never says a word.

A database client connecting to it gets its TCP connection, then waits for the server's
greeting that never comes: what a firewall that drops packets after the handshake, or a
hung server, looks like. The client's own timeout must end the wait.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["silent_server"]


@contextmanager
def silent_server() -> Iterator[int]:
    """Yield the port of a server that accepts and stays silent; close it afterwards."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.1)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                conn, _ = server.accept()
                accepted.append(conn)

    thread = threading.Thread(target=serve, name="silent-server")
    thread.start()
    try:
        yield int(server.getsockname()[1])
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        server.close()
