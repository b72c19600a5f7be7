"""Free loopback ports for the demo's servers.

SeaweedFS opens a gRPC port at ``port + 10000`` for each of its servers, so its ports are
picked with that twin free as well.
"""

from __future__ import annotations

import random
import socket

__all__ = ["free_port", "free_port_with_twin", "is_free"]

_TWIN_OFFSET = 10000
_TRIES = 500


def is_free(port: int, host: str = "127.0.0.1") -> bool:
    """Whether ``port`` can be bound on ``host`` now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A port the OS says is free now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_port_with_twin(taken: set[int]) -> int:
    """A free port whose ``port + 10000`` twin is free too, avoiding ``taken`` (updated).

    Raises:
        RuntimeError: No such pair was found.
    """
    rng = random.SystemRandom()
    for _ in range(_TRIES):
        port = rng.randrange(20000, 30000)
        pair = {port, port + _TWIN_OFFSET}
        if pair & taken:
            continue
        if is_free(port) and is_free(port + _TWIN_OFFSET):
            taken |= pair
            return port
    raise RuntimeError("no free loopback port pair found")
