"""The Redis session store: sessions survive a restart and are shared by many processes.

Each session is one Redis string ``{prefix}{id}`` holding the session's JSON (never pickle), the
version inside it. The inactivity TTL is the key's expiry, renewed by every write, so Redis drops
idle sessions itself; :meth:`RedisStore.evict_expired` only lets this process forget the
redaction secrets of sessions it served that are gone (:func:`core.redaction.release_secrets`),
as :meth:`RedisStore.delete` does for a deleted one.

``save`` is compare-and-set on the version, done atomically in Redis by a small Lua script: it
reads the stored version and writes only if it is the one the caller loaded. Two processes that
both apply a turn to version ``n`` cannot both win; the loser gets ``SessionConflictError``.

The store is also the engine's lock provider (:meth:`RedisStore.hold`, a
:class:`~sessions.redis_locks.RedisLocks`): taking a session's lock reads the session in the same
round trip, ``get`` under the lock is served from that read, and ``save`` under the lock
releases it in the same script as the write. A turn is two round trips.

``count`` walks the keyspace with ``SCAN`` (O(keys in the database), in batches, never blocking
Redis); it is for operators and the optional cap, not for the request path.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import redis.asyncio as aioredis
import structlog

from core.redaction import registry as redaction_registry
from core.redaction import release_secrets
from sessions.errors import SessionConflictError, SessionLimitError, SessionNotFoundError
from sessions.memory import Clock
from sessions.model import Session
from sessions.redis_locks import RedisLocks

__all__ = ["RedisStore"]

log = structlog.get_logger(__name__)

# KEYS: session, [lock]. ARGV: expected version, JSON, TTL in seconds, [lock token].
# Returns 1 when written, -1 when the key is gone (missing or expired), else the stored version
# as a negative number minus 2, so the caller can name it in the conflict. Given a lock and its
# token, releases the lock whatever the outcome if this holder still owns it.
_SAVE = """
local outcome = 1
local current = redis.call('GET', KEYS[1])
if not current then
  outcome = -1
else
  local stored = tonumber(cjson.decode(current)['version'])
  if stored ~= tonumber(ARGV[1]) then
    outcome = -2 - stored
  else
    redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
  end
end
if KEYS[2] and redis.call('GET', KEYS[2]) == ARGV[4] then
  redis.call('DEL', KEYS[2])
