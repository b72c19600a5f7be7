"""What ``serve`` runs beside the web server: a runner, a scheduler, maybe a worker.

Without Redis, work runs as tasks of the serving process (:class:`InProcessRunner`).
With a Redis URL it goes through the arq queue (:class:`ArqRunner`), and unless workers
are declared external the process also drains that queue with one in-process worker, so
a single process with Redis never silently stops pulling (DESIGN §13).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

import structlog
from arq.worker import Worker
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connections.runner.base import Engines, Runner, manual_pull_key
from connections.runner.inprocess import InProcessRunner
from connections.runner.queue import DEFAULT_QUEUE, ArqRunner, build_worker, open_queue
from connections.scheduler import Scheduler

__all__ = ["Background", "RunnerOptions", "start_background"]

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class RunnerOptions:
    """How background work runs.

    Attributes:
        redis_url: The arq queue's Redis; None runs everything in this process.
        queue_name: The arq queue.
        job_id_prefix: Put before every arq job id, so that deployments sharing a Redis
            keep apart arq's per-job keys (results among them), which it names by id only.
        in_process_worker: With Redis, also drain the queue here.
        concurrency: Pulls, jobs and pushes running at once (per process).
        job_timeout: Seconds one queued task may run.
        scheduler_interval: Seconds between scans for due cron ticks.
        scheduler: Whether to run the scheduler at all.
    """

    # May carry a password: kept out of reprs.
    redis_url: str | None = field(default=None, repr=False)
    queue_name: str = DEFAULT_QUEUE
    job_id_prefix: str = ""
    in_process_worker: bool = True
    concurrency: int = 4
    job_timeout: float = 3600.0
    scheduler_interval: float = 60.0
    scheduler: bool = True


@dataclass
class Background:
    """The running parts; :meth:`aclose` stops them in order."""

    runner: Runner
    scheduler: Scheduler | None = None
    scheduler_task: asyncio.Task[None] | None = None
    worker: Worker | None = None
    worker_task: asyncio.Task[None] | None = None

    async def submit_manual_pull(self, source_id: str, sync_id: str) -> bool:
        """Run the queued sync of an on-demand pull (``POST …/pull``) through the runner.

        Raises:
            RuntimeError: The runner refused it (it is closing); the sync is then cancelled.
        """
        key = manual_pull_key(source_id, sync_id)
        if not await self.runner.submit_pull(source_id, trigger="manual", key=key, sync_id=sync_id):
            raise RuntimeError(f"the runner refused {key}")
        return True

    async def aclose(self) -> None:
        """Stop scheduling, stop the worker, then let the runner finish what it runs."""
        if self.scheduler_task is not None:
            self.scheduler_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.scheduler_task
        if self.worker is not None:
            await self.worker.close()
        if self.worker_task is not None:
            self.worker_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.worker_task
        await self.runner.aclose()


async def _drain_queue(worker: Worker, retry_after: float = 5.0) -> None:
    """Run the in-process worker until cancelled; a lost Redis connection is retried."""
    while True:
        try:
            await worker.async_run()
        except asyncio.CancelledError:
            raise
        except Exception:
            # Never stop pulling silently: say so, and try again.
            log.exception("queue_worker_failed", retry_after=retry_after)
            await asyncio.sleep(retry_after)
        else:
            return


async def start_background(
    engines: Engines,
    sessions: async_sessionmaker[AsyncSession],
    options: RunnerOptions,
) -> Background:
    """Start the runner (and worker, and scheduler) and bind the engines to the runner."""
    runner: Runner
    background: Background
    if options.redis_url:
        pool = await open_queue(options.redis_url, options.queue_name)
        runner = ArqRunner(
            pool, options.queue_name, job_id_prefix=options.job_id_prefix, owns_pool=True
        )
        background = Background(runner=runner)
        if options.in_process_worker:
            worker = build_worker(
                options.redis_url,
                queue_name=options.queue_name,
                max_jobs=options.concurrency,
                job_timeout=options.job_timeout,
                ctx={"engines": engines},
            )
            background.worker = worker
            background.worker_task = asyncio.create_task(_drain_queue(worker), name="worker")
    else:
        runner = InProcessRunner(engines, concurrency=options.concurrency)
        background = Background(runner=runner)
    engines.jobs.bind(runner)
    engines.pushes.bind(runner)
    if options.scheduler:
        scheduler = Scheduler(
            sessions,
            runner,
            interval=options.scheduler_interval,
            on_start=engines.jobs.recover,
        )
        background.scheduler = scheduler
        background.scheduler_task = asyncio.create_task(scheduler.run(), name="scheduler")
    log.info(
        "background_started",
        runner="queue" if options.redis_url else "in_process",
        queue_worker_here=background.worker is not None,
        scheduler=options.scheduler,
    )
    return background
