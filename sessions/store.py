"""The session store contract.

A store keeps sessions between turns and owns their expiry. Implementations: the in-memory
:class:`~sessions.memory.MemoryStore` (default) and, later, a Redis store shared by processes.

Writes are compare-and-set on :attr:`Session.version`: a turn loads a session (version ``n``),
changes it and calls :meth:`SessionStore.save`, which succeeds only if the stored version is still
``n``; it then stores version ``n + 1`` and updates the caller's object to match, so the caller
never bumps ``version`` itself. Every successful ``create`` or ``save`` is activity: it stamps
``updated_at`` with the store's clock, and the session expires after the store's TTL without one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sessions.model import Session

__all__ = ["SessionStore"]


class SessionStore(Protocol):
    """Where sessions live between turns."""

    async def create(self, session: Session) -> None:
        """Store a new session and stamp its ``updated_at``.

        Raises:
            SessionLimitError: The store is at its cap (expired sessions are dropped first; a live
                session is never evicted to make room).
            SessionConflictError: A live session with this id exists.
        """
        ...

    async def get(self, session_id: str) -> Session | None:
        """A fresh copy of the session, or ``None`` if it does not exist or has expired."""
        ...

    async def save(self, session: Session) -> None:
        """Compare-and-set: store ``session`` if the stored version equals ``session.version``.

        On success the stored version is ``session.version + 1``, and ``session.version`` and
        ``session.updated_at`` are updated in place to what was stored.

        Raises:
            SessionConflictError: Another write saved the session first; reload and redo the turn.
            SessionNotFoundError: The session does not exist or has expired.
        """
        ...

    async def delete(self, session_id: str) -> bool:
        """Remove the session; ``True`` if a live one was removed."""
        ...

    async def count(self) -> int:
        """How many sessions the store holds (expired ones count until they are evicted)."""
        ...

    async def evict_expired(self, now: datetime | None = None) -> int:
        """Drop sessions inactive for the TTL as of ``now`` (default: the store's clock).

        Returns:
            How many were dropped.
        """
        ...

    async def aclose(self) -> None:
        """Release the store's resources (tasks, connections)."""
        ...