end
return outcome
"""


# Session ids, as owners of redaction secrets, start so (``ses_01J...``).
_SESSION_PREFIX = "ses_"
_EXISTS_BATCH = 500


def _utcnow() -> datetime:
    return datetime.now(UTC)


class RedisStore:
    """Sessions in Redis as JSON with the inactivity TTL as key expiry; implements ``SessionStore``.

    Args:
        client: An asyncio Redis client; the caller keeps ownership (see :meth:`from_url`).
        ttl: Inactivity after which a session expires (whole seconds, at least one).
        prefix: Key prefix of the session keys.
        max_sessions: Optional cap over every process; ``create`` then counts with ``SCAN``,
            which costs O(keys), so leave it ``None`` unless the keyspace is small.
        clock: The time source for ``updated_at``.
        lock_timeout: Seconds after which a session lock expires by itself (a crashed holder
            blocks the session no longer); longer than any turn.
        lock_prefix: Key prefix of the lock keys.

    Example::

        store = RedisStore.from_url("redis://127.0.0.1:6379/0")
        await store.create(session)
        ...
        await store.aclose()
    """

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        ttl: timedelta = timedelta(hours=24),
        prefix: str = "ia:session:",
        max_sessions: int | None = None,
        clock: Clock = _utcnow,
        lock_timeout: float = 30.0,
        lock_prefix: str = "ia:lock:",
    ) -> None:
        if ttl < timedelta(seconds=1):
            raise ValueError("ttl must be at least one second")
        if max_sessions is not None and max_sessions < 1:
            raise ValueError("max_sessions must be at least 1")
        self.client = client
        self.ttl = ttl
        self.prefix = prefix
        self.max_sessions = max_sessions
        self._clock = clock
        self._seconds = int(ttl.total_seconds())
        self._save = client.register_script(_SAVE)
        self._owns_client = False
        self.locks = RedisLocks(
            client, timeout=lock_timeout, prefix=lock_prefix, session_key=self.key
        )

    @classmethod
    def from_url(cls, url: str, **options: Any) -> RedisStore:
        """A store with its own client for ``url``; :meth:`aclose` closes that client.

        ``options`` are the constructor's keyword arguments (``ttl``, ``prefix``, ...).
        """
        store = cls(aioredis.Redis.from_url(url), **options)
        store._owns_client = True
        return store

    def key(self, session_id: str) -> str:
        """The Redis key of a session."""
        return f"{self.prefix}{session_id}"

    async def create(self, session: Session) -> None:
        """Store a new session; see ``SessionStore.create``."""
        if self.max_sessions is not None and await self.count() >= self.max_sessions:
            log.warning("session_limit_reached", max_sessions=self.max_sessions)
            raise SessionLimitError(
                f"too many sessions (limit {self.max_sessions}); try again later",
                session_id=session.id,
            )
        now = self._clock()
        data = session.model_copy(update={"updated_at": now}).to_json()
        # NX: refuse an existing live id; an expired key is already gone in Redis.
        if not await self.client.set(self.key(session.id), data, ex=self._seconds, nx=True):
            raise SessionConflictError(
                f"session {session.id} already exists", session_id=session.id
            )
        session.updated_at = now

    @asynccontextmanager
    async def hold(self, session_id: str) -> AsyncIterator[None]:
        """Hold the session's lock (``LockProvider``), reading the session as it is taken.

        Raises:
            SessionConflictError: The lock was not free within the wait (retryable).
        """
        async with self.locks.hold(session_id):
            yield

    async def get(self, session_id: str) -> Session | None:
        """A fresh copy of the live session, or ``None``."""
        lease = self.locks.lease(session_id)
        if lease is not None and lease.read:
            # Read with the lock this process holds; nobody else can have written since.
            data = lease.data
        else:
            data = await self.client.get(self.key(session_id))
        return None if data is None else Session.from_json(data)

    async def save(self, session: Session) -> None:
        """Compare-and-set on ``version``, atomic in Redis; see ``SessionStore.save``.

        Under :meth:`hold`, the same script releases the lock.
        """
        now = self._clock()
        version = session.version + 1
        data = session.model_copy(update={"version": version, "updated_at": now}).to_json()
        keys = [self.key(session.id)]
        args: list[Any] = [session.version, data, self._seconds]
        self.locks.invalidate(session.id)  # written (or refused): Redis has the truth now
        lease = self.locks.lease(session.id)  # the caller's own, if it holds the lock
        releases = lease is not None and not lease.released
        if lease is not None and releases:
            keys.append(self.locks.key(session.id))
            args.append(lease.token)
        outcome = int(await self._save(keys=keys, args=args))
        if lease is not None and releases:
            lease.released = True  # only now: had the script failed, leaving ``hold`` releases
        if outcome == -1:
            raise SessionNotFoundError(
                f"session {session.id} does not exist or has expired", session_id=session.id
            )
        if outcome != 1:
            raise SessionConflictError(
                f"session {session.id} was changed concurrently "
                f"(stored version {-2 - outcome}, given {session.version})",
                session_id=session.id,
            )
        session.version = version
        session.updated_at = now

    async def delete(self, session_id: str) -> bool:
        """Remove the session; ``True`` if a live one was removed."""
        self.locks.invalidate(session_id)
        deleted = bool(await self.client.delete(self.key(session_id)))
        release_secrets(session_id)
        return deleted

    async def count(self) -> int:
        """Live sessions under the prefix, counted with ``SCAN`` (O(keys in the database))."""
        total = 0
        async for _ in self.client.scan_iter(match=f"{self.prefix}*", count=1000):
            total += 1
        return total

    async def evict_expired(self, now: datetime | None = None) -> int:  # noqa: ARG002
        """Release the redaction secrets of sessions Redis has expired; always 0.

        Redis drops the sessions itself, so none is dropped here: this process only forgets
        the secrets registered by turns it served for sessions that no longer exist.
        """
        owners = [o for o in redaction_registry.owners() if o.startswith(_SESSION_PREFIX)]
        for start in range(0, len(owners), _EXISTS_BATCH):
            batch = owners[start : start + _EXISTS_BATCH]
            async with self.client.pipeline(transaction=False) as pipe:
                for owner in batch:
                    pipe.exists(self.key(owner))
                found = await pipe.execute()
            for owner, exists in zip(batch, found, strict=True):
                if not exists:
                    release_secrets(owner)
        return 0

    async def aclose(self) -> None:
        """Close the client if this store created it (:meth:`from_url`)."""
        if self._owns_client:
            await self.client.aclose()
