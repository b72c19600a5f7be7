"""Sessions: the conversation's state between turns, where it is kept, and per-session locks.

A session is data (:class:`Session`), kept serialized by a :class:`SessionStore` between turns
(:class:`MemoryStore` by default: 24 h TTL of inactivity, a cap per process, eviction every
5 minutes; :class:`RedisStore` to survive restarts and share sessions between processes).
:class:`SessionLocks` serializes the turns of one session within a process, :class:`RedisLocks`
across processes (a :class:`RedisStore` is its own lock provider, so that taking the lock reads
the session and saving it releases the lock); different sessions never wait on each other.
Errors derive from :class:`SessionError`.
"""

from sessions.errors import (
    SessionConflictError,
    SessionError,
    SessionLimitError,
    SessionNotFoundError,
)
from sessions.locks import LockProvider, SessionLocks
from sessions.memory import Clock, MemoryStore
from sessions.model import MAX_TURNS, Created, Failure, Schedule, Session, Speaker, Task, Turn
from sessions.redis_locks import RedisLocks
from sessions.redis_store import RedisStore
from sessions.store import SessionStore

__all__ = [
    "MAX_TURNS",
    "Clock",
    "Created",
    "Failure",
    "LockProvider",
    "MemoryStore",
    "RedisLocks",
    "RedisStore",
    "Schedule",
    "Session",
    "SessionConflictError",
    "SessionError",
    "SessionLimitError",
    "SessionLocks",
    "SessionNotFoundError",
    "SessionStore",
    "Speaker",
    "Task",
    "Turn",
]
