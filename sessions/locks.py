"""Per-session locks: one turn at a time per session, sessions independent of each other.

A lock exists only while someone holds or waits on it, so idle sessions cost nothing. Waiters are
served in arrival order (``asyncio.Lock`` is fair: a newcomer never overtakes a queued waiter).
These locks work within one process; a Redis lock provider will cover many processes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["LockProvider", "SessionLocks"]


class LockProvider(Protocol):
    """Serializes the turns of one session."""

    def hold(self, session_id: str) -> AbstractAsyncContextManager[None]:
        """Hold the session's lock for the ``async with`` block, waiting in arrival order."""
        ...


@dataclass(slots=True)
class _Slot:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0  # holders plus waiters


class SessionLocks:
    """In-process per-session locks, created lazily and dropped when idle.

    Example::

        async with locks.hold(session_id):
            session = await store.get(session_id)
            ...
            await store.save(session)
    """

    def __init__(self) -> None:
        self._slots: dict[str, _Slot] = {}

    def __len__(self) -> int:
        """Live locks: sessions someone holds or waits on."""
        return len(self._slots)

    @asynccontextmanager
    async def hold(self, session_id: str) -> AsyncIterator[None]:
        """Hold the session's lock for the ``async with`` block, waiting in arrival order."""
        slot = self._slots.get(session_id)
        if slot is None:
            slot = self._slots[session_id] = _Slot()
        slot.users += 1
        try:
            async with slot.lock:
                yield
        finally:
            # Also runs when a waiter is cancelled, so an abandoned wait leaves nothing behind.
            slot.users -= 1
            if slot.users == 0 and self._slots.get(session_id) is slot:
                del self._slots[session_id]
