"""Pulls over REST: request one, read a sync, page through the inventory uploads.

A requested pull answers at once: the sync is recorded ``queued`` and handed to whatever
runs pulls in this deployment (``submit``: background tasks in this process by default, the
job queue when one is configured), which runs it with the pull engine.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog
from sqlalchemy import select

from connections.db.models import Agent, DataSource, InventoryUpload, Sync
from connections.db.types import utcnow
from connections.deps import ServiceDeps, audited, get_scoped, page_query, page_rows
from connections.errors import ConflictError, UnavailableError, ValidationError
from connections.identity import Identity, Permission
from connections.schemas import InventoryUploadOut, Page, PullTrigger, SyncOut
from connectors.spec import Role
from core.ids import new_id

__all__ = ["PAUSED_MESSAGE", "SubmitPull", "SyncService", "sync_out", "upload_out"]

log = structlog.get_logger(__name__)

SubmitPull = Callable[[str, str], Awaitable[object]]
"""Runs the queued sync (second argument) of the source (first argument), later."""

PAUSED_MESSAGE = "This source is paused: resume it first (POST …/resume), then pull."


def sync_out(row: Sync) -> SyncOut:
    """The public shape of a sync."""
    return SyncOut(
        id=row.id,
        source_id=row.source_id,
        direction="outbound" if row.direction == "outbound" else "inbound",
        trigger=row.trigger,
        status=row.status,
        manifest=row.manifest or [],
        bytes=row.bytes or 0,
        records=row.records or 0,
        error=row.error,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )


def upload_out(row: InventoryUpload) -> InventoryUploadOut:
    """The public shape of an inventory upload (its store location stays inside)."""
    return InventoryUploadOut(
        id=row.id,
        agent_id=row.agent_id,
        source_id=row.source_id,
        sync_id=row.sync_id,
        key=row.key,
        etag=row.etag,
        format=row.format,
        size=row.size,
        records=row.records,
        created_at=row.created_at,
    )


class SyncService:
    """Pulls and their records, for one tenant's callers.

    Attributes:
        submit: Runs a queued pull; set when the service is wired (``open_runtime``).
    """

    def __init__(self, deps: ServiceDeps) -> None:
        self._deps = deps
        self.submit: SubmitPull | None = None

    async def request_pull(
        self, who: Identity, agent_id: str, source_id: str, *, trigger: PullTrigger = "manual"
    ) -> SyncOut:
        """Queue a pull of a source now (``pull_inventory_from_source`` on demand).

        ``trigger`` is ``initial`` for the first pull the chat starts after creating a
        source, ``manual`` otherwise.

        Raises:
            NotFoundError: No such source of this agent and tenant.
            ValidationError: The object is a sink.
            ConflictError: The source is paused.
            UnavailableError: Nothing in this process can run pulls, or the queue refused.
        """
        who.require(Permission.UPDATE)
        submit = self.submit
        async with self._deps.database() as db:
            source = await get_scoped(
                db, DataSource, who.tenant_id, source_id, "data source", agent_id=agent_id
            )
            if source.role != Role.INVENTORY_SOURCE.value:
                raise ValidationError(
                    "Only sources are pulled; a sink receives pushes of job results.",
                    field="role",
                )
            if source.status == "paused":
                raise ConflictError(PAUSED_MESSAGE)
            if submit is None:
                raise UnavailableError("Pulls cannot run here: no runner is configured.")
            sync = Sync(
                id=new_id("syn"),
                tenant_id=who.tenant_id,
                source_id=source.id,
                direction="inbound",
                trigger=trigger,
                status="queued",
                manifest=[],
                checkpoint={},
                created_at=utcnow(),
            )
            db.add(sync)
            await audited(
                db, who, "data_source.pull", source.id, {"syncId": sync.id, "trigger": trigger}
            )
            await db.commit()
        try:
            await submit(source_id, sync.id)
        except Exception as exc:
            log.warning("pull_submit_failed", sync_id=sync.id, error=type(exc))
            async with self._deps.database() as db:
                row = await db.get(Sync, sync.id)
                if row is not None and row.status == "queued":
                    row.status = "cancelled"
                    row.error = "The pull could not be queued; try again."
                    row.finished_at = utcnow()
                    await db.commit()
            raise UnavailableError("The pull could not be queued; try again.") from exc
        return sync_out(sync)

    async def get_sync(self, who: Identity, agent_id: str, source_id: str, sync_id: str) -> SyncOut:
        """One sync of a source, with its manifest."""
        who.require(Permission.READ)
        async with self._deps.database() as db:
            await get_scoped(
                db, DataSource, who.tenant_id, source_id, "data source", agent_id=agent_id
            )
            row = await get_scoped(db, Sync, who.tenant_id, sync_id, "sync", source_id=source_id)
            return sync_out(row)

    async def uploads(
        self,
        who: Identity,
        agent_id: str,
        *,
        source_id: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page[InventoryUploadOut]:
        """A page of an agent's inventory uploads, oldest first, optionally of one source."""
        who.require(Permission.READ)
        query = select(InventoryUpload).where(
            InventoryUpload.tenant_id == who.tenant_id, InventoryUpload.agent_id == agent_id
        )
        if source_id:
            query = query.where(InventoryUpload.source_id == source_id)
        query = page_query(query, InventoryUpload, limit, cursor)
        async with self._deps.database() as db:
            await get_scoped(db, Agent, who.tenant_id, agent_id, "agent")
            rows, pagination = await page_rows(db, query, limit)
        return Page[InventoryUploadOut](
            items=[upload_out(r) for (r,) in rows], pagination=pagination
        )
