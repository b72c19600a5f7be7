"""Who may call what: gateway headers, roles and permissions, and JWT bearer tokens."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import jwt
import pytest
from aiohttp.test_utils import TestClient, TestServer

from connections.errors import PERMISSION_MESSAGE
from connectors.base import ConnectorContext
from tests.api.rest.conftest import Backend, build_app
from tests.api.rest.support import (
    ADMIN,
    ENGINEER,
    VIEWER,
    Api,
    Receiver,
    unique,
    webhook_sink_body,
    webhook_source_body,
)


@dataclass(frozen=True)
class World:
    """A tenant with an agent, a webhook source and a staged secret."""

    api: Api
    agent: dict[str, Any]
    source: dict[str, Any]

    @property
    def agent_path(self) -> str:
        return f"/api/v1/agents/{self.agent['id']}"

    @property
    def source_path(self) -> str:
        return f"{self.agent_path}/data-sources/{self.source['id']}"

    async def snapshot(self) -> tuple[Any, ...]:
        """Everything a forbidden request could have changed."""
        return (
            (await self.api.get(self.agent_path)).json,
            (await self.api.get(f"{self.agent_path}/rules")).json,
            (await self.api.get(f"{self.agent_path}/data-sources")).json,
            await self.api.agent_ids(),
        )


@pytest.fixture(scope="module")
async def world(backend: Backend, shared_receiver: Receiver) -> World:
    api = Api(client=backend.client, tenant=unique("tenant-roles"))
    agent = await api.create_agent("Roles")
    source = await api.create_source(
        agent["id"], webhook_source_body(shared_receiver.url("/exports/products.csv"))
    )
    return World(api=api, agent=agent, source=source)


# -- headers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-headers"),
        pytest.param({"X-User-ID": "alice", "X-User-Roles": ENGINEER}, id="no-tenant"),
        pytest.param({"X-Tenant-Id": "acme", "X-User-Roles": ENGINEER}, id="no-user"),
        pytest.param({"X-Tenant-Id": "", "X-User-ID": "alice"}, id="empty-tenant"),
        pytest.param({"X-Tenant-Id": "acme/../other", "X-User-ID": "alice"}, id="bad-tenant"),
    ],
)
async def test_missing_identity_is_a_401(world: World, headers: dict[str, str]) -> None:
    before = await world.snapshot()

    reply = await world.api.post(
        "/api/v1/agents", {"name": "Anonymous"}, identity=False, headers=headers
    )

    assert reply.status == 401
    assert reply.error["code"] == "unauthenticated"
    assert await world.snapshot() == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("GET", "/api/v1/agents", id="list-agents"),
        pytest.param("GET", "{agent}", id="get-agent"),
        pytest.param("GET", "{agent}/rules", id="get-rules"),
        pytest.param("GET", "{agent}/pending-items", id="list-pending-items"),
        pytest.param("GET", "{agent}/data-sources", id="list-sources"),
        pytest.param("GET", "{source}", id="get-source"),
        pytest.param("GET", "{source}/syncs", id="list-syncs"),
        pytest.param("POST", "{source}/test", id="test-source"),
        pytest.param("POST", "{source}/discover", id="discover-source"),
    ],
)
async def test_a_viewer_can_read_and_test(world: World, method: str, path: str) -> None:
    viewer = world.api.as_roles(VIEWER)
    url = path.format(agent=world.agent_path, source=world.source_path)

    reply = await viewer.request(method, url)

    assert reply.status == 200, reply.text


FORBIDDEN_TO_VIEWERS = [
    pytest.param("POST", "/api/v1/agents", {"name": "Mine"}, id="create-agent"),
    pytest.param("PATCH", "{agent}", {"name": "Renamed"}, id="update-agent"),
    pytest.param("DELETE", "{agent}", None, id="delete-agent"),
    pytest.param("PUT", "{agent}/rules", {}, id="replace-rules"),
    pytest.param("POST", "{agent}/data-sources", "SINK", id="create-source"),
    pytest.param("PATCH", "{source}", {"name": "Renamed"}, id="update-source"),
    pytest.param("DELETE", "{source}", None, id="delete-source"),
    pytest.param("POST", "{source}/preview", {"limit": 5}, id="preview-source"),
    pytest.param("POST", "{source}/pause", None, id="pause-source"),
    pytest.param("POST", "{source}/resume", None, id="resume-source"),
    pytest.param("POST", "/api/v1/secrets", {"values": {"token": "t0ken-value-123"}},
                 id="stage-secret"),
    pytest.param("DELETE", "/api/v1/secrets/sec_01J0000000000000000000000A", None,
                 id="discard-secret"),
    pytest.param("POST", "{agent}/connection-checks", "CHECK", id="check-connection"),
    pytest.param("POST", "{agent}/catalogs", "CHECK", id="discover-connection"),
]  # fmt: skip


def body_for(world: World, body: Any, receiver: Receiver) -> Any:
    if body == "SINK":
        return webhook_sink_body(receiver.url("/results"))
    if body == "CHECK":
        return {"type": "WEBHOOK", "config": {"url": receiver.url("/exports/products.csv")}}
    return body


@pytest.mark.parametrize(("method", "path", "body"), FORBIDDEN_TO_VIEWERS)
async def test_a_viewer_cannot_change_anything(
    world: World, shared_receiver: Receiver, method: str, path: str, body: Any
) -> None:
    viewer = world.api.as_roles(VIEWER)
    url = path.format(agent=world.agent_path, source=world.source_path)
    before = await world.snapshot()

    if body is None:
        reply = await viewer.request(method, url)
    else:
        reply = await viewer.request(method, url, body_for(world, body, shared_receiver))

    assert reply.status == 403, reply.text
    assert reply.error == {"code": "permission_denied", "message": PERMISSION_MESSAGE}
    assert await world.snapshot() == before


async def test_a_user_without_roles_cannot_even_read(world: World) -> None:
    reply = await world.api.as_roles("").get(world.agent_path)

    assert reply.status == 403
    assert reply.error["message"] == PERMISSION_MESSAGE


async def test_unknown_roles_grant_nothing(world: World) -> None:
    reply = await world.api.as_roles("ROLE_SUPERUSER,root").get(world.agent_path)

    assert reply.status == 403


async def test_a_data_engineer_can_create_test_and_read(
    api: Api, agent_id: str, receiver: Receiver
) -> None:
    created = await api.create_source(agent_id, webhook_sink_body(receiver.url("/results")))
    path = f"/api/v1/agents/{agent_id}/data-sources/{created['id']}"

    tested = await api.post(f"{path}/test")
    read = await api.get(path)

    assert (tested.status, tested.json["ok"]) == (200, True)
    assert (read.status, read.json) == (200, created)


async def test_roles_combine(world: World) -> None:
    both = world.api.as_roles(f"{VIEWER}, {ENGINEER}")

    reply = await both.post("/api/v1/agents", {"name": unique("combined")})

    assert reply.status == 201


async def test_an_admin_can_delete(api: Api) -> None:
    agent = await api.create_agent()

    reply = await api.as_roles(ADMIN).delete(f"/api/v1/agents/{agent['id']}")

    assert reply.status == 204


# -- JWT ---------------------------------------------------------------------------------------

JWT_KEY = "jwt-test-signing-key-long-enough-for-every-hmac-0123456789abcdef"
AUDIENCE = "ingestion-agent"


@pytest.fixture(scope="module")
async def jwt_client(
    tmp_path_factory: pytest.TempPathFactory, connector_context: ConnectorContext
) -> AsyncIterator[TestClient[Any, Any]]:
    """An app in ``jwt`` mode (SQLite)."""
    data_dir = tmp_path_factory.mktemp("rest-jwt")
    app = build_app(
        data_dir,
        f"sqlite:///{data_dir / 'jwt.db'}",
        connector_context,
        auth_mode="jwt",
        jwt_key=JWT_KEY,
    )
    client: TestClient[Any, Any] = TestClient(TestServer(app))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


def claims(tenant: str = "acme-jwt", **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "sub": "carol@example.com",
        "tenant_id": tenant,
        "roles": [ENGINEER],
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 300,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def token(payload: dict[str, Any], key: str = JWT_KEY, algorithm: str = "HS256") -> str:
    return jwt.encode(payload, key, algorithm=algorithm)


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


async def call(
    client: TestClient[Any, Any], headers: dict[str, str], method: str = "GET", **kwargs: Any
) -> tuple[int, Any]:
    async with client.request(method, "/api/v1/agents", headers=headers, **kwargs) as response:
        return response.status, await response.json()


async def test_a_valid_hs256_token_is_accepted(jwt_client: TestClient[Any, Any]) -> None:
    status, body = await call(jwt_client, bearer(token(claims())))

    assert status == 200
    assert "items" in body


def _unsigned(payload: dict[str, Any]) -> str:
    return jwt.encode(payload, "", algorithm="none")


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(bearer(token(claims(exp=int(time.time()) - 3600))), id="expired"),
        pytest.param(bearer(token(claims(aud="another-service"))), id="wrong-audience"),
        pytest.param(bearer(token(claims(aud=None))), id="missing-audience"),
        pytest.param(bearer(token(claims(iat=None))), id="missing-iat"),
        pytest.param(bearer(token(claims(exp=None))), id="missing-exp"),
        pytest.param(bearer(token(claims(sub=None))), id="missing-sub"),
        pytest.param(bearer(token(claims(tenant_id=None))), id="missing-tenant"),
        pytest.param(bearer(_unsigned(claims())), id="alg-none"),
        pytest.param(bearer(token(claims(), key="not-the-key-" * 6)), id="wrong-key"),
        pytest.param(bearer(token(claims(), algorithm="HS512")), id="other-algorithm"),
        pytest.param(bearer("not.a.token"), id="garbage"),
        pytest.param({"Authorization": f"Basic {token(claims())}"}, id="not-bearer"),
        pytest.param({}, id="no-token"),
        pytest.param(
            {"X-Tenant-Id": "acme-jwt", "X-User-ID": "carol", "X-User-Roles": ADMIN},
            id="gateway-headers-are-not-trusted",
        ),
    ],
)
async def test_a_bad_token_is_a_401(
    jwt_client: TestClient[Any, Any], headers: dict[str, str]
) -> None:
    status, body = await call(jwt_client, headers)

    assert status == 401
    assert body["error"]["code"] == "unauthenticated"


async def test_roles_come_from_the_token(jwt_client: TestClient[Any, Any]) -> None:
    viewer = bearer(token(claims(roles=[VIEWER])))

    status, body = await call(jwt_client, viewer, "POST", json={"name": "Viewer's"})

    assert status == 403
    assert body["error"]["message"] == PERMISSION_MESSAGE


async def test_the_tenant_comes_from_the_token_not_the_headers(
    jwt_client: TestClient[Any, Any],
) -> None:
    mine, theirs = unique("jwt-a"), unique("jwt-b")
    spoofed = {**bearer(token(claims(mine))), "X-Tenant-Id": theirs}

    status, created = await call(jwt_client, spoofed, "POST", json={"name": "Mine"})
    _, own_list = await call(jwt_client, bearer(token(claims(mine))))
    _, their_list = await call(jwt_client, bearer(token(claims(theirs))))

    assert status == 201
    assert [a["id"] for a in own_list["items"]] == [created["id"]]
    assert their_list["items"] == []
