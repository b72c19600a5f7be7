"""The connection client that calls the service in this process.

A connector's error surfacing from the service is translated here, as the HTTP client
rebuilds it from the error envelope: the caller sees a
:class:`~connections.errors.ConnectorFailedError` either way.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from connections.client.base import ConnectionClient
from connections.errors import connector_failed
from connections.idempotency import IdempotencyStore, StoredResponse
from connections.identity import Identity
from connections.schemas import (
    AgentOut,
    CatalogOut,
    CheckOut,
    ConnectionCheckRequest,
    ConnectorTypeOut,
    DataSourceCreate,
    DataSourceOut,
    Page,
    PreviewOut,
    PreviewRequest,
    PullTrigger,
    SecretStageRequest,
    StagedSecretOut,
    SyncOut,
    spec_out,
)
from connections.service import ConnectionService
from connectors.errors import ConnectorError
from core.roles import Role

__all__ = ["InProcessClient"]

T = TypeVar("T")


async def _translated(work: Awaitable[T]) -> T:
    """Await ``work``, raising a connector's error as the connection service's."""
    try:
        return await work
    except ConnectorError as exc:
        raise connector_failed(exc) from exc


class InProcessClient(ConnectionClient):
    """Calls :class:`ConnectionService` directly, as ``identity``."""

    def __init__(
        self,
        service: ConnectionService,
        identity: Identity,
        idempotency: IdempotencyStore | None = None,
    ) -> None:
        self._service = service
        self._who = identity
        self._idempotency = idempotency

    async def connector_types(self) -> list[ConnectorTypeOut]:
        """Every connector type."""
        return [spec_out(s) for s in self._service.deps.registry.specs()]

    async def get_agent(self, agent_id: str) -> AgentOut:
        """One agent."""
        return await _translated(self._service.agents.get(self._who, agent_id))

    async def default_agent(self) -> AgentOut:
        """The tenant's default agent."""
        return await _translated(self._service.agents.default(self._who))

    async def stage_secret(
        self, values: dict[str, str], *, type_: str | None = None, secret_ref: str | None = None
    ) -> StagedSecretOut:
        """Stage a secret."""
        return await _translated(
            self._service.secrets.stage(
                self._who, SecretStageRequest(values=values, type=type_, secret_ref=secret_ref)
            )
        )

    async def touch_secret(self, secret_ref: str) -> StagedSecretOut:
        """Keep a staged secret alive."""
        return await _translated(self._service.secrets.touch(self._who, secret_ref))

    async def discard_secret(self, secret_ref: str) -> None:
        """Delete a staged secret."""
        await _translated(self._service.secrets.discard(self._who, secret_ref))

    async def check(self, agent_id: str, request: ConnectionCheckRequest) -> CheckOut:
        """Test an unsaved connection."""
        return await _translated(self._service.probes.check_unsaved(self._who, agent_id, request))

    async def discover(self, agent_id: str, request: ConnectionCheckRequest) -> CatalogOut:
        """Discover an unsaved connection."""
        return await _translated(
            self._service.probes.discover_unsaved(self._who, agent_id, request)
        )

    async def create_source(
        self, agent_id: str, body: DataSourceCreate, *, idempotency_key: str | None = None
    ) -> DataSourceOut:
        """Create a source; the same idempotency store as the REST API guards retries."""
        store = self._idempotency
        if idempotency_key is None or store is None:
            return await _translated(self._service.sources.create(self._who, agent_id, body))
        path = f"/api/v1/agents/{agent_id}/data-sources"
        created: DataSourceOut | None = None

        async def work() -> StoredResponse:
            nonlocal created
            created = await _translated(self._service.sources.create(self._who, agent_id, body))
            body_out = created.model_dump(mode="json", by_alias=True)
            return StoredResponse(201, body_out, f"{path}/{created.id}")

        stored = await store.run(
            self._who.tenant_id,
            idempotency_key,
            method="POST",
            path=path,
            body=body.model_dump(mode="json"),
            work=work,
        )
        return created or DataSourceOut.model_validate(stored.body)

    async def list_sources(self, agent_id: str, *, role: Role | None = None) -> Page[DataSourceOut]:
        """The first page of sources."""
        return await _translated(self._service.sources.page(self._who, agent_id, role=role))

    async def get_source(self, agent_id: str, source_id: str) -> DataSourceOut:
        """One source."""
        return await _translated(self._service.sources.get(self._who, agent_id, source_id))

    async def test_source(self, agent_id: str, source_id: str) -> CheckOut:
        """Test a saved source."""
        return await _translated(self._service.probes.test(self._who, agent_id, source_id))

    async def preview(self, agent_id: str, source_id: str, *, limit: int = 20) -> PreviewOut:
        """Preview a saved source."""
        return await _translated(
            self._service.probes.preview(
                self._who, agent_id, source_id, PreviewRequest(limit=limit)
            )
        )

    async def pull_source(
        self, agent_id: str, source_id: str, *, trigger: PullTrigger = "manual"
    ) -> SyncOut:
        """Queue a pull."""
        return await _translated(
            self._service.syncs.request_pull(self._who, agent_id, source_id, trigger=trigger)
        )

    async def get_sync(self, agent_id: str, source_id: str, sync_id: str) -> SyncOut:
        """One sync."""
        return await _translated(
            self._service.syncs.get_sync(self._who, agent_id, source_id, sync_id)
        )

    async def resume_source(self, agent_id: str, source_id: str) -> DataSourceOut:
        """Resume a paused source."""
        return await _translated(
            self._service.sources.set_status(self._who, agent_id, source_id, paused=False)
        )
