"""Per-session locks across processes, held in Redis, that can read the session as they are taken.

A turn first takes the in-process :class:`~sessions.locks.SessionLocks` lock, then the Redis lock
(key ``{prefix}{id}``, a random owner token, released only by its owner, expiring after
``timeout`` seconds). So:

- within one process, messages to a session keep their arrival order (the in-process lock is
  fair) and only one of them at a time polls Redis;
- across processes, order is best effort: Redis locks are not FIFO, a waiter polls every
  ``sleep`` seconds and whoever polls first after a release wins;
- a crashed holder never blocks a session longer than ``timeout``: its key expires.

A turn is lock, read, write, unlock. Given ``session_key``, taking the lock also reads the session
in the same round trip (one Lua script) and keeps its bytes as the holder's :class:`Lease`; the
:class:`~sessions.redis_store.RedisStore` serves its ``get`` from that lease and releases the lock
with its ``save``, in one script as well. A turn then costs two round trips instead of four,
each of which costs more CPU in the client than any step of the turn itself
(docs/performance.md).

A turn that outlives ``timeout`` loses the lock; the store's compare-and-set on the version still
refuses its save if another turn wrote meanwhile, so no update is lost either way.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
import structlog
from redis.exceptions import RedisError

from sessions.errors import SessionConflictError
from sessions.locks import SessionLocks

__all__ = ["Lease", "RedisLocks"]

log = structlog.get_logger(__name__)

# KEYS: lock, [session]. ARGV: token, expiry in ms. {1, session bytes or nil} if taken, else {0}.
_ACQUIRE = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  if KEYS[2] then
    return {1, redis.call('GET', KEYS[2])}
  end
  return {1}
end
return {0}
"""

# KEYS: lock. ARGV: token. Deletes the lock only if this holder still owns it; 1 if it did.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


@dataclass(slots=True)
class Lease:
    """A held Redis lock and what was read with it.

    Attributes:
        token: This holder's random owner token.
        owner: The task that holds the lock; only it sees the lease.
        data: The session's bytes as of taking the lock (``None``: no such session), valid
            while ``read`` is true.
        read: Whether ``data`` is still the stored session (no write since).
        released: Whether the lock was released already (by the store's save).
    """

    token: str
    owner: asyncio.Task[Any] | None
    data: bytes | None = None
    read: bool = False
    released: bool = False


class RedisLocks:
    """Implements ``LockProvider`` with a Redis lock per session.

    Args:
        client: An asyncio Redis client (not closed by this object).
        timeout: Seconds after which a held lock expires by itself; longer than any turn.
        blocking_timeout: Seconds to wait for the lock before giving up with
            ``SessionConflictError`` (retryable).
        prefix: Key prefix of the lock keys.
        sleep: Seconds between two attempts while waiting.
        session_key: The session's key for an id: taking the lock then reads the session too
            (see :meth:`lease`).
    """

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        timeout: float = 30.0,
        blocking_timeout: float = 60.0,
        prefix: str = "ia:lock:",
        sleep: float = 0.02,
        session_key: Callable[[str], str] | None = None,
    ) -> None:
        if timeout <= 0 or blocking_timeout <= 0 or sleep <= 0:
            raise ValueError("timeout, blocking_timeout and sleep must be positive")
        self.client = client
        self.timeout = timeout
        self.blocking_timeout = blocking_timeout
        self.prefix = prefix
        self.sleep = sleep
        self._session_key = session_key
        self._local = SessionLocks()
        self._leases: dict[str, Lease] = {}
        self._acquire = client.register_script(_ACQUIRE)
        self._release = client.register_script(_RELEASE)

    def key(self, session_id: str) -> str:
        """The Redis key of a session's lock."""
        return f"{self.prefix}{session_id}"

    def lease(self, session_id: str) -> Lease | None:
        """The lease on the session if the calling task holds its lock, else ``None``.

        Other tasks of this process read and write as if no lock were held: what the lock
        read may be stale for them (another process may delete the session meanwhile), and
        their saves must not release a lock that is not theirs.
        """
        lease = self._leases.get(session_id)
        if lease is None or lease.owner is not asyncio.current_task():
            return None
        return lease

    def invalidate(self, session_id: str) -> None:
        """The session changed outside the lock (deleted): what the lock read is stale."""
        lease = self._leases.get(session_id)
        if lease is not None:
            lease.read = False

    @asynccontextmanager
    async def hold(self, session_id: str) -> AsyncIterator[None]:
        """Hold the session's lock in this process, then in Redis, for the ``async with`` block.

        Raises:
            SessionConflictError: The Redis lock was not free within ``blocking_timeout``.
        """
        async with self._local.hold(session_id):
            lease = await self._take(session_id)
            self._leases[session_id] = lease
            try:
                yield
            finally:
                del self._leases[session_id]
                if not lease.released:
                    await self._give_back(session_id, lease.token)

    async def _give_back(self, session_id: str, token: str) -> None:
        """Release the lock if ``token`` still owns it; never raises."""
        try:
            if not await self._release(keys=[self.key(session_id)], args=[token]):
                # The turn outlived ``timeout``; compare-and-set on save still guards it.
                log.warning("session_lock_expired", session_id=session_id)
        except (RedisError, OSError) as exc:
            # Raising here would hide the turn's own outcome; the key expires by itself.
            log.warning("session_lock_release_failed", session_id=session_id, error=str(exc))

    async def _take(self, session_id: str) -> Lease:
        token = secrets.token_hex(16)
        keys = [self.key(session_id)]
        if self._session_key is not None:
            keys.append(self._session_key(session_id))
        args: list[str | int] = [token, int(self.timeout * 1000)]
        loop = asyncio.get_running_loop()
        give_up = loop.time() + self.blocking_timeout
        while True:
            try:
                taken = await self._acquire(keys=keys, args=args)
            except BaseException:
                # Cancelled or cut off after Redis may have run the script: a lock nobody
                # knows would block the session for ``timeout``. Releasing by token is safe
                # whether or not it was taken.
                await asyncio.shield(self._give_back(session_id, token))
                raise
            if taken[0] == 1:
                owner = asyncio.current_task()
                if self._session_key is None:
                    return Lease(token, owner)
                return Lease(token, owner, data=taken[1], read=True)
            if loop.time() + self.sleep > give_up:
                log.warning("session_lock_timeout", session_id=session_id)
                raise SessionConflictError(
                    f"session {session_id} is busy; try again", session_id=session_id
                )
            await asyncio.sleep(self.sleep)
