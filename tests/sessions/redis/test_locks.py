"""Redis session locks: one holder across clients, expiry of a dead holder, a bounded wait."""

from __future__ import annotations

import asyncio
import time

import pytest
import redis.asyncio as aioredis

from sessions import LockProvider, RedisLocks, SessionConflictError


def test_redis_locks_satisfy_the_lock_provider_contract(
    redis_client: aioredis.Redis, prefix: str
) -> None:
    locks: LockProvider = RedisLocks(redis_client, prefix=prefix)
    assert isinstance(locks, RedisLocks)


async def test_two_providers_never_hold_one_session_together(
    redis_client: aioredis.Redis, prefix: str
) -> None:
    # Two providers stand for two processes: they share nothing but Redis.
    providers = [RedisLocks(redis_client, prefix=prefix) for _ in range(2)]
    inside = 0
    most = 0

    async def turn(locks: RedisLocks) -> None:
        nonlocal inside, most
        async with locks.hold("ses_1"):
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.01)
            inside -= 1

    await asyncio.gather(*(turn(providers[i % 2]) for i in range(10)))

    assert most == 1
    assert await redis_client.exists(f"{prefix}ses_1") == 0


async def test_different_sessions_do_not_wait_on_each_other(
    redis_client: aioredis.Redis, prefix: str
) -> None:
    locks = RedisLocks(redis_client, prefix=prefix)

    async with locks.hold("ses_1"):
        await asyncio.wait_for(_enter(locks, "ses_2"), timeout=1)


async def _enter(locks: RedisLocks, session_id: str) -> None:
    async with locks.hold(session_id):
        pass


async def test_a_holder_that_never_releases_blocks_only_until_the_timeout(
    redis_client: aioredis.Redis, prefix: str
) -> None:
    # A lock left behind by a dead holder: taken with the same timeout and never released.
    assert await redis_client.set(f"{prefix}ses_1", "dead-token", px=300)
    locks = RedisLocks(redis_client, prefix=prefix, timeout=0.3)
    started = time.monotonic()

    await asyncio.wait_for(_enter(locks, "ses_1"), timeout=5)

    assert 0.1 < time.monotonic() - started < 5


async def test_waiting_past_the_blocking_timeout_is_a_retryable_conflict(
    redis_client: aioredis.Redis, prefix: str
) -> None:
    await redis_client.set(f"{prefix}ses_1", "other-token", ex=30)
    locks = RedisLocks(redis_client, prefix=prefix, blocking_timeout=0.2)

    with pytest.raises(SessionConflictError, match="busy") as caught:
        await _enter(locks, "ses_1")

    assert caught.value.retryable
