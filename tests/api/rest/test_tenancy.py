"""Tenants never see each other's objects: 404, never 403 and never 200.

The matrix below takes every route with an id. Tenant B calls it with tenant A's agent,
source, pending item and secret ids, and must get exactly what a missing object gets. A
last test checks that the matrix covers every such route the app serves, so a new route
cannot slip past it. Body fields that name an owner or a status are ignored, not obeyed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from connections.db.models import Agent, DataSource, PendingItem, SecretRow
from core.ids import new_id
from tests.api.rest.conftest import Backend
from tests.api.rest.support import Api, Receiver, s3_body, unique, webhook_source_body
from tests.support.seaweedfs import SeaweedS3

_ID = re.compile(r"\b(agt|src|sec|pnd)_[0-9A-Z]{26}\b")
MISSING = {
    "agent": "agt_01J0000000000000000000000A",
    "source": "src_01J0000000000000000000000A",
    "item": "pnd_01J0000000000000000000000A",
    "secret": "sec_01J0000000000000000000000A",
}


@dataclass(frozen=True)
class Tenants:
    """Tenant A's objects, tenant B's own agent and source, and both callers."""

    a: Api
    b: Api
    ids: dict[str, str]
    s3: dict[str, Any]
    backend: Backend
    baseline: tuple[Any, ...] = ()

    async def a_snapshot(self) -> tuple[Any, ...]:
        """Everything of tenant A that B's calls could have changed."""
        agent = f"/api/v1/agents/{self.ids['agent']}"
        async with self.backend.service.deps.database() as db:
            secret = await db.get(SecretRow, self.ids["secret"])
            sealed = (secret.ciphertext, secret.staged) if secret else None
        return (
            sealed,
            (await self.a.get(agent)).json,
            (await self.a.get(f"{agent}/rules")).json,
            (await self.a.get(f"{agent}/pending-items")).json,
            (await self.a.get(f"{agent}/data-sources")).json,
            (await self.a.get(f"{agent}/data-sources/{self.ids['source']}/syncs")).json,
        )


@pytest.fixture(scope="module")
async def tenants(
    backend: Backend, seaweed: SeaweedS3, stocked_bucket: str, shared_receiver: Receiver
) -> Tenants:
    a = Api(client=backend.client, tenant=unique("tenant-a"))
    b = a.in_tenant(unique("tenant-b"))
    agent = await a.create_agent("A's agent")
    source = await a.create_source(agent["id"], s3_body(seaweed, stocked_bucket))
    staged = await a.post(
        "/api/v1/secrets",
        {"values": {"accessKeyId": seaweed.admin.access_key_id, "secretAccessKey": "x" * 20}},
    )
    item = new_id("pnd")
    async with backend.service.deps.database() as db:
        db.add(
            PendingItem(
                id=item,
                tenant_id=a.tenant,
                agent_id=agent["id"],
                source_id=source["id"],
                kind="DATA_SOURCE_PULL_FAILED",
                message="Paused after 3 failed pulls.",
                created_at=datetime.now(UTC),
            )
        )
        await db.commit()
    b_agent = await b.create_agent("B's agent")
    b_source = await b.create_source(
        b_agent["id"], webhook_source_body(shared_receiver.url("/exports/products.csv"))
    )
    ids = {
        "agent": agent["id"],
        "source": source["id"],
        "item": item,
        "secret": staged.json["secretRef"],
        "b_agent": b_agent["id"],
        "b_source": b_source["id"],
    }
    tenants = Tenants(
        a=a, b=b, ids=ids, s3=s3_body(seaweed, stocked_bucket, name="B's copy"), backend=backend
    )
    return replace(tenants, baseline=await tenants.a_snapshot())


AGENT = "/api/v1/agents/{agent}"
SOURCE = AGENT + "/data-sources/{source}"
OWN_AGENT_SOURCE = "/api/v1/agents/{b_agent}/data-sources/{source}"

