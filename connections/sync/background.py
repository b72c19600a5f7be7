"""Running requested pulls as background tasks of this process.

The default way ``POST …/pull`` gets its sync run when no job queue is configured: the
request answers at once (202) and the pull runs on the event loop. Tasks are kept until
they end, and cancelled when the service stops (the next pull of the source goes on).
"""

from __future__ import annotations

import asyncio
import contextlib

import structlog

from connections.sync.engine import PullEngine

__all__ = ["BackgroundPulls"]

log = structlog.get_logger(__name__)


class BackgroundPulls:
    """Submits pulls to ``engine`` as asyncio tasks."""

    def __init__(self, engine: PullEngine) -> None:
        self._engine = engine
        self._tasks: set[asyncio.Task[str]] = set()

    async def submit(self, source_id: str, sync_id: str) -> None:
        """Start running the queued sync ``sync_id`` of ``source_id``."""
        task = asyncio.create_task(
            self._engine.pull(source_id, trigger="manual", sync_id=sync_id),
            name=f"pull-{sync_id}",
        )
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[str]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background_pull_failed", task=task.get_name(), error=type(task.exception()))

    async def wait(self) -> None:
        """Wait until every submitted pull has ended (tests, orderly shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def aclose(self) -> None:
        """Cancel the pulls still running and wait for them to stop."""
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
