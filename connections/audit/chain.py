"""Appending to a tenant's hash chain, and reading it back page by page."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from connections.db.models import AuditEvent, AuditHead
from connections.db.types import utcnow
from core.ids import new_id
from core.redaction import redact_mapping

__all__ = [
    "GENESIS_HASH",
    "HASHED_FIELDS",
    "SYSTEM_TENANT",
    "event_hash",
    "list_events",
    "record",
]

GENESIS_HASH = "0" * 64
"""The ``prev_hash`` of a tenant's first event."""

SYSTEM_TENANT = "_system"
"""The chain of deployment-wide events, such as a vault key rotation.

They belong to no tenant, and recording them in every tenant's chain would show each tenant
the operator's work. A caller's tenant id starts with a letter or digit, so no request can
read or extend this chain; ``audit verify`` checks it like any other.
"""

HASHED_FIELDS = (
    "id",
    "tenant_id",
    "seq",
    "at",
    "actor",
    "action",
    "object_type",
    "object_id",
    "details",
    "prev_hash",
)
"""Every column of an event except ``hash`` itself, in the order the docs list them."""


def event_hash(fields: Mapping[str, Any]) -> str:
    """The SHA-256 of an event's canonical JSON encoding.

    The encoding has sorted keys, no whitespace, and ``at`` as ISO-8601 UTC with
    microseconds, so the same event hashes the same on every database and platform.

    Args:
        fields: The event's values by column name (an ``AuditEvent`` turned into a dict, a
            result row's ``_mapping``); keys other than :data:`HASHED_FIELDS` are ignored.

    Returns:
        64 lower-case hex digits.
    """
    document = {name: _canonical(fields[name]) for name in HASHED_FIELDS}
    encoded = json.dumps(document, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("audit timestamps must be timezone-aware")
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    # JSONB keeps numbers as numerics: 1e20 written as a float comes back as an int, so
    # integral floats hash as ints or an untouched event would read back as edited.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


async def record(
    db: AsyncSession,
    *,
    tenant_id: str,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    details: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append an event to the tenant's chain, inside the caller's transaction.

    The event is only flushed: the caller commits it together with the change it records,
    or rolls both back. The tenant's head row stays locked until then, so concurrent
    appends queue behind each other and the chain never forks.

    Args:
        db: The caller's session; its transaction is used, never committed here.
        tenant_id: Whose chain to extend.
        actor: Who made the change (a user id, or ``system``).
        action: What happened, e.g. ``create``, ``update``, ``delete``, ``test``.
        object_type: The kind of object changed, e.g. ``data_source``.
        object_id: The changed object's id.
        details: Extra JSON-serialisable facts. Secret-named keys and registered secret
            values are redacted before anything is hashed or stored.

    Returns:
        The flushed event, with its ``seq``, ``prev_hash`` and ``hash``.

    Raises:
        TypeError: ``details`` holds a value JSON cannot encode.
        ValueError: ``details`` holds NaN or infinity.
    """
    # Through JSON and back, so the hashed value is exactly what the database returns.
    stored = json.loads(json.dumps(redact_mapping(details or {}), allow_nan=False))
    head = await _locked_head(db, tenant_id)
    event = AuditEvent(
        id=new_id("aud"),
        tenant_id=tenant_id,
        seq=head.seq + 1,
        # Stamped after the lock is held, so times never run backwards along the chain.
        at=utcnow(),
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        details=stored,
        prev_hash=head.hash,
    )
    event.hash = event_hash({name: getattr(event, name) for name in HASHED_FIELDS})
    head.seq = event.seq
    head.hash = event.hash
    db.add(event)
    await db.flush()
    return event


async def _locked_head(db: AsyncSession, tenant_id: str) -> AuditHead:
    # Insert-if-missing before reading, on every append: two first events race safely (the
    # loser's insert waits for the winner, then does nothing), and on SQLite the write lock
    # is taken before the head is read, so a stale head is never extended.
    await db.execute(_insert_genesis(db, tenant_id))
    query = (
        select(AuditHead)
        .where(AuditHead.tenant_id == tenant_id)
        .with_for_update()
        # The row may have moved on while we waited for the lock; never trust a cached copy.
        .execution_options(populate_existing=True)
    )
    return (await db.execute(query)).scalar_one()


def _insert_genesis(db: AsyncSession, tenant_id: str) -> Insert:
    values = {"tenant_id": tenant_id, "seq": 0, "hash": GENESIS_HASH}
    dialect = db.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(AuditHead).values(values).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(AuditHead).values(values).on_conflict_do_nothing()
    raise NotImplementedError(f"the audit log does not support the {dialect} dialect")


async def list_events(
    db: AsyncSession, tenant_id: str, *, limit: int = 50, before_seq: int | None = None
) -> list[AuditEvent]:
    """One page of a tenant's events, newest first.

    Args:
        db: A session.
        tenant_id: Whose events.
        limit: The most events to return; at least 1.
        before_seq: Only events older than this ``seq`` (the last page's smallest ``seq``),
            for the next page.

    Returns:
        The events, in descending ``seq`` order.

    Raises:
        ValueError: ``limit`` is smaller than 1.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    query = (
        select(AuditEvent)
        .where(AuditEvent.tenant_id == tenant_id)
        .order_by(AuditEvent.seq.desc())
        .limit(limit)
    )
    if before_seq is not None:
        query = query.where(AuditEvent.seq < before_seq)
    return list((await db.scalars(query)).all())
