"""Idempotency-Key on every POST that creates: replays return the first response."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from mypy_boto3_s3 import S3Client

from tests.api.rest.support import Api, Receiver, s3_body, unique, webhook_sink_body
from tests.support.seaweedfs import SeaweedS3


@dataclass(frozen=True)
class Create:
    """A create route: where to POST, two different valid bodies, how to count results."""

    path: str
    body: dict[str, Any]
    other_body: dict[str, Any]
    count: Callable[[Api], Awaitable[int]] | None


@pytest.fixture(params=["agent", "data-source", "secret"])
async def create(
    request: pytest.FixtureRequest, api: Api, agent_id: str, receiver: Receiver
) -> Create:
    """Each create route in turn."""
    if request.param == "agent":

        async def agents(caller: Api) -> int:
            return len(await caller.agent_ids())

        return Create("/api/v1/agents", {"name": "Replayed"}, {"name": "Other"}, agents)
    if request.param == "data-source":

        async def sources(caller: Api) -> int:
            return len(await caller.source_ids(agent_id))

        return Create(
            f"/api/v1/agents/{agent_id}/data-sources",
            webhook_sink_body(receiver.url("/results")),
            webhook_sink_body(receiver.url("/results"), name="Other hook"),
            sources,
        )
    # Staged secrets cannot be listed; the reference in the answer tells them apart.
    return Create(
        "/api/v1/secrets",
        {"values": {"token": "staged-value-0123456789"}},
        {"values": {"token": "another-value-0123456789"}},
        None,
    )


async def count(api: Api, create: Create) -> int | None:
    return await create.count(api) if create.count else None


async def test_a_replay_returns_the_first_response_and_creates_nothing(
    api: Api, create: Create
) -> None:
    key = {"Idempotency-Key": unique("key")}
    first = await api.post(create.path, create.body, headers=key)
    after_first = await count(api, create)

    replay = await api.post(create.path, create.body, headers=key)

    assert first.status == 201, first.text
    assert "Idempotent-Replayed" not in first.headers
    assert (replay.status, replay.json) == (201, first.json)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.headers.get("Location") == first.headers.get("Location")
    assert await count(api, create) == after_first


async def test_the_same_key_with_another_body_is_a_422_and_creates_nothing(
    api: Api, create: Create
) -> None:
    key = {"Idempotency-Key": unique("key")}
    await api.post(create.path, create.body, headers=key)
    before = await count(api, create)

    reply = await api.post(create.path, create.other_body, headers=key)

    assert reply.status == 422
    assert (reply.error["code"], reply.error["field"]) == (
        "idempotency_key_reused",
        "Idempotency-Key",
    )
    assert await count(api, create) == before


async def test_the_key_is_per_tenant(api: Api, other_tenant: Api) -> None:
    key = {"Idempotency-Key": unique("key")}
    mine = await api.post("/api/v1/agents", {"name": "Same"}, headers=key)

    theirs = await other_tenant.post("/api/v1/agents", {"name": "Same"}, headers=key)

    assert (mine.status, theirs.status) == (201, 201)
    assert "Idempotent-Replayed" not in theirs.headers
    assert theirs.json["id"] != mine.json["id"]
    assert await other_tenant.agent_ids() == [theirs.json["id"]]


async def test_without_a_key_a_repeated_create_is_not_replayed(
    api: Api, agent_id: str, receiver: Receiver
) -> None:
    body = webhook_sink_body(receiver.url("/results"))
    path = f"/api/v1/agents/{agent_id}/data-sources"

    await api.post(path, body)
    second = await api.post(path, body)

    assert second.status == 409
    assert len(await api.source_ids(agent_id)) == 1


async def test_a_failed_create_does_not_use_up_its_key(
    api: Api, agent_id: str, seaweed: SeaweedS3, s3_admin: S3Client
) -> None:
    bucket = unique("late").lower()
    key = {"Idempotency-Key": unique("key")}
    path = f"/api/v1/agents/{agent_id}/data-sources"
    failed = await api.post(path, s3_body(seaweed, bucket), headers=key)
    s3_admin.create_bucket(Bucket=bucket)

    retried = await api.post(path, s3_body(seaweed, bucket), headers=key)

    assert (failed.status, failed.error["code"]) == (422, "not_found")
    assert retried.status == 201, retried.text
    assert "Idempotent-Replayed" not in retried.headers


async def test_an_overlong_key_is_refused_and_creates_nothing(api: Api) -> None:
    reply = await api.post(
        "/api/v1/agents", {"name": "Long key"}, headers={"Idempotency-Key": "k" * 201}
    )

    assert reply.status == 422
    assert reply.error["field"] == "Idempotency-Key"
    assert await api.agent_ids() == []
