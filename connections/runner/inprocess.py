"""The default runner: asyncio tasks inside ``ingestion-agent serve``.

A key queued or running is not queued again, so a tick fired twice or a job event
delivered twice runs once. At most ``concurrency`` tasks run at a time; the rest wait
their turn. Closing stops new work, waits up to a grace period for what runs, then
cancels the rest (a pull resumes from its checkpoint, a job left ``running`` is claimed
again once stale).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import structlog

from connections.errors import ServiceError
from connections.runner.base import Engines, job_key, push_key

__all__ = ["InProcessRunner"]

log = structlog.get_logger(__name__)


class InProcessRunner:
    """Runs work as tasks of this process's event loop, de-duplicated by key.

    Args:
        engines: What the work calls.
        concurrency: Tasks running at once.
        grace: Seconds :meth:`aclose` waits for running tasks before cancelling them.
    """

    def __init__(self, engines: Engines, *, concurrency: int = 4, grace: float = 10.0) -> None:
        self._engines = engines
        self._slots = asyncio.Semaphore(concurrency)
        self._grace = grace
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._closed = False

    @property
    def active(self) -> frozenset[str]:
        """Keys queued or running."""
        return frozenset(self._tasks)

    async def submit_pull(
        self, source_id: str, *, trigger: str, key: str, sync_id: str | None = None
    ) -> bool:
        """Queue a pull under ``key``."""
        pulls = self._engines.pulls
        return self._spawn(key, lambda: pulls.pull(source_id, trigger=trigger, sync_id=sync_id))

    async def submit_job(self, job_id: str) -> bool:
        """Queue a job under ``job:{jobId}``."""
        jobs = self._engines.jobs
        return self._spawn(job_key(job_id), lambda: jobs.run(job_id))

    async def submit_push(self, job_id: str, sink_id: str) -> bool:
        """Queue a push under ``push:{jobId}:{sinkId}``."""
        pushes = self._engines.pushes
        return self._spawn(push_key(job_id, sink_id), lambda: pushes.push(job_id, sink_id))

    def _spawn(self, key: str, work: Callable[[], Awaitable[object]]) -> bool:
        if self._closed:
            log.warning("runner_closed_refused", task=key)
            return False
        if key in self._tasks:
            log.info("runner_duplicate_ignored", task=key)
            return False
        self._tasks[key] = asyncio.create_task(self._run(key, work), name=key)
        return True

    async def _run(self, key: str, work: Callable[[], Awaitable[object]]) -> None:
        try:
            async with self._slots:
                await work()
        except (ServiceError, LookupError) as exc:
            # The source, job or sink went away meanwhile (deleted), or is not pullable.
            log.info("runner_task_refused", task=key, reason=type(exc).__name__)
        except Exception:
            # Engines record their own failures; this is a bug, not a failed pull.
            log.exception("runner_task_crashed", task=key)
        finally:
            self._tasks.pop(key, None)

    async def drain(self) -> None:
        """Wait until nothing is queued or running (work may queue more work)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)

    async def aclose(self) -> None:
        """Refuse new work; give running work ``grace`` seconds, then cancel it."""
        self._closed = True
        if not self._tasks:
            return
        _, pending = await asyncio.wait(list(self._tasks.values()), timeout=self._grace)
        for task in pending:
            task.cancel()
        if pending:
            log.warning("runner_cancelled_on_close", tasks=len(pending))
            await asyncio.gather(*pending, return_exceptions=True)
