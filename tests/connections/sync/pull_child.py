"""A pull in a process of its own, for the test that kills it (``test_interrupt.py``).

Usage: ``python -m tests.connections.sync.pull_child DATABASE_URL INVENTORY SCRATCH SOURCE``
with ``INGESTION_AGENT_VAULT_KEY`` set. Prints ``READY`` just before the pull starts and
``UPLOADED <id>`` for every upload it announces, one line each, flushed at once; logs go
to stderr.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import structlog

from connections.db.engine import create_engine, session_factory
from connections.deps import ServiceDeps
from connections.inventory import LocalInventoryStore
from connections.sync import PullEngine, PullSettings
from connections.vault import Keyring, Vault
from connectors.base import ConnectorContext
from connectors.registry import default_registry
from tests.conftest import LOOPBACK


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def main(database_url: str, inventory: str, scratch: str, source_id: str) -> None:
    """Run one pull of ``source_id``."""
    engine = create_engine(database_url)
    keyring = Keyring.load(
        data_dir=Path(scratch), env_value=os.environ["INGESTION_AGENT_VAULT_KEY"]
    )
    deps = ServiceDeps(
        database=session_factory(engine),
        vault=Vault(keyring),
        registry=default_registry(),
        connector_context=ConnectorContext(network=LOOPBACK, timeout=5.0),
    )

    async def announce(upload_id: str) -> None:
        _say(f"UPLOADED {upload_id}")

    settings = PullSettings(scratch_dir=Path(scratch), concurrency=2, max_batch=3)
    puller = PullEngine(deps, LocalInventoryStore(Path(inventory)), announce, settings=settings)
    _say("READY")
    sync_id = await puller.pull(source_id)
    _say(f"DONE {sync_id}")
    await engine.dispose()


if __name__ == "__main__":
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(sys.stderr))
    asyncio.run(main(*sys.argv[1:5]))
