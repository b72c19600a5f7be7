"""What runs pulls, jobs and pushes: the runner contract, its task keys, the engines.

A runner takes work by a key that names it uniquely, and runs each key at most once while
it is queued or running: ``pull:{sourceId}:{tickTime}`` for a cron tick (so two schedulers
firing the same tick queue one pull), ``pull:{sourceId}:manual:{syncId}`` on demand,
``job:{jobId}`` and ``push:{jobId}:{sinkId}``. Two implementations: in-process asyncio
tasks (one process, the default) and an arq queue in Redis (many processes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from connections.jobs import JobEngine
    from connections.push import PushEngine

__all__ = [
    "Engines",
    "Puller",
    "Runner",
    "job_key",
    "manual_pull_key",
    "push_key",
    "tick_key",
]


class Runner(Protocol):
    """Queues pulls, jobs and pushes by unique key."""

    async def submit_pull(
        self, source_id: str, *, trigger: str, key: str, sync_id: str | None = None
    ) -> bool:
        """Queue a pull of ``source_id``; False when ``key`` is queued or ran already."""
        ...

    async def submit_job(self, job_id: str) -> bool:
        """Queue a job; False when it is queued or running already."""
        ...

    async def submit_push(self, job_id: str, sink_id: str) -> bool:
        """Queue a push of a job's result to a sink; False when queued already."""
        ...

    async def aclose(self) -> None:
        """Stop taking work and let what runs finish (within a grace period)."""
        ...


class Puller(Protocol):
    """The pull engine as runners call it (``connections.sync.PullEngine``)."""

    async def pull(
        self, source_id: str, *, trigger: str = "manual", sync_id: str | None = None
    ) -> str:
        """Pull a source; return the sync id. Never raises for a source's failure."""
        ...


@dataclass(frozen=True)
class Engines:
    """The three engines a runner drives."""

    pulls: Puller
    jobs: JobEngine
    pushes: PushEngine


def tick_key(source_id: str, tick: datetime) -> str:
    """``pull:{sourceId}:{tickTime}``, the tick in UTC to the second."""
    return f"pull:{source_id}:{tick.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"


def manual_pull_key(source_id: str, sync_id: str) -> str:
    """``pull:{sourceId}:manual:{syncId}``."""
    return f"pull:{source_id}:manual:{sync_id}"


def job_key(job_id: str) -> str:
    """``job:{jobId}``."""
    return f"job:{job_id}"


def push_key(job_id: str, sink_id: str) -> str:
    """``push:{jobId}:{sinkId}``."""
    return f"push:{job_id}:{sink_id}"
