from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from sessions import (
    MemoryStore,
    SessionConflictError,
    SessionLimitError,
    SessionNotFoundError,
    SessionStore,
)
from tests.sessions.clock import ManualClock
from tests.sessions.conftest import make_session

DAY = timedelta(hours=24)


def test_the_memory_store_satisfies_the_store_contract() -> None:
    store: SessionStore = MemoryStore()
    assert isinstance(store, MemoryStore)


async def test_the_store_keeps_compressed_json_bytes_and_returns_an_equal_session(
    store: MemoryStore,
) -> None:
    session = make_session(answers={"host": "db"})
    session.append("user", "postgres")
    await store.create(session)

    record = store._records[session.id]
    loaded = await store.get(session.id)

    assert type(record.data) is bytes
    assert len(record.data) < len(session.to_json())
    assert loaded == session


async def test_a_dictionary_of_what_sessions_say_makes_them_smaller() -> None:
    said = "Welcome! What type of data source would you like to connect?"
    session = make_session()
    session.append("agent", said)
    plain, primed = MemoryStore(), MemoryStore(dictionary=said.encode())
    await plain.create(session)
    await primed.create(session)

    assert len(primed._records[session.id].data) < len(plain._records[session.id].data) - 20
    assert await primed.get(session.id) == session  # created last: same updated_at


async def test_each_get_returns_an_independent_copy(store: MemoryStore) -> None:
    session = make_session()
    await store.create(session)

    first = await store.get(session.id)
    assert first is not None
    first.answers["host"] = "changed without saving"
    second = await store.get(session.id)

    assert second is not None
    assert second.answers == {}


async def test_an_unknown_session_is_none(store: MemoryStore) -> None:
    assert await store.get("ses_unknown") is None


async def test_create_stamps_the_store_clock(store: MemoryStore, clock: ManualClock) -> None:
    session = make_session()

    await store.create(session)

    assert session.updated_at == clock.now


async def test_creating_an_existing_id_is_a_conflict(store: MemoryStore) -> None:
    session = make_session()
    await store.create(session)

    with pytest.raises(SessionConflictError):
        await store.create(make_session(id=session.id))


async def test_a_session_expires_after_24_hours_of_inactivity(
    store: MemoryStore, clock: ManualClock
) -> None:
    session = make_session()
    await store.create(session)

    clock.advance(DAY - timedelta(seconds=1))
    assert await store.get(session.id) is not None
    clock.advance(timedelta(seconds=1))
    assert await store.get(session.id) is None


async def test_saving_is_activity_that_extends_the_session(
    store: MemoryStore, clock: ManualClock
) -> None:
    session = make_session()
    await store.create(session)

    clock.advance(DAY - timedelta(minutes=1))
    await store.save(session)
    clock.advance(DAY - timedelta(minutes=1))

    assert await store.get(session.id) is not None


async def test_evict_expired_drops_only_expired_sessions_and_counts_them(
    store: MemoryStore, clock: ManualClock
) -> None:
    old = [make_session() for _ in range(3)]
    for session in old:
        await store.create(session)
    clock.advance(timedelta(hours=12))
    fresh = make_session()
    await store.create(fresh)
    clock.advance(timedelta(hours=12))

    assert await store.count() == 4
    assert await store.evict_expired() == 3
    assert await store.count() == 1
    assert await store.get(fresh.id) is not None
    assert await store.evict_expired() == 0


async def test_evict_expired_takes_an_explicit_time(store: MemoryStore, clock: ManualClock) -> None:
    await store.create(make_session())

    assert await store.evict_expired(clock.now + DAY) == 1


async def test_at_the_cap_create_fails_and_leaves_existing_sessions_alone(
    clock: ManualClock,
) -> None:
    store = MemoryStore(max_sessions=2, clock=clock)
    first, second = make_session(), make_session()
    await store.create(first)
    await store.create(second)

    with pytest.raises(SessionLimitError) as caught:
        await store.create(make_session())

    assert caught.value.retryable
    assert await store.count() == 2
    assert await store.get(first.id) == first
    assert await store.get(second.id) == second


async def test_expired_sessions_make_room_at_the_cap(clock: ManualClock) -> None:
    store = MemoryStore(max_sessions=1, clock=clock)
    await store.create(make_session())
    clock.advance(DAY)
    newcomer = make_session()

    await store.create(newcomer)

    assert await store.count() == 1
    assert await store.get(newcomer.id) == newcomer


async def test_save_bumps_the_version_and_stores_the_change(store: MemoryStore) -> None:
    session = make_session()
    await store.create(session)
    session.answers["host"] = "db"

    await store.save(session)

    assert session.version == 1
    assert await store.get(session.id) == session


async def test_a_stale_save_is_a_conflict_and_changes_nothing(store: MemoryStore) -> None:
    await store.create(make_session())
    session_id = next(iter(store._records))
    mine = await store.get(session_id)
    theirs = await store.get(session_id)
    assert mine is not None
    assert theirs is not None
    theirs.answers["port"] = 5432
    await store.save(theirs)

    mine.answers["port"] = 1
    with pytest.raises(SessionConflictError):
        await store.save(mine)

    stored = await store.get(session_id)
    assert stored is not None
    assert (stored.version, stored.answers) == (1, {"port": 5432})
    assert mine.version == 0


async def test_saving_a_missing_session_is_not_found(store: MemoryStore) -> None:
    with pytest.raises(SessionNotFoundError):
        await store.save(make_session())


async def test_saving_an_expired_session_is_not_found(
    store: MemoryStore, clock: ManualClock
) -> None:
    session = make_session()
    await store.create(session)
    clock.advance(DAY)

    with pytest.raises(SessionNotFoundError):
        await store.save(session)


async def test_delete_removes_the_session(store: MemoryStore) -> None:
    session = make_session()
    await store.create(session)

    assert await store.delete(session.id) is True
    assert await store.get(session.id) is None
    assert await store.delete(session.id) is False
    assert await store.count() == 0


async def test_the_background_evictor_runs_and_stops(clock: ManualClock) -> None:
    store = MemoryStore(clock=clock)
    await store.create(make_session())
    clock.advance(DAY)

    task = store.start_evictor(interval=0)
    assert store.start_evictor(interval=0) is task
    for _ in range(100):
        if await store.count() == 0:
            break
        await asyncio.sleep(0)
    await store.stop_evictor()

    assert await store.count() == 0
    assert task.cancelled()
    await store.stop_evictor()  # stopping twice is harmless


async def test_aclose_stops_the_evictor(clock: ManualClock) -> None:
    store = MemoryStore(clock=clock)
    task = store.start_evictor()

    await store.aclose()

    assert task.cancelled()
