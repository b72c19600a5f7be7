"""Remembers what the relay has already handled, so Slack's retries do nothing twice.

Slack retries an event it thinks we missed (``X-Slack-Retry-Num`` 1, 2, 3 over about five
minutes) and sends a channel mention twice, once as ``message`` and once as ``app_mention``.
The relay asks :meth:`SeenSet.first` before acting: the answer is ``True`` exactly once per
key within the time to live. In memory for one process; in Redis (``SET NX EX``) when several
processes behind one load balancer must agree.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

import redis.asyncio as aioredis

__all__ = ["MemorySeen", "RedisSeen", "SeenSet"]

# Slack's last retry comes about five minutes after the first attempt; an hour is ample.
DEFAULT_TTL = 3600.0


class SeenSet(Protocol):
    """A bounded set of keys, each forgotten after a time to live."""

    async def first(self, key: str) -> bool:
        """Record ``key``; ``True`` if it was not already recorded (and not expired)."""
        ...

    async def aclose(self) -> None:
        """Release what the set holds open."""
        ...


class MemorySeen:
    """A :class:`SeenSet` in this process: insertion-ordered, so expiry is from the front.

    Args:
        ttl: Seconds a key is remembered.
        max_keys: Keys kept at most; the oldest goes first when full.
        clock: A monotonic time source.
    """

    def __init__(
        self,
        *,
        ttl: float = DEFAULT_TTL,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl
        self._max = max_keys
        self._clock = clock
        self._expiry: OrderedDict[str, float] = OrderedDict()

    async def first(self, key: str) -> bool:
        """See :meth:`SeenSet.first`."""
        now = self._clock()
        # Every key has the same TTL, so the oldest insertion expires first.
        while self._expiry and next(iter(self._expiry.values())) <= now:
            self._expiry.popitem(last=False)
        if key in self._expiry:
            return False
        self._expiry[key] = now + self._ttl
        if len(self._expiry) > self._max:
            self._expiry.popitem(last=False)
        return True

    def __len__(self) -> int:
        return len(self._expiry)

    async def aclose(self) -> None:
        """Nothing to release."""


class RedisSeen:
    """A :class:`SeenSet` shared by every process using the same Redis and prefix.

    Args:
        client: An asyncio Redis client; the caller closes it.
        prefix: Key prefix; each key is ``{prefix}seen:{key}``.
        ttl: Seconds a key is remembered (Redis expires it).
    """

    def __init__(self, client: aioredis.Redis, *, prefix: str, ttl: float = DEFAULT_TTL) -> None:
        self._client = client
        self._prefix = f"{prefix}seen:"
        self._ttl = max(1, int(ttl))

    async def first(self, key: str) -> bool:
        """See :meth:`SeenSet.first`; one atomic ``SET NX EX``."""
        return bool(await self._client.set(f"{self._prefix}{key}", b"1", nx=True, ex=self._ttl))

    async def aclose(self) -> None:
        """The client belongs to the caller."""
