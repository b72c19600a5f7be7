"""Jobs over REST: list and read an agent's jobs with their pushes; sources' column mappings."""

from __future__ import annotations

from typing import Any, get_args

from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import select

from connections.db.models import Agent, DataSource, InventoryUpload, Job, Sync
from connections.deps import ServiceDeps, audited, get_scoped, page_query, page_rows
from connections.errors import ValidationError
from connections.identity import Identity, Permission
from connections.jobs.mapping import ColumnMapping
from connections.schemas import (
    ColumnMappingBody,
    ColumnMappingOut,
    JobDetailOut,
    JobOut,
    JobStatus,
    Page,
)
from connections.service.syncs import sync_out
from connectors.spec import DataFormat, Role

__all__ = ["JobService", "job_out"]

_STATUSES = get_args(JobStatus)


def job_out(row: Job, source_id: str | None) -> JobOut:
    """The public shape of a job row."""
    return JobOut(
        id=row.id,
        agent_id=row.agent_id,
        upload_id=row.upload_id,
        source_id=source_id,
        status=row.status if row.status in _STATUSES else "failed",
        format=DataFormat(row.format),
        records_in=row.records_in,
        records_out=row.records_out,
        error_rows=max(row.records_in - row.records_out, 0),
        error=row.error,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )


def _mapping_out(source_id: str, stored: dict[str, Any] | None) -> ColumnMappingOut:
    mapping = ColumnMapping.from_stored(stored)
    return ColumnMappingOut(
        source_id=source_id,
        fields=dict(mapping.fields) if mapping else {},
        required=list(mapping.required) if mapping else [],
    )


class JobService:
    """An agent's jobs, and the column mappings its jobs apply."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._deps = deps

    async def page(
        self,
        who: Identity,
        agent_id: str,
        *,
        status: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page[JobOut]:
        """A page of the agent's jobs, oldest first (pass ``nextCursor`` on)."""
        who.require(Permission.READ)
        query = (
            select(Job, InventoryUpload.source_id)
            .outerjoin(InventoryUpload, InventoryUpload.id == Job.upload_id)
            .where(Job.tenant_id == who.tenant_id, Job.agent_id == agent_id)
        )
        if status:
            query = query.where(Job.status == status)
        query = page_query(query, Job, limit, cursor)
        async with self._deps.database() as db:
            await get_scoped(db, Agent, who.tenant_id, agent_id, "agent")
            rows, pagination = await page_rows(db, query, limit)
        return Page[JobOut](
            items=[job_out(job, source_id) for job, source_id in rows], pagination=pagination
        )

    async def get(self, who: Identity, agent_id: str, job_id: str) -> JobDetailOut:
        """One job with its error rows and the pushes of its result, oldest first."""
        who.require(Permission.READ)
        async with self._deps.database() as db:
            job = await get_scoped(db, Job, who.tenant_id, job_id, "job", agent_id=agent_id)
            upload = await db.get(InventoryUpload, job.upload_id)
            pushes = list(
                (
                    await db.execute(
                        select(Sync)
                        .where(Sync.tenant_id == who.tenant_id, Sync.job_id == job.id)
                        .order_by(Sync.created_at, Sync.id)
                    )
                ).scalars()
            )
        base = job_out(job, upload.source_id if upload else None)
        return JobDetailOut(
            **base.model_dump(), errors=list(job.errors or []), pushes=[sync_out(p) for p in pushes]
        )

    async def _source(self, db: Any, who: Identity, agent_id: str, source_id: str) -> DataSource:
        return await get_scoped(
            db, DataSource, who.tenant_id, source_id, "data source", agent_id=agent_id
        )

    async def mapping(self, who: Identity, agent_id: str, source_id: str) -> ColumnMappingOut:
        """The source's column mapping (empty: columns pass through)."""
        who.require(Permission.READ)
        async with self._deps.database() as db:
            row = await self._source(db, who, agent_id, source_id)
            return _mapping_out(row.id, row.default_mapping)

    async def put_mapping(
        self, who: Identity, agent_id: str, source_id: str, body: ColumnMappingBody
    ) -> ColumnMappingOut:
        """Replace the source's column mapping; empty ``fields`` removes it.

        Raises:
            ValidationError: A sink, blank names, or ``required`` naming unmapped fields.
        """
        who.require(Permission.UPDATE)
        try:
            mapping = ColumnMapping(fields=body.fields, required=tuple(body.required))
        except PydanticValidationError as exc:
            first = exc.errors(include_input=False, include_url=False)[0]
            message = str(first["msg"]).removeprefix("Value error, ")
            raise ValidationError(f"The mapping is not valid: {message}.", field="fields") from None
        async with self._deps.database() as db:
            row = await self._source(db, who, agent_id, source_id)
            if row.role != Role.INVENTORY_SOURCE.value:
                raise ValidationError("Only sources have a column mapping.", field="role")
            row.default_mapping = mapping.stored() if mapping.fields else None
            await audited(
                db,
                who,
                "data_source.mapping.update",
                row.id,
                {"fields": len(mapping.fields), "required": len(mapping.required)},
            )
            await db.commit()
            return _mapping_out(row.id, row.default_mapping)
