"""Pushes: a completed job's result delivered to a sink, one outbound sync per delivery.

Each push is a :class:`~connections.db.models.Sync` of the sink (direction outbound,
trigger ``job``, ``job_id`` set) whose manifest holds one entry: the delivered location
as ``key`` (``s3://bucket/{prefix}/job-{jobId}.{format}``, or the webhook's URL without
query string), ``status`` ``pushed`` or ``failed``, and the error where there is one.

Failures that waiting may fix (unreachable, timeout, 5xx, throttling) are tried again
``retry_failed_push`` times with exponential backoff and jitter; others (bad credentials,
a missing bucket, a guard refusal, a 4xx) fail at once. The webhook connector retries
inside ``write`` already, with the same ``webhook-id`` on every attempt and honouring
``Retry-After``, so it is given the attempt budget instead of being wrapped in a second
loop. Every delivery of one (job, sink) carries the same delivery id, so a receiver can
de-duplicate even a push that is run again.
"""

from __future__ import annotations

import asyncio
import random
from typing import TYPE_CHECKING, Any, Final, Protocol

import structlog
from sqlalchemy import select

from connections.credentials import connector_for, secret_values, validate
from connections.db.models import Agent, DataSource, Job, Sync
from connections.db.types import utcnow
from connections.deps import audited_by
from connections.errors import ServiceError
from connections.inventory import InventoryError
from connections.push.sinks import auto_push_sinks, retries, target
from connections.rules import RuleSet
from connectors.base import Connector, Delivery
from connectors.errors import ConnectorError
from connectors.results import WriteResult
from connectors.spec import DataFormat, Role
from connectors.webhook import DeliveryPolicy, WebhookConnector
from core.ids import new_id
from core.redaction import redact_text

if TYPE_CHECKING:
    from connections.deps import ServiceDeps
    from connections.inventory import InventoryStore

__all__ = ["PUSH_ACTOR", "PUSH_DIRECTION", "PushEngine", "PushSubmitter"]

log = structlog.get_logger(__name__)

# The value of ``syncs.direction`` for pushes; pulls are the other direction.
PUSH_DIRECTION: Final = "outbound"
# Who the audit log names for pushes nobody clicked.
PUSH_ACTOR: Final = "system:auto-push"
_COMPLETED: Final = frozenset({"succeeded", "partial"})
_MAX_BACKOFF: Final = 60.0
_UNEXPECTED = "The push failed unexpectedly. The error was logged for an operator."

AnyConnector = Connector[Any, Any]


class PushSubmitter(Protocol):
    """Where pushes go to run (a runner); without one they run inline."""

    async def submit_push(self, job_id: str, sink_id: str) -> bool:
        """Queue the push; False when it is queued or running already."""
        ...


class _PushFailedError(Exception):
    """A delivery failed for good; carries the classified error and the attempts made."""

    def __init__(self, error: ConnectorError, attempts: int) -> None:
        super().__init__(error.message)
        self.error = error
        self.attempts = attempts


