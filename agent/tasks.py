"""Background work of a conversation (connection tests, discoveries) and its event feed.

A turn that starts slow work answers at once; the work runs as a task outside the
session lock, and its outcome arrives as the agent's next message. Faces follow it on an
event feed (server-sent events) or by polling. One session runs one task at a time;
``cancel`` stops it immediately.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import AsyncIterator, Coroutine
from typing import Any

import structlog
from ulid import ULID

__all__ = ["EventHub", "TaskRunner"]

log = structlog.get_logger(__name__)
_FEED_SIZE = 64


class EventHub:
    """Fan-out of per-session events to any number of listeners (bounded queues)."""

    def __init__(self) -> None:
        self._listeners: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)

    def publish(self, session_id: str, event: dict[str, Any]) -> None:
        """Send ``event`` to every listener of the session; a full listener drops its oldest."""
        for queue in list(self._listeners.get(session_id, ())):
            if queue.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(event)

    @contextlib.asynccontextmanager
    async def listen(self, session_id: str) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        """A queue receiving the session's events while the context is open."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(_FEED_SIZE)
        self._listeners[session_id].add(queue)
        try:
            yield queue
        finally:
            listeners = self._listeners.get(session_id)
            if listeners is not None:
                listeners.discard(queue)
                if not listeners:
                    del self._listeners[session_id]

    def close(self, session_id: str | None = None) -> None:
        """End the feeds of one session (deleted) or of all (shutting down).

        Listeners get a final ``{"type": "end"}`` event, so a long-lived stream returns at
        once instead of holding a shutdown until its next heartbeat notices the client.
        """
        targets = [session_id] if session_id is not None else list(self._listeners)
        for target in targets:
            self.publish(target, {"type": "end"})

    def listener_count(self, session_id: str) -> int:
        """How many feeds are open for the session (for tests)."""
        return len(self._listeners.get(session_id, ()))


class TaskRunner:
    """At most one background task per session; cancellable; awaited on shutdown."""

    def __init__(self) -> None:
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def start(self, session_id: str, work: Coroutine[Any, Any, None]) -> str:
        """Run ``work`` for the session; return the task id."""
        self.cancel(session_id)
        task_id = f"tsk_{ULID()}"
        task = asyncio.create_task(self._guard(session_id, work), name=task_id)
        self._tasks[session_id] = task
        task.add_done_callback(lambda t: self._forget(session_id, t))
        return task_id

    async def _guard(self, session_id: str, work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception:
            # The work reports its own failures to the person; this is a bug path.
            log.exception("conversation_task_crashed", session_id=session_id)

    def _forget(self, session_id: str, task: asyncio.Task[None]) -> None:
        if self._tasks.get(session_id) is task:
            del self._tasks[session_id]

    def running(self, session_id: str) -> bool:
        """Whether the session has work in progress."""
        task = self._tasks.get(session_id)
        return task is not None and not task.done()

    async def wait(self, session_id: str, *, seconds: float | None = None) -> None:
        """Wait until the session's task (if any) has finished, at most ``seconds``."""
        task = self._tasks.get(session_id)
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(asyncio.shield(task), seconds)

    def cancel(self, session_id: str) -> bool:
        """Cancel the session's task; return whether one was running."""
        task = self._tasks.pop(session_id, None)
        if task is None or task.done():
            return False
        task.cancel()
        return True

    async def aclose(self) -> None:
        """Cancel everything and wait for it to stop."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
