"""Helpers for the audit tests: build a chain, then tamper with it behind the log's back."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from connections.audit import record
from connections.db.models import AuditEvent, AuditHead

EVENTS = AuditEvent.metadata.tables[AuditEvent.__tablename__]
ACTIONS = ("create", "update", "test", "secret_rotate", "delete")


async def record_chain(db: AsyncSession, tenant_id: str, count: int) -> list[AuditEvent]:
    """``count`` committed events for ``tenant_id``, cycling through the audited actions."""
    events = [
        await record(
            db,
            tenant_id=tenant_id,
            actor="usr_alice",
            action=ACTIONS[i % len(ACTIONS)],
            object_type="data_source",
            object_id=f"src_{i}",
            details={"step": i, "changed": ["name", "schedule_cron"]},
        )
        for i in range(count)
    ]
    await db.commit()
    return events


async def stored_row(db: AsyncSession, event_id: str) -> dict[str, Any]:
    """The event's columns as the database holds them now."""
    row = (await db.execute(select(*EVENTS.c).where(EVENTS.c.id == event_id))).one()
    return row._asdict()


async def edit_event(db: AsyncSession, event_id: str, **values: Any) -> None:
    """A raw UPDATE of one event, as someone with database access could run it."""
    await db.execute(update(EVENTS).where(EVENTS.c.id == event_id).values(**values))
    await db.commit()


async def remove_event(db: AsyncSession, event_id: str) -> None:
    """A raw DELETE of one event."""
    await db.execute(delete(EVENTS).where(EVENTS.c.id == event_id))
    await db.commit()


async def remove_head(db: AsyncSession, tenant_id: str) -> None:
    """A raw DELETE of the tenant's head row."""
    await db.execute(delete(AuditHead).where(AuditHead.tenant_id == tenant_id))
    await db.commit()
