"""The vault: tenant-bound, encrypted secrets with masks, staging and key rotation.

A secret is a small mapping of field names to values (``{"secretAccessKey": "..."}``),
stored as JSON, encrypted with AES-256-GCM under the active master key and bound to its
tenant and id. People see only its mask. The chat *stages* a secret the moment it is typed;
a staged secret expires unless the chat keeps touching it or a saved source attaches it.

A secret holds a whole credential, and some of its fields are public (a database user name,
an access key id): they are kept with the secret so a login is never split, but their
values are not registered for redaction, since a user name such as ``postgres`` would then
be cut out of every later log line that mentions ``postgresql+psycopg``. Every value is
encrypted all the same. The row's ``fields`` JSON records them as
``{"names": [...], "primary": ..., "public": [...]}``; a row without ``"public"`` (written
before it existed) treats every field as secret.

Every method only flushes: the caller commits, so a secret and the source that refers to it
are saved together or not at all. Key rotation, which commits batch by batch, is
:mod:`~connections.vault.rotation`; the keys follow their key file while the process runs
(:mod:`~connections.vault.live`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from connections.db.models import SecretRow
from connections.db.types import utcnow
from connections.errors import NotFoundError, ValidationError
from connections.vault.cipher import associated_data, decrypt, encrypt
from connections.vault.errors import VaultError
from connections.vault.keys import Keyring
from connections.vault.live import LiveKeyring
from connections.vault.masks import is_mask, mask_secret
from core.ids import new_id
from core.redaction import register_secret

__all__ = ["Vault"]

# Large enough for a service-account JSON or a PEM private key, small enough to refuse junk.
MAX_PLAINTEXT_BYTES = 64 * 1024


class Vault:
    """Encrypts, stores and reveals secrets for one process.

    Args:
        keyring: The master keys.
        staged_ttl: How long a staged secret lives after it is staged or last touched.
        key_file: The key file the keys follow (see :class:`LiveKeyring`) and rotation
            rewrites; defaults to the file the keyring was loaded from. None for a keyring
            from the environment.

    Raises:
        ValueError: ``staged_ttl`` is not positive.
    """

    #: Rows re-encrypted and committed together by a rotation.
    rotation_batch_size = 500

    def __init__(
        self,
        keyring: Keyring,
        *,
        staged_ttl: timedelta = timedelta(hours=1),
        key_file: Path | None = None,
    ) -> None:
        if staged_ttl <= timedelta(0):
            raise ValueError("staged_ttl must be positive")
        self._keys = LiveKeyring(keyring, key_file=key_file)
        self._ttl = staged_ttl

    @property
    def keyring(self) -> Keyring:
        """The current keyring, read again first if its key file changed."""
        return self._keys.current()

    @property
    def live_keyring(self) -> LiveKeyring:
        """The keyring as it follows the key file (rotation writes through it)."""
        return self._keys

    async def stage(
        self,
        db: AsyncSession,
        *,
        tenant_id: str,
        user_id: str,
        values: Mapping[str, str],
        primary: str | None = None,
        public: AbstractSet[str] | None = None,
    ) -> SecretRow:
        """Store a secret that expires unless it is touched or attached.

        Args:
            db: The session; flushed, not committed.
            tenant_id: The owning tenant.
            user_id: Who typed the secret.
            values: Field name to secret value; empty values are left out.
            primary: The field the mask shows; default the first.
            public: Fields whose values are not secret (the connector spec says which);
                they are stored encrypted like the rest but never registered for
                redaction. None (a caller that does not know the connector): none is.

        Returns:
            The new row, with ``expires_at`` one TTL from now.

        Raises:
            ValidationError: No values, a mask given as a value, an unknown primary field,
                or a secret that is too large.
        """
        return await self._create(
            db,
            tenant_id=tenant_id,
            user_id=user_id,
            values=values,
            primary=primary,
            public=public,
            staged=True,
        )

    async def store(
        self,
        db: AsyncSession,
        *,
        tenant_id: str,
        user_id: str,
        values: Mapping[str, str],
        primary: str | None = None,
        public: AbstractSet[str] | None = None,
    ) -> SecretRow:
        """Store a secret that does not expire (for a source saved through the REST API).

        Args and errors are those of :meth:`stage`.
        """
        return await self._create(
            db,
            tenant_id=tenant_id,
            user_id=user_id,
            values=values,
            primary=primary,
            public=public,
            staged=False,
        )

    async def get(self, db: AsyncSession, tenant_id: str, secret_id: str) -> SecretRow:
        """The secret's row, without decrypting it.

        Raises:
            NotFoundError: No such secret for this tenant, or a staged one that expired.
        """
        row = await self._find(db, tenant_id, secret_id)
        if row.staged and row.expires_at is not None and row.expires_at <= utcnow():
            raise _not_found(secret_id)
        return row

    async def reveal(self, db: AsyncSession, tenant_id: str, secret_id: str) -> dict[str, str]:
        """Decrypt a secret, registering every value of a secret field for redaction first.

        Raises:
            NotFoundError: As for :meth:`get`.
            VaultError: The ciphertext does not decrypt, or its key is not in the keyring.
        """
        return self._open(await self.get(db, tenant_id, secret_id))

    async def attach(self, db: AsyncSession, tenant_id: str, secret_id: str) -> SecretRow:
        """Keep a staged secret for good, because a saved source now refers to it.

        Raises:
            NotFoundError: As for :meth:`get`; an expired staged secret cannot be attached.
        """
        row = await self.get(db, tenant_id, secret_id)
        row.staged = False
        row.expires_at = None
        await db.flush()
        return row

    async def merge(
        self,
        db: AsyncSession,
        tenant_id: str,
        secret_id: str,
        values: Mapping[str, str],
        *,
        primary: str | None = None,
        public: AbstractSet[str] | None = None,
    ) -> SecretRow:
        """Update a secret: new values replace stored ones; masks and empty values keep them.

        The result is encrypted again with a fresh nonce under the active key. Touching a
        staged secret this way also extends its life.

        Args:
            db: The session; flushed, not committed.
            tenant_id: The owning tenant.
            secret_id: The secret.
            values: Field name to new value; a mask or ``""`` means "unchanged".
            primary: The field the mask shows; default the one chosen before.
            public: Fields whose values are not secret, as for :meth:`stage`; default
                those recorded before (a caller that does not know the connector keeps
                what one that did know recorded).

        Returns:
            The updated row.

        Raises:
            NotFoundError: As for :meth:`get`.
            ValidationError: ``primary`` names no field, or the secret is too large.
            VaultError: The stored ciphertext does not decrypt.
        """
        row = await self.get(db, tenant_id, secret_id)
        merged = self._open(row)
        merged.update({name: value for name, value in values.items() if _is_new(value)})
        chosen = primary if primary is not None else _stored_primary(row, merged)
        kept_public = public if public is not None else _stored_public(row)
        self._seal(row, merged, _check_primary(merged, chosen), kept_public)
        if row.staged:
            row.expires_at = utcnow() + self._ttl
        await db.flush()
        return row

    async def touch(self, db: AsyncSession, tenant_id: str, secret_ids: Iterable[str]) -> None:
        """Push the expiry of live staged secrets to one TTL from now.

        Attached, expired, missing and other tenants' secrets are left alone: an expired
        secret stays expired rather than coming back.
        """
        ids = list(dict.fromkeys(secret_ids))
        if not ids:
            return
        now = utcnow()
        rows = await db.scalars(
            select(SecretRow).where(
                SecretRow.tenant_id == tenant_id,
                SecretRow.id.in_(ids),
                SecretRow.staged.is_(True),
                SecretRow.expires_at > now,
            )
        )
        for row in rows:
            row.expires_at = now + self._ttl
        await db.flush()

    async def delete(self, db: AsyncSession, tenant_id: str, secret_id: str) -> None:
        """Delete a secret, expired or not.

        Raises:
            NotFoundError: No such secret for this tenant.
        """
        # No expiry check: deleting an expired staged secret (a cancelled chat) is not an error.
        row = await self._find(db, tenant_id, secret_id)
        await db.delete(row)
        await db.flush()

    async def purge_expired(self, db: AsyncSession, now: datetime | None = None) -> int:
        """Delete every staged secret, of any tenant, that expired at or before ``now``.

        Returns:
            How many were deleted.
        """
        cutoff = now if now is not None else utcnow()
        result = await db.execute(
            delete(SecretRow)
            .where(SecretRow.staged.is_(True), SecretRow.expires_at <= cutoff)
            .returning(SecretRow.id)
        )
        purged = len(result.all())
        await db.flush()
        return purged

    def reseal(self, row: SecretRow) -> bool:
        """Encrypt ``row`` again under the active key, with a fresh nonce, if it uses another.

        Key rotation calls this row by row; the caller flushes and commits.

        Returns:
            Whether the row was re-encrypted (False: it already uses the active key).

        Raises:
            VaultError: The row does not decrypt, or its key is not in the keyring.
        """
        if row.key_id == self.keyring.active_id:
            return False
        values = self._open(row)
        self._seal(row, values, _stored_primary(row, values), _stored_public(row))
        return True

    async def _create(
        self,
        db: AsyncSession,
        *,
        tenant_id: str,
        user_id: str,
        values: Mapping[str, str],
        primary: str | None,
        public: AbstractSet[str] | None,
        staged: bool,
    ) -> SecretRow:
        kept: dict[str, str] = {}
        for name, value in values.items():
            if is_mask(value):
                raise ValidationError(
                    f"{name} holds a mask, not a secret; type the secret itself", field=name
                )
            if value:
                kept[name] = value
        if not kept:
            raise ValidationError("the secret has no values", field="secret")
        chosen = _check_primary(kept, primary if primary is not None else next(iter(kept)))
        row = SecretRow(
            id=new_id("sec"),
            tenant_id=tenant_id,
            staged=staged,
            expires_at=utcnow() + self._ttl if staged else None,
            created_by=user_id,
        )
        self._seal(row, kept, chosen, public or frozenset())
        db.add(row)
        await db.flush()
        return row

    async def _find(self, db: AsyncSession, tenant_id: str, secret_id: str) -> SecretRow:
        row = await db.scalar(
            select(SecretRow).where(SecretRow.id == secret_id, SecretRow.tenant_id == tenant_id)
        )
        if row is None:
            raise _not_found(secret_id)
        return row

    def _seal(
        self, row: SecretRow, values: dict[str, str], primary: str, public: AbstractSet[str]
    ) -> None:
        """Encrypt ``values`` into ``row`` under the active key, with a fresh nonce.

        Only the public fields that ``values`` holds are recorded, so ``public`` is always
        a part of ``names``.
        """
        plaintext = json.dumps(values, ensure_ascii=False, sort_keys=True).encode()
        if len(plaintext) > MAX_PLAINTEXT_BYTES:
            # Refused before registering: junk this size would slow every later redaction.
            raise ValidationError(
                f"the secret is larger than {MAX_PLAINTEXT_BYTES // 1024} KiB", field="secret"
            )
        recorded = sorted(name for name in values if name in public)
        _register_secret_fields(values, recorded)
        keyring = self.keyring
        row.nonce, row.ciphertext = encrypt(
            keyring.active_key, plaintext, associated_data(row.tenant_id, row.id)
        )
        row.key_id = keyring.active_id
        row.mask = mask_secret(values[primary])
        row.fields = {"names": sorted(values), "primary": primary, "public": recorded}

    def _open(self, row: SecretRow) -> dict[str, str]:
        """Decrypt ``row`` and register the values of its secret fields."""
        keyring = self.keyring
        if row.key_id not in keyring.ids():
            # Written by a process that saw a newer key file than this one has read.
            keyring = self._keys.refresh()
        try:
            key = keyring.key(row.key_id)
        except VaultError:
            raise VaultError(
                f"secret {row.id} is encrypted with vault key {row.key_id}, which is not in "
                "the keyring; restore that key to read it"
            ) from None
        plaintext = decrypt(
            key,
            row.nonce,
            row.ciphertext,
            associated_data(row.tenant_id, row.id),
            secret_id=row.id,
        )
        values = _parse(plaintext, row.id)
        _register_secret_fields(values, _stored_public(row))
        return values


def _parse(plaintext: bytes, secret_id: str) -> dict[str, str]:
    # Authenticated plaintext is ours, but a schema slip must not surface its content.
    try:
        loaded: Any = json.loads(plaintext)
    except ValueError:
        loaded = None
    if (
        not isinstance(loaded, dict)
        or not loaded
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in loaded.items())
    ):
        raise VaultError(f"secret {secret_id} does not hold a mapping of strings") from None
    return loaded


def _is_new(value: str) -> bool:
    return bool(value) and not is_mask(value)


def _stored_primary(row: SecretRow, values: Mapping[str, str]) -> str:
    stored = (row.fields or {}).get("primary")
    if isinstance(stored, str) and stored in values:
        return stored
    # Rows written without a recorded primary fall back to the first field.
    return next(iter(values))


def _stored_public(row: SecretRow) -> frozenset[str]:
    stored = (row.fields or {}).get("public")
    # No list (a row written before public fields were recorded), or a malformed one: every
    # field is secret, which over-redacts but never leaks.
    if not isinstance(stored, list):
        return frozenset()
    return frozenset(name for name in stored if isinstance(name, str))


def _register_secret_fields(values: Mapping[str, str], public: Iterable[str]) -> None:
    skipped = set(public)
    for name, value in values.items():
        if name not in skipped:
            register_secret(value)


def _check_primary(values: Mapping[str, str], primary: str) -> str:
    if primary not in values:
        raise ValidationError(f"{primary!r} is not one of the secret's fields", field="primary")
    return primary


def _not_found(secret_id: str) -> NotFoundError:
    return NotFoundError(f"secret {secret_id} not found")
