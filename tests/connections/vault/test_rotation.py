"""Key rotation: every secret re-encrypted under a new key; old keys kept until retired."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connections.audit import SYSTEM_TENANT, verify
from connections.db.models import AuditEvent, SecretRow
from connections.vault import (
    ENV_VAR,
    KEY_FILE_NAME,
    Keyring,
    Vault,
    VaultError,
    encode_key,
    generate_key,
    key_id,
    rotate,
)
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


async def test_rotation_with_a_key_file_keeps_the_old_key(db: AsyncSession, tmp_path: Path) -> None:
    vault = Vault(Keyring.load(data_dir=tmp_path, env_value=None))
    vault.rotation_batch_size = 2  # several batches, each committed
    old_id = vault.keyring.active_id
    stored = await _store_many(db, vault, 5)

    report = await rotate(vault, db)

    assert report.reencrypted == len(stored)
    assert report.active_key_id != old_id
    assert report.unused_key_ids == (old_id,)
    assert report.key_file == tmp_path / KEY_FILE_NAME
    assert await _key_ids_in_use(db) == {report.active_key_id}
    # The old key stays in the file, after the new one, until someone retires it.
    reloaded = Keyring.load(data_dir=tmp_path, env_value=None)
    assert reloaded.ids() == (report.active_key_id, old_id)
    _assert_only_a_private_key_file(tmp_path)
    fresh = Vault(Keyring([reloaded.active_key]))  # a process with only the new key
    db.expunge_all()
    for secret_id, values in stored.items():
        assert await fresh.reveal(db, await _tenant_of(db, secret_id), secret_id) == values


async def test_a_running_process_follows_a_rotation_of_its_key_file(
    db: AsyncSession, tmp_path: Path
) -> None:
    running = Vault(Keyring.load(data_dir=tmp_path, env_value=None))  # `serve`, started earlier
    stored = await _store_many(db, running, 2)
    command = Vault(Keyring.load(data_dir=tmp_path, env_value=None))  # `vault rotate`

    report = await rotate(command, db)

    db.expunge_all()
    for secret_id, values in stored.items():
        assert await running.reveal(db, await _tenant_of(db, secret_id), secret_id) == values
    written = await running.store(db, tenant_id=TENANT, user_id=USER, values={"token": canary()})
    assert written.key_id == report.active_key_id


async def test_a_change_the_file_stamp_missed_is_read_on_an_unknown_key_id(
    db: AsyncSession, tmp_path: Path
) -> None:
    running = Vault(Keyring.load(data_dir=tmp_path, env_value=None))
    loaded_at_start = running.keyring
    command = Vault(Keyring.load(data_dir=tmp_path, env_value=None))
    await rotate(command, db)
    values = {"token": canary()}
    row = await command.store(db, tenant_id=TENANT, user_id=USER, values=values)
    await db.commit()
    # As if the change had kept the file's inode, size and timestamp (a coarse clock).
    running.live_keyring.replace(loaded_at_start)

    assert await running.reveal(db, TENANT, row.id) == values


async def test_rotation_with_env_keys_lists_the_unused_keys(
    db: AsyncSession, tmp_path: Path
) -> None:
    old, new, unused = generate_key(), generate_key(), generate_key()
    stored = await _store_many(db, Vault(Keyring([old])), 3)
    env_value = ",".join(encode_key(k) for k in (new, old, unused))
    vault = Vault(Keyring.load(data_dir=tmp_path, env_value=env_value))

    report = await rotate(vault, db)

    assert report.reencrypted == len(stored)
    assert report.active_key_id == key_id(new)
    assert report.active_location == f"{ENV_VAR} entry 1"
    assert report.key_file is None
    assert report.unused_key_ids == (key_id(old), key_id(unused))
    assert await _key_ids_in_use(db) == {key_id(new)}
    assert not (tmp_path / KEY_FILE_NAME).exists()  # the environment stays the only source
    only_new = Vault(Keyring([new]))
    db.expunge_all()
    for secret_id, values in stored.items():
        assert await only_new.reveal(db, await _tenant_of(db, secret_id), secret_id) == values


@pytest.mark.parametrize(
    "keys", [1, 2], ids=["one key in the variable", "every secret already under the first"]
)
async def test_rotation_with_nothing_to_move_is_refused(
    db: AsyncSession, tmp_path: Path, keys: int
) -> None:
    generated = [generate_key() for _ in range(keys)]
    vault = Vault(Keyring.load(data_dir=tmp_path, env_value=",".join(map(encode_key, generated))))
    await _store_many(db, vault, 2)

    with pytest.raises(VaultError, match="nothing to rotate") as raised:
        await rotate(vault, db)

    assert "vault keygen" in raised.value.message
    assert "restart every `serve` and `worker`" in raised.value.message
    assert await db.scalar(select(AuditEvent.id)) is None


async def test_rotation_is_an_audit_event_of_the_system_chain(
    db: AsyncSession, tmp_path: Path
) -> None:
    vault = Vault(Keyring.load(data_dir=tmp_path, env_value=None))
    old_id = vault.keyring.active_id
    await _store_many(db, vault, 2)

    report = await rotate(vault, db, actor="operator:alice")

    event = await db.scalar(select(AuditEvent))
    assert event is not None
    assert (event.tenant_id, event.actor, event.action) == (
        SYSTEM_TENANT,
        "operator:alice",
        "vault.rotate",
    )
    assert (event.object_type, event.object_id) == ("vault_key", report.active_key_id)
    assert event.details == {
        "key_source": "key_file",
        "previous_active_key_id": old_id,
        "active_key_id": report.active_key_id,
        "outcome": "succeeded",
        "reencrypted": 3,
        "unused_key_ids": [old_id],
    }
    assert (await verify(db)).ok


async def test_rotation_stops_at_a_secret_whose_key_is_gone(
    db: AsyncSession, tmp_path: Path
) -> None:
    lost, kept = generate_key(), generate_key()
    await _store_many(db, Vault(Keyring([lost])), 1)
    vault = Vault(Keyring([kept]))

    with pytest.raises(VaultError) as raised:
        await rotate(vault, db)

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
        await rotate(vault, db)

    # The failed run wrote the new key but retired nothing: every key is still on disk.
    on_disk = Keyring.load(data_dir=tmp_path, env_value=None)
    assert first_id in on_disk.ids()
    assert on_disk.active_id == vault.keyring.active_id != first_id
    failed = await db.scalar(select(AuditEvent).where(AuditEvent.action == "vault.rotate"))
    assert failed is not None
    assert failed.details["outcome"] == "failed"
    assert key_id(foreign) in failed.details["error"]
