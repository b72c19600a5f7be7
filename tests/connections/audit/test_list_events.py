"""``list_events``: a tenant's events, newest first, a page at a time."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from connections.audit import list_events
from tests.connections.audit.support import record_chain


async def test_pages_run_newest_first(db: AsyncSession, tenant: str) -> None:
    await record_chain(db, tenant, 5)

    first = await list_events(db, tenant, limit=2)
    second = await list_events(db, tenant, limit=2, before_seq=first[-1].seq)
    last = await list_events(db, tenant, limit=2, before_seq=second[-1].seq)

    assert [e.seq for e in first] == [5, 4]
    assert [e.seq for e in second] == [3, 2]
    assert [e.seq for e in last] == [1]


async def test_only_the_tenants_own_events(db: AsyncSession, tenant: str) -> None:
    await record_chain(db, tenant, 2)
    await record_chain(db, "tnt_someone_else", 3)

    events = await list_events(db, tenant)

    assert [(e.tenant_id, e.seq) for e in events] == [(tenant, 2), (tenant, 1)]


async def test_limit_must_be_positive(db: AsyncSession, tenant: str) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        await list_events(db, tenant, limit=0)
