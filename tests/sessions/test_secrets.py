"""A session that is gone releases the secrets its turns registered for redaction."""

from __future__ import annotations

from datetime import timedelta

from core.redaction import register_secret, registry
from sessions import MemoryStore
from tests.sessions.clock import ManualClock
from tests.sessions.conftest import make_session

DAY = timedelta(hours=24)


async def test_a_deleted_session_releases_its_secrets(store: MemoryStore) -> None:
    session = make_session()
    await store.create(session)
    register_secret("deleted-session-secret", owner=session.id)

    await store.delete(session.id)

    assert "deleted-session-secret" not in registry


async def test_an_expired_session_releases_its_secrets_when_read(
    store: MemoryStore, clock: ManualClock
) -> None:
    session = make_session()
    await store.create(session)
    register_secret("expired-session-secret", owner=session.id)

    clock.advance(DAY)

    assert await store.get(session.id) is None
    assert "expired-session-secret" not in registry


async def test_an_evicted_session_releases_its_secrets_and_a_live_one_keeps_them(
    store: MemoryStore, clock: ManualClock
) -> None:
    old, fresh = make_session(), make_session()
    await store.create(old)
    clock.advance(timedelta(hours=12))
    await store.create(fresh)
    register_secret("evicted-session-secret", owner=old.id)
    register_secret("live-session-secret", owner=fresh.id)
    clock.advance(timedelta(hours=12))

    assert await store.evict_expired() == 1
    assert "evicted-session-secret" not in registry
    assert "live-session-secret" in registry
