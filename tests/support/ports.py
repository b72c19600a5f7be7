"""Free loopback ports for servers started by tests."""

from __future__ import annotations

import random
import socket

__all__ = ["free_port", "free_port_with_twin"]

# SeaweedFS opens a gRPC port at port + 10000, so its ports must leave room for the twin.
_TWIN_OFFSET = 10000


def _is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A port the OS says is free now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_port_with_twin(taken: set[int]) -> int:
    """A free port whose ``port + 10000`` twin is free too, avoiding ``taken``."""
    rng = random.SystemRandom()
    for _ in range(500):
        port = rng.randrange(20000, 30000)
        candidates = {port, port + _TWIN_OFFSET}
        if candidates & taken:
            continue
        if _is_free(port) and _is_free(port + _TWIN_OFFSET):
            taken |= candidates
            return port
    raise RuntimeError("no free loopback port pair found")
