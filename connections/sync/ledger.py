"""The sync row's life: begin a pull, clean up after an interrupted one, finish it.

``begin`` and ``finish`` each run in one transaction holding the source's row lock, so two
pulls of one source never both start, and a sync's end, the source's failure count, its
pause and pending item, and the audit event commit together.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connections.db.models import Agent, DataSource, InventoryUpload, Sync
from connections.db.types import utcnow
from connections.deps import audited_by
from connections.errors import NotFoundError, ValidationError
from connections.inventory import InventoryError, InventoryStore
from connections.sync.failures import SYSTEM_ACTOR, PauseNotice, count_outcome
from connections.sync.manifest import EntryStatus, Outcome, SyncStatus, entry
from connections.sync.owner import RUNNING, is_alive, owner_record
from connections.sync.seen import prune_seen, remember
from connectors.spec import Role
from core.ids import new_id

__all__ = ["INTERRUPTED", "Begun", "begin", "cancel", "discard", "finish", "stale_uploads"]

log = structlog.get_logger(__name__)

INTERRUPTED = (
    "Interrupted: the process running this pull stopped before it finished. What it had "
    "registered is kept; the next pull takes the rest."
)


@dataclass
class Begun:
    """What ``begin`` decided.

    Attributes:
        sync_id: The sync of this pull (perhaps one recorded as cancelled).
        source: The source row as the pull started (detached).
        run: Whether to pull: false when the sync was refused or is someone else's.
    """

    sync_id: str
    source: DataSource
    run: bool


async def _lock_source(db: AsyncSession, source_id: str) -> DataSource:
    query = select(DataSource).where(DataSource.id == source_id).with_for_update()
    source = (await db.execute(query)).scalar_one_or_none()
    if source is None:
        raise NotFoundError(f"No data source with id {source_id}.")
    return source


async def discard(
    store: InventoryStore, locations: Iterable[str], scratch: str | Path | None, *, sync_id: str
) -> None:
    """Delete files a pull stored but never registered; remove its scratch folder."""
    for location in locations:
        try:
            await store.delete(location)
        except InventoryError as exc:
            log.warning("inventory_file_kept", sync_id=sync_id, error=exc.message)
    if scratch:
        await asyncio.to_thread(shutil.rmtree, scratch, ignore_errors=True)


async def _clean_reservations(db: AsyncSession, store: InventoryStore, sync: Sync) -> None:
    """Clean up after a killed attempt: what it reserved and stored but never registered."""
    checkpoint = sync.checkpoint or {}
    reserved: dict[str, str] = dict(checkpoint.get("reserved") or {})
    if reserved:
        query = select(InventoryUpload.id).where(InventoryUpload.id.in_(list(reserved)))
        registered = set((await db.scalars(query)).all())
        reserved = {i: location for i, location in reserved.items() if i not in registered}
    scratch = checkpoint.get("scratch")
    await discard(
        store, reserved.values(), scratch if isinstance(scratch, str) else None, sync_id=sync.id
    )


async def _record_registered(db: AsyncSession, sync: Sync) -> list[InventoryUpload]:
    """Set the manifest, byte and record counts of a sync cut short from what it registered."""
    query = select(InventoryUpload).where(InventoryUpload.sync_id == sync.id)
    uploads = list((await db.scalars(query.order_by(InventoryUpload.id))).all())
    sync.manifest = [
        entry(u.key, u.size, EntryStatus.UPLOADED, inventory_id=u.id, etag=u.etag) for u in uploads
    ]
    sync.bytes = sum(u.size for u in uploads)
    sync.records = sum(u.records or 0 for u in uploads)
    return uploads


def _ended_checkpoint(sync: Sync) -> dict[str, Any]:
    """An ended sync's checkpoint: who ran it, nothing reserved any more."""
    return {"owner": (sync.checkpoint or {}).get("owner"), "reserved": {}}


