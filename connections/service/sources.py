"""Data sources and sinks: create with a save-time ping, list, read, change, delete, test."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from connections.casing import to_camel_keys
from connections.credentials import (
    Resolved,
    connector_for,
    primary_secret,
    public_secret_fields,
    resolve,
    rest_field,
    secret_values,
    snake_config,
    validate,
)
from connections.db.models import Agent, DataSource, SecretRow, Sync
from connections.deps import (
    ServiceDeps,
    audited,
    delete_audited,
    get_scoped,
    page_query,
    page_rows,
    require_cron,
)
from connections.errors import CheckFailedError, ConflictError, ValidationError
from connections.identity import Identity, Permission
from connections.schemas import (
    DataSourceCreate,
    DataSourceOut,
    DataSourceUpdate,
    Page,
    SyncOut,
)
from connections.service.syncs import sync_out
from connectors.spec import DataFormat, Role
from core.ids import new_id

__all__ = ["SourceService", "source_out"]


def source_out(row: DataSource, secret: SecretRow | None) -> DataSourceOut:
    """The public shape: config in camelCase without ``format``, the secret as ref + mask."""
    config = {k: v for k, v in row.config.items() if k != "format"}
    fmt = row.config.get("format") or row.format
    return DataSourceOut(
        id=row.id,
        agent_id=row.agent_id,
        role=Role(row.role),
        type=row.type,
        name=row.name,
        config=to_camel_keys(config),
        secret_ref=row.secret_id,
        secret_mask=secret.mask if secret else None,
        format=DataFormat(fmt) if fmt else None,
        schedule_cron=row.schedule_cron,
        schedule_timezone=row.schedule_timezone,
        selected_streams=row.selected_streams,
        status="paused" if row.status == "paused" else "active",
        consecutive_failures=row.consecutive_failures,
        last_synced_at=row.last_synced_at,
        auto_push_on_job_complete=row.auto_push_on_job_complete,
        retry_failed_push=row.retry_failed_push,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _require_timezone(name: str | None) -> None:
    if name is None:
        return
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            f"{name!r} is not a known time zone (e.g. 'UTC', 'Europe/Paris').",
            field="scheduleTimezone",
        ) from None


def _sink_only(body: DataSourceCreate | DataSourceUpdate, role: Role) -> None:
    if role is Role.RESULTS_SINK:
        return
    for name in ("auto_push_on_job_complete", "retry_failed_push"):
        if getattr(body, name) is not None:
            raise ValidationError(
                "Only sinks push results.",
                field="autoPushOnJobComplete" if "auto" in name else "retryFailedPush",
            )


class SourceService:
    """Sources and sinks of an agent."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._deps = deps

    # -- create -------------------------------------------------------------------------------

    async def create(self, who: Identity, agent_id: str, body: DataSourceCreate) -> DataSourceOut:
        """Validate, ping the peer (ListBucket / OPTIONS), store the secret, save the source.

        Raises:
            ValidationError: Bad input, naming the field.
            CheckFailedError: The ping failed; carries the classified result.
            ConflictError: The agent already has a source of that name.
        """
        who.require(Permission.CREATE)
        require_cron(body.schedule_cron, "scheduleCron")
        _require_timezone(body.schedule_timezone)
        _sink_only(body, body.role)
        connector = connector_for(self._deps.registry, body.type, self._deps.connector_context)
        if body.role not in connector.spec.roles:
            raise ValidationError(
                f"{connector.spec.label} cannot be a {body.role.value}.", field="role"
            )
        async with self._deps.database() as db:
            await get_scoped(db, Agent, who.tenant_id, agent_id, "agent")
            resolved = await resolve(
                db,
                self._deps.vault,
                who.tenant_id,
                connector,
                config=body.config,
                fmt=body.format,
                secret=body.secret,
                secret_ref=body.secret_ref,
            )
        # The ping talks to the network: no transaction is held open meanwhile.
        result = await connector.check(resolved.config, resolved.secrets, role=body.role)
        if not result.ok:
            raise CheckFailedError(result, field=rest_field(connector, result.field))
        async with self._deps.database() as db:
            secret = await self._keep_secret(db, who, resolved, body.secret, body.secret_ref)
            row = DataSource(
                id=new_id("src"),
                tenant_id=who.tenant_id,
                agent_id=agent_id,
                role=body.role.value,
                type=connector.spec.type,
                name=body.name.strip(),
                config=resolved.config,
                secret_id=secret.id if secret else None,
                format=resolved.config.get("format"),
                schedule_cron=body.schedule_cron,
                schedule_timezone=body.schedule_timezone,
                selected_streams=body.selected_streams,
                auto_push_on_job_complete=body.auto_push_on_job_complete,
                retry_failed_push=body.retry_failed_push,
                created_by=who.user_id,
            )
            db.add(row)
            try:
                await db.flush()
            except IntegrityError:
                raise ConflictError(
                    f"This agent already has a source or sink named {row.name!r}.", field="name"
                ) from None
            await audited(
                db,
                who,
                "data_source.create",
                row.id,
                {
                    "type": row.type,
                    "role": row.role,
                    "name": row.name,
                    "secretRef": row.secret_id,
                },
            )
            await db.commit()
        return source_out(row, secret)

    async def _keep_secret(
        self,
        db: Any,
        who: Identity,
        resolved: Resolved,
        explicit: dict[str, str] | None,
        ref: str | None,
    ) -> SecretRow | None:
        """Attach a staged secret, merge explicit values into it, or store new values."""
        vault = self._deps.vault
        if not resolved.secrets:
            return None
        primary = primary_secret(resolved.connector, resolved.secrets)
        public = public_secret_fields(resolved.connector)
        if ref:
            if not (await vault.get(db, who.tenant_id, ref)).staged:
                # One secret per source: sharing would let one source's change or deletion
                # silently break another.
                raise ValidationError(
                    "That secretRef already belongs to a source or sink; stage a new secret.",
                    field="secretRef",
                )
            if explicit:
                await vault.merge(
                    db, who.tenant_id, ref, resolved.secrets, primary=primary, public=public
                )
            row = await vault.attach(db, who.tenant_id, ref)
        else:
            row = await vault.store(
                db,
                tenant_id=who.tenant_id,
                user_id=who.user_id,
                values=resolved.secrets,
                primary=primary,
                public=public,
            )
        await audited(db, who, "secret.store", row.id, {"fields": sorted(resolved.secrets)})
        return row

    # -- read ---------------------------------------------------------------------------------

    async def page(
        self,
        who: Identity,
        agent_id: str,
        *,
        role: Role | None = None,
        type_: str | None = None,
        status: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page[DataSourceOut]:
        """A page of the agent's sources, filtered by role, type and status."""
        who.require(Permission.READ)
        query = (
            select(DataSource, SecretRow)
            .outerjoin(SecretRow, SecretRow.id == DataSource.secret_id)
            .where(DataSource.tenant_id == who.tenant_id, DataSource.agent_id == agent_id)
        )
        if role is not None:
            query = query.where(DataSource.role == role.value)
        if type_:
            query = query.where(DataSource.type == type_.upper())
        if status:
            query = query.where(DataSource.status == status)
        query = page_query(query, DataSource, limit, cursor)
        async with self._deps.database() as db:
            await get_scoped(db, Agent, who.tenant_id, agent_id, "agent")
            rows, pagination = await page_rows(db, query, limit)
        return Page[DataSourceOut](
            items=[source_out(s, sec) for s, sec in rows], pagination=pagination
        )

    async def get(self, who: Identity, agent_id: str, source_id: str) -> DataSourceOut:
        """One source."""
        who.require(Permission.READ)
        async with self._deps.database() as db:
            row = await get_scoped(
                db, DataSource, who.tenant_id, source_id, "data source", agent_id=agent_id
            )
            secret = await db.get(SecretRow, row.secret_id) if row.secret_id else None
            return source_out(row, secret)

    async def syncs(
        self,
        who: Identity,
        agent_id: str,
        source_id: str,
        *,
        limit: int = 20,
        cursor: str | None = None,
    ) -> Page[SyncOut]:
        """A page of the source's syncs, newest first, with manifests."""
        who.require(Permission.READ)
        query = page_query(
            select(Sync).where(Sync.tenant_id == who.tenant_id, Sync.source_id == source_id),
            Sync,
            limit,
            cursor,
            newest_first=True,
        )
        async with self._deps.database() as db:
            await get_scoped(
                db, DataSource, who.tenant_id, source_id, "data source", agent_id=agent_id
            )
            rows, pagination = await page_rows(db, query, limit)
        return Page[SyncOut](items=[sync_out(r) for (r,) in rows], pagination=pagination)

    # -- change -------------------------------------------------------------------------------

    async def update(
        self, who: Identity, agent_id: str, source_id: str, body: DataSourceUpdate
    ) -> DataSourceOut:
        """Change a source. New config or credentials are pinged before they are saved.

        A secret field sent back as its mask keeps the stored value. ``status`` is never
        changed here: pause and resume are their own calls.
        """
        who.require(Permission.UPDATE)
        require_cron(body.schedule_cron, "scheduleCron")
        _require_timezone(body.schedule_timezone)
        async with self._deps.database() as db:
            row = await get_scoped(
                db, DataSource, who.tenant_id, source_id, "data source", agent_id=agent_id
            )
            role = Role(row.role)
            _sink_only(body, role)
            connector = connector_for(self._deps.registry, row.type, self._deps.connector_context)
            touches_connection = (
                body.config is not None or body.secret or body.secret_ref or body.format is not None
            )
            resolved: Resolved | None = None
            if touches_connection:
                merged_config = {
                    **row.config,
                    **snake_config(connector, body.config or {}, body.format),
                }
                values = await secret_values(
                    db, self._deps.vault, who.tenant_id, None, row.secret_id
                )
                values.update(
                    await secret_values(
                        db, self._deps.vault, who.tenant_id, body.secret, body.secret_ref
                    )
                )
                resolved = validate(connector, merged_config, values)
        if resolved is not None:
            result = await connector.check(resolved.config, resolved.secrets, role=role)
            if not result.ok:
                raise CheckFailedError(result, field=rest_field(connector, result.field))
        async with self._deps.database() as db:
            row = await get_scoped(
                db, DataSource, who.tenant_id, source_id, "data source", agent_id=agent_id
            )
            changed = sorted(body.model_dump(exclude_none=True, by_alias=True))
            if resolved is not None:
                row.config = resolved.config
                row.format = resolved.config.get("format")
                if body.secret or body.secret_ref:
                    row.secret_id = await self._replace_secret(db, who, row, resolved)
            for name in (
                "schedule_cron",
                "schedule_timezone",
                "selected_streams",
                "auto_push_on_job_complete",
                "retry_failed_push",
            ):
                value = getattr(body, name)
                if value is not None:
                    setattr(row, name, value)
            if body.name is not None:
                row.name = body.name.strip()
            try:
                await db.flush()
            except IntegrityError:
                raise ConflictError(
                    f"This agent already has a source or sink named {body.name!r}.", field="name"
                ) from None
            await audited(db, who, "data_source.update", row.id, {"changed": changed})
            await db.commit()
            secret = await db.get(SecretRow, row.secret_id) if row.secret_id else None
            return source_out(row, secret)

    async def _replace_secret(
        self, db: Any, who: Identity, row: DataSource, resolved: Resolved
    ) -> str:
        vault = self._deps.vault
        primary = primary_secret(resolved.connector, resolved.secrets)
        public = public_secret_fields(resolved.connector)
        if row.secret_id:
            secret = await vault.merge(
                db, who.tenant_id, row.secret_id, resolved.secrets, primary=primary, public=public
            )
        else:
            secret = await vault.store(
                db,
                tenant_id=who.tenant_id,
                user_id=who.user_id,
                values=resolved.secrets,
                primary=primary,
                public=public,
            )
        await audited(db, who, "secret.update", secret.id, {"fields": sorted(resolved.secrets)})
        return secret.id

    async def set_status(
        self, who: Identity, agent_id: str, source_id: str, *, paused: bool
    ) -> DataSourceOut:
        """Pause or resume; resuming clears the failure count."""
        who.require(Permission.UPDATE)
        async with self._deps.database() as db:
            row = await get_scoped(
                db, DataSource, who.tenant_id, source_id, "data source", agent_id=agent_id
            )
            row.status = "paused" if paused else "active"
            if not paused:
                row.consecutive_failures = 0
            action = "data_source.pause" if paused else "data_source.resume"
            await audited(db, who, action, row.id)
            await db.commit()
            secret = await db.get(SecretRow, row.secret_id) if row.secret_id else None
            return source_out(row, secret)

    async def delete(self, who: Identity, agent_id: str, source_id: str) -> None:
        """Delete a source and its secret."""
        who.require(Permission.DELETE)
        async with self._deps.database() as db:
            row = await get_scoped(
                db, DataSource, who.tenant_id, source_id, "data source", agent_id=agent_id
            )
            await delete_audited(db, self._deps.vault, who, row, "data_source.delete")
            await db.commit()

    async def load(
        self, who: Identity, agent_id: str, source_id: str
    ) -> tuple[DataSource, Resolved]:
        """A saved source with its decrypted credentials, for tests, discovery and pulls."""
        async with self._deps.database() as db:
            row = await get_scoped(
                db, DataSource, who.tenant_id, source_id, "data source", agent_id=agent_id
            )
            connector = connector_for(self._deps.registry, row.type, self._deps.connector_context)
            values = await secret_values(db, self._deps.vault, who.tenant_id, None, row.secret_id)
        return row, validate(connector, dict(row.config), values)
