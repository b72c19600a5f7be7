"""Opening the connection service: migrate, connect, load the vault key, wire the kernel.

:func:`open_runtime` is the one place the service's collaborators are built (database,
vault, registry, idempotency store, pull / job / push engines); faces take what they need
from the :class:`Runtime` rather than reaching into the service.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from connections.client import InProcessClient
from connections.db.engine import create_engine, migrate, session_factory
from connections.deps import ServiceDeps
from connections.idempotency import IdempotencyStore
from connections.identity import Identity
from connections.inventory import InventoryStore, LocalInventoryStore
from connections.jobs import JobEngine
from connections.push import PushEngine
from connections.runner import Background, Engines, InProcessRunner
from connections.service import ConnectionService
from connections.sync import PullEngine, PullSettings
from connections.vault import Keyring, Vault
from connectors.base import ConnectorContext
from connectors.registry import ConnectorRegistry, default_registry

__all__ = ["Runtime", "open_runtime"]


@dataclass(frozen=True)
class Runtime:
    """A running connection service and the engine to close when done."""

    service: ConnectionService
    engine: AsyncEngine
    inventory: InventoryStore
    pulls: PullEngine
    background: Background
    jobs: JobEngine
    pushes: PushEngine
    idempotency: IdempotencyStore

    @property
    def database(self) -> async_sessionmaker[AsyncSession]:
        """Opens a database session."""
        return self.service.deps.database

    def client(self, who: Identity) -> InProcessClient:
        """The in-process connection client acting as ``who``, with this idempotency store."""
        return InProcessClient(self.service, who, self.idempotency)

    @property
    def engines(self) -> Engines:
        """The pull, job and push engines, for a runner to drive."""
        return Engines(pulls=self.pulls, jobs=self.jobs, pushes=self.pushes)

    async def close(self) -> None:
        """Stop running pulls, release the inventory store, dispose of the pool."""
        await self.background.aclose()
        await self.inventory.aclose()
        await self.engine.dispose()


async def open_runtime(
    *,
    database_url: str,
    data_dir: Path,
    vault_key: str | None,
    connector_context: ConnectorContext,
    registry: ConnectorRegistry | None = None,
    inventory: InventoryStore | None = None,
    pull_settings: PullSettings | None = None,
) -> Runtime:
    """Migrate the database to the newest schema and build the service.

    The inventory store defaults to ``data_dir/inventory``; pulls requested over REST run
    as background tasks of this process until a runner takes over ``service.syncs.submit``.
    The idempotency store is keyed by the vault key, so request fingerprints (which cover
    secrets) cannot be guessed.
    """
    # Alembic is blocking: run it off the event loop.
    await asyncio.to_thread(migrate, database_url)
    keyring = await asyncio.to_thread(Keyring.load, data_dir=data_dir, env_value=vault_key)
    engine = create_engine(database_url)
    deps = ServiceDeps(
        database=session_factory(engine),
        vault=Vault(keyring),
        registry=registry or default_registry(),
        connector_context=connector_context,
    )
    service = ConnectionService(deps)
    store = inventory or LocalInventoryStore(data_dir / "inventory")
    if pull_settings is None:
        scratch = await asyncio.to_thread((data_dir / "tmp" / "pulls").resolve)
        pull_settings = PullSettings(scratch_dir=scratch)
    pushes = PushEngine(deps, store)
    jobs = JobEngine(deps, store, pushes=pushes, work_dir=pull_settings.scratch_dir)
    # Each new upload may start a job (rule mapping_jobs.trigger_on_new_inventory_upload).
    pulls = PullEngine(deps, store, on_upload=jobs.on_upload, settings=pull_settings)
    # Until ``serve`` starts its own runner: requested pulls run as tasks here, and are
    # cancelled at once on close (the next pull of the source goes on from its checkpoint).
    engines = Engines(pulls=pulls, jobs=jobs, pushes=pushes)
    background = Background(runner=InProcessRunner(engines, grace=0.0))
    service.syncs.submit = background.submit_manual_pull
    seed = hashlib.sha256(b"idempotency:" + keyring.key(keyring.active_id)).digest()
    return Runtime(
        service=service,
        engine=engine,
        inventory=store,
        pulls=pulls,
        background=background,
        jobs=jobs,
        pushes=pushes,
        idempotency=IdempotencyStore(deps.database, seed),
    )