async def _running(db: AsyncSession, source_id: str) -> list[Sync]:
    """The source's pulls recorded as running (some perhaps by a process that is gone)."""
    query = select(Sync).where(
        Sync.source_id == source_id,
        Sync.direction == "inbound",
        Sync.status == SyncStatus.RUNNING.value,
    )
    return list((await db.scalars(query)).all())


async def _interrupt(db: AsyncSession, store: InventoryStore, sync: Sync, now: datetime) -> None:
    """Mark a sync whose process is gone as failed; its manifest from what it registered."""
    await _clean_reservations(db, store, sync)
    uploads = await _record_registered(db, sync)
    sync.status = SyncStatus.FAILED.value
    sync.error = INTERRUPTED
    sync.finished_at = now
    sync.checkpoint = _ended_checkpoint(sync)
    log.info("sync_interrupted", sync_id=sync.id, source_id=sync.source_id, uploads=len(uploads))


async def stale_uploads(
    sessions: async_sessionmaker[AsyncSession],
    *,
    source_id: str,
    stale_after: timedelta,
) -> list[str]:
    """Uploads registered by running syncs of the source whose process is gone.

    They are announced again *before* :func:`begin` records those syncs as interrupted: a
    process killed in between leaves the syncs running, so the next pull announces them
    once more (``on_upload`` is idempotent) rather than never.
    """
    now = utcnow()
    async with sessions() as db:
        stale = [
            s.id
            for s in await _running(db, source_id)
            if not is_alive(
                s.id, s.checkpoint or {}, s.started_at, now=now, stale_after=stale_after
            )
        ]
        if not stale:
            return []
        query = select(InventoryUpload.id).where(InventoryUpload.sync_id.in_(stale))
        return list((await db.scalars(query.order_by(InventoryUpload.id))).all())


async def begin(
    sessions: async_sessionmaker[AsyncSession],
    store: InventoryStore,
    *,
    source_id: str,
    trigger: str,
    sync_id: str | None,
    scratch_root: Path,
    stale_after: timedelta,
) -> Begun:
    """Start a pull: reap interrupted syncs of the source, then take or create the sync.

    Raises:
        NotFoundError: No such source, or ``sync_id`` is not a sync of it.
        ValidationError: The source is a sink.
    """
    now = utcnow()
    async with sessions() as db:
        source = await _lock_source(db, source_id)
        if source.role != Role.INVENTORY_SOURCE.value:
            raise ValidationError("Only sources are pulled; sinks receive pushes.", field="role")
        live: Sync | None = None
        mine: Sync | None = None
        for other in await _running(db, source_id):
            alive = is_alive(
                other.id, other.checkpoint or {}, other.started_at, now=now, stale_after=stale_after
            )
            if other.id == sync_id:
                mine = other
                if alive:
                    await db.commit()
                    return Begun(sync_id, source, run=False)  # someone is on it
                # Ours, left by a killed attempt: clean up and take it again.
                await _clean_reservations(db, store, other)
            elif alive:
                live = other
            else:
                await _interrupt(db, store, other, now)
        sync: Sync | None = mine or await _take_or_create(db, source, sync_id, trigger, now)
        if sync is None:
            await db.commit()
            return Begun(sync_id or "", source, run=False)
        refusal = None
        if source.status == "paused":
            refusal = "The source is paused; resume it first."
        elif live is not None:
            refusal = f"Another pull of this source is running ({live.id})."
        if refusal is not None:
            sync.status = SyncStatus.CANCELLED.value
            sync.error = refusal
            sync.finished_at = now
            await db.commit()
            log.info("sync_refused", sync_id=sync.id, source_id=source_id, reason=refusal)
            return Begun(sync.id, source, run=False)
        sync.status = SyncStatus.RUNNING.value
        sync.started_at = now
        sync.attempts = (sync.attempts or 0) + 1
        sync.checkpoint = {
            "owner": owner_record(),
            "heartbeatAt": now.isoformat(),
            "scratch": str(scratch_root / sync.id),
            "reserved": {},
        }
        # Known as running here before anyone can read the commit: another pull of this
        # process must not mistake it for one left by a dead process. The caller removes it.
        RUNNING.add(sync.id)
        try:
            await db.commit()
        except BaseException:
            RUNNING.discard(sync.id)
            raise
    return Begun(sync.id, source, run=True)


