"""Housekeeping purges expired staged secrets and old idempotency keys."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from connections.db.models import IdempotencyRecord, SecretRow
from connections.db.types import utcnow
from connections.housekeeping import Housekeeping
from connections.idempotency import IdempotencyStore
from connections.runtime import open_runtime
from connectors.base import ConnectorContext


async def test_sweep_removes_only_what_expired(tmp_path: Path) -> None:
    runtime = await open_runtime(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
        data_dir=tmp_path,
        vault_key=None,
        connector_context=ConnectorContext(),
    )
    vault = runtime.service.deps.vault
    store = IdempotencyStore(runtime.service.deps.database, b"k", keep_for=timedelta(hours=1))
    try:
        async with runtime.service.deps.database() as db:
            stale = await vault.stage(db, tenant_id="t", user_id="u", values={"password": "p" * 20})
            fresh = await vault.stage(db, tenant_id="t", user_id="u", values={"password": "q" * 20})
            stale.expires_at = utcnow() - timedelta(minutes=1)
            await db.commit()
        await store.begin("t", "old", "f")
        await store.begin("t", "new", "f")
        async with runtime.service.deps.database() as db:
            old = await db.get(IdempotencyRecord, ("t", "old"))
            assert old is not None
            old.created_at = utcnow() - timedelta(hours=2)
            await db.commit()

        purged = await Housekeeping(runtime.service, store).sweep()

        async with runtime.service.deps.database() as db:
            secrets = set((await db.execute(select(SecretRow.id))).scalars())
            keys = await db.scalar(select(func.count()).select_from(IdempotencyRecord))
        assert purged == (1, 1)
        assert secrets == {fresh.id}
        assert keys == 1
    finally:
        await runtime.close()
