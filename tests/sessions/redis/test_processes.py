"""Real ``ingestion-agent serve`` processes sharing one Redis: a conversation moves between them,
survives a restart, and concurrent messages through both are applied once each, in turn."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from ulid import ULID

from tests.sessions.redis.conftest import REDIS_URL
from tests.support.ports import free_port

BASE = "/api/v1/agents/ingestion/sessions"
LOCK_TIMEOUT = 2.0


class Server:
    """One ``ingestion-agent serve`` process on a free loopback port."""

    def __init__(self, data_dir: Path, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "INGESTION_AGENT_DATA_DIR": str(data_dir),
            "INGESTION_AGENT_REDIS_URL": REDIS_URL,
            "INGESTION_AGENT_SESSION_LOCK_TIMEOUT": str(LOCK_TIMEOUT),
            "INGESTION_AGENT_LOG_FORMAT": "json",
        }
        self._log = log.open("ab")
        self.process = subprocess.Popen(
            [_cli(), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self) -> Server:
        deadline = time.monotonic() + 90  # start-up on a loaded machine
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "serve exited at start"
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.05)
        raise AssertionError("serve did not answer /healthz within 20 s")

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def _cli() -> str:
    return str(Path(sys.executable).with_name("ingestion-agent"))


class Servers:
    """Starts servers one at a time (the first one creates the database and vault key)."""

    def __init__(self, tmp: Path) -> None:
        self.data_dir = tmp / "data"
        self.log = tmp / "serve.log"
        self.running: list[Server] = []

    def start(self) -> Server:
        server = Server(self.data_dir, self.log)
        self.running.append(server)
        return server.wait_ready()

    def stop_all(self) -> None:
        for server in self.running:
            server.stop()


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[Servers]:
    pool = Servers(tmp_path)
    try:
        yield pool
    finally:
        pool.stop_all()


@pytest.fixture
async def redis_client() -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(REDIS_URL)
    await client.ping()  # a missing Redis fails the test
    yield client
    await client.aclose()


@pytest.fixture
def headers() -> dict[str, str]:
    return {
        "X-Tenant-Id": f"ten-{str(ULID()).lower()}",
        "X-User-ID": "alice",
        "X-User-Roles": "ROLE_DATA_ENGINEER",
    }


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as client:
        yield client


class Conversation:
    """One session driven over HTTP, each message sent to the server given."""

    def __init__(self, http: httpx.AsyncClient, headers: dict[str, str]) -> None:
        self.http = http
        self.headers = headers
        self.session_id = ""

    async def start(self, server: Server) -> dict[str, Any]:
        response = await self.http.post(f"{server.url}{BASE}", json={}, headers=self.headers)
        assert response.status_code == 201, response.text
        reply: dict[str, Any] = response.json()
        self.session_id = reply["session_id"]
        return reply

    async def say(self, server: Server, message: str) -> dict[str, Any]:
        response = await self.http.post(
            f"{server.url}{BASE}/{self.session_id}/chat",
            json={"message": message},
            headers=self.headers,
        )
        assert response.status_code == 200, response.text
        reply: dict[str, Any] = response.json()
        return reply

    async def view(self, server: Server) -> dict[str, Any]:
        response = await self.http.get(
            f"{server.url}{BASE}/{self.session_id}", headers=self.headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture
async def conversation(
    http: httpx.AsyncClient, headers: dict[str, str], redis_client: aioredis.Redis
) -> AsyncIterator[Conversation]:
    chat = Conversation(http, headers)
    yield chat
    if chat.session_id:
        await redis_client.delete(f"ia:session:{chat.session_id}", f"ia:lock:{chat.session_id}")


async def _stored_version(client: aioredis.Redis, session_id: str) -> int:
    raw = await client.get(f"ia:session:{session_id}")
    assert raw is not None
    return int(json.loads(raw)["version"])


def _user_texts(view: dict[str, Any]) -> list[str]:
    return [t["text"] for t in view["transcript"] if t["role"] == "user"]


async def test_a_conversation_alternating_between_two_processes_is_continuous(
    servers: Servers, conversation: Conversation, redis_client: aioredis.Redis
) -> None:
    a, b = servers.start(), servers.start()

    welcome = await conversation.start(a)
    chosen = await conversation.say(b, "amazon s3")
    answered = await conversation.say(a, "bucket acme-data, region eu-west-1")
    status = await conversation.say(b, "status")

    assert welcome["state"] == "select_source_type"
    assert chosen["state"] == answered["state"] == status["state"] == "gather_credentials"
    assert "acme-data" in status["message"]
    view_a, view_b = await conversation.view(a), await conversation.view(b)
    assert view_a == view_b
    assert _user_texts(view_a) == [
        "amazon s3",
        "bucket acme-data, region eu-west-1",
        "status",
    ]
    assert [t["role"] for t in view_a["transcript"]] == ["agent"] + ["user", "agent"] * 3
    assert await _stored_version(redis_client, conversation.session_id) == 3


async def test_a_restarted_process_continues_the_session(
    servers: Servers, conversation: Conversation
) -> None:
    a = servers.start()
    await conversation.start(a)
    await conversation.say(a, "amazon s3")
    a.stop(signal.SIGTERM)

    restarted = servers.start()
    reply = await conversation.say(restarted, "bucket acme-data, region eu-west-1")
    view = await conversation.view(restarted)

    assert reply["state"] == "gather_credentials"
    assert _user_texts(view) == ["amazon s3", "bucket acme-data, region eu-west-1"]


async def test_concurrent_messages_through_two_processes_are_each_applied_once(
    servers: Servers, conversation: Conversation, redis_client: aioredis.Redis
) -> None:
    a, b = servers.start(), servers.start()
    await conversation.start(a)

    replies = await asyncio.gather(*(conversation.say((a, b)[i % 2], "help") for i in range(20)))

    view = await conversation.view(b)
    roles = [t["role"] for t in view["transcript"]]
    assert len(replies) == 20
    assert _user_texts(view) == ["help"] * 20
    assert roles == ["agent"] + ["user", "agent"] * 20  # no two turns interleaved
    assert await _stored_version(redis_client, conversation.session_id) == 20


# Holds a session's lock the way ``serve`` does (the store is its lock provider), mid-turn.
_HOLDER = """
import asyncio, sys
from sessions import RedisStore

async def main() -> None:
    store = RedisStore.from_url(sys.argv[1], lock_timeout=float(sys.argv[3]))
    async with store.hold(sys.argv[2]):
        assert await store.get(sys.argv[2]) is not None
        print("held", flush=True)
        await asyncio.sleep(3600)

asyncio.run(main())
"""


async def test_a_process_killed_holding_the_lock_blocks_the_session_only_until_the_timeout(
    servers: Servers, conversation: Conversation, redis_client: aioredis.Redis
) -> None:
    a = servers.start()
    await conversation.start(a)
    holder = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _HOLDER,
        REDIS_URL,
        conversation.session_id,
        str(LOCK_TIMEOUT),
        stdout=asyncio.subprocess.PIPE,
    )
    assert holder.stdout is not None
    assert (await asyncio.wait_for(holder.stdout.readline(), timeout=20)).strip() == b"held"
    held_at = time.monotonic()
    assert await redis_client.exists(f"ia:lock:{conversation.session_id}") == 1

    holder.send_signal(signal.SIGKILL)
    await holder.wait()
    reply = await conversation.say(a, "amazon s3")
    waited = time.monotonic() - held_at

    assert reply["state"] == "gather_credentials"
    assert LOCK_TIMEOUT / 2 < waited < LOCK_TIMEOUT + 5
