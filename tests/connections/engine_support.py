"""What the engine tests share: the service's collaborators, a real local store, an agent.

Used by the pull tests (``tests/connections/sync``) and the job, push and runner tests
(``tests/connections/jobs`` and the folders that import its fixtures). The connector
context reaches loopback and trusts the test certificate authority, so the engines talk to
the real SeaweedFS server and real HTTPS servers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from ulid import ULID

from connections.db.models import Agent
from connections.deps import ServiceDeps
from connections.inventory import LocalInventoryStore
from connections.rules import RuleSet
from connections.vault import Keyring, Vault, generate_key
from connectors.base import ConnectorContext
from connectors.registry import default_registry
from core.ids import new_id
from tests.conftest import LOOPBACK
from tests.support.https import TestTLS, make_tls

__all__ = ["add_agent", "service_deps", "store", "tls"]


@pytest.fixture(scope="session")
def tls() -> TestTLS:
    """A throw-away CA and a localhost certificate."""
    return make_tls()


@pytest.fixture
def store(tmp_path: Path) -> LocalInventoryStore:
    """The real local inventory store in a temporary folder."""
    return LocalInventoryStore(tmp_path / "inventory")


def service_deps(sessions: async_sessionmaker[AsyncSession], tls: TestTLS) -> ServiceDeps:
    """Database, vault and connectors as the service builds them."""
    return ServiceDeps(
        database=sessions,
        vault=Vault(Keyring([generate_key()])),
        registry=default_registry(),
        connector_context=ConnectorContext(
            network=LOOPBACK, ssl_context=tls.client_context, timeout=5.0
        ),
    )


async def add_agent(deps: ServiceDeps, tenant_id: str, **rules: Any) -> str:
    """An agent of the tenant: default rules, sections updated by ``rules``.

    ``rules`` are sections, e.g. ``data_sources={"pause_source_after_failures": 1}``.
    """
    data = RuleSet().model_dump(mode="json")
    for section, values in rules.items():
        data[section].update(values)
    agent = Agent(
        id=new_id("agt"),
        tenant_id=tenant_id,
        name=f"agent-{ULID()}",
        rules=RuleSet.model_validate(data).model_dump(mode="json"),
        created_by="test",
    )
    async with deps.database() as db:
        db.add(agent)
        await db.commit()
    return agent.id
