"""Retiring a key: only an unused, inactive key leaves, and the audit log says so."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connections.audit import SYSTEM_TENANT, verify
from connections.db.models import AuditEvent
from connections.vault import (
    ENV_VAR,
    KEY_FILE_NAME,
    Keyring,
    KeyStatus,
    Vault,
    VaultError,
    encode_key,
    generate_key,
    key_id,
    key_statuses,
    key_usage,
    retire,
    rotate,
)
from tests.connections.vault.conftest import TENANT, USER, canary


async def _rotated(db: AsyncSession, data_dir: Path) -> tuple[Vault, str, str]:
    """A vault with a key file, one secret, rotated once: (vault, old id, new id)."""
    vault = Vault(Keyring.load(data_dir=data_dir, env_value=None))
    old = vault.keyring.active_id
    await vault.store(db, tenant_id=TENANT, user_id=USER, values={"token": canary()})
    await db.commit()
    report = await rotate(vault, db)
    return vault, old, report.active_key_id


async def test_retiring_an_unused_key_removes_it_from_the_key_file(
    db: AsyncSession, tmp_path: Path
) -> None:
    vault, old, new = await _rotated(db, tmp_path)
    running = Vault(Keyring.load(data_dir=tmp_path, env_value=None))

    report = await retire(vault, db, old, actor="operator:alice")

    assert (report.key_id, report.key_file) == (old, tmp_path / KEY_FILE_NAME)
    assert report.location == f"{tmp_path / KEY_FILE_NAME} entry 2"
    assert Keyring.load(data_dir=tmp_path, env_value=None).ids() == (new,)
    assert (tmp_path / KEY_FILE_NAME).stat().st_mode & 0o777 == 0o600
    assert running.keyring.ids() == (new,)  # a running process follows the file
    events = list(await db.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
    assert [(e.tenant_id, e.action, e.object_id) for e in events] == [
        (SYSTEM_TENANT, "vault.rotate", new),
        (SYSTEM_TENANT, "vault.retire", old),
    ]
    assert events[1].actor == "operator:alice"
    assert (await verify(db)).ok


async def test_a_key_a_secret_still_uses_is_not_retired(db: AsyncSession, tmp_path: Path) -> None:
    vault, old, _new = await _rotated(db, tmp_path)
    # Written under the old key by a process that had not yet seen the rotation.
    await Vault(Keyring([vault.keyring.key(old)])).store(
        db, tenant_id=TENANT, user_id=USER, values={"token": canary()}
    )
    await db.commit()

    with pytest.raises(VaultError, match=r"1 secret\(s\) still use vault key") as raised:
        await retire(vault, db, old)

    assert "vault rotate" in raised.value.message
    assert old in Keyring.load(data_dir=tmp_path, env_value=None).ids()


async def test_the_active_key_is_not_retired(db: AsyncSession, tmp_path: Path) -> None:
    vault, _old, new = await _rotated(db, tmp_path)

    with pytest.raises(VaultError, match="is the active key"):
        await retire(vault, db, new)


async def test_an_unknown_key_is_not_retired(db: AsyncSession, tmp_path: Path) -> None:
    vault, old, new = await _rotated(db, tmp_path)

    with pytest.raises(VaultError, match="is not configured") as raised:
        await retire(vault, db, "0123456789abcdef")

    assert f"{new}, {old}" in raised.value.message


async def test_retiring_an_environment_key_clears_it_for_removal(
    db: AsyncSession, tmp_path: Path
) -> None:
    new, old = generate_key(), generate_key()
    vault = Vault(Keyring.load(data_dir=tmp_path, env_value=f"{encode_key(new)},{encode_key(old)}"))

    report = await retire(vault, db, key_id(old))

    assert (report.key_file, report.location) == (None, f"{ENV_VAR} entry 2")
    event = await db.scalar(select(AuditEvent))
    assert event is not None
    assert event.action == "vault.retire"
    assert event.details["key_source"] == "environment"


async def test_key_statuses_show_each_key_where_it_is_set_and_how_many_secrets_use_it(
    db: AsyncSession, tmp_path: Path
) -> None:
    active, kept, lost = generate_key(), generate_key(), generate_key()
    for key in (active, kept, kept, lost):
        await Vault(Keyring([key])).store(
            db, tenant_id=TENANT, user_id=USER, values={"token": canary()}
        )
    await db.commit()
    unused = generate_key()
    keyring = Keyring([active, kept, unused])

    statuses = key_statuses(keyring, await key_usage(db))

    assert statuses == [
        KeyStatus(key_id(active), active=True, location=f"{ENV_VAR} entry 1", secrets=1),
        KeyStatus(key_id(kept), active=False, location=f"{ENV_VAR} entry 2", secrets=2),
        KeyStatus(key_id(unused), active=False, location=f"{ENV_VAR} entry 3", secrets=0),
        KeyStatus(key_id(lost), active=False, location=None, secrets=1),
    ]
