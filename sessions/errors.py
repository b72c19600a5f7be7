"""Errors of the session layer.

Tree::

    SessionError                        (code, retryable)
    ├── SessionLimitError      503     the store is at its cap; retry later, nothing was evicted
    ├── SessionConflictError   409     a concurrent write won (stale ``version``) or the id exists;
    │                                  reload the session and apply the turn again
    └── SessionNotFoundError   404     no such session, or it expired

``api/errors.py`` maps these to HTTP statuses in one place.
"""

from __future__ import annotations

__all__ = [
    "SessionConflictError",
    "SessionError",
    "SessionLimitError",
    "SessionNotFoundError",
]


class SessionError(Exception):
    """Root of every session error."""

    code = "session_error"
    retryable = False

    def __init__(self, message: str, *, session_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.session_id = session_id


class SessionLimitError(SessionError):
    """The store holds as many live sessions as it may; no live session is ever evicted."""

    code = "session_limit"
    retryable = True


class SessionConflictError(SessionError):
    """A compare-and-set on ``version`` failed, or a session with this id already exists."""

    code = "session_conflict"
    retryable = True


class SessionNotFoundError(SessionError):
    """The session does not exist or has expired."""

    code = "session_not_found"
