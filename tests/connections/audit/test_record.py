"""``record``: appending to a tenant's chain inside the caller's transaction."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import Text, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from ulid import ULID

from connections.audit import GENESIS_HASH, HASHED_FIELDS, event_hash, list_events, record, verify
from connections.db.models import AuditEvent, AuditHead
from core.redaction import REDACTED, register_secret
from tests.connections.audit.support import EVENTS, record_chain


async def test_each_event_links_to_the_previous_one(db: AsyncSession, tenant: str) -> None:
    events = await record_chain(db, tenant, 4)

    assert [e.seq for e in events] == [1, 2, 3, 4]
    assert events[0].prev_hash == GENESIS_HASH
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    for event in events:
        assert event.hash == event_hash({name: getattr(event, name) for name in HASHED_FIELDS})
        assert event.id.startswith("aud_")
    head = await db.get(AuditHead, tenant)
    assert head is not None
    assert (head.seq, head.hash) == (4, events[-1].hash)


async def test_event_commits_with_the_callers_change(
    db: AsyncSession, sessions: async_sessionmaker[AsyncSession], tenant: str
) -> None:
    event = await record(
        db, tenant_id=tenant, actor="usr_a", action="create", object_type="agent", object_id="a1"
    )
    async with sessions() as other:
        assert await other.get(AuditEvent, event.id) is None  # flushed, not committed

    await db.commit()

    async with sessions() as other:
        stored = await other.get(AuditEvent, event.id)
        assert stored is not None
        assert stored.hash == event.hash


async def test_rolling_back_drops_the_event_and_the_new_head(db: AsyncSession, tenant: str) -> None:
    await record(
        db, tenant_id=tenant, actor="usr_a", action="create", object_type="agent", object_id="a1"
    )
    await db.rollback()

    assert await db.scalar(select(func.count()).select_from(AuditEvent)) == 0
    assert await db.get(AuditHead, tenant) is None


async def test_secrets_in_details_are_stored_redacted(db: AsyncSession, tenant: str) -> None:
    canary = f"canary-{ULID()}"
    register_secret(canary)

    event = await record(
        db,
        tenant_id=tenant,
        actor="usr_a",
        action="secret_rotate",
        object_type="secret",
        object_id="sec_1",
        details={
            "password": "hunter2-plain",
            "note": f"the dsn was postgres://u:{canary}@db/x",
            "config": {"endpointUrl": "https://s3.local", "api_key": "k-123456"},
            "tried": [canary],
        },
    )
    await db.commit()

    assert event.details == {
        "password": REDACTED,
        "note": f"the dsn was postgres://u:{REDACTED}@db/x",
        "config": {"endpointUrl": "https://s3.local", "api_key": REDACTED},
        "tried": [REDACTED],
    }
    raw = await db.scalar(select(cast(EVENTS.c.details, Text)).where(EVENTS.c.id == event.id))
    assert raw is not None
    for secret in (canary, "hunter2-plain", "k-123456"):
        assert secret not in raw
    assert (await verify(db, tenant)).ok  # the redacted form is what was hashed


async def test_numbers_hash_the_same_after_a_round_trip(db: AsyncSession, tenant: str) -> None:
    # JSONB turns 1e20 into an integer and keeps 1.0 as 1.0; neither may look edited.
    details = {"big": 1e20, "one": 1.0, "half": 0.5, "n": 7, "flag": True, "none": None}
    await record(
        db,
        tenant_id=tenant,
        actor="u",
        action="update",
        object_type="agent",
        object_id="a",
        details=details,
    )
    await db.commit()

    report = await verify(db, tenant)
    assert report.ok, report.problems
    assert report.events == 1


async def test_details_must_be_plain_json(db: AsyncSession, tenant: str) -> None:
    with pytest.raises(ValueError, match="Out of range float"):
        await record(
            db,
            tenant_id=tenant,
            actor="u",
            action="update",
            object_type="agent",
            object_id="a",
            details={"ratio": float("nan")},
        )
    assert await db.get(AuditHead, tenant) is None  # nothing was touched


async def test_concurrent_appends_queue_instead_of_forking(
    db: AsyncSession, sessions: async_sessionmaker[AsyncSession], tenant: str
) -> None:
    async def append(i: int) -> None:
        async with sessions() as session:
            await record(
                session,
                tenant_id=tenant,
                actor=f"usr_{i}",
                action="update",
                object_type="agent",
                object_id=f"agt_{i}",
            )
            await session.commit()

    # All twenty race for the first event, so the head's creation races too.
    await asyncio.gather(*(append(i) for i in range(20)))

    events = sorted(await list_events(db, tenant, limit=100), key=lambda e: e.seq)
    assert [e.seq for e in events] == list(range(1, 21))
    assert {e.object_id for e in events} == {f"agt_{i}" for i in range(20)}
    assert [e.prev_hash for e in events] == [GENESIS_HASH] + [e.hash for e in events[:-1]]
    report = await verify(db, tenant)
    assert report.ok, report.problems
    assert report.events == 20
