"""Key rotation: every secret re-encrypted under a new key, old keys retired."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connections.db.models import SecretRow
from connections.vault import KEY_FILE_NAME, Keyring, Vault, VaultError, generate_key, key_id
from connections.vault.keys import encode_key
from tests.connections.vault.conftest import OTHER_TENANT, TENANT, USER, canary


async def _store_many(db: AsyncSession, vault: Vault, count: int) -> dict[str, dict[str, str]]:
    """``count`` committed secrets over two tenants plus one staged secret, by id."""
    stored: dict[str, dict[str, str]] = {}
    for index in range(count):
        tenant = TENANT if index % 2 else OTHER_TENANT
        values = {"password": canary(), "user": f"user-{index}"}
        row = await vault.store(db, tenant_id=tenant, user_id=USER, values=values)
        stored[row.id] = values
    staged_values = {"token": canary()}
    staged = await vault.stage(db, tenant_id=TENANT, user_id=USER, values=staged_values)
    stored[staged.id] = staged_values
    await db.commit()
    return stored


def _assert_only_a_private_key_file(data_dir: Path) -> None:
    assert [p.name for p in data_dir.iterdir()] == [KEY_FILE_NAME]  # no temp file left
    assert (data_dir / KEY_FILE_NAME).stat().st_mode & 0o777 == 0o600


async def _key_ids_in_use(db: AsyncSession) -> set[str]:
    return set(await db.scalars(select(SecretRow.key_id).distinct()))


async def _tenant_of(db: AsyncSession, secret_id: str) -> str:
    tenant = await db.scalar(select(SecretRow.tenant_id).where(SecretRow.id == secret_id))
    assert tenant is not None
    return tenant


async def test_rotation_with_a_key_file(db: AsyncSession, tmp_path: Path) -> None:
    vault = Vault(Keyring.load(data_dir=tmp_path, env_value=None))
    vault.rotation_batch_size = 2  # several batches, each committed
    old_id = vault.keyring.active_id
    stored = await _store_many(db, vault, 5)

    report = await vault.rotate(db)

    assert report.reencrypted == len(stored)
    assert report.active_key_id != old_id
    assert report.retired_key_ids == (old_id,)
    assert await _key_ids_in_use(db) == {report.active_key_id}
    reloaded = Keyring.load(data_dir=tmp_path, env_value=None)
    assert reloaded.ids() == (report.active_key_id,)
    _assert_only_a_private_key_file(tmp_path)
    fresh = Vault(reloaded)  # a restarted process with only the new key
    db.expunge_all()
    for secret_id, values in stored.items():
        assert await fresh.reveal(db, await _tenant_of(db, secret_id), secret_id) == values


async def test_rotation_with_env_keys_reports_retired_ids(db: AsyncSession, tmp_path: Path) -> None:
    old, new, unused = generate_key(), generate_key(), generate_key()
    stored = await _store_many(db, Vault(Keyring([old])), 3)
    env_value = ",".join(encode_key(k) for k in (new, old, unused))
    vault = Vault(Keyring.load(data_dir=tmp_path, env_value=env_value))

    report = await vault.rotate(db)

    assert report.reencrypted == len(stored)
    assert report.active_key_id == key_id(new)
    assert report.retired_key_ids == tuple(sorted([key_id(old), key_id(unused)]))
    assert await _key_ids_in_use(db) == {key_id(new)}
    assert not (tmp_path / KEY_FILE_NAME).exists()  # the environment stays the only source
    only_new = Vault(Keyring([new]))
    db.expunge_all()
    for secret_id, values in stored.items():
        assert await only_new.reveal(db, await _tenant_of(db, secret_id), secret_id) == values
    again = await vault.rotate(db)
    assert again.reencrypted == 0


async def test_rotation_stops_at_a_secret_whose_key_is_gone(
    db: AsyncSession, tmp_path: Path
) -> None:
    lost, kept = generate_key(), generate_key()
    await _store_many(db, Vault(Keyring([lost])), 1)
    vault = Vault(Keyring([kept]))

    with pytest.raises(VaultError) as raised:
        await vault.rotate(db)

    assert key_id(lost) in raised.value.message
    assert encode_key(lost) not in raised.value.message
    assert await _key_ids_in_use(db) == {key_id(lost)}


async def test_failed_rotation_with_a_key_file_retires_nothing(
    db: AsyncSession, tmp_path: Path
) -> None:
    vault = Vault(Keyring.load(data_dir=tmp_path, env_value=None))
    first_id = vault.keyring.active_id
    foreign = generate_key()
    await _store_many(db, Vault(Keyring([foreign])), 1)

    with pytest.raises(VaultError):
        await vault.rotate(db)

    # The failed run wrote the new key but retired nothing: every key is still on disk.
    on_disk = Keyring.load(data_dir=tmp_path, env_value=None)
    assert first_id in on_disk.ids()
    assert on_disk.active_id == vault.keyring.active_id != first_id
