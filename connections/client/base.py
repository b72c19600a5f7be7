"""The interface the conversation uses to reach the connection service.

Two implementations: :class:`~connections.client.local.InProcessClient` calls the service
in this process; :class:`~connections.client.remote.HttpClient` calls a separate
``ingestion-agent serve`` over REST, forwarding the user's identity. Either way the
service decides permissions with the *user's* roles, never the agent's own.
"""

from __future__ import annotations

from typing import Protocol

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
    PullTrigger,
    StagedSecretOut,
    SyncOut,
)
from core.roles import Role

__all__ = ["ConnectionClient"]


class ConnectionClient(Protocol):
    """What the agent may ask of the connection service, on behalf of one user.

    Errors are the service's (:mod:`connections.errors`), the same from both
    implementations; a connector's failure is a
    :class:`~connections.errors.ConnectorFailedError` carrying its failure class.
    """

    async def connector_types(self) -> list[ConnectorTypeOut]:
        """Every connector type with its fields: the agent's only source of field specs."""
        ...

    async def get_agent(self, agent_id: str) -> AgentOut:
        """One of the tenant's agents; ``NotFoundError`` for another tenant's."""
        ...

    async def default_agent(self) -> AgentOut:
        """The user's tenant's default agent, created on first use."""
        ...

    async def stage_secret(
        self, values: dict[str, str], *, type_: str | None = None, secret_ref: str | None = None
    ) -> StagedSecretOut:
        """Store a secret the moment it is typed; a reference and a mask come back.

        With ``secret_ref`` the values join that staged secret, so one reference carries
        every secret field of a connection.
        """
        ...

    async def touch_secret(self, secret_ref: str) -> StagedSecretOut:
        """Keep a staged secret for one more TTL; ``NotFoundError`` once it has expired."""
        ...

    async def discard_secret(self, secret_ref: str) -> None:
        """Delete a staged secret (the conversation was cancelled or abandoned)."""
        ...

    async def check(self, agent_id: str, request: ConnectionCheckRequest) -> CheckOut:
        """Test an unsaved connection."""
        ...

    async def discover(self, agent_id: str, request: ConnectionCheckRequest) -> CatalogOut:
        """Discover the streams of an unsaved connection."""
        ...

    async def create_source(
        self, agent_id: str, body: DataSourceCreate, *, idempotency_key: str | None = None
    ) -> DataSourceOut:
        """Create a source or sink; with a key, a retry returns the first result."""
        ...

    async def list_sources(self, agent_id: str, *, role: Role | None = None) -> Page[DataSourceOut]:
        """The first page of an agent's sources or sinks."""
        ...

    async def get_source(self, agent_id: str, source_id: str) -> DataSourceOut:
        """One source."""
        ...

    async def test_source(self, agent_id: str, source_id: str) -> CheckOut:
        """Test a saved source."""
        ...

    async def preview(self, agent_id: str, source_id: str, *, limit: int = 20) -> PreviewOut:
        """The first rows of a saved source."""
        ...

    async def pull_source(
        self, agent_id: str, source_id: str, *, trigger: PullTrigger = "manual"
    ) -> SyncOut:
        """Queue a pull of a saved source; the sync comes back ``queued``."""
        ...

    async def get_sync(self, agent_id: str, source_id: str, sync_id: str) -> SyncOut:
        """One sync of a source, with its manifest."""
        ...

    async def resume_source(self, agent_id: str, source_id: str) -> DataSourceOut:
        """Resume a paused source (its failure count is cleared)."""
        ...
