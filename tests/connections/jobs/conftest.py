"""Job and push fixtures: the service's collaborators on each database, a real local store.

The push tests (``tests/connections/push``) import these fixtures by name.

``deps`` runs every test on SQLite and on PostgreSQL (the ``engine`` fixture of
``tests/connections``); its connector context reaches loopback and trusts the test CA,
so pushes reach the real SeaweedFS server and real HTTPS receivers.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connections.deps import ServiceDeps
from connections.inventory import LocalInventoryStore
from connections.jobs import JobEngine
from connections.push import PushEngine
from tests.connections.engine_support import service_deps, store, tls
from tests.connections.jobs.support import World
from tests.support.https import TestTLS

__all__ = ["store", "tls"]


@pytest.fixture
def deps(sessions: async_sessionmaker[AsyncSession], tls: TestTLS) -> ServiceDeps:
    """Database, vault and connectors as the service builds them."""
    return service_deps(sessions, tls)


@pytest.fixture
def pushes(deps: ServiceDeps, store: LocalInventoryStore) -> PushEngine:
    """Pushes inline, with retries a few milliseconds apart."""
    return PushEngine(deps, store, backoff=0.01)


@pytest.fixture
def jobs(deps: ServiceDeps, store: LocalInventoryStore, pushes: PushEngine) -> JobEngine:
    """Jobs inline (no runner bound), handing completed jobs to ``pushes``."""
    return JobEngine(deps, store, pushes=pushes)


@pytest.fixture
async def world(deps: ServiceDeps, store: LocalInventoryStore, tmp_path: Path) -> World:
    """A fresh tenant with one agent of default rules."""
    files = tmp_path / "files"
    files.mkdir()
    return await World.create(deps, store, files)