class PushEngine:
    """Delivers job results to sinks.

    Args:
        deps: The service's database, vault and connectors.
        store: Where job results are read from.
        backoff: Seconds before the first retry of a failed push; doubled for each next.
    """

    def __init__(self, deps: ServiceDeps, store: InventoryStore, *, backoff: float = 2.0) -> None:
        self._deps = deps
        self._store = store
        self._backoff = backoff
        self._runner: PushSubmitter | None = None

    def bind(self, runner: PushSubmitter) -> None:
        """Submit pushes to ``runner`` instead of running them inline."""
        self._runner = runner

    async def on_job_complete(self, job_id: str) -> list[str]:
        """Submit a push to every active sink of the job's agent with auto push on.

        Returns:
            The ids of the sinks that will receive the result.
        """
        async with self._deps.database() as db:
            job = await db.get(Job, job_id)
            agent = await db.get(Agent, job.agent_id) if job else None
            if job is None or agent is None or job.status not in _COMPLETED:
                return []
            sink_ids = [s.id for s in await auto_push_sinks(db, agent)]
        if not sink_ids:
            log.info("push_none_enabled", job_id=job_id)
        for sink_id in sink_ids:
            if self._runner is not None:
                await self._runner.submit_push(job_id, sink_id)
            else:
                await self.push(job_id, sink_id)
        return sink_ids

    async def push(self, job_id: str, sink_id: str, *, trigger: str = "job") -> str:
        """Deliver the job's result to the sink; return the push's sync id.

        Never raises for a failed delivery: the sync records it. A (job, sink) pair that
        was pushed already is not pushed again; its sync id is returned.

        Raises:
            LookupError: No such job or sink, or they belong to different agents.
        """
        async with self._deps.database() as db:
            job = await db.get(Job, job_id)
            sink = await db.get(DataSource, sink_id)
            if (
                job is None
                or sink is None
                or sink.agent_id != job.agent_id
                or sink.tenant_id != job.tenant_id
                or sink.role != Role.RESULTS_SINK.value
            ):
                raise LookupError(f"no sink {sink_id} for job {job_id}")
            done = (
                await db.execute(
                    select(Sync.id).where(
                        Sync.job_id == job_id,
                        Sync.source_id == sink_id,
                        Sync.status == "succeeded",
                    )
                )
            ).scalar()
            if done is not None:
                log.info("push_already_done", job_id=job_id, sink_id=sink_id, sync_id=done)
                return str(done)
            agent = await db.get(Agent, job.agent_id)
            rules = RuleSet.model_validate(agent.rules or {}) if agent else RuleSet()
            sync = Sync(
                id=new_id("syn"),
                tenant_id=job.tenant_id,
                source_id=sink.id,
                direction=PUSH_DIRECTION,
                trigger=trigger,
                status="running",
                job_id=job.id,
                started_at=utcnow(),
                records=job.records_out,
            )
            db.add(sync)
            await db.commit()
            fmt = DataFormat(job.format)
            where = target(sink.type, sink.config, job.id, fmt)
            attempts_allowed = 1 + retries(sink, rules)
        log.info("push_started", job_id=job_id, sink_id=sink_id, sync_id=sync.id)
        try:
            result = await self._deliver(job, sink, fmt, attempts_allowed)
        except _PushFailedError as failed:
            error, attempts = failed.error.message, failed.attempts
        except (ServiceError, InventoryError) as exc:
            # Credentials or config no longer valid, or the result gone from the store.
            error, attempts = exc.message, 1
        except Exception:
            log.exception("push_crashed", job_id=job_id, sink_id=sink_id, sync_id=sync.id)
            error, attempts = _UNEXPECTED, 1
        else:
            await self._record(
                sync.id, sink, key=result.location, result=result, attempts=result.attempts
            )
            return sync.id
        await self._record(sync.id, sink, key=where, attempts=attempts, error=error)
        return sync.id

    async def _deliver(
        self, job: Job, sink: DataSource, fmt: DataFormat, attempts: int
    ) -> WriteResult:
        if not job.result_location:
            raise _PushFailedError(ConnectorError("The job has no result to push."), 0)
        async with self._deps.database() as db:
            values = await secret_values(db, self._deps.vault, sink.tenant_id, None, sink.secret_id)
        connector = self._connector(sink.type, attempts)
        resolved = validate(connector, dict(sink.config), values)
        async with self._store.open(job.result_location) as path:
            delivery = Delivery(
                job_id=job.id, path=path, format=fmt, delivery_id=f"{job.id}.{sink.id}"
            )
            if isinstance(connector, WebhookConnector):
                return await self._write_once(
                    connector, resolved.config, resolved.secrets, delivery, attempts
                )
            return await self._write_retrying(
                connector, resolved.config, resolved.secrets, delivery, attempts
            )

    def _connector(self, sink_type: str, attempts: int) -> AnyConnector:
        context = self._deps.connector_context
        connector = connector_for(self._deps.registry, sink_type, context)
        if isinstance(connector, WebhookConnector):
            policy = DeliveryPolicy(max_attempts=attempts, backoff_base=self._backoff)
            return WebhookConnector(context, delivery_policy=policy)
        return connector

    @staticmethod
    async def _write_once(
        connector: AnyConnector,
        config: dict[str, Any],
        secrets: dict[str, str],
        delivery: Delivery,
        attempts: int,
    ) -> WriteResult:
        try:
            return await connector.write(config, secrets, delivery)
        except ConnectorError as exc:
            # The connector spent its whole budget on a retryable failure, or one on another.
            raise _PushFailedError(exc, attempts if exc.retryable else 1) from exc

    async def _write_retrying(
        self,
        connector: AnyConnector,
        config: dict[str, Any],
        secrets: dict[str, str],
        delivery: Delivery,
        attempts: int,
    ) -> WriteResult:
        for attempt in range(1, attempts + 1):
            try:
                result = await connector.write(config, secrets, delivery)
            except ConnectorError as exc:
                log.info(
                    "push_attempt_failed",
                    job_id=delivery.job_id,
                    attempt=attempt,
                    failure=exc.failure,
                    retryable=exc.retryable,
                )
                if not exc.retryable or attempt == attempts:
                    raise _PushFailedError(exc, attempt) from exc
                await asyncio.sleep(self._wait(attempt))
            else:
                return result.model_copy(update={"attempts": attempt})
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def _wait(self, attempt: int) -> float:
        base = min(self._backoff * 2.0 ** (attempt - 1), _MAX_BACKOFF)
        # Jitter, so sinks that failed together do not retry in lockstep.
        return float(base + random.uniform(0, self._backoff / 4))

    async def _record(
        self,
        sync_id: str,
        sink: DataSource,
        *,
        key: str,
        result: WriteResult | None = None,
        attempts: int,
        error: str | None = None,
    ) -> None:
        ok = result is not None
        # Connector messages hold no secrets by contract; the redaction is a second net.
        error = redact_text(error) if error else None
        entry: dict[str, Any] = {
            "key": key,
            "size": result.bytes_written if result else 0,
            "status": "pushed" if ok else "failed",
        }
        if error:
            entry["error"] = error
        async with self._deps.database() as db:
            sync = await db.get(Sync, sync_id)
            if sync is None:  # pragma: no cover - deleted with its sink meanwhile
                return
            sync.status = "succeeded" if ok else "failed"
            sync.manifest = [{**entry, "jobId": sync.job_id}]
            sync.bytes = entry["size"]
            sync.attempts = attempts
            sync.error = error
            sync.finished_at = utcnow()
            await audited_by(
                db,
                sink.tenant_id,
                PUSH_ACTOR,
                "data_source.push",
                sink.id,
                details={"jobId": sync.job_id, "syncId": sync.id, "ok": ok, "location": key},
            )
            await db.commit()
        log.info(
            "push_finished",
            sync_id=sync_id,
            sink_id=sink.id,
            ok=ok,
            attempts=attempts,
        )
