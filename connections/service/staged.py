"""Staged secrets: stored the moment they are typed, attached to a source or expired.

A staged secret belongs to the user who typed it; it expires one hour after the
conversation's last turn unless a source attaches it (DESIGN.md section 13).
"""

from __future__ import annotations

from connections.casing import to_snake
from connections.credentials import connector_for, primary_secret, public_secret_fields
from connections.deps import ServiceDeps, audited
from connections.errors import ValidationError
from connections.identity import Identity, Permission
from connections.schemas import SecretStageRequest, StagedSecretOut

__all__ = ["StagedSecretService"]


class StagedSecretService:
    """Stage, keep alive and discard the secrets a conversation types."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._deps = deps

    async def stage(self, who: Identity, body: SecretStageRequest) -> StagedSecretOut:
        """Store a secret the moment it is typed; it expires unless a source attaches it."""
        who.require(Permission.CREATE)
        values = {to_snake(k): v for k, v in body.values.items() if v}
        if not values:
            raise ValidationError("values must hold at least one non-empty value.", field="values")
        primary = None
        # Without a type nothing is known to be public: a new secret registers every value
        # for redaction, and an added-to one keeps what its first, typed staging recorded.
        public = None
        if body.type:
            connector = connector_for(self._deps.registry, body.type, self._deps.connector_context)
            primary = primary_secret(connector, values)
            public = public_secret_fields(connector)
        async with self._deps.database() as db:
            if body.secret_ref:
                row = await self._deps.vault.get(db, who.tenant_id, body.secret_ref)
                if not row.staged:
                    raise ValidationError(
                        "Only a staged secret can be added to.", field="secretRef"
                    )
                row = await self._deps.vault.merge(
                    db, who.tenant_id, body.secret_ref, values, primary=primary, public=public
                )
            else:
                row = await self._deps.vault.stage(
                    db,
                    tenant_id=who.tenant_id,
                    user_id=who.user_id,
                    values=values,
                    primary=primary,
                    public=public,
                )
            await audited(db, who, "secret.stage", row.id, {"fields": sorted(values)})
            await db.commit()
        return StagedSecretOut(secret_ref=row.id, mask=row.mask, expires_at=row.expires_at)

    async def touch(self, who: Identity, secret_ref: str) -> StagedSecretOut:
        """Keep a staged secret for one more TTL: the conversation that typed it goes on.

        Raises:
            NotFoundError: No such secret, or it expired already (it is asked for again).
            ValidationError: The secret is attached to a source, not staged.
        """
        who.require(Permission.CREATE)
        async with self._deps.database() as db:
            row = await self._deps.vault.get(db, who.tenant_id, secret_ref)
            if not row.staged:
                raise ValidationError("Only a staged secret can be kept alive.", field="secretRef")
            await self._deps.vault.touch(db, who.tenant_id, [secret_ref])
            await db.commit()
        return StagedSecretOut(secret_ref=row.id, mask=row.mask, expires_at=row.expires_at)

    async def discard(self, who: Identity, secret_ref: str) -> None:
        """Delete a staged secret (a cancelled or abandoned conversation)."""
        who.require(Permission.CREATE)
        async with self._deps.database() as db:
            row = await self._deps.vault.get(db, who.tenant_id, secret_ref)
            if not row.staged:
                raise ValidationError("Only a staged secret can be discarded.", field="secretRef")
            await self._deps.vault.delete(db, who.tenant_id, secret_ref)
            await audited(db, who, "secret.discard", secret_ref)
            await db.commit()