async def _take_or_create(
    db: AsyncSession, source: DataSource, sync_id: str | None, trigger: str, now: datetime
) -> Sync | None:
    """The queued sync ``sync_id``, a new one, or None when ``sync_id`` already ended."""
    if sync_id is None:
        sync = Sync(
            id=new_id("syn"),
            tenant_id=source.tenant_id,
            source_id=source.id,
            direction="inbound",
            trigger=trigger,
            status=SyncStatus.QUEUED.value,
            manifest=[],
            created_at=now,
            checkpoint={},
        )
        db.add(sync)
        await db.flush()
        return sync
    queued = await db.get(Sync, sync_id, with_for_update=True)
    if queued is None or queued.source_id != source.id:
        raise NotFoundError(f"No sync {sync_id} of data source {source.id}.")
    if queued.status != SyncStatus.QUEUED.value:
        return None  # a second delivery of a pull that already ran
    return queued


async def finish(
    sessions: async_sessionmaker[AsyncSession],
    *,
    sync_id: str,
    source_id: str,
    outcome: Outcome,
) -> PauseNotice | None:
    """Record the outcome; count failures (pausing at the limit); audit. One transaction.

    Returns:
        The notice for the channels when the source was paused.
    """
    now = utcnow()
    status = outcome.status()
    async with sessions() as db:
        source = await _lock_source(db, source_id)
        sync = await db.get(Sync, sync_id, with_for_update=True)
        agent = await db.get(Agent, source.agent_id)
        if sync is None or agent is None:
            raise NotFoundError(f"No sync {sync_id} of data source {source_id}.")
        sync.status = status.value
        sync.manifest = outcome.manifest
        sync.bytes = outcome.bytes
        sync.records = outcome.records
        sync.error = outcome.summary()
        sync.finished_at = now
        sync.checkpoint = _ended_checkpoint(sync)
        if status is not SyncStatus.FAILED:
            source.last_synced_at = now
            if outcome.state is not None:
                source.state = outcome.state
            await remember(db, source_id, outcome.seen)
            if outcome.prune_before is not None:
                await prune_seen(db, source_id, outcome.prune_before)
        notice = await count_outcome(
            db, source, agent, status=status, error=sync.error, sync_id=sync.id, now=now
        )
        await audited_by(
            db,
            source.tenant_id,
            SYSTEM_ACTOR,
            "sync.finish",
            sync.id,
            details=_audit_details(sync, source, outcome),
        )
        await db.commit()
    return notice


def _audit_details(sync: Sync, source: DataSource, outcome: Outcome) -> dict[str, Any]:
    return {
        "sourceId": source.id,
        "trigger": sync.trigger,
        "status": sync.status,
        "uploads": outcome.uploads,
        "failed": outcome.failures,
        "bytes": outcome.bytes,
        "records": outcome.records,
        "consecutiveFailures": source.consecutive_failures,
    }


async def cancel(sessions: async_sessionmaker[AsyncSession], sync_id: str) -> None:
    """Record a pull stopped from inside this process (shutdown) as cancelled."""
    async with sessions() as db:
        sync = await db.get(Sync, sync_id, with_for_update=True)
        if sync is None or sync.status != SyncStatus.RUNNING.value:
            return
        sync.status = SyncStatus.CANCELLED.value
        sync.error = "Cancelled: the service stopped while this pull ran; the next pull goes on."
        sync.finished_at = utcnow()
        await _record_registered(db, sync)
        await db.commit()
