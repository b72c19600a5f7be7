"""Staged secrets expire unless the chat touches them or a saved source attaches them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connections.db.models import SecretRow
from connections.db.types import utcnow
from connections.errors import NotFoundError
from connections.vault import Vault
from tests.connections.vault.conftest import OTHER_TENANT, TENANT, TTL, USER, canary


async def _stage(db: AsyncSession, vault: Vault, tenant: str = TENANT) -> SecretRow:
    return await vault.stage(db, tenant_id=tenant, user_id=USER, values={"token": canary()})


async def _expire(db: AsyncSession, row: SecretRow) -> None:
    row.expires_at = utcnow() - timedelta(seconds=1)
    await db.flush()


async def _ids(db: AsyncSession) -> set[str]:
    return set(await db.scalars(select(SecretRow.id)))


async def test_staged_secret_expires_one_ttl_from_now(db: AsyncSession, vault: Vault) -> None:
    before = utcnow()
    row = await _stage(db, vault)
    assert row.staged
    assert row.expires_at is not None
    assert before + TTL <= row.expires_at <= utcnow() + TTL


async def test_default_ttl_is_one_hour(db: AsyncSession, vault: Vault) -> None:
    hourly = Vault(vault.keyring)
    row = await hourly.stage(db, tenant_id=TENANT, user_id=USER, values={"token": canary()})
    assert row.expires_at is not None
    remaining = row.expires_at - utcnow()
    assert timedelta(minutes=59) < remaining <= timedelta(hours=1)


@pytest.mark.parametrize("operation", ["get", "reveal", "attach", "merge"])
async def test_expired_staged_secret_is_not_found(
    db: AsyncSession, vault: Vault, operation: str
) -> None:
    row = await _stage(db, vault)
    await _expire(db, row)
    calls: dict[str, Callable[[], Awaitable[object]]] = {
        "get": lambda: vault.get(db, TENANT, row.id),
        "reveal": lambda: vault.reveal(db, TENANT, row.id),
        "attach": lambda: vault.attach(db, TENANT, row.id),
        "merge": lambda: vault.merge(db, TENANT, row.id, {"token": canary()}),
    }
    with pytest.raises(NotFoundError):
        await calls[operation]()


async def test_expired_staged_secret_can_still_be_deleted(db: AsyncSession, vault: Vault) -> None:
    row = await _stage(db, vault)
    await _expire(db, row)
    await vault.delete(db, TENANT, row.id)
    assert await _ids(db) == set()


async def test_purge_removes_only_expired_staged_rows(db: AsyncSession, vault: Vault) -> None:
    expired = await _stage(db, vault)
    expired_elsewhere = await _stage(db, vault, tenant=OTHER_TENANT)
    live = await _stage(db, vault)
    attached = await _stage(db, vault)
    stored = await vault.store(db, tenant_id=TENANT, user_id=USER, values={"token": canary()})
    await vault.attach(db, TENANT, attached.id)
    await _expire(db, expired)
    await _expire(db, expired_elsewhere)

    assert await vault.purge_expired(db, utcnow()) == 2
    assert await _ids(db) == {live.id, attached.id, stored.id}


async def test_purge_at_a_later_time_removes_what_expires_by_then(
    db: AsyncSession, vault: Vault
) -> None:
    live = await _stage(db, vault)
    stored = await vault.store(db, tenant_id=TENANT, user_id=USER, values={"token": canary()})
    assert await vault.purge_expired(db, utcnow() + TTL - timedelta(minutes=1)) == 0
    assert await vault.purge_expired(db, utcnow() + TTL + timedelta(minutes=1)) == 1
    assert await _ids(db) == {stored.id}
    assert live.id not in await _ids(db)


async def test_attach_clears_the_expiry(db: AsyncSession, vault: Vault) -> None:
    row = await _stage(db, vault)
    await vault.attach(db, TENANT, row.id)
    db.expunge_all()
    attached = await vault.get(db, TENANT, row.id)
    assert not attached.staged
    assert attached.expires_at is None
    assert await vault.purge_expired(db, utcnow() + timedelta(days=365)) == 0
    assert await _ids(db) == {row.id}


async def test_touch_extends_live_staged_secrets(db: AsyncSession, vault: Vault) -> None:
    row = await _stage(db, vault)
    row.expires_at = utcnow() + timedelta(minutes=1)
    await db.flush()
    before = utcnow()
    await vault.touch(db, TENANT, [row.id])
    db.expunge_all()
    touched = await vault.get(db, TENANT, row.id)
    assert touched.expires_at is not None
    assert touched.expires_at >= before + TTL


async def test_touch_leaves_other_secrets_alone(db: AsyncSession, vault: Vault) -> None:
    expired = await _stage(db, vault)
    await _expire(db, expired)
    foreign = await _stage(db, vault, tenant=OTHER_TENANT)
    foreign.expires_at = soon = utcnow() + timedelta(minutes=1)
    stored = await vault.store(db, tenant_id=TENANT, user_id=USER, values={"token": canary()})
    await db.flush()
    expired_at = expired.expires_at

    await vault.touch(db, TENANT, [expired.id, foreign.id, stored.id, "sec_missing"])
    db.expunge_all()

    rows = {r.id: r for r in await db.scalars(select(SecretRow))}
    assert rows[expired.id].expires_at == expired_at  # expired stays expired
    assert rows[foreign.id].expires_at == soon  # another tenant's id is not touched
    assert rows[stored.id].expires_at is None
    await vault.touch(db, TENANT, [])  # nothing to do is fine


async def test_merge_keeps_a_staged_secret_alive(db: AsyncSession, vault: Vault) -> None:
    row = await _stage(db, vault)
    row.expires_at = utcnow() + timedelta(minutes=1)
    await db.flush()
    before = utcnow()
    await vault.merge(db, TENANT, row.id, {"token": canary("edited")})
    assert row.expires_at is not None
    assert row.expires_at >= before + TTL
