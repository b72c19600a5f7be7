"""Many messages, many sessions, slow work: nobody waits on anyone they shouldn't."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from agent.reply import Reply
from api.routes.common import SERVICE_KEY
from api.routes.sessions import ENGINE_KEY
from connections.errors import PermissionDeniedError
from connections.identity import Identity, RoleMap
from connections.schemas import AgentOut
from tests.agent.conftest import Chat, person
from tests.support.https import TestTLS, serve


def _who(headers: dict[str, str]) -> Identity:
    roles = tuple(headers["X-User-Roles"].split(","))
    return Identity(
        tenant_id=headers["X-Tenant-Id"],
        user_id=headers["X-User-ID"],
        roles=roles,
        permissions=RoleMap.default().permissions(roles),
    )


async def test_a_hundred_concurrent_messages_to_one_session_are_handled_in_order(
    app_client: TestClient[Any, Any],
) -> None:
    engine = app_client.app[ENGINE_KEY]
    who = _who(person())
    welcome = await engine.start(who)
    sid = welcome.session_id

    # Tasks start in creation order, so this is the order the messages arrive in.
    tasks = [
        asyncio.create_task(engine.chat(who, sid, message=f"nonsense-type-{i:03d}"))
        for i in range(100)
    ]
    replies = await asyncio.gather(*tasks)

    session = await engine.get(who, sid)
    said = [t.text for t in session.transcript if t.role == "user"]
    assert said == [f"nonsense-type-{i:03d}" for i in range(100)]
    assert all(r.state == "select_source_type" for r in replies)
    assert session.version >= 100


async def test_two_hundred_sessions_chatting_at_once_all_finish(
    app_client: TestClient[Any, Any],
) -> None:
    async def converse(n: int) -> str:
        chat = Chat(app_client, person(tenant=f"t{n % 7}", user=f"u{n}"))
        await chat.start()
        await chat.say("amazon s3")
        await chat.say(f"bucket bucket-{n:03d}, prefix in/")
        await chat.say("help")
        await chat.say("back")
        reply = await chat.say("status")
        return str(reply["state"])

    states = await asyncio.gather(*(converse(n) for n in range(200)))

    assert states == ["select_source_type"] * 200


@pytest.fixture
async def slow_receiver(tls: TestTLS) -> AsyncIterator[tuple[str, asyncio.Event]]:
    """A webhook endpoint whose OPTIONS ping takes until released (at most 5 s)."""
    release = asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        if request.method == "OPTIONS":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(release.wait(), 5.0)
        return web.Response(status=204)

    app = web.Application()
    app.router.add_route("*", "/slow", slow)
    async with serve(app, tls=tls.server_context) as base:
        yield f"{base}/slow", release
        release.set()


async def test_a_slow_test_blocks_neither_other_sessions_nor_cancel(
    app_client: TestClient[Any, Any], slow_receiver: tuple[str, asyncio.Event]
) -> None:
    url, release = slow_receiver
    slow = Chat(app_client, person(user="slow"))
    await slow.start()
    await slow.say("send results to a webhook")
    await slow.say(url)
    started = await slow.say("generate", settle=False)
    assert started["state"] == "test_connection"
    assert started["data"]["task"]["status"] == "running"

    other = Chat(app_client, person(user="other"))
    await other.start()
    reply = await other.say("amazon s3")
    assert reply["state"] == "gather_credentials"
    assert not release.is_set()  # the slow test is still waiting for its answer

    cancelled = await slow.say("cancel")

    assert cancelled["state"] == "select_source_type"
    assert not release.is_set()  # cancel did not wait for the test
    assert (await slow.view())["state"] == "select_source_type"


async def test_concurrent_first_starts_of_a_tenant_share_one_default_agent_lookup(
    app_client: TestClient[Any, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = app_client.app[ENGINE_KEY]
    agents = app_client.app[SERVICE_KEY].agents
    lookups = 0
    real: Callable[[Identity], Awaitable[AgentOut]] = agents.default

    async def counted(who: Identity) -> AgentOut:
        nonlocal lookups
        lookups += 1
        return await real(who)

    monkeypatch.setattr(agents, "default", counted)
    people = [_who(person(tenant="fresh", user=f"u{i}")) for i in range(20)]

    replies = await asyncio.gather(*(engine.start(who) for who in people))

    sessions = [await engine.get(who, r.session_id) for who, r in zip(people, replies, strict=True)]
    assert lookups == 1
    assert len({s.agent_id for s in sessions}) == 1


async def test_the_cached_default_agent_does_not_skip_the_permission_check(
    app_client: TestClient[Any, Any],
) -> None:
    engine = app_client.app[ENGINE_KEY]
    await engine.start(_who(person(tenant="acme", user="ada")))  # fills the tenant's cache

    with pytest.raises(PermissionDeniedError):
        await engine.start(_who(person(tenant="acme", user="eve", roles="ROLE_NOBODY")))


async def test_a_lookup_that_failed_for_its_leader_is_not_shared(
    app_client: TestClient[Any, Any],
) -> None:
    engine = app_client.app[ENGINE_KEY]
    # A new tenant: the viewer's start leads the lookup, which would have to create the default
    # agent, and a viewer may not; the data engineer's start joins it at the same moment.
    viewer = _who(person(tenant="new", user="vic", roles="ROLE_VIEWER"))
    engineer = _who(person(tenant="new", user="eng"))

    outcomes = await asyncio.gather(
        engine.start(viewer), engine.start(engineer), return_exceptions=True
    )

    assert isinstance(outcomes[0], PermissionDeniedError)
    assert isinstance(outcomes[1], Reply)
    assert (await engine.get(engineer, outcomes[1].session_id)).agent_id
