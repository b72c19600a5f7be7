"""Opening the connection service: migrate, connect, load the vault key."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from connections.db.engine import create_engine, migrate, session_factory
from connections.service import ConnectionService, ServiceDeps
from connections.vault import Keyring, Vault
from connectors.base import ConnectorContext
from connectors.registry import ConnectorRegistry, default_registry

__all__ = ["Runtime", "open_runtime"]


@dataclass(frozen=True)
class Runtime:
    """A running connection service and the engine to close when done."""

    service: ConnectionService
    engine: AsyncEngine

    async def close(self) -> None:
        """Dispose of the connection pool."""
        await self.engine.dispose()


async def open_runtime(
    *,
    database_url: str,
    data_dir: Path,
    vault_key: str | None,
    connector_context: ConnectorContext,
    registry: ConnectorRegistry | None = None,
) -> Runtime:
    """Migrate the database to the newest schema and build the service."""
    # Alembic is blocking: run it off the event loop.
    await asyncio.to_thread(migrate, database_url)
    keyring = await asyncio.to_thread(Keyring.load, data_dir=data_dir, env_value=vault_key)
    engine = create_engine(database_url)
    deps = ServiceDeps(
        sessions=session_factory(engine),
        vault=Vault(keyring),
        registry=registry or default_registry(),
        connector_context=connector_context,
    )
    return Runtime(service=ConnectionService(deps), engine=engine)
