"""Per-session locks across processes, held in Redis.

A turn first takes the in-process :class:`~sessions.locks.SessionLocks` lock, then the Redis lock
(``redis.asyncio.lock.Lock``: a random owner token, released only by its owner, expiring after
``timeout`` seconds). So:

- within one process, messages to a session keep their arrival order (the in-process lock is
  fair) and only one of them at a time polls Redis;
- across processes, order is best effort: Redis locks are not FIFO, a waiter polls every
  ``sleep`` seconds and whoever polls first after a release wins;
- a crashed holder never blocks a session longer than ``timeout``: its key expires.

A turn that outlives ``timeout`` loses the lock; the store's compare-and-set on the version still
refuses its save if another turn wrote meanwhile, so no update is lost either way.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as aioredis
import structlog
from redis.exceptions import LockError

from sessions.errors import SessionConflictError
from sessions.locks import SessionLocks

__all__ = ["RedisLocks"]

log = structlog.get_logger(__name__)


class RedisLocks:
    """Implements ``LockProvider`` with a Redis lock per session.

    Args:
        client: An asyncio Redis client (not closed by this object).
        timeout: Seconds after which a held lock expires by itself; longer than any turn.
        blocking_timeout: Seconds to wait for the lock before giving up with
            ``SessionConflictError`` (retryable).
        prefix: Key prefix of the lock keys.
        sleep: Seconds between two attempts while waiting.
    """

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        timeout: float = 30.0,
        blocking_timeout: float = 60.0,
        prefix: str = "ia:lock:",
        sleep: float = 0.02,
    ) -> None:
        if timeout <= 0 or blocking_timeout <= 0 or sleep <= 0:
            raise ValueError("timeout, blocking_timeout and sleep must be positive")
        self.client = client
        self.timeout = timeout
        self.blocking_timeout = blocking_timeout
        self.prefix = prefix
        self.sleep = sleep
        self._local = SessionLocks()

    def key(self, session_id: str) -> str:
        """The Redis key of a session's lock."""
        return f"{self.prefix}{session_id}"

    @asynccontextmanager
    async def hold(self, session_id: str) -> AsyncIterator[None]:
        """Hold the session's lock in this process, then in Redis, for the ``async with`` block.

        Raises:
            SessionConflictError: The Redis lock was not free within ``blocking_timeout``.
        """
        async with self._local.hold(session_id):
            lock = self.client.lock(
                self.key(session_id),
                timeout=self.timeout,
                sleep=self.sleep,
                blocking=True,
                blocking_timeout=self.blocking_timeout,
                thread_local=False,  # one event loop thread; the token lives on the lock object
            )
            if not await lock.acquire():
                log.warning("session_lock_timeout", session_id=session_id)
                raise SessionConflictError(
                    f"session {session_id} is busy; try again", session_id=session_id
                )
            try:
                yield
            finally:
                try:
                    await lock.release()
                except LockError:
                    # The turn outlived ``timeout``; compare-and-set on save still guards it.
                    log.warning("session_lock_expired", session_id=session_id)
