"""Pulls over REST: ``POST …/pull``, ``GET …/syncs/{id}``, ``GET …/inventory-uploads``.

Every test runs on SQLite and on PostgreSQL; pulls reach the real SeaweedFS server and a
real HTTPS receiver, and run in the background as in production (the test polls).
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from connections.db.models import AuditEvent
from tests.api.rest.conftest import CSV_ROWS, PREFIX, Backend
from tests.api.rest.support import VIEWER, Answer, Api, Receiver, csv_rows, webhook_sink_body
from tests.support.seaweedfs import SeaweedS3

SYNC_FIELDS = {
    "id",
    "sourceId",
    "direction",
    "trigger",
    "status",
    "manifest",
    "bytes",
    "records",
    "error",
    "createdAt",
    "startedAt",
    "finishedAt",
}
_DONE = {"succeeded", "partial", "failed", "cancelled"}


def source_path(agent_id: str, source_id: str) -> str:
    return f"/api/v1/agents/{agent_id}/data-sources/{source_id}"


async def settled(api: Api, agent_id: str, source_id: str, sync_id: str) -> dict[str, Any]:
    """The sync once it has ended (the pull runs in the background)."""
    for _ in range(600):
        reply = await api.get(f"{source_path(agent_id, source_id)}/syncs/{sync_id}")
        assert reply.status == 200, reply.text
        if reply.json["status"] in _DONE:
            body: dict[str, Any] = reply.json
            return body
        await asyncio.sleep(0.05)
    raise AssertionError(f"sync {sync_id} did not end: {reply.text}")


async def pull(api: Api, agent_id: str, source_id: str) -> dict[str, Any]:
    """Request a pull (asserting the 202) and wait for it to end."""
    reply = await api.post(f"{source_path(agent_id, source_id)}/pull")
    assert reply.status == 202, reply.text
    return await settled(api, agent_id, source_id, reply.json["id"])


async def test_a_pull_is_queued_and_answers_at_once(
    api: Api, agent_id: str, source: dict[str, Any]
) -> None:
    reply = await api.post(f"{source_path(agent_id, source['id'])}/pull")

    assert reply.status == 202, reply.text
    body = reply.json
    assert set(body) == SYNC_FIELDS
    assert body["id"].startswith("syn_")
    assert (body["status"], body["trigger"], body["direction"]) == ("queued", "manual", "inbound")
    assert body["sourceId"] == source["id"]
    await settled(api, agent_id, source["id"], body["id"])


async def test_a_pulled_sync_carries_seed_001s_manifest(
    api: Api, agent_id: str, source: dict[str, Any]
) -> None:
    sync = await pull(api, agent_id, source["id"])

    assert sync["status"] == "succeeded"
    [item] = sync["manifest"]
    assert set(item) == {"key", "size", "status", "inventoryId", "etag"}
    assert item["key"] == f"{PREFIX}products.csv"
    assert item["size"] == len(csv_rows(CSV_ROWS))
    assert item["status"] == "uploaded"
    assert item["inventoryId"].startswith("inv_")
    assert sync["bytes"] == item["size"]
    listed = await api.get(f"{source_path(agent_id, source['id'])}/syncs")
    assert [s["id"] for s in listed.json["items"]] == [sync["id"]]
    source_now = (await api.get(source_path(agent_id, source["id"]))).json
    assert source_now["lastSyncedAt"] is not None


async def test_syncs_are_a_page_newest_first_that_a_cursor_continues(
    api: Api, agent_id: str, source: dict[str, Any]
) -> None:
    older = await pull(api, agent_id, source["id"])
    newer = await pull(api, agent_id, source["id"])
    path = f"{source_path(agent_id, source['id'])}/syncs"

    first = await api.get(path, params={"limit": "1"})
    rest = await api.get(
        path, params={"limit": "1", "cursor": first.json["pagination"]["nextCursor"]}
    )

    assert (first.status, rest.status) == (200, 200), first.text
    assert set(first.json) == {"items", "pagination"}
    assert [s["id"] for s in first.json["items"]] == [newer["id"]]
    assert set(first.json["items"][0]) == SYNC_FIELDS
    assert first.json["pagination"] == {"limit": 1, "nextCursor": newer["id"]}
    assert [s["id"] for s in rest.json["items"]] == [older["id"]]
    assert rest.json["pagination"] == {"limit": 1, "nextCursor": None}


async def test_a_second_pull_takes_nothing_new(
    api: Api, agent_id: str, source: dict[str, Any]
) -> None:
    await pull(api, agent_id, source["id"])

    second = await pull(api, agent_id, source["id"])

    assert (second["status"], second["manifest"]) == ("succeeded", [])


async def test_inventory_uploads_are_listed_and_paged(
    api: Api, agent_id: str, source: dict[str, Any], feed: dict[str, Any]
) -> None:
    await pull(api, agent_id, source["id"])
    await pull(api, agent_id, feed["id"])
    path = f"/api/v1/agents/{agent_id}/inventory-uploads"

    everything = await api.get(path)
    first = await api.get(path, params={"limit": "1"})
    rest = await api.get(
        path, params={"limit": "1", "cursor": first.json["pagination"]["nextCursor"]}
    )
    of_feed = await api.get(path, params={"sourceId": feed["id"]})

    assert everything.status == 200, everything.text
    uploads = everything.json["items"]
    assert {u["sourceId"] for u in uploads} == {source["id"], feed["id"]}
    assert set(uploads[0]) == {
        "id", "agentId", "sourceId", "syncId", "key", "etag", "format", "size", "records",
        "createdAt",
    }  # fmt: skip
    assert "location" not in uploads[0]
    assert [u["id"] for u in first.json["items"] + rest.json["items"]] == [u["id"] for u in uploads]
    assert rest.json["pagination"]["nextCursor"] is None
    assert [u["sourceId"] for u in of_feed.json["items"]] == [feed["id"]]


async def test_a_paused_source_is_refused_with_409(
    api: Api, agent_id: str, source: dict[str, Any]
) -> None:
    await api.post(f"{source_path(agent_id, source['id'])}/pause")

    reply = await api.post(f"{source_path(agent_id, source['id'])}/pull")

    assert reply.status == 409
    assert reply.error["code"] == "conflict"
    assert "paused" in reply.error["message"]
    assert "resume it first" in reply.error["message"]
    assert (await api.get(f"{source_path(agent_id, source['id'])}/syncs")).json["items"] == []


async def test_a_sink_is_not_pulled(api: Api, agent_id: str, receiver: Receiver) -> None:
    sink = await api.create_source(agent_id, webhook_sink_body(receiver.url("/results")))

    reply = await api.post(f"{source_path(agent_id, sink['id'])}/pull")

    assert reply.status == 422
    assert reply.error["field"] == "role"


async def test_pulling_needs_update_and_reading_needs_read(
    api: Api, agent_id: str, source: dict[str, Any]
) -> None:
    sync = await pull(api, agent_id, source["id"])
    viewer = api.as_roles(VIEWER)

    refused = await viewer.post(f"{source_path(agent_id, source['id'])}/pull")
    one = await viewer.get(f"{source_path(agent_id, source['id'])}/syncs/{sync['id']}")
    uploads = await viewer.get(f"/api/v1/agents/{agent_id}/inventory-uploads")

    assert refused.status == 403
    assert refused.error["message"] == "You don't have permission. Contact your administrator."
    assert (one.status, uploads.status) == (200, 200)


async def test_another_tenants_ids_are_404s(
    api: Api, other_tenant: Api, agent_id: str, source: dict[str, Any]
) -> None:
    sync = await pull(api, agent_id, source["id"])
    own_agent = str((await other_tenant.create_agent())["id"])

    replies = [
        await other_tenant.post(f"{source_path(agent_id, source['id'])}/pull"),
        await other_tenant.post(f"{source_path(own_agent, source['id'])}/pull"),
        await other_tenant.get(f"{source_path(agent_id, source['id'])}/syncs/{sync['id']}"),
        await other_tenant.get(f"/api/v1/agents/{agent_id}/inventory-uploads"),
    ]

    assert [r.status for r in replies] == [404, 404, 404, 404]
    assert all(r.error["code"] == "not_found" for r in replies)
    assert len((await api.get(f"{source_path(agent_id, source['id'])}/syncs")).json["items"]) == 1


async def test_a_sync_of_another_source_is_a_404(
    api: Api, agent_id: str, source: dict[str, Any], feed: dict[str, Any]
) -> None:
    sync = await pull(api, agent_id, source["id"])

    reply = await api.get(f"{source_path(agent_id, feed['id'])}/syncs/{sync['id']}")
    missing = await api.get(
        f"{source_path(agent_id, source['id'])}/syncs/syn_01J0000000000000000000000A"
    )

    assert (reply.status, missing.status) == (404, 404)


async def test_a_retried_pull_with_an_idempotency_key_queues_one_sync(
    api: Api, agent_id: str, source: dict[str, Any]
) -> None:
    path = f"{source_path(agent_id, source['id'])}/pull"
    headers = {"Idempotency-Key": "pull-once"}

    first = await api.post(path, headers=headers)
    again = await api.post(path, headers=headers)

    assert (first.status, again.status) == (202, 202)
    assert again.json["id"] == first.json["id"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    await settled(api, agent_id, source["id"], first.json["id"])
    assert len((await api.get(f"{source_path(agent_id, source['id'])}/syncs")).json["items"]) == 1


async def test_each_requested_pull_is_audited(
    api: Api, agent_id: str, source: dict[str, Any], backend: Backend
) -> None:
    sync = await pull(api, agent_id, source["id"])

    async with backend.service.deps.database() as db:
        events = (
            await db.scalars(select(AuditEvent).where(AuditEvent.tenant_id == api.tenant))
        ).all()
    requested = [e for e in events if e.action == "data_source.pull"]
    finished = [e for e in events if e.action == "sync.finish"]
    assert [(e.actor, e.object_id, e.details["syncId"]) for e in requested] == [
        (api.user, source["id"], sync["id"])
    ]
    assert [e.object_id for e in finished] == [sync["id"]]


async def test_three_failed_pulls_pause_the_source_until_it_is_resumed(
    api: Api, agent_id: str, feed: dict[str, Any], receiver: Receiver
) -> None:
    receiver.script("/exports/products.csv", Answer(status=500), method="GET")
    path = source_path(agent_id, feed["id"])

    results = [await pull(api, agent_id, feed["id"]) for _ in range(3)]
    refused = await api.post(f"{path}/pull")
    items = (await api.get(f"/api/v1/agents/{agent_id}/pending-items")).json["items"]
    resumed = await api.post(f"{path}/resume")

    assert [r["status"] for r in results] == ["failed"] * 3
    assert "HTTP 500" in results[0]["error"]
    assert refused.status == 409
    [item] = items
    assert (item["kind"], item["sourceId"], item["status"]) == (
        "DATA_SOURCE_PULL_FAILED",
        feed["id"],
        "open",
    )
    resolved = await api.post(f"/api/v1/agents/{agent_id}/pending-items/{item['id']}/resolve")
    assert resolved.json["status"] == "resolved"
    assert (resumed.json["status"], resumed.json["consecutiveFailures"]) == ("active", 0)
    receiver.script(
        "/exports/products.csv", Answer(body=csv_rows(3), content_type="text/csv"), method="GET"
    )
    assert (await pull(api, agent_id, feed["id"]))["status"] == "succeeded"


async def test_a_webhook_pull_takes_the_export(
    api: Api, agent_id: str, feed: dict[str, Any], receiver: Receiver, seaweed: SeaweedS3
) -> None:
    sync = await pull(api, agent_id, feed["id"])

    [item] = sync["manifest"]
    assert item["status"] == "uploaded"
    assert item["key"] == receiver.url("/exports/products.csv")
    assert item["etag"].startswith("sha256:")
