"""One prefix for every Redis key, so that two deployments can share a Redis.

Real Redis on 127.0.0.1:6379; each test's prefix is its own, and the keys under it are
removed afterwards (never a flush: other test runs share this Redis).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from ulid import ULID

from api.app import create_app
from api.redis_names import RedisNames
from api.settings import Settings
from connections.runner import ArqRunner, open_queue

REDIS_URL = "redis://127.0.0.1:6379/0"
HEADERS = {"X-Tenant-Id": "tnt-prefix", "X-User-ID": "alice", "X-User-Roles": "ROLE_ADMIN"}


@pytest.fixture
async def redis_client() -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(REDIS_URL)
    await client.ping()  # no Redis: the test fails, it is not skipped
    yield client
    await client.aclose()


@pytest.fixture
async def prefixes(redis_client: aioredis.Redis) -> AsyncIterator[tuple[str, str]]:
    """Two deployments' prefixes; every key naming one is removed afterwards."""
    run = str(ULID()).lower()
    made = (f"ia-test-{run}-a:", f"ia-test-{run}-b:")
    yield made
    doomed = [key async for key in redis_client.scan_iter(match=f"*ia-test-{run}-*")]
    if doomed:
        await redis_client.delete(*doomed)


def _settings(data_dir: Path, prefix: str) -> Settings:
    return Settings(
        data_dir=data_dir,
        redis_url=SecretStr(REDIS_URL),
        redis_prefix=prefix,
        workers="external",
    )


async def test_sessions_and_their_locks_live_under_the_prefix(
    tmp_path: Path, prefixes: tuple[str, str], redis_client: aioredis.Redis
) -> None:
    prefix = prefixes[0]
    client: TestClient[Any, Any] = TestClient(TestServer(create_app(_settings(tmp_path, prefix))))
    await client.start_server()
    try:
        reply = await client.post("/api/v1/agents/ingestion/sessions", headers=HEADERS, json={})
        assert reply.status == 201, await reply.text()
        session_id = (await reply.json())["session_id"]
        chat = await client.post(
            f"/api/v1/agents/ingestion/sessions/{session_id}/chat",
            headers=HEADERS,
            json={"message": "hi"},
        )
        assert chat.status == 200
    finally:
        await client.close()

    assert await redis_client.exists(f"{prefix}session:{session_id}") == 1
    assert await redis_client.exists(f"ia:session:{session_id}") == 0


async def test_two_deployments_enqueue_the_same_tick_each_on_its_own_keys(
    tmp_path: Path, prefixes: tuple[str, str], redis_client: aioredis.Redis
) -> None:
    key = f"pull:src_{ULID()}:2026-01-10T06:00:00Z"
    accepted = []
    for prefix in prefixes:
        options = _settings(tmp_path, prefix).runner_options
        pool = await open_queue(REDIS_URL, options.queue_name)
        try:
            runner = ArqRunner(pool, options.queue_name, job_id_prefix=options.job_id_prefix)
            accepted.append(await runner.submit_pull("src_x", trigger="schedule", key=key))
        finally:
            await pool.aclose()

    assert accepted == [True, True]  # before: the second deployment's tick was dropped
    for prefix in prefixes:
        assert await redis_client.zcard(f"{prefix}queue") == 1
        assert await redis_client.exists(f"arq:job:{prefix}{key}") == 1


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (
            RedisNames(),
            ("ia:session:", "ia:lock:", "ia:slack:", "ingestion-agent:queue", ""),
        ),
        (
            RedisNames("acme:"),
            ("acme:session:", "acme:lock:", "acme:slack:", "acme:queue", "acme:"),
        ),
        (
            RedisNames("acme:", slack_override="old:slack:", queue_override="old-queue"),
            ("acme:session:", "acme:lock:", "old:slack:", "old-queue", "acme:"),
        ),
    ],
    ids=["default keeps today's names", "a prefix names everything", "old settings still win"],
)
def test_names_derive_from_the_prefix(names: RedisNames, expected: tuple[str, ...]) -> None:
    assert (names.sessions, names.locks, names.slack, names.queue, names.job_ids) == expected


def test_a_prefix_with_glob_characters_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="redis_prefix"):
        Settings(data_dir=tmp_path, redis_prefix="ia*")
