"""A turn through the Redis store: the lock reads the session, the save releases the lock.

Round trips are counted by wrapping the real client's ``execute_command`` (every command and
script call goes through it); the commands still run against the real Redis. A Redis that
has not seen a script yet answers ``NOSCRIPT`` once and redis-py loads it: that one-off
reload is counted apart, so the counts hold whatever the script cache holds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import redis.asyncio as aioredis

from sessions import RedisStore, SessionConflictError
from tests.sessions.conftest import make_session


@dataclass
class Sent:
    """Commands sent, apart from reloading a script Redis did not know.

    Attributes:
        commands: Each command that ran, in order (a script call is one ``EVALSHA``).
        reloads: Scripts loaded after ``NOSCRIPT`` (the refused call is not in ``commands``).
    """

    commands: list[str] = field(default_factory=list)
    reloads: int = 0

    def clear(self) -> None:
        self.commands.clear()
        self.reloads = 0


@pytest.fixture
def sent(redis_client: aioredis.Redis, monkeypatch: pytest.MonkeyPatch) -> Sent:
    seen = Sent()
    real: Callable[..., Awaitable[Any]] = redis_client.execute_command

    async def counted(*args: Any, **options: Any) -> Any:
        name = str(args[0])
        # A call refused with NOSCRIPT raises here, uncounted: redis-py loads the script
        # (counted as a reload) and calls it again.
        result = await real(*args, **options)
        if name == "SCRIPT LOAD":
            seen.reloads += 1
        else:
            seen.commands.append(name)
        return result

    monkeypatch.setattr(redis_client, "execute_command", counted)
    return seen


@pytest.fixture
def store(redis_client: aioredis.Redis, prefix: str) -> RedisStore:
    return RedisStore(redis_client, prefix=f"{prefix}session:", lock_prefix=f"{prefix}lock:")


async def test_a_turn_is_two_round_trips_and_leaves_no_lock(
    store: RedisStore, redis_client: aioredis.Redis, sent: Sent
) -> None:
    session = make_session()
    await store.create(session)
    sent.clear()

    async with store.hold(session.id):
        loaded = await store.get(session.id)
        assert loaded == session
        loaded.answers["bucket"] = "acme-data"
        await store.save(loaded)

    assert sent.commands == ["EVALSHA", "EVALSHA"]  # lock + read, then write + unlock
    assert await redis_client.exists(store.locks.key(session.id)) == 0
    stored = await store.get(session.id)
    assert stored is not None
    assert stored.answers == {"bucket": "acme-data"}
    assert stored.version == 1


async def test_a_redis_that_never_saw_the_scripts_loads_each_once(
    store: RedisStore, sent: Sent
) -> None:
    session = make_session()
    await store.create(session)
    turn_sent: list[Sent] = []

    for _ in range(2):
        sent.clear()
        async with store.hold(session.id):
            loaded = await store.get(session.id)
            assert loaded is not None
            await store.save(loaded)
        turn_sent.append(Sent(sent.commands[:], sent.reloads))

    # The fixture flushed the script cache: the first turn loads lock and save once each.
    assert turn_sent == [Sent(["EVALSHA", "EVALSHA"], 2), Sent(["EVALSHA", "EVALSHA"], 0)]


async def test_the_lock_is_held_until_the_save(
    store: RedisStore, redis_client: aioredis.Redis
) -> None:
    session = make_session()
    await store.create(session)

    async with store.hold(session.id):
        assert await redis_client.exists(store.locks.key(session.id)) == 1
        loaded = await store.get(session.id)
        assert loaded is not None
        await store.save(loaded)
        assert await redis_client.exists(store.locks.key(session.id)) == 0
        # Read again after the write: from Redis, not from what the lock read.
        again = await store.get(session.id)
        assert again is not None
        assert again.version == 1


async def test_a_refused_save_still_releases_the_lock(
    store: RedisStore, redis_client: aioredis.Redis
) -> None:
    session = make_session()
    await store.create(session)

    async with store.hold(session.id):
        loaded = await store.get(session.id)
        assert loaded is not None
        # Another writer that ignored the lock (one whose lock expired) got there first.
        await redis_client.set(
            store.key(session.id), loaded.model_copy(update={"version": 5}).to_json()
        )
        with pytest.raises(SessionConflictError):
            await store.save(loaded)
        assert await redis_client.exists(store.locks.key(session.id)) == 0

    assert await redis_client.exists(store.locks.key(session.id)) == 0


async def test_holding_a_missing_session_reads_nothing_and_unlocks_on_leaving(
    store: RedisStore, redis_client: aioredis.Redis, sent: Sent
) -> None:
    async with store.hold("ses_missing"):
        assert await store.get("ses_missing") is None

    assert sent.commands == ["EVALSHA", "EVALSHA"]  # lock + read, then unlock
    assert await redis_client.exists(store.locks.key("ses_missing")) == 0


async def test_a_session_deleted_under_the_lock_is_gone_for_the_holder(store: RedisStore) -> None:
    session = make_session()
    await store.create(session)

    async with store.hold(session.id):
        assert await store.delete(session.id)
        assert await store.get(session.id) is None


async def test_only_the_holding_task_sees_what_the_lock_read(
    store: RedisStore, redis_client: aioredis.Redis
) -> None:
    session = make_session()
    await store.create(session)
    other_sees: list[object] = []

    async with store.hold(session.id):
        assert store.locks.lease(session.id) is not None
        # Another process deletes it meanwhile; a task that does not hold the lock reads Redis.
        await redis_client.delete(store.key(session.id))
        other_sees.append(await asyncio.create_task(store.get(session.id)))
        other_sees.append(await asyncio.create_task(_lease_of(store, session.id)))

    assert other_sees == [None, None]


async def _lease_of(store: RedisStore, session_id: str) -> object:
    return store.locks.lease(session_id)


async def test_a_cancelled_wait_for_the_lock_leaves_no_lock_behind(
    store: RedisStore, redis_client: aioredis.Redis
) -> None:
    session = make_session()
    await store.create(session)
    entered = asyncio.Event()

    async def turn() -> None:
        async with store.hold(session.id):
            entered.set()
            await asyncio.sleep(3600)

    task = asyncio.create_task(turn())
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert await redis_client.exists(store.locks.key(session.id)) == 0
    async with asyncio.timeout(1):  # not the 30 s lock timeout
        async with store.hold(session.id):
            assert await store.get(session.id) == session


async def test_a_lock_taken_as_its_reply_is_lost_is_given_back(
    store: RedisStore, redis_client: aioredis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The script runs in Redis but the caller is cancelled before its reply arrives."""
    session = make_session()
    await store.create(session)
    real = store.locks._acquire

    async def reply_lost(**call: Any) -> Any:
        await real(**call)
        raise asyncio.CancelledError

    monkeypatch.setattr(store.locks, "_acquire", reply_lost)

    with pytest.raises(asyncio.CancelledError):
        async with store.hold(session.id):
            pass

    assert await redis_client.exists(store.locks.key(session.id)) == 0
