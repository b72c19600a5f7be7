"""The arq runner on the real Redis: keys taken once, work drained by a worker.

Each test uses a queue of its own, and removes the keys it made, so parallel runs on the
same Redis never see each other's work.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from arq.connections import ArqRedis
from sqlalchemy import func, select
from ulid import ULID

from connections.db.models import Job, Sync
from connections.runner import ArqRunner, RunnerOptions, open_queue, start_background
from tests.connections.push.conftest import SigningReceiver
from tests.connections.runner.conftest import Chain

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def queue_name() -> str:
    """A queue no other test run uses."""
    return f"ia-test:{ULID()}"


@pytest.fixture
async def pool(queue_name: str) -> AsyncIterator[ArqRedis]:
    """An arq connection to the real Redis; the test's keys are deleted afterwards."""
    try:
        redis = await open_queue(REDIS_URL, queue_name)
    except Exception as exc:  # noqa: BLE001 - any connection failure means the same
        pytest.fail(f"Redis is not reachable at {REDIS_URL} (see README to start it): {exc}")
    marker = queue_name.split(":", 1)[1]
    yield redis
    doomed = [queue_name]
    async for key in redis.scan_iter(match="arq:*"):
        text = key.decode()
        if marker in text or any(mine in text for mine in _MINE):
            doomed.append(text)
    await redis.delete(*doomed)
    _MINE.clear()
    await redis.aclose()


# Ids whose arq keys a test made (job ids hold no queue name to match on).
_MINE: set[str] = set()


async def test_a_key_is_taken_once(pool: ArqRedis, queue_name: str) -> None:
    runner = ArqRunner(pool, queue_name)
    key = f"pull:src_{ULID()}:2026-01-10T06:00:00Z"
    _MINE.add(key)

    first = await runner.submit_pull("src_x", trigger="schedule", key=key)
    second = await runner.submit_pull("src_x", trigger="schedule", key=key)

    assert (first, second) == (True, False)
    assert await pool.zcard(queue_name) == 1


async def test_two_runners_on_one_queue_take_a_key_once(pool: ArqRedis, queue_name: str) -> None:
    """Two API processes firing the same cron tick queue one pull."""
    other = await open_queue(REDIS_URL, queue_name)
    key = f"pull:src_{ULID()}:2026-01-10T06:00:00Z"
    _MINE.add(key)
    try:
        results = await asyncio.gather(
            ArqRunner(pool, queue_name).submit_pull("src_x", trigger="schedule", key=key),
            ArqRunner(other, queue_name).submit_pull("src_x", trigger="schedule", key=key),
        )
    finally:
        await other.aclose()

    assert sorted(results) == [False, True]


async def _wait_for(predicate: Callable[[], Awaitable[bool]]) -> None:
    """Poll ``predicate`` until it holds (the worker runs in this loop: no event to await)."""
    async with asyncio.timeout(60):
        while not await predicate():  # noqa: ASYNC110 - the state is in the database
            await asyncio.sleep(0.2)


async def test_an_in_process_worker_drains_pulls_jobs_and_pushes(
    chain: Chain, pool: ArqRedis, queue_name: str, receiver: SigningReceiver
) -> None:
    background = await start_background(
        chain.engines,
        chain.world.deps.database,
        RunnerOptions(redis_url=REDIS_URL, queue_name=queue_name, scheduler=False),
    )
    sessions = chain.world.deps.database

    async def pushed() -> bool:
        async with sessions() as db:
            count = await db.scalar(
                select(func.count())
                .select_from(Sync)
                .where(
                    Sync.job_id.is_not(None),
                    Sync.source_id == chain.sink_id,
                    Sync.finished_at.is_not(None),
                )
            )
        return count == 2

    try:
        key = f"pull:{chain.source_id}:manual:1"
        assert await background.runner.submit_pull(chain.source_id, trigger="manual", key=key)
        await _wait_for(pushed)
    finally:
        await background.aclose()
        async with sessions() as db:
            _MINE.update(
                (await db.execute(select(Job.id).where(Job.tenant_id == chain.world.tenant)))
                .scalars()
                .all()
            )
        _MINE.update((chain.source_id, chain.sink_id))

    async with sessions() as db:
        statuses = set(
            (await db.execute(select(Job.status).where(Job.tenant_id == chain.world.tenant)))
            .scalars()
            .all()
        )
    assert statuses == {"succeeded"}
    assert len(receiver.posts) == 2
    assert all(p.verified for p in receiver.posts)
