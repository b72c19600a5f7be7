"""The scale-out runner: an arq queue in Redis, drained by ``ingestion-agent worker``.

Work is enqueued with arq's ``_job_id`` set to its key (``pull:{sourceId}:{tickTime}``,
``job:{jobId}``, ...). arq refuses a job id that is queued, running, or finished within
``keep_result`` (an hour), which is what lets every API process run a scheduler: the
second process to fire a tick finds the key taken and queues nothing.

Jobs are serialized as JSON rather than arq's default pickle, so whoever can write to
Redis cannot make a worker run code. The three task functions take ids only; the
engines they call live in the worker's context (``ctx["engines"]``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

import structlog
from arq.connections import ArqRedis, RedisSettings, create_pool
from arq.typing import StartupShutdown
from arq.worker import Function, Worker, func

from connections.errors import ServiceError
from connections.runner.base import Engines, job_key, push_key

__all__ = [
    "DEFAULT_QUEUE",
    "ArqRunner",
    "build_worker",
    "open_queue",
    "redis_settings",
]

log = structlog.get_logger(__name__)

DEFAULT_QUEUE: Final = "ingestion-agent:queue"
# Finished keys are remembered this long, so a tick fired late by a second scheduler
# (its clock behind, or its scan slow) still finds the key taken.
_KEEP_RESULT: Final = 3600


def _dumps(data: dict[str, Any]) -> bytes:
    return json.dumps(data, default=str).encode()


def _loads(raw: bytes) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(raw)
    return value


def redis_settings(url: str) -> RedisSettings:
    """The arq connection settings of a ``redis://`` URL."""
    return RedisSettings.from_dsn(url)


async def open_queue(url: str, queue_name: str = DEFAULT_QUEUE) -> ArqRedis:
    """A connection pool that enqueues on ``queue_name``."""
    return await create_pool(
        redis_settings(url),
        job_serializer=_dumps,
        job_deserializer=_loads,
        default_queue_name=queue_name,
    )


class ArqRunner:
    """Enqueues work on an arq queue, keyed so that each key runs once.

    Args:
        pool: An arq connection (see :func:`open_queue`).
        queue_name: The queue workers drain.
        job_id_prefix: Put before each key to make the arq job id: arq names a job's
            result and state keys by job id alone (``arq:result:{id}``), so deployments
            sharing a Redis need ids of their own.
        owns_pool: Close ``pool`` in :meth:`aclose`.
    """

    def __init__(
        self,
        pool: ArqRedis,
        queue_name: str,
        *,
        job_id_prefix: str = "",
        owns_pool: bool = False,
    ) -> None:
        self._pool = pool
        self._queue = queue_name
        self._job_id_prefix = job_id_prefix
        self._owns_pool = owns_pool

    async def _enqueue(self, function: str, key: str, *args: Any) -> bool:
        job = await self._pool.enqueue_job(
            function, *args, _job_id=f"{self._job_id_prefix}{key}", _queue_name=self._queue
        )
        if job is None:
            log.info("queue_duplicate_ignored", task=key)
            return False
        log.info("queue_enqueued", task=key)
        return True

    async def submit_pull(
        self, source_id: str, *, trigger: str, key: str, sync_id: str | None = None
    ) -> bool:
        """Enqueue a pull under ``key``."""
        return await self._enqueue("pull", key, source_id, trigger, sync_id)

    async def submit_job(self, job_id: str) -> bool:
        """Enqueue a job under ``job:{jobId}``."""
        return await self._enqueue("job", job_key(job_id), job_id)

    async def submit_push(self, job_id: str, sink_id: str) -> bool:
        """Enqueue a push under ``push:{jobId}:{sinkId}``."""
        return await self._enqueue("push", push_key(job_id, sink_id), job_id, sink_id)

    async def aclose(self) -> None:
        """Close the connection if this runner opened it."""
        if self._owns_pool:
            await self._pool.aclose()


def _engines(ctx: Mapping[str, Any]) -> Engines:
    engines: Engines = ctx["engines"]
    return engines


async def pull_task(ctx: dict[str, Any], source_id: str, trigger: str, sync_id: str | None) -> str:
    """Worker side of :meth:`ArqRunner.submit_pull`; returns the sync id, or why not."""
    try:
        return await _engines(ctx).pulls.pull(source_id, trigger=trigger, sync_id=sync_id)
    except ServiceError as exc:
        # The source went away meanwhile or is a sink: nothing a retry would change.
        log.info("queue_task_refused", source_id=source_id, reason=exc.code)
        return f"refused: {exc.code}"


async def job_task(ctx: dict[str, Any], job_id: str) -> str | None:
    """Worker side of :meth:`ArqRunner.submit_job`."""
    return await _engines(ctx).jobs.run(job_id)


async def push_task(ctx: dict[str, Any], job_id: str, sink_id: str) -> str:
    """Worker side of :meth:`ArqRunner.submit_push`; returns the push's sync id, or why not."""
    try:
        return await _engines(ctx).pushes.push(job_id, sink_id)
    except LookupError:
        # The job or the sink was deleted meanwhile.
        log.info("queue_task_refused", job_id=job_id, sink_id=sink_id, reason="not_found")
        return "refused: not_found"


FUNCTIONS: Final[tuple[Function, ...]] = (
    func(pull_task, name="pull"),
    func(job_task, name="job"),
    func(push_task, name="push"),
)


def build_worker(
    url: str,
    *,
    queue_name: str = DEFAULT_QUEUE,
    max_jobs: int = 4,
    job_timeout: float = 3600.0,
    ctx: dict[str, Any] | None = None,
    on_startup: StartupShutdown | None = None,
    on_shutdown: StartupShutdown | None = None,
    handle_signals: bool = False,
) -> Worker:
    """An arq worker that runs pulls, jobs and pushes from ``queue_name``.

    Args:
        url: Redis URL.
        queue_name: The queue to drain.
        max_jobs: Tasks run at once.
        job_timeout: Seconds one task may take. A worker killed mid-task leaves its task
            to be retried after this (plus ten seconds).
        ctx: The initial context; must hold ``engines`` unless ``on_startup`` sets it.
        on_startup: Called with the context once connected (opens the service).
        on_shutdown: Called with the context when the worker stops.
        handle_signals: Stop on SIGINT / SIGTERM (a worker process); False inside
            ``serve``, whose web server owns the signals.
    """
    return Worker(
        functions=FUNCTIONS,
        queue_name=queue_name,
        redis_settings=redis_settings(url),
        max_jobs=max_jobs,
        job_timeout=job_timeout,
        keep_result=_KEEP_RESULT,
        ctx=ctx,
        on_startup=on_startup,
        on_shutdown=on_shutdown,
        handle_signals=handle_signals,
        job_serializer=_dumps,
        job_deserializer=_loads,
        # Our tasks record their own failures; a crash is a bug that a retry won't fix.
        max_tries=3,
    )
