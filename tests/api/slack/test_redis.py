"""With Redis configured, several processes share the seen-event set and the thread map: a
retry delivered to another process is still handled once, and that process continues the
same conversation. Real Redis on 127.0.0.1:6379; keys under a prefix unique to the test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient, TestServer
from ulid import ULID

from api.app import create_app
from api.slack import MemorySeen, RedisSeen
from connectors.base import ConnectorContext
from tests.api.slack.conftest import OWNER, Workspace, slack_settings, text_of
from tests.api.slack.standin import SlackStandIn

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
async def redis_client() -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(REDIS_URL)
    await client.ping()  # no Redis: the test fails, it is not skipped
    await client.script_flush()  # as on a Redis just started: no scripts an earlier run loaded
    yield client
    await client.aclose()


@pytest.fixture
async def prefix(redis_client: aioredis.Redis) -> AsyncIterator[str]:
    name = f"ia-test:{str(ULID()).lower()}:slack:"
    yield name
    keys = [key async for key in redis_client.scan_iter(match=f"{name}*")]
    if keys:
        await redis_client.delete(*keys)


@pytest.fixture
async def two_processes(
    tmp_path: Path,
    standin: SlackStandIn,
    loopback_context: ConnectorContext,
    prefix: str,
    redis_client: aioredis.Redis,
) -> AsyncIterator[tuple[Workspace, Workspace]]:
    workspaces: list[Workspace] = []
    for name in ("a", "b"):
        settings = slack_settings(
            tmp_path / name,
            standin,
            redis_url=REDIS_URL,
            slack_redis_prefix=prefix,
            queue_name=f"{prefix}queue",  # the job queue too: other tests use this Redis
        )
        app = create_app(settings, connector_context=loopback_context)
        client: TestClient[Any, Any] = TestClient(TestServer(app))
        await client.start_server()
        workspaces.append(Workspace(app, client, standin))
    first, second = workspaces
    yield first, second
    for workspace in (first, second):
        for thread in workspace.started:
            session_id = await workspace.relay.session_of(thread)
            if session_id:
                await redis_client.delete(f"ia:session:{session_id}")
    for workspace in workspaces:
        await workspace.client.close()


async def test_a_retry_to_another_process_is_handled_once_and_it_continues_the_thread(
    two_processes: tuple[Workspace, Workspace], standin: SlackStandIn
) -> None:
    first, second = two_processes
    ts = first.new_ts()
    event = first.message_event(OWNER, "<@UBOT> hi", ts=ts, kind="app_mention")
    first.started.append(first.thread(ts))

    await first.event(event, event_id="EvREDIS01")
    await first.settle()
    await second.event(event, event_id="EvREDIS01", retry=1)
    await second.settle()

    assert len(standin.posts(ts)) == 1
    session_id = await first.session_of(ts)
    assert await second.session_of(ts) == session_id
    await second.say(OWNER, "amazon s3", ts)
    await second.settle()
    assert "Amazon S3 it is" in text_of(standin.posts(ts)[-1])
    assert (await first.view(session_id))["state"] == "gather_credentials"


async def test_the_seen_set_in_redis_says_first_once_per_key_across_clients(
    redis_client: aioredis.Redis, prefix: str
) -> None:
    other = aioredis.Redis.from_url(REDIS_URL)
    try:
        one, two = RedisSeen(redis_client, prefix=prefix), RedisSeen(other, prefix=prefix)

        answers = [await one.first("event:E1"), await two.first("event:E1"), await two.first("E2")]
    finally:
        await other.aclose()

    assert answers == [True, False, True]
    assert await redis_client.ttl(f"{prefix}seen:event:E1") > 0


async def test_the_memory_seen_set_forgets_after_its_ttl_and_stays_bounded() -> None:
    now = [0.0]
    seen = MemorySeen(ttl=10, max_keys=3, clock=lambda: now[0])

    assert [await seen.first(k) for k in ("a", "a", "b", "c", "d")] == [
        True,
        False,
        True,
        True,
        True,
    ]
    assert len(seen) == 3
    now[0] = 11.0
    assert await seen.first("b") is True
    assert len(seen) == 1
