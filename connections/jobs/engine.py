"""Jobs: an inventory upload becomes one result file in the inventory store.

``on_upload`` is the subscriber of the pull engine's upload event (seed 001's
``InventoryUploadCompletedEvent``): when the agent's rule
``mapping_jobs.trigger_on_new_inventory_upload`` is on, it creates the upload's job and
submits it (``start`` does the same and returns the job id). The ``jobs.upload_id``
unique constraint makes a repeated event a no-op, so the event may be delivered twice (a
pull re-run after a crash) and still start one job.

``run`` claims the job (``queued`` → ``running`` in one conditional UPDATE, so two workers
handed the same job never both run it), streams the upload through the source's column
mapping (:mod:`connections.jobs.transform`), stores the result and, when the job completed,
hands it to the push engine. It never raises for a job's own failure: the job row records
it.

Result format: the format every auto-pushing sink of the agent asks for, when they agree
(so each gets the file it expects); otherwise, or with no such sink, the upload's own
format.
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol, get_args

import structlog
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from connections.db.models import Agent, DataSource, InventoryUpload, Job
from connections.db.types import utcnow
from connections.inventory import InventoryError
from connections.jobs.mapping import MAX_KEPT_ERRORS, ColumnMapping
from connections.jobs.transform import Outcome, transform_file
from connections.push.sinks import auto_push_sinks, sink_format
from connections.rules import RuleSet
from connections.schemas import JobStatus
from connectors.errors import ConnectorError
from connectors.spec import DataFormat
from core.ids import new_id
from core.redaction import redact_text

if TYPE_CHECKING:
    from connections.deps import ServiceDeps
    from connections.inventory import InventoryStore

__all__ = ["JOB_STATUSES", "JobEngine", "JobSubmitter", "result_format"]

log = structlog.get_logger(__name__)

JOB_STATUSES: Final = get_args(JobStatus)
# Statuses after which the result exists and sinks may receive it.
COMPLETED: Final = frozenset({"succeeded", "partial"})
_UNEXPECTED = "The job failed unexpectedly. The error was logged for an operator."


class JobSubmitter(Protocol):
    """Where created jobs go to run (a runner); without one they run inline."""

    async def submit_job(self, job_id: str) -> bool:
        """Queue ``job_id``; False when it is queued or running already."""
        ...


class JobCompletionListener(Protocol):
    """Told about each completed job (the push engine)."""

    async def on_job_complete(self, job_id: str) -> list[str]:
        """Hand the job's result to the sinks that take it; return their ids."""
        ...


def result_format(upload_format: DataFormat, sink_formats: list[DataFormat]) -> DataFormat:
    """The result's format: the sinks' when they all agree, else the upload's own."""
    distinct = set(sink_formats)
    return distinct.pop() if len(distinct) == 1 else upload_format


