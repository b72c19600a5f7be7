"""With INGESTION_AGENT_CONNECTION_URL the chat runs against a second, live service process.

The chat's process keeps sessions and talks; the other ``ingestion-agent serve`` tests the
database, discovers it and stores the source, acting as the person (their gateway headers).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp.test_utils import TestClient, TestServer

from api.app import create_app
from api.settings import Settings
from tests.agent.conftest import Chat, person
from tests.connectors.sql.databases import temporary_pg_database
from tests.support.ports import free_port

PASSWORD = "Pg-remote-" + uuid.uuid4().hex


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    table = "CREATE TABLE public.orders (id bigint PRIMARY KEY, updated_at timestamptz)"
    with temporary_pg_database(table) as name:
        yield name


@pytest.fixture
def connection_service(tmp_path: Path) -> Iterator[str]:
    """A separate ``ingestion-agent serve`` process; its base URL."""
    port = free_port()
    env = {
        **os.environ,
        "INGESTION_AGENT_DATA_DIR": str(tmp_path / "connection-service"),
        "INGESTION_AGENT_ALLOWED_NETWORKS": "127.0.0.0/8",
    }
    env.pop("INGESTION_AGENT_CONNECTION_URL", None)
    cli = str(Path(sys.executable).with_name("ingestion-agent"))
    process = subprocess.Popen(
        [cli, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90  # start-up on a loaded machine
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, "the connection service did not start"
            assert time.monotonic() < deadline, "the connection service did not answer"
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture
async def chat_client(
    tmp_path: Path, connection_service: str
) -> AsyncIterator[TestClient[Any, Any]]:
    settings = Settings(data_dir=tmp_path / "chat", connection_url=connection_service)
    client: TestClient[Any, Any] = TestClient(TestServer(create_app(settings)))
    await client.start_server()
    yield client
    await client.close()


def _sources(base: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    with httpx.Client(base_url=base, headers=headers, timeout=10) as http:
        agent = http.get("/api/v1/agents/default").json()
        items: list[dict[str, Any]] = http.get(f"/api/v1/agents/{agent['id']}/data-sources").json()[
            "items"
        ]
        return items


async def test_a_conversation_runs_through_the_remote_connection_service(
    chat_client: TestClient[Any, Any], connection_service: str, database: str
) -> None:
    chat = Chat(chat_client, person())
    await chat.start()

    reply = await chat.say(f"postgresql://postgres:{PASSWORD}@127.0.0.1:5432/{database}")
    if reply["data"].get("task"):
        reply = await chat.settled()
    assert reply["state"] == "select_streams", reply["message"]
    assert await chat.say("all")
    review = await chat.say("daily at 2am UTC")
    assert review["state"] == "review", review["message"]
    done = await chat.say("yes")
    assert done["state"] == "done", done["message"]

    (source,) = _sources(connection_service, chat.headers)
    assert (source["type"], source["selectedStreams"]) == ("POSTGRES", ["public.orders"])
    # The chat's own process stored nothing: its sources live in the other service.
    local = await chat_client.get("/api/v1/agents/default", headers=chat.headers)
    agent = await local.json()
    listing = await chat_client.get(
        f"/api/v1/agents/{agent['id']}/data-sources", headers=chat.headers
    )
    assert (await listing.json())["items"] == []
