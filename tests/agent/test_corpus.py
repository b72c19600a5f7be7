"""Simulated people setting things up in their own words, replayed against real services.

Every row of ``tests/agent/corpus/conversations/*.toml`` is one test (see
:mod:`tests.agent.corpus`). The app and the world (a SeaweedFS bucket, PostgreSQL and
MariaDB databases, an HTTPS server) are made once for the module; every conversation is a
new person in a tenant of its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from api.app import create_app
from api.settings import Settings
from connectors.base import ConnectorContext
from tests.agent.corpus.replay import Conversation, load, replay
from tests.agent.corpus.world import World, open_world
from tests.conftest import LOOPBACK
from tests.support.https import TestTLS
from tests.support.seaweedfs import SeaweedS3

CORPUS = load()


@pytest.fixture(scope="module")
async def world(seaweed: SeaweedS3, tls: TestTLS) -> AsyncIterator[World]:
    async with open_world(seaweed, tls) as opened:
        yield opened


@pytest.fixture(scope="module")
async def corpus_client(
    tmp_path_factory: pytest.TempPathFactory, tls: TestTLS
) -> AsyncIterator[TestClient[Any, Any]]:
    context = ConnectorContext(network=LOOPBACK, ssl_context=tls.client_context, timeout=5.0)
    data_dir: Path = tmp_path_factory.mktemp("corpus")
    app = create_app(Settings(data_dir=data_dir), connector_context=context)
    client: TestClient[Any, Any] = TestClient(TestServer(app))
    await client.start_server()
    yield client
    await client.close()


def test_the_corpus_is_large_enough() -> None:
    assert sum(len(c.turns) for c in CORPUS) >= 500
    assert len({c.id for c in CORPUS}) == len(CORPUS), "conversation names repeat"


@pytest.mark.parametrize("conversation", CORPUS, ids=lambda c: c.id)
async def test_conversation(
    corpus_client: TestClient[Any, Any], world: World, conversation: Conversation
) -> None:
    outcome = await replay(corpus_client, world, conversation)
    assert outcome.completed, outcome.failure
    assert not outcome.echoed