class JobEngine:
    """Creates jobs for new uploads and runs them.

    Args:
        deps: The service's database, vault and connectors.
        store: Where uploads are read and results written.
        pushes: Told when a job completes; None leaves results unpushed.
        work_dir: Where results are written before they are stored (default: the
            system's temporary directory).
        stale_after: Seconds after which a job still ``running`` is taken to be dead (its
            worker was killed) and may be claimed again.
        max_errors: How many error rows a job describes.
    """

    def __init__(
        self,
        deps: ServiceDeps,
        store: InventoryStore,
        *,
        pushes: JobCompletionListener | None = None,
        work_dir: Path | None = None,
        stale_after: float = 3600.0,
        max_errors: int = MAX_KEPT_ERRORS,
    ) -> None:
        self._deps = deps
        self._store = store
        self._pushes = pushes
        self._work_dir = work_dir
        self._stale_after = timedelta(seconds=stale_after)
        self._max_errors = max_errors
        self._runner: JobSubmitter | None = None

    def bind(self, runner: JobSubmitter) -> None:
        """Submit created jobs to ``runner`` instead of running them inline."""
        self._runner = runner

    # -- the upload event ---------------------------------------------------------------------

    async def on_upload(self, upload_id: str) -> None:
        """The upload event's subscriber (the pull engine's ``on_upload``): :meth:`start`."""
        await self.start(upload_id)

    async def start(self, upload_id: str) -> str | None:
        """Start the upload's job if the agent's rule says so; return the job id.

        Idempotent: a second event for the same upload finds its job and only re-submits
        it if it never started (the first submission was lost with its process).
        """
        async with self._deps.database() as db:
            # One round trip: the upload, its agent and its job if it has one.
            found = (
                await db.execute(
                    select(InventoryUpload, Agent, Job)
                    .outerjoin(Agent, Agent.id == InventoryUpload.agent_id)
                    .outerjoin(Job, Job.upload_id == InventoryUpload.id)
                    .where(InventoryUpload.id == upload_id)
                )
            ).first()
            if found is None:
                log.info("job_upload_missing", upload_id=upload_id)
                return None
            upload, agent, job = found
            if agent is None or not _rules(agent).mapping_jobs.trigger_on_new_inventory_upload:
                log.info("job_not_triggered", upload_id=upload_id, reason="rule_off")
                return None
            if job is None:
                job = Job(
                    id=new_id("job"),
                    tenant_id=upload.tenant_id,
                    agent_id=upload.agent_id,
                    upload_id=upload.id,
                    status="queued",
                    format=upload.format.upper(),
                )
                db.add(job)
                try:
                    await db.commit()
                    log.info("job_created", job_id=job.id, upload_id=upload_id)
                except IntegrityError:
                    # The same event, delivered concurrently, created it first.
                    await db.rollback()
                    job = await _job_of(db, upload_id)
                    if job is None:  # pragma: no cover - the upload was deleted meanwhile
                        return None
            job_id, status = job.id, job.status
        if status == "queued":
            await self._submit(job_id)
        return job_id

    async def _submit(self, job_id: str) -> None:
        if self._runner is not None:
            await self._runner.submit_job(job_id)
        else:
            await self.run(job_id)

    async def recover(self, *, since: timedelta = timedelta(days=1)) -> int:
        """Re-submit what a killed process left behind; return how many were submitted.

        Uploads of the last ``since`` without a job get their upload event again; jobs
        still ``queued``, or ``running`` for longer than ``stale_after``, are submitted.
        """
        now = utcnow()
        async with self._deps.database() as db:
            orphans = list(
                (
                    await db.execute(
                        select(InventoryUpload.id)
                        .outerjoin(Job, Job.upload_id == InventoryUpload.id)
                        .where(Job.id.is_(None), InventoryUpload.created_at >= now - since)
                    )
                ).scalars()
            )
            stuck = list(
                (
                    await db.execute(
                        select(Job.id).where(Job.created_at >= now - since, self._claimable(now))
                    )
                ).scalars()
            )
        for upload_id in orphans:
            await self.start(upload_id)
        for job_id in stuck:
            await self._submit(job_id)
        if orphans or stuck:
            log.info("jobs_recovered", uploads=len(orphans), jobs=len(stuck))
        return len(orphans) + len(stuck)

    # -- running ------------------------------------------------------------------------------

    def _claimable(self, now: Any) -> Any:
        return or_(
            Job.status == "queued",
            and_(Job.status == "running", Job.started_at < now - self._stale_after),
        )

    async def _claim(self, job_id: str) -> bool:
        now = utcnow()
        async with self._deps.database() as db:
            result = await db.execute(
                update(Job)
                .where(Job.id == job_id, self._claimable(now))
                .values(status="running", started_at=now)
                .execution_options(synchronize_session=False)
            )
            await db.commit()
        return bool(getattr(result, "rowcount", 0))

    async def run(self, job_id: str) -> str | None:
        """Run a job to its end; return its final status (None if it was not claimable).

        A job that completes (``succeeded``, or ``partial`` when some rows were refused) is
        handed to the push engine.
        """
        if not await self._claim(job_id):
            log.info("job_not_claimed", job_id=job_id)
            return None
        log.info("job_started", job_id=job_id)
        try:
            status = await self._process(job_id)
        except Exception:
            log.exception("job_crashed", job_id=job_id)
            await self._finish(job_id, status="failed", error=_UNEXPECTED)
            return "failed"
        if status in COMPLETED and self._pushes is not None:
            await self._pushes.on_job_complete(job_id)
        return status

    async def _process(self, job_id: str) -> str:
        async with self._deps.database() as db:
            found = (
                await db.execute(
                    select(Job, InventoryUpload, DataSource, Agent)
                    .join(InventoryUpload, InventoryUpload.id == Job.upload_id)
                    .join(DataSource, DataSource.id == InventoryUpload.source_id)
                    .join(Agent, Agent.id == Job.agent_id)
                    .where(Job.id == job_id)
                )
            ).first()
            if found is None:
                raise LookupError(f"job {job_id} lost its upload, source or agent")
            job, upload, source, agent = found
            sinks = await auto_push_sinks(db, agent)
            tenant_id, location = job.tenant_id, upload.location
        try:
            src_format = DataFormat(upload.format.upper())
            mapping = ColumnMapping.from_stored(source.default_mapping)
        except (ValueError, PydanticValidationError):
            return await self._finish(
                job_id,
                status="failed",
                error="The source's column mapping or the upload's format is not valid.",
            )
        wanted = [f for f in (sink_format(s) for s in sinks) if f is not None]
        fmt = result_format(src_format, wanted)
        records_path = source.config.get("records_path")
        if self._work_dir is not None:
            await asyncio.to_thread(self._work_dir.mkdir, parents=True, exist_ok=True)
        try:
            async with self._store.open(location) as path:
                with tempfile.TemporaryDirectory(prefix="job-", dir=self._work_dir) as tmp:
                    result = Path(tmp) / f"job-{job_id}.{fmt.extension}"
                    outcome = await asyncio.to_thread(
                        transform_file,
                        path,
                        src_format,
                        result,
                        fmt,
                        mapping,
                        records_path=records_path,
                        max_errors=self._max_errors,
                    )
                    if outcome.records_in and not outcome.records_out:
                        return await self._finish(
                            job_id,
                            status="failed",
                            fmt=fmt,
                            outcome=outcome,
                            error="No row passed validation; see the job's errors.",
                        )
                    stored = await self._store.put_file(tenant_id, job_id, result.name, result)
        except (ConnectorError, InventoryError) as exc:
            # A file that does not parse (the message says where, never what it holds), or
            # an upload gone from the store.
            return await self._finish(job_id, status="failed", fmt=fmt, error=exc.message)
        status = "partial" if outcome.error_rows else "succeeded"
        return await self._finish(job_id, status=status, fmt=fmt, outcome=outcome, location=stored)

    async def _finish(
        self,
        job_id: str,
        *,
        status: str,
        fmt: DataFormat | None = None,
        outcome: Outcome | None = None,
        location: str | None = None,
        error: str | None = None,
    ) -> str:
        async with self._deps.database() as db:
            job = await db.get(Job, job_id)
            if job is None:  # pragma: no cover - deleted with its agent meanwhile
                return status
            job.status = status
            job.finished_at = utcnow()
            job.error = redact_text(error) if error else None
            if fmt is not None:
                job.format = fmt.value
            if location is not None:
                job.result_location = location
            if outcome is not None:
                job.records_in = outcome.records_in
                job.records_out = outcome.records_out
                job.errors = outcome.errors
            await db.commit()
        log.info(
            "job_finished",
            job_id=job_id,
            status=status,
            records_in=outcome.records_in if outcome else 0,
            records_out=outcome.records_out if outcome else 0,
        )
        return status


def _rules(agent: Agent) -> RuleSet:
    return RuleSet.model_validate(agent.rules or {})


async def _job_of(db: Any, upload_id: str) -> Job | None:
    found: Job | None = (
        await db.execute(select(Job).where(Job.upload_id == upload_id))
    ).scalar_one_or_none()
    return found
