"""``ingestion-agent worker``: a process that drains the Redis job queue.

It runs the pulls, jobs and pushes that ``serve`` processes (and cron ticks) enqueue, with
the same connection service (database, vault, inventory store). Start as many as the load
needs; each key runs once however many there are. SIGINT or SIGTERM stops it; work cut
short is retried by another worker (arq re-queues it), and a pull resumes from its
checkpoint.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import structlog

from api.heap import freeze_startup_heap
from api.settings import Settings
from connections.runner import ArqRunner, build_worker
from connections.runtime import Runtime, open_runtime
from connectors.base import ConnectorContext

__all__ = ["run_worker"]

log = structlog.get_logger(__name__)


def run_worker(settings: Settings) -> int:
    """Drain the queue until stopped; 2 when no Redis is configured."""
    if settings.redis_url is None:
        sys.stderr.write(
            "ingestion-agent worker: set INGESTION_AGENT_REDIS_URL; without Redis, "
            "`ingestion-agent serve` runs pulls, jobs and pushes itself.\n"
        )
        return 2
    asyncio.run(_work(settings))
    return 0


async def _work(settings: Settings) -> None:
    assert settings.redis_url is not None  # noqa: S101 - checked by run_worker
    names = settings.redis_names

    async def startup(ctx: dict[Any, Any]) -> None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        runtime = await open_runtime(
            database_url=settings.effective_database_url,
            data_dir=settings.data_dir,
            vault_key=settings.vault_key_text,
            connector_context=ConnectorContext(network=settings.network_policy),
            inventory=settings.open_inventory(),
            pull_settings=settings.pull_settings,
        )
        # Follow-up work (a pull's jobs, a job's pushes) goes back on the queue.
        runner = ArqRunner(ctx["redis"], names.queue, job_id_prefix=names.job_ids)
        engines = runtime.engines
        engines.jobs.bind(runner)
        engines.pushes.bind(runner)
        ctx["runtime"] = runtime
        ctx["engines"] = engines
        freeze_startup_heap()
        log.info("worker_started", queue=names.queue)

    async def shutdown(ctx: dict[Any, Any]) -> None:
        runtime: Runtime | None = ctx.get("runtime")
        if runtime is not None:
            await runtime.close()
        log.info("worker_stopped", queue=names.queue)

    worker = build_worker(
        settings.redis_url.get_secret_value(),
        queue_name=names.queue,
        max_jobs=settings.worker_concurrency,
        job_timeout=settings.job_timeout,
        on_startup=startup,
        on_shutdown=shutdown,
        handle_signals=True,
    )
    try:
        await worker.async_run()
    except asyncio.CancelledError:
        pass  # a signal stopped the worker's main task; close it below
    finally:
        await worker.close()
