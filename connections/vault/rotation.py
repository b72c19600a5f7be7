"""The life of a master key: rotate every secret onto a new key, list the keys, retire one.

A rotation never removes a key. With a key file it writes a fresh key first in the file (the
old ones stay after it), then re-encrypts every secret under it; with
``INGESTION_AGENT_VAULT_KEY`` the operator has already put the new key first, and a rotation
with nothing to move is refused rather than reported as done. A key leaves the file only
through :func:`retire`, once no secret uses it, so a process that has not yet seen the new
key, and a database restored from a backup, can still be read until the operator decides.

Each rotation and retirement, and a rotation that fails part-way, is an audit event in the
:data:`~connections.audit.SYSTEM_TENANT` chain: the keys are the deployment's, not a tenant's.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from connections.audit import SYSTEM_TENANT, record
from connections.db.models import SecretRow
from connections.vault.errors import VaultError
from connections.vault.keys import ENV_VAR, Keyring, generate_key, write_key_file
from connections.vault.vault import Vault

__all__ = [
    "KeyStatus",
    "RetireReport",
    "RotationReport",
    "key_statuses",
    "key_usage",
    "retire",
    "rotate",
]


@dataclass(frozen=True, slots=True)
class RotationReport:
    """What :func:`rotate` did.

    Attributes:
        reencrypted: Secrets re-encrypted under the active key.
        active_key_id: The key every secret is now encrypted with.
        active_location: Where that key is configured (``... entry 1``).
        key_file: The key file the new key was written to; None with the environment.
        unused_key_ids: Configured keys no secret uses any more, which may be retired.
    """

    reencrypted: int
    active_key_id: str
    active_location: str
    key_file: Path | None
    unused_key_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RetireReport:
    """What :func:`retire` did.

    Attributes:
        key_id: The retired key.
        location: Where it was configured.
        key_file: The key file it was removed from; None with the environment, where the
            operator removes it.
    """

    key_id: str
    location: str
    key_file: Path | None


@dataclass(frozen=True, slots=True)
class KeyStatus:
    """One key, configured or needed, as ``ingestion-agent vault keys`` lists it.

    Attributes:
        key_id: The key's id.
        active: Whether new secrets are encrypted with it.
        location: Where it is configured, or None for a key secrets need but no one
            configured (those secrets cannot be read).
        secrets: How many secrets are encrypted with it.
    """

    key_id: str
    active: bool
    location: str | None
    secrets: int


async def key_usage(db: AsyncSession) -> dict[str, int]:
    """How many secrets, staged or saved, each key id encrypts."""
    rows = await db.execute(select(SecretRow.key_id, func.count()).group_by(SecretRow.key_id))
    return dict(rows.all())


def key_statuses(keyring: Keyring, usage: Mapping[str, int]) -> list[KeyStatus]:
    """Every configured key in order, then every key secrets need that is not configured."""
    statuses = [
        KeyStatus(k, k == keyring.active_id, keyring.location(k), usage.get(k, 0))
        for k in keyring.ids()
    ]
    statuses.extend(
        KeyStatus(k, active=False, location=None, secrets=usage[k])
        for k in sorted(set(usage) - set(keyring.ids()))
    )
    return statuses


async def rotate(vault: Vault, db: AsyncSession, *, actor: str = "system") -> RotationReport:
    """Re-encrypt every secret under a new active key, keeping the old keys.

    With a key file, a new key is generated and written first in the file, beside the old
    ones; processes following the file pick it up. With ``INGESTION_AGENT_VAULT_KEY`` the
    first key of the variable is the new one.

    This **commits**, every :attr:`Vault.rotation_batch_size` rows and once for the audit
    event, so give it a session of its own. A failure leaves every key in place, records a
    failed rotation, and running ``rotate`` again resumes the work.

    Args:
        vault: The vault whose secrets to re-encrypt.
        db: A session of its own.
        actor: Who rotates, for the audit event.

    Returns:
        The secrets re-encrypted, the active key and the keys no secret uses any more.

    Raises:
        VaultError: Nothing to rotate (keys from the environment, and every secret already
            uses the first), or a secret that does not decrypt or whose key is missing.
    """
    keys = vault.live_keyring
    keyring = keys.refresh()
    details: dict[str, Any] = {"key_source": "key_file" if keys.key_file else "environment"}
    if keys.key_file is not None:
        details["previous_active_key_id"] = keyring.active_id
        keyring = keyring.with_active(generate_key())
        await asyncio.to_thread(write_key_file, keys.key_file, keyring.keys())
        keys.replace(keyring)
    elif not any(k != keyring.active_id for k in await key_usage(db)):
        raise VaultError(_nothing_to_rotate(keyring.active_id))
    active = keyring.active_id
    details["active_key_id"] = active
    reencrypted = 0
    try:
        async for batch in _reencrypt(vault, db, active):
            reencrypted += batch
    except VaultError as exc:
        await db.rollback()
        failed = {**details, "outcome": "failed", "reencrypted": reencrypted}
        await _audit(db, actor, "vault.rotate", active, {**failed, "error": exc.message})
        raise
    usage = await key_usage(db)
    unused = tuple(k for k in keyring.ids() if k != active and not usage.get(k))
    done = {**details, "outcome": "succeeded", "reencrypted": reencrypted}
    await _audit(db, actor, "vault.rotate", active, {**done, "unused_key_ids": list(unused)})
    return RotationReport(
        reencrypted=reencrypted,
        active_key_id=active,
        active_location=keyring.location(active),
        key_file=keys.key_file,
        unused_key_ids=unused,
    )


async def retire(
    vault: Vault, db: AsyncSession, key_id: str, *, actor: str = "system"
) -> RetireReport:
    """Remove a key no secret uses from the key file (or clear it for removal from the variable).

    Commits the audit event, so give it a session of its own.

    Args:
        vault: The vault whose keys to change.
        db: A session of its own.
        key_id: The key to retire.
        actor: Who retires it, for the audit event.

    Returns:
        The key, where it was configured, and the key file it left (None: the operator
        removes it from ``INGESTION_AGENT_VAULT_KEY``).

    Raises:
        VaultError: No such key, the active key, or a key some secret still uses.
    """
    keys = vault.live_keyring
    keyring = keys.refresh()
    if key_id not in keyring.ids():
        configured = ", ".join(keyring.ids())
        raise VaultError(f"vault key {key_id} is not configured (configured: {configured})")
    if key_id == keyring.active_id:
        raise VaultError(
            f"vault key {key_id} is the active key; run `ingestion-agent vault rotate` to "
            "make a new key active first"
        )
    using = (await key_usage(db)).get(key_id, 0)
    if using:
        raise VaultError(
            f"{using} secret(s) still use vault key {key_id}; run `ingestion-agent vault "
            "rotate` to re-encrypt them, then retire it"
        )
    location = keyring.location(key_id)
    if keys.key_file is not None:
        remaining = keyring.without(key_id)
        await asyncio.to_thread(write_key_file, keys.key_file, remaining.keys())
        keys.replace(remaining)
    details = {
        "key_source": "key_file" if keys.key_file else "environment",
        "location": location,
        "active_key_id": keyring.active_id,
    }
    await _audit(db, actor, "vault.retire", key_id, details)
    return RetireReport(key_id=key_id, location=location, key_file=keys.key_file)


async def _reencrypt(vault: Vault, db: AsyncSession, active: str) -> AsyncIterator[int]:
    """Re-encrypt what ``active`` does not encrypt, committing each batch; yields their sizes."""
    after = ""
    while True:
        # Keyset pagination by id: each batch commits, and ids only grow past `after`.
        # FOR UPDATE (ignored by SQLite) keeps a concurrent merge from being overwritten.
        batch = list(
            await db.scalars(
                select(SecretRow)
                .where(SecretRow.key_id != active, SecretRow.id > after)
                .order_by(SecretRow.id)
                .limit(vault.rotation_batch_size)
                .with_for_update()
            )
        )
        if not batch:
            return
        resealed = sum(vault.reseal(row) for row in batch)
        await db.commit()
        yield resealed
        after = batch[-1].id


async def _audit(
    db: AsyncSession, actor: str, action: str, key_id: str, details: Mapping[str, Any]
) -> None:
    await record(
        db,
        tenant_id=SYSTEM_TENANT,
        actor=actor,
        action=action,
        object_type="vault_key",
        object_id=key_id,
        details=details,
    )
    await db.commit()


def _nothing_to_rotate(active: str) -> str:
    return (
        f"nothing to rotate: every secret already uses vault key {active}, the first in "
        f"{ENV_VAR}. To rotate, run `ingestion-agent vault keygen`, put the new key first "
        f"in {ENV_VAR} (keep the others after it), restart every `serve` and `worker` "
        "with it, then run `ingestion-agent vault rotate` again"
    )
