from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from sessions import MemoryStore, Session
from tests.sessions.clock import ManualClock


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def store(clock: ManualClock) -> AsyncIterator[MemoryStore]:
    memory = MemoryStore(clock=clock)
    yield memory
    await memory.aclose()


def make_session(**changes: object) -> Session:
    fields: dict[str, object] = {
        "tenant_id": "ten_1",
        "user_id": "usr_1",
        "roles": ("ROLE_DATA_ENGINEER",),
        "state": "select_source_type",
    }
    fields.update(changes)
    return Session.model_validate(fields)
