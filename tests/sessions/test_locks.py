from __future__ import annotations

import asyncio

from sessions import LockProvider, MemoryStore, SessionLocks
from tests.sessions.conftest import make_session


async def settle(rounds: int = 10) -> None:
    """Let every ready task run as far as it can."""
    for _ in range(rounds):
        await asyncio.sleep(0)


def test_session_locks_satisfy_the_lock_contract() -> None:
    locks: LockProvider = SessionLocks()
    assert len(SessionLocks()) == 0
    assert isinstance(locks, SessionLocks)


async def test_concurrent_turns_to_one_session_run_in_arrival_order(store: MemoryStore) -> None:
    locks = SessionLocks()
    session = make_session()
    await store.create(session)

    async def turn(number: int) -> None:
        async with locks.hold(session.id):
            current = await store.get(session.id)
            assert current is not None
            await asyncio.sleep(0)  # another turn would interleave here without the lock
            current.append("user", f"message {number}")
            await store.save(current)

    tasks = [asyncio.create_task(turn(number)) for number in range(100)]
    await asyncio.gather(*tasks)

    final = await store.get(session.id)
    assert final is not None
    assert [t.text for t in final.transcript] == [f"message {n}" for n in range(100)]
    assert final.version == 100
    assert len(locks) == 0


async def test_a_lock_exists_only_while_held_or_awaited() -> None:
    locks = SessionLocks()

    async with locks.hold("ses_a"):
        assert len(locks) == 1
    assert len(locks) == 0


async def test_a_busy_session_does_not_block_another() -> None:
    locks = SessionLocks()
    holding, release = asyncio.Event(), asyncio.Event()

    async def hold_a() -> None:
        async with locks.hold("ses_a"):
            holding.set()
            await release.wait()

    async def enter(session_id: str) -> None:
        async with locks.hold(session_id):
            pass

    holder = asyncio.create_task(hold_a())
    await holding.wait()
    other_session = asyncio.create_task(enter("ses_b"))
    same_session = asyncio.create_task(enter("ses_a"))
    await settle()

    assert other_session.done()
    assert not same_session.done()
    assert len(locks) == 1

    release.set()
    await asyncio.gather(holder, same_session)
    assert len(locks) == 0


async def test_a_cancelled_waiter_leaves_no_lock_behind() -> None:
    locks = SessionLocks()
    holding, release = asyncio.Event(), asyncio.Event()
    entered: list[str] = []

    async def hold() -> None:
        async with locks.hold("ses_a"):
            holding.set()
            await release.wait()

    async def wait_then_enter(name: str) -> None:
        async with locks.hold("ses_a"):
            entered.append(name)

    holder = asyncio.create_task(hold())
    await holding.wait()
    abandoned = asyncio.create_task(wait_then_enter("abandoned"))
    patient = asyncio.create_task(wait_then_enter("patient"))
    await settle()
    abandoned.cancel()
    await settle()
    release.set()
    await asyncio.gather(holder, patient)

    assert abandoned.cancelled()
    assert entered == ["patient"]
    assert len(locks) == 0