MATRIX = [
    ("GET", AGENT, None),
    ("PATCH", AGENT, {"name": "Taken over"}),
    ("DELETE", AGENT, None),
    ("GET", AGENT + "/rules", None),
    ("PUT", AGENT + "/rules", {"data_sinks": {"auto_push_on_job_complete": True}}),
    ("GET", AGENT + "/pending-items", None),
    ("POST", AGENT + "/pending-items/{item}/resolve", None),
    ("POST", "/api/v1/agents/{b_agent}/pending-items/{item}/resolve", None),
    ("GET", AGENT + "/data-sources", None),
    ("POST", AGENT + "/data-sources", "S3"),
    ("POST", AGENT + "/connection-checks", "CHECK"),
    ("POST", AGENT + "/catalogs", "CHECK"),
    ("GET", SOURCE, None),
    ("PATCH", SOURCE, {"name": "Taken over"}),
    ("DELETE", SOURCE, None),
    ("POST", SOURCE + "/test", None),
    ("POST", SOURCE + "/discover", None),
    ("POST", SOURCE + "/preview", {"limit": 5}),
    ("POST", SOURCE + "/pause", None),
    ("POST", SOURCE + "/resume", None),
    ("GET", SOURCE + "/syncs", None),
    ("GET", SOURCE + "/syncs/{item}", None),
    ("POST", SOURCE + "/pull", None),
    ("GET", SOURCE + "/mapping", None),
    ("PUT", SOURCE + "/mapping", {"fields": {"sku": "id"}}),
    ("GET", AGENT + "/jobs", None),
    ("GET", AGENT + "/jobs/{item}", None),
    ("GET", AGENT + "/inventory-uploads", None),
    ("GET", AGENT + "/notification-channels", None),
    (
        "POST",
        AGENT + "/notification-channels",
        {"kind": "WEBHOOK", "name": "Ops", "url": "https://hooks.example.com/x"},
    ),
    ("DELETE", AGENT + "/notification-channels/{item}", None),
    ("GET", OWN_AGENT_SOURCE, None),
    ("POST", OWN_AGENT_SOURCE + "/pull", None),
    ("GET", OWN_AGENT_SOURCE + "/mapping", None),
    ("PATCH", OWN_AGENT_SOURCE, {"name": "Taken over"}),
    ("DELETE", OWN_AGENT_SOURCE, None),
    ("POST", OWN_AGENT_SOURCE + "/test", None),
    ("POST", OWN_AGENT_SOURCE + "/discover", None),
    ("POST", OWN_AGENT_SOURCE + "/preview", {"limit": 5}),
    ("POST", OWN_AGENT_SOURCE + "/pause", None),
    ("POST", OWN_AGENT_SOURCE + "/resume", None),
    ("GET", OWN_AGENT_SOURCE + "/syncs", None),
    # Tenant A's secret reference, used from tenant B's own agent and source.
    ("POST", "/api/v1/agents/{b_agent}/data-sources", "S3_WITH_SECRET_REF"),
    ("POST", "/api/v1/agents/{b_agent}/connection-checks", "CHECK_WITH_SECRET_REF"),
    ("POST", "/api/v1/agents/{b_agent}/catalogs", "CHECK_WITH_SECRET_REF"),
    ("PATCH", "/api/v1/agents/{b_agent}/data-sources/{b_source}", {"secretRef": "{secret}"}),
    ("POST", "/api/v1/secrets", {"secretRef": "{secret}", "values": {"extra": "v4lue-123456"}}),
    ("POST", "/api/v1/secrets/{secret}/touch", None),
    ("DELETE", "/api/v1/secrets/{secret}", None),
]


_NAMES = {
    "{agent}": "a-agent",
    "{source}": "a-source",
    "{item}": "a-item",
    "{secret}": "a-secret",
    "{b_agent}": "own-agent",
    "{b_source}": "own-source",
}


def matrix_id(case: tuple[str, str, Any]) -> str:
    """``patch-own-agent-a-source``: the method, then the path's ids named by owner."""
    method, path, body = case
    words = path.removeprefix("/api/v1/").replace("agents/", "").replace("data-sources/", "")
    for placeholder, name in _NAMES.items():
        words = words.replace(placeholder, name)
    if (isinstance(body, str) and "SECRET_REF" in body) or (
        isinstance(body, dict) and any("{secret}" in str(v) for v in body.values())
    ):
        words += "/with-a-secret-ref"
    return f"{method.lower()}-{words.replace('/', '-')}"


def request_body(tenants: Tenants, body: Any, ids: dict[str, str]) -> Any:
    if body == "S3":
        return tenants.s3
    config = tenants.s3["config"]
    if body == "CHECK":
        return {"type": "S3", "config": config, "secret": tenants.s3["secret"]}
    if body == "CHECK_WITH_SECRET_REF":
        return {"type": "S3", "config": config, "secretRef": ids["secret"]}
    if body == "S3_WITH_SECRET_REF":
        copy = {k: v for k, v in tenants.s3.items() if k != "secret"}
        return {**copy, "secretRef": ids["secret"]}
    if isinstance(body, dict):
        return {k: v.format(**ids) if isinstance(v, str) else v for k, v in body.items()}
    return body


async def send(tenants: Tenants, case: tuple[str, str, Any], ids: dict[str, str]) -> Any:
    method, path, body = case
    url = path.format(**ids)
    if body is None:
        return await tenants.b.request(method, url)
    return await tenants.b.request(method, url, request_body(tenants, body, ids))


