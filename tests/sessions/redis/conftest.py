"""Fixtures for the Redis session tests: the real Redis on 127.0.0.1:6379, keys under a prefix
unique to the test and deleted after it. A missing Redis fails the test; it is not skipped.

Each test starts from an empty script cache, as on a Redis that has just started: what a
test sees must not depend on scripts an earlier test or run left loaded. (``SCRIPT FLUSH``
touches no keys, so tests running meanwhile against the same Redis keep their data; their
scripts are loaded again on next use.)"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from ulid import ULID

from sessions import RedisStore

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def prefix() -> str:
    return f"ia-test:{str(ULID()).lower()}:"


@pytest.fixture
async def redis_client(prefix: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(REDIS_URL)
    await client.ping()  # raises ConnectionError: the test fails when Redis is not running
    await client.script_flush()
    yield client
    keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


@pytest.fixture
def redis_store(redis_client: aioredis.Redis, prefix: str) -> RedisStore:
    return RedisStore(redis_client, prefix=f"{prefix}session:")
