"""A session gone from Redis releases the secrets this process registered for its turns."""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis

from core.redaction import register_secret, registry
from sessions import RedisStore
from tests.sessions.conftest import make_session


async def test_redis_expiry_releases_the_secrets_of_the_sessions_this_process_served(
    redis_store: RedisStore, redis_client: aioredis.Redis
) -> None:
    gone, live = make_session(), make_session()
    await redis_store.create(gone)
    await redis_store.create(live)
    register_secret("redis-expired-secret", owner=gone.id)
    register_secret("redis-live-secret", owner=live.id)
    await redis_client.pexpire(redis_store.key(gone.id), 1)
    await asyncio.sleep(0.01)

    await redis_store.evict_expired()

    assert "redis-expired-secret" not in registry
    assert "redis-live-secret" in registry


async def test_a_session_deleted_from_redis_releases_its_secrets(redis_store: RedisStore) -> None:
    session = make_session()
    await redis_store.create(session)
    register_secret("redis-deleted-secret", owner=session.id)

    await redis_store.delete(session.id)

    assert "redis-deleted-secret" not in registry
