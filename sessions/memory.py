"""The in-memory session store: one process, sessions lost on restart.

Sessions are kept serialized (zlib-compressed JSON bytes), never as live pydantic objects: live
objects take about 4x their JSON, and the JSON about 2.5x its compressed form, 3.4x with the
agent's sentences as a preset dictionary (2,452 -> 714 bytes for the benchmark's session; the
store's total is in docs/performance.md). Each ``get`` parses a fresh copy, so no two turns
share an object and nothing a caller mutates reaches the store without a ``save``.

Records are kept in write order (a write moves its record to the end), so expiry scans stop at
the first live record. A session that is deleted, expires or is evicted releases the secrets
its turns registered for redaction (:func:`core.redaction.release_secrets`). A wall clock
stepping backwards can only delay eviction; ``get`` checks expiry on every read, so an expired
session is never returned.
"""

from __future__ import annotations

import asyncio
import json
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import structlog

from core.redaction import release_secrets
from sessions.errors import SessionConflictError, SessionLimitError, SessionNotFoundError
from sessions.model import Session

__all__ = ["Clock", "MemoryStore"]

log = structlog.get_logger(__name__)

Clock = Callable[[], datetime]
"""Returns the current time, timezone-aware."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


# zlib's fastest level compresses session JSON nearly as well as its default.
_LEVEL = 1
# zlib looks back at most 32 KiB, so only a preset dictionary's last 32 KiB can be used.
_WINDOW = 32 * 1024


class _Record(NamedTuple):
    data: bytes
    version: int
    expires_at: datetime


class MemoryStore:
    """Sessions in this process's memory, as compressed JSON; implements ``SessionStore``.

    Args:
        max_sessions: The cap; ``create`` beyond it raises ``SessionLimitError``.
        ttl: Inactivity after which a session expires.
        clock: The time source (tests inject a manual one).
        dictionary: Text sessions are likely to contain (the agent's sentences), used as
            zlib's preset dictionary together with the session's field names.
    """

    def __init__(
        self,
        max_sessions: int = 10_000,
        ttl: timedelta = timedelta(hours=24),
        clock: Clock = _utcnow,
        dictionary: bytes = b"",
    ) -> None:
        if max_sessions < 1:
            raise ValueError("max_sessions must be at least 1")
        if ttl <= timedelta(0):
            raise ValueError("ttl must be positive")
        self.max_sessions = max_sessions
        self.ttl = ttl
        self._clock = clock
        self._records: dict[str, _Record] = {}
        self._evictor: asyncio.Task[None] | None = None
        # The field names last: zlib finds near matches cheaper than far ones.
        self._zdict = (dictionary + json.dumps(list(Session.model_fields)).encode())[-_WINDOW:]

    async def create(self, session: Session) -> None:
        """Store a new session; see ``SessionStore.create``."""
        now = self._clock()
        if self._live(session.id, now) is not None:
            raise SessionConflictError(
                f"session {session.id} already exists", session_id=session.id
            )
        if len(self._records) >= self.max_sessions:
            self._evict(now)  # only expired sessions make room; a live one is never evicted
        if len(self._records) >= self.max_sessions:
            log.warning("session_limit_reached", max_sessions=self.max_sessions)
            raise SessionLimitError(
                f"too many sessions (limit {self.max_sessions}); try again later",
                session_id=session.id,
            )
        self._put(session.model_copy(update={"updated_at": now}), now)
        session.updated_at = now

    async def get(self, session_id: str) -> Session | None:
        """A fresh copy of the live session, or ``None``."""
        record = self._live(session_id, self._clock())
        if record is None:
            return None
        inflate = zlib.decompressobj(zdict=self._zdict)
        return Session.from_json(inflate.decompress(record.data) + inflate.flush())

    async def save(self, session: Session) -> None:
        """Compare-and-set on ``version``; see ``SessionStore.save``."""
        now = self._clock()
        record = self._live(session.id, now)
        if record is None:
            raise SessionNotFoundError(
                f"session {session.id} does not exist or has expired", session_id=session.id
            )
        if record.version != session.version:
            raise SessionConflictError(
                f"session {session.id} was changed concurrently "
                f"(stored version {record.version}, given {session.version})",
                session_id=session.id,
            )
        version = session.version + 1
        self._put(session.model_copy(update={"version": version, "updated_at": now}), now)
        session.version = version
        session.updated_at = now

    async def delete(self, session_id: str) -> bool:
        """Remove the session; ``True`` if a live one was removed."""
        record = self._records.pop(session_id, None)
        release_secrets(session_id)
        return record is not None and record.expires_at > self._clock()

    async def count(self) -> int:
        """Sessions held, including expired ones not evicted yet."""
        return len(self._records)

    async def evict_expired(self, now: datetime | None = None) -> int:
        """Drop expired sessions; how many were dropped."""
        evicted = self._evict(now if now is not None else self._clock())
        if evicted:
            log.info("sessions_evicted", count=evicted, remaining=len(self._records))
        return evicted

    def start_evictor(self, interval: float = 300.0) -> asyncio.Task[None]:
        """Run :meth:`evict_expired` every ``interval`` seconds in a background task.

        Starting it again while it runs returns the running task.
        """
        if self._evictor is None or self._evictor.done():
            self._evictor = asyncio.create_task(
                self._evict_forever(interval), name="sessions-evictor"
            )
        return self._evictor

    async def stop_evictor(self) -> None:
        """Cancel the background evictor and wait for it to end."""
        task, self._evictor = self._evictor, None
        if task is None:
            return
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise  # we were cancelled ourselves, not just the evictor

    async def aclose(self) -> None:
        """Stop the evictor and drop every session."""
        await self.stop_evictor()
        for session_id in self._records:
            release_secrets(session_id)
        self._records.clear()

    async def _evict_forever(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            await self.evict_expired()

    def _live(self, session_id: str, now: datetime) -> _Record | None:
        record = self._records.get(session_id)
        if record is not None and record.expires_at <= now:
            del self._records[session_id]
            release_secrets(session_id)
            return None
        return record

    def _put(self, session: Session, now: datetime) -> None:
        # Re-inserting moves the record to the end, keeping the dict in write order.
        self._records.pop(session.id, None)
        # Compressed JSON: a session's transcript repeats itself, so this is ~2.5x smaller
        # (2.4 KB -> 1 KB measured) for ~30 us a turn; see docs/performance.md.
        deflate = zlib.compressobj(_LEVEL, zdict=self._zdict)
        data = deflate.compress(session.to_json()) + deflate.flush()
        self._records[session.id] = _Record(data, session.version, now + self.ttl)

    def _evict(self, now: datetime) -> int:
        expired = []
        for session_id, record in self._records.items():
            if record.expires_at > now:
                break
            expired.append(session_id)
        for session_id in expired:
            del self._records[session_id]
            release_secrets(session_id)
        return len(expired)
