"""Pull fixtures: the service's collaborators on SQLite and on PostgreSQL, a real local store.

``deps`` runs every test once per database (the ``engine`` fixture of ``tests/connections``,
ids ``sqlite`` and ``postgres``); its connector context reaches loopback and trusts the test
certificate authority, so pulls talk to the real SeaweedFS server and real HTTPS servers.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connections.deps import ServiceDeps
from connections.inventory import LocalInventoryStore
from connections.sync import PullEngine, PullSettings
from tests.connections.engine_support import service_deps, store, tls
from tests.connections.sync.support import Tenant
from tests.support.https import TestTLS

__all__ = ["store", "tls"]


@pytest.fixture
def deps(sessions: async_sessionmaker[AsyncSession], tls: TestTLS, db: AsyncSession) -> ServiceDeps:
    """Database, vault and connectors as the service builds them (tables emptied after)."""
    del db  # taken for its clean-up of every table after the test
    return service_deps(sessions, tls)


@pytest.fixture
def settings(tmp_path: Path) -> PullSettings:
    """Pull settings with scratch space beside the store."""
    return PullSettings(scratch_dir=tmp_path / "scratch", concurrency=8)


@pytest.fixture
def announced() -> list[str]:
    """Upload ids the engine announced, in order."""
    return []


@pytest.fixture
def puller(
    deps: ServiceDeps, store: LocalInventoryStore, settings: PullSettings, announced: list[str]
) -> PullEngine:
    """The pull engine, recording what it announces."""

    async def on_upload(upload_id: str) -> None:
        announced.append(upload_id)

    return PullEngine(deps, store, on_upload, settings=settings)


@pytest.fixture
async def tenant(deps: ServiceDeps) -> Tenant:
    """A fresh tenant with one agent of default rules."""
    tenant = Tenant(deps)
    await tenant.add_agent()
    return tenant