@pytest.mark.parametrize("case", MATRIX, ids=matrix_id)
async def test_another_tenants_id_is_a_404_like_a_missing_one(
    tenants: Tenants, case: tuple[str, str, Any]
) -> None:
    theirs = await send(tenants, case, tenants.ids)
    missing = await send(tenants, case, {**tenants.ids, **MISSING})

    assert theirs.status == 404, theirs.text
    assert theirs.error["code"] == "not_found"
    # Indistinguishable from an id that exists nowhere (ids aside).
    assert _ID.sub("<id>", theirs.text) == _ID.sub("<id>", missing.text)
    assert await tenants.a_snapshot() == tenants.baseline


def test_the_matrix_covers_every_route_with_an_id(backend: Backend) -> None:
    served = {
        (route.method, route.resource.canonical)
        for route in backend.app.router.routes()
        if route.resource is not None
        and "{" in route.resource.canonical
        and route.method != "HEAD"
        # Connector types are public, not tenant data; chat sessions are the session API's.
        and not route.resource.canonical.startswith(
            ("/api/v1/connector-types", "/api/v1/agents/ingestion/sessions")
        )
    }
    covered = {(method, re.sub(r"{\w+}", "{x}", path)) for method, path, _ in MATRIX}

    assert {(m, re.sub(r"{\w+}", "{x}", p)) for m, p in served} <= covered


async def test_tenant_a_still_sees_its_objects(tenants: Tenants) -> None:
    agent = f"/api/v1/agents/{tenants.ids['agent']}"

    reply = await tenants.a.get(f"{agent}/data-sources/{tenants.ids['source']}")

    assert reply.status == 200
    assert (await tenants.a.post(f"{agent}/data-sources/{tenants.ids['source']}/test")).json[
        "ok"
    ] is True


# -- owner and status fields in bodies are ignored --------------------------------------------


async def test_owner_fields_in_a_created_agent_are_ignored(
    api: Api, other_tenant: Api, backend: Backend
) -> None:
    reply = await api.post(
        "/api/v1/agents",
        {
            "name": "Mine",
            "id": "agt_01J0000000000000000000000Z",
            "tenantId": other_tenant.tenant,
            "createdBy": "mallory",
            "isDefault": True,
        },
    )

    assert reply.status == 201
    agent = reply.json
    assert agent["id"] != "agt_01J0000000000000000000000Z"
    assert agent["isDefault"] is False
    assert await other_tenant.agent_ids() == []
    async with backend.service.deps.database() as db:
        row = (await db.execute(select(Agent).where(Agent.id == agent["id"]))).scalar_one()
    assert (row.tenant_id, row.created_by) == (api.tenant, api.user)


async def test_owner_and_status_fields_in_a_created_source_are_ignored(
    api: Api, agent_id: str, other_tenant: Api, backend: Backend, receiver: Receiver
) -> None:
    theirs = await other_tenant.create_agent()
    body = {
        **webhook_source_body(receiver.url("/exports/products.csv")),
        "id": "src_01J0000000000000000000000Z",
        "tenantId": other_tenant.tenant,
        "agentId": theirs["id"],
        "createdBy": "mallory",
        "status": "paused",
        "consecutiveFailures": 7,
        "lastSyncedAt": "2020-01-01T00:00:00Z",
    }

    created = await api.create_source(agent_id, body)

    assert created["id"] != "src_01J0000000000000000000000Z"
    assert (created["agentId"], created["status"]) == (agent_id, "active")
    assert (created["consecutiveFailures"], created["lastSyncedAt"]) == (0, None)
    assert await other_tenant.source_ids(theirs["id"]) == []
    async with backend.service.deps.database() as db:
        row = (
            await db.execute(select(DataSource).where(DataSource.id == created["id"]))
        ).scalar_one()
    assert (row.tenant_id, row.created_by) == (api.tenant, api.user)


@pytest.mark.parametrize(
    "patch",
    [
        pytest.param({"status": "paused"}, id="status"),
        pytest.param({"consecutiveFailures": 5}, id="failure-count"),
        pytest.param({"tenantId": "someone-else"}, id="tenant"),
        pytest.param({"agentId": "agt_01J0000000000000000000000Z"}, id="agent"),
        pytest.param({"createdBy": "mallory", "id": "src_x"}, id="creator-and-id"),
    ],
)
async def test_patch_ignores_status_and_owner_fields(
    api: Api, agent_id: str, receiver: Receiver, patch: dict[str, Any]
) -> None:
    feed = await api.create_source(
        agent_id, webhook_source_body(receiver.url("/exports/products.csv"))
    )
    path = f"/api/v1/agents/{agent_id}/data-sources/{feed['id']}"

    reply = await api.patch(path, patch)

    assert reply.status == 200, reply.text
    after = (await api.get(path)).json
    assert {k: v for k, v in after.items() if k != "updatedAt"} == {
        k: v for k, v in feed.items() if k != "updatedAt"
    }
