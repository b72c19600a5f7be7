"""One Slack thread, one conversation: which session a thread drives, and who drives it.

A thread is named by ``(team, channel, thread_ts)``; its record holds the session id and the
Slack user who started it (the only one whose messages reach the session). Records live as
long as a session does (24 hours of inactivity, renewed by each use): in memory for one
process, in Redis when several processes serve the same Slack app.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import redis.asyncio as aioredis
from pydantic import BaseModel, ConfigDict

__all__ = ["MemoryThreads", "RedisThreads", "ThreadKey", "ThreadRecord", "ThreadStore"]

# The same inactivity window as a session's: a record outliving its session is useless.
DEFAULT_TTL = 24 * 3600.0


@dataclass(frozen=True)
class ThreadKey:
    """A Slack thread: its workspace, channel and the ``ts`` of its first message."""

    team: str
    channel: str
    thread_ts: str

    def __str__(self) -> str:
        return f"{self.team}:{self.channel}:{self.thread_ts}"


class ThreadRecord(BaseModel):
    """The session a thread drives and the Slack user who started it."""

    model_config = ConfigDict(frozen=True)

    session_id: str
    owner: str


class ThreadStore(Protocol):
    """Thread → record, each forgotten after a time to live renewed by every read."""

    async def get(self, key: ThreadKey) -> ThreadRecord | None:
        """The thread's record, or ``None``."""
        ...

    async def claim(self, key: ThreadKey, record: ThreadRecord) -> ThreadRecord:
        """Store ``record`` unless the thread has one; return the record that holds."""
        ...

    async def replace(self, key: ThreadKey, record: ThreadRecord) -> None:
        """Store ``record`` whatever the thread had (a new session for an expired one)."""
        ...

    async def aclose(self) -> None:
        """Release what the store holds open."""
        ...


class MemoryThreads:
    """A :class:`ThreadStore` in this process, least recently used evicted first.

    Args:
        ttl: Seconds of inactivity after which a thread is forgotten.
        max_threads: Threads kept at most.
        clock: A monotonic time source.
    """

    def __init__(
        self,
        *,
        ttl: float = DEFAULT_TTL,
        max_threads: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl
        self._max = max_threads
        self._clock = clock
        self._records: OrderedDict[str, tuple[float, ThreadRecord]] = OrderedDict()

    async def get(self, key: ThreadKey) -> ThreadRecord | None:
        """See :meth:`ThreadStore.get`."""
        name = str(key)
        found = self._records.get(name)
        if found is None:
            return None
        expiry, record = found
        now = self._clock()
        if expiry <= now:
            del self._records[name]
            return None
        self._records[name] = (now + self._ttl, record)
        self._records.move_to_end(name)
        return record

    async def claim(self, key: ThreadKey, record: ThreadRecord) -> ThreadRecord:
        """See :meth:`ThreadStore.claim`."""
        held = await self.get(key)
        if held is not None:
            return held
        await self.replace(key, record)
        return record

    async def replace(self, key: ThreadKey, record: ThreadRecord) -> None:
        """See :meth:`ThreadStore.replace`."""
        name = str(key)
        self._records[name] = (self._clock() + self._ttl, record)
        self._records.move_to_end(name)
        while len(self._records) > self._max:
            self._records.popitem(last=False)

    async def aclose(self) -> None:
        """Nothing to release."""


class RedisThreads:
    """A :class:`ThreadStore` shared through Redis: one JSON string per thread.

    Args:
        client: An asyncio Redis client; the caller closes it.
        prefix: Key prefix; each key is ``{prefix}thread:{team}:{channel}:{thread_ts}``.
        ttl: Seconds of inactivity after which Redis drops the record.
    """

    def __init__(self, client: aioredis.Redis, *, prefix: str, ttl: float = DEFAULT_TTL) -> None:
        self._client = client
        self._prefix = f"{prefix}thread:"
        self._ttl = max(1, int(ttl))

    def _key(self, key: ThreadKey) -> str:
        return f"{self._prefix}{key}"

    async def get(self, key: ThreadKey) -> ThreadRecord | None:
        """See :meth:`ThreadStore.get`; ``GETEX`` renews the expiry in the same call."""
        data = await self._client.getex(self._key(key), ex=self._ttl)
        return None if data is None else ThreadRecord.model_validate_json(data)

    async def claim(self, key: ThreadKey, record: ThreadRecord) -> ThreadRecord:
        """See :meth:`ThreadStore.claim`; ``SET NX`` decides between racing processes."""
        name = self._key(key)
        if await self._client.set(name, record.model_dump_json(), nx=True, ex=self._ttl):
            return record
        held = await self.get(key)
        # Gone between the two calls (expired this very second): ours is as good as any.
        return held if held is not None else record

    async def replace(self, key: ThreadKey, record: ThreadRecord) -> None:
        """See :meth:`ThreadStore.replace`."""
        await self._client.set(self._key(key), record.model_dump_json(), ex=self._ttl)

    async def aclose(self) -> None:
        """The client belongs to the caller."""
