"""Talking to the peer without saving anything: tests, discovery, previews.

Classified connector errors (``ConnectorError``) propagate unchanged; ``api/errors.py``
maps them to statuses.
"""

from __future__ import annotations

from connections.credentials import Resolved, connector_for, resolve, rest_field
from connections.db.models import Agent
from connections.deps import ServiceDeps, audited, get_scoped
from connections.errors import ValidationError
from connections.identity import Identity, Permission
from connections.schemas import (
    CatalogOut,
    CheckOut,
    ConnectionCheckRequest,
    PreviewOut,
    PreviewRequest,
)
from connections.service.sources import SourceService
from connectors.results import Catalog
from connectors.spec import Role

__all__ = ["ProbeService", "catalog_out"]


def catalog_out(catalog: Catalog) -> CatalogOut:
    """The public shape of a catalog (camelCase keys)."""
    return CatalogOut(
        streams=[
            {
                "name": s.name,
                # Built by hand: model_dump per column dominated a 10,000-table catalog.
                "columns": [
                    {"name": c.name, "type": c.type, "nullable": c.nullable} for c in s.columns
                ],
                "primaryKey": list(s.primary_key),
                "cursorCandidates": list(s.cursor_candidates),
                "sizeBytes": s.size_bytes,
                "recordEstimate": s.record_estimate,
                "fileCount": s.file_count,
                "description": s.description,
            }
            for s in catalog.streams
        ]
    )


class ProbeService:
    """Read-only conversations with a peer; no data is moved and nothing is saved."""

    def __init__(self, deps: ServiceDeps, sources: SourceService) -> None:
        self._deps = deps
        self._sources = sources

    async def _unsaved(
        self, who: Identity, agent_id: str, body: ConnectionCheckRequest
    ) -> Resolved:
        connector = connector_for(self._deps.registry, body.type, self._deps.connector_context)
        async with self._deps.database() as db:
            await get_scoped(db, Agent, who.tenant_id, agent_id, "agent")
            return await resolve(
                db,
                self._deps.vault,
                who.tenant_id,
                connector,
                config=body.config,
                fmt=body.format,
                secret=body.secret,
                secret_ref=body.secret_ref,
            )

    async def check_unsaved(
        self, who: Identity, agent_id: str, body: ConnectionCheckRequest
    ) -> CheckOut:
        """Test a connection that is being set up (the chat's TEST_CONNECTION)."""
        who.require(Permission.CREATE)
        resolved = await self._unsaved(who, agent_id, body)
        result = await resolved.connector.check(resolved.config, resolved.secrets, role=body.role)
        return CheckOut.of(result, field=rest_field(resolved.connector, result.field))

    async def discover_unsaved(
        self, who: Identity, agent_id: str, body: ConnectionCheckRequest
    ) -> CatalogOut:
        """Discover streams of a connection that is being set up."""
        who.require(Permission.CREATE)
        if body.role is not Role.INVENTORY_SOURCE:
            raise ValidationError("Only sources have streams to discover.", field="role")
        resolved = await self._unsaved(who, agent_id, body)
        return catalog_out(await resolved.connector.discover(resolved.config, resolved.secrets))

    async def test(self, who: Identity, agent_id: str, source_id: str) -> CheckOut:
        """Read-only smoke check of a saved source; no data moved, no sync record."""
        who.require(Permission.READ)
        row, resolved = await self._sources.load(who, agent_id, source_id)
        result = await resolved.connector.check(
            resolved.config, resolved.secrets, role=Role(row.role)
        )
        async with self._deps.database() as db:
            await audited(
                db, who, "data_source.test", row.id, {"ok": result.ok, "failure": result.failure}
            )
            await db.commit()
        return CheckOut.of(result, field=rest_field(resolved.connector, result.field))

    async def discover(self, who: Identity, agent_id: str, source_id: str) -> CatalogOut:
        """Discover the streams of a saved source."""
        who.require(Permission.READ)
        row, resolved = await self._sources.load(who, agent_id, source_id)
        if row.role != Role.INVENTORY_SOURCE.value:
            raise ValidationError("Only sources have streams to discover.", field="role")
        return catalog_out(await resolved.connector.discover(resolved.config, resolved.secrets))

    async def preview(
        self, who: Identity, agent_id: str, source_id: str, body: PreviewRequest
    ) -> PreviewOut:
        """The first rows the source would yield, from a fresh read (state is not touched)."""
        who.require(Permission.QUERY)
        row, resolved = await self._sources.load(who, agent_id, source_id)
        if row.role != Role.INVENTORY_SOURCE.value:
            raise ValidationError("Only sources can be previewed.", field="role")
        catalog = await resolved.connector.discover(resolved.config, resolved.secrets)
        wanted = body.stream or next(iter(row.selected_streams or []), None)
        names = [s.name for s in catalog.streams]
        name = wanted or (names[0] if names else None)
        if name is None or name not in names:
            raise ValidationError(
                f"No stream {name!r} to preview." if name else "The source has no streams yet.",
                field="stream",
            )
        rows = await resolved.connector.preview(resolved.config, resolved.secrets, name, body.limit)
        columns = [c.model_dump(mode="json") for c in catalog.stream(name).columns]
        return PreviewOut(stream=name, columns=columns, rows=rows)
