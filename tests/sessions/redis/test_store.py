"""The Redis store keeps the ``SessionStore`` contract, with JSON values and key expiry."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
import redis.asyncio as aioredis

from sessions import (
    RedisStore,
    Session,
    SessionConflictError,
    SessionLimitError,
    SessionNotFoundError,
    SessionStore,
)
from tests.sessions.conftest import make_session
from tests.sessions.redis.conftest import REDIS_URL


def test_the_redis_store_satisfies_the_store_contract(redis_store: RedisStore) -> None:
    store: SessionStore = redis_store
    assert isinstance(store, RedisStore)


async def test_a_session_round_trips_as_json_with_its_version_inside(
    redis_store: RedisStore, redis_client: aioredis.Redis
) -> None:
    session = make_session(answers={"bucket": "acme-data"})
    session.append("user", "amazon s3")
    await redis_store.create(session)

    raw = await redis_client.get(redis_store.key(session.id))
    loaded = await redis_store.get(session.id)

    assert json.loads(raw)["version"] == 0
    assert Session.from_json(raw) == session
    assert loaded == session


async def test_the_key_expires_after_the_inactivity_ttl(
    redis_client: aioredis.Redis, prefix: str
) -> None:
    store = RedisStore(redis_client, prefix=prefix, ttl=timedelta(hours=24))
    session = make_session()
    await store.create(session)

    ttl = await redis_client.ttl(store.key(session.id))

    assert 24 * 3600 - 5 <= ttl <= 24 * 3600


async def test_a_save_renews_the_ttl(redis_store: RedisStore, redis_client: aioredis.Redis) -> None:
    session = make_session()
    await redis_store.create(session)
    await redis_client.expire(redis_store.key(session.id), 10)

    await redis_store.save(session)

    assert await redis_client.ttl(redis_store.key(session.id)) > 24 * 3600 - 5


async def test_an_expired_session_is_gone(
    redis_store: RedisStore, redis_client: aioredis.Redis
) -> None:
    session = make_session()
    await redis_store.create(session)
    await redis_client.pexpire(redis_store.key(session.id), 1)
    await asyncio.sleep(0.01)

    assert await redis_store.get(session.id) is None
    with pytest.raises(SessionNotFoundError):
        await redis_store.save(session)
    assert await redis_store.evict_expired() == 0


async def test_save_bumps_the_version_and_stamps_updated_at(redis_store: RedisStore) -> None:
    session = make_session()
    await redis_store.create(session)
    created_at = session.updated_at

    await redis_store.save(session)

    stored = await redis_store.get(session.id)
    assert stored is not None
    assert session.version == stored.version == 1
    assert session.updated_at == stored.updated_at >= created_at


async def test_a_stale_save_raises_conflict_and_keeps_the_winner(
    redis_store: RedisStore,
) -> None:
    await redis_store.create(original := make_session())
    first = await redis_store.get(original.id)
    second = await redis_store.get(original.id)
    assert first is not None
    assert second is not None
    first.state = "gather_credentials"
    second.state = "review"

    await redis_store.save(first)
    with pytest.raises(SessionConflictError, match="stored version 1, given 0"):
        await redis_store.save(second)

    stored = await redis_store.get(original.id)
    assert stored is not None
    assert (stored.state, stored.version) == ("gather_credentials", 1)
    assert second.version == 0


async def test_concurrent_saves_from_two_clients_have_one_winner(
    redis_store: RedisStore, prefix: str
) -> None:
    other = RedisStore.from_url(REDIS_URL, prefix=redis_store.prefix)
    await redis_store.create(original := make_session())
    copies = [await store.get(original.id) for store in (redis_store, other)]
    try:
        outcomes = await asyncio.gather(
            *(
                store.save(copy)
                for store, copy in zip((redis_store, other), copies, strict=True)
                if copy is not None
            ),
            return_exceptions=True,
        )
    finally:
        await other.aclose()

    assert sorted(type(o).__name__ for o in outcomes) == ["NoneType", "SessionConflictError"]


async def test_create_refuses_an_existing_id(redis_store: RedisStore) -> None:
    session = make_session()
    await redis_store.create(session)

    with pytest.raises(SessionConflictError, match="already exists"):
        await redis_store.create(make_session(id=session.id))


async def test_delete_removes_a_live_session_once(redis_store: RedisStore) -> None:
    session = make_session()
    await redis_store.create(session)

    assert await redis_store.delete(session.id) is True
    assert await redis_store.delete(session.id) is False
    assert await redis_store.get(session.id) is None


async def test_count_scans_the_sessions_under_the_prefix(redis_store: RedisStore) -> None:
    for _ in range(3):
        await redis_store.create(make_session())

    assert await redis_store.count() == 3


async def test_a_cap_refuses_a_new_session_past_it(
    redis_client: aioredis.Redis, prefix: str
) -> None:
    store = RedisStore(redis_client, prefix=prefix, max_sessions=1)
    await store.create(make_session())

    with pytest.raises(SessionLimitError):
        await store.create(make_session())


async def test_sessions_survive_a_new_client_as_after_a_restart(
    redis_store: RedisStore,
) -> None:
    session = make_session()
    session.append("user", "amazon s3")
    await redis_store.create(session)
    await redis_store.save(session)

    restarted = RedisStore.from_url(REDIS_URL, prefix=redis_store.prefix)
    try:
        loaded = await restarted.get(session.id)
    finally:
        await restarted.aclose()

    assert loaded == session
