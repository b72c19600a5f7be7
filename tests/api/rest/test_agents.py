"""``/api/v1/agents``: agents, their rule sets and pending items (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from connections.db.models import PendingItem
from core.ids import new_id
from tests.api.rest.conftest import Backend
from tests.api.rest.support import Api, Receiver, webhook_sink_body

DEFAULT_RULES = {
    "data_sources": {"auto_pull_on_schedule": True, "pause_source_after_failures": 3},
    "data_sinks": {"auto_push_on_job_complete": False, "retry_failed_push": 2},
    "mapping_jobs": {"trigger_on_new_inventory_upload": True},
}


async def test_create_agent_answers_201_with_location_and_defaults(api: Api) -> None:
    reply = await api.post("/api/v1/agents", {"name": "Inventory", "goal": "Daily stock"})

    assert reply.status == 201, reply.text
    agent = reply.json
    assert reply.headers["Location"] == f"/api/v1/agents/{agent['id']}"
    assert agent["id"].startswith("agt_")
    assert (agent["name"], agent["goal"], agent["defaultCron"], agent["isDefault"]) == (
        "Inventory",
        "Daily stock",
        "0 */6 * * *",
        False,
    )
    assert agent["rules"] == DEFAULT_RULES


async def test_agent_reads_back_the_same(api: Api) -> None:
    agent = await api.create_agent()

    reply = await api.get(f"/api/v1/agents/{agent['id']}")

    assert (reply.status, reply.json) == (200, agent)


async def test_list_agents_pages_with_next_cursor(api: Api) -> None:
    created = [(await api.create_agent(name))["id"] for name in ("a", "b", "c")]

    first = (await api.get("/api/v1/agents", params={"limit": "2"})).json
    cursor = first["pagination"]["nextCursor"]
    second = (await api.get("/api/v1/agents", params={"limit": "2", "cursor": cursor})).json

    assert first["pagination"] == {"limit": 2, "nextCursor": created[1]}
    assert second["pagination"] == {"limit": 2, "nextCursor": None}
    assert [a["id"] for a in first["items"] + second["items"]] == created


async def test_patch_agent_changes_only_the_given_fields(api: Api) -> None:
    agent = await api.create_agent("Before", goal="Keep me")

    reply = await api.patch(
        f"/api/v1/agents/{agent['id']}", {"name": "After", "defaultCron": "15 3 * * *"}
    )

    assert reply.status == 200, reply.text
    changed = reply.json
    assert (changed["name"], changed["goal"], changed["defaultCron"]) == (
        "After",
        "Keep me",
        "15 3 * * *",
    )
    assert (await api.get(f"/api/v1/agents/{agent['id']}")).json == changed


async def test_duplicate_agent_name_is_a_409_naming_the_field(api: Api) -> None:
    await api.create_agent("Inventory")

    reply = await api.post("/api/v1/agents", {"name": "Inventory"})

    assert reply.status == 409
    assert (reply.error["code"], reply.error["field"]) == ("conflict", "name")
    assert len(await api.agent_ids()) == 1


async def test_delete_agent_removes_it_and_its_sources(
    api: Api, agent_id: str, receiver: Receiver
) -> None:
    sink = await api.create_source(agent_id, webhook_sink_body(receiver.url("/results")))

    reply = await api.delete(f"/api/v1/agents/{agent_id}")

    assert reply.status == 204
    assert (await api.get(f"/api/v1/agents/{agent_id}")).status == 404
    assert (await api.get(f"/api/v1/agents/{agent_id}/data-sources/{sink['id']}")).status == 404
    assert await api.agent_ids() == []


# -- rules -------------------------------------------------------------------------------------


async def test_rules_have_the_seed_defaults(api: Api, agent_id: str) -> None:
    reply = await api.get(f"/api/v1/agents/{agent_id}/rules")

    assert (reply.status, reply.json) == (200, DEFAULT_RULES)


async def test_put_rules_replaces_them_and_omitted_sections_take_defaults(
    api: Api, agent_id: str
) -> None:
    wanted = {"data_sinks": {"auto_push_on_job_complete": True, "retry_failed_push": 5}}

    reply = await api.put(f"/api/v1/agents/{agent_id}/rules", wanted)

    expected = {**DEFAULT_RULES, **wanted}
    assert (reply.status, reply.json) == (200, expected)
    assert (await api.get(f"/api/v1/agents/{agent_id}/rules")).json == expected
    assert (await api.get(f"/api/v1/agents/{agent_id}")).json["rules"] == expected


async def test_agent_created_with_rules_keeps_them(api: Api) -> None:
    rules = {"data_sources": {"auto_pull_on_schedule": False, "pause_source_after_failures": 5}}

    agent = await api.create_agent(rules=rules)

    assert agent["rules"] == {**DEFAULT_RULES, **rules}


# -- pending items -----------------------------------------------------------------------------


async def add_pending_item(backend: Backend, api: Api, agent_id: str) -> str:
    """File a pending item the way a failing pull would (no route creates one)."""
    item_id = new_id("pnd")
    async with backend.service.deps.database() as db:
        db.add(
            PendingItem(
                id=item_id,
                tenant_id=api.tenant,
                agent_id=agent_id,
                kind="DATA_SOURCE_PULL_FAILED",
                message="The source was paused after 3 failed pulls.",
                created_at=datetime.now(UTC),
            )
        )
        await db.commit()
    return item_id


async def test_pending_items_of_a_new_agent_are_an_empty_page(api: Api, agent_id: str) -> None:
    reply = await api.get(f"/api/v1/agents/{agent_id}/pending-items")

    assert (reply.status, reply.json) == (
        200,
        {"items": [], "pagination": {"limit": 50, "nextCursor": None}},
    )


async def test_pending_items_list_open_items(api: Api, agent_id: str, backend: Backend) -> None:
    item_id = await add_pending_item(backend, api, agent_id)

    reply = await api.get(f"/api/v1/agents/{agent_id}/pending-items")

    assert reply.status == 200
    (item,) = reply.json["items"]
    assert (item["id"], item["kind"], item["status"], item["resolvedAt"]) == (
        item_id,
        "DATA_SOURCE_PULL_FAILED",
        "open",
        None,
    )


async def test_pending_items_are_a_page_newest_first_that_a_cursor_continues(
    api: Api, agent_id: str, backend: Backend
) -> None:
    # Ids are ULIDs: they sort by creation time (two made in one millisecond sort at random).
    older, newer = sorted([await add_pending_item(backend, api, agent_id) for _ in range(2)])
    path = f"/api/v1/agents/{agent_id}/pending-items"

    first = await api.get(path, params={"limit": "1"})
    rest = await api.get(
        path, params={"limit": "1", "cursor": first.json["pagination"]["nextCursor"]}
    )

    assert (first.status, rest.status) == (200, 200), first.text
    assert set(first.json) == {"items", "pagination"}
    assert [i["id"] for i in first.json["items"]] == [newer]
    assert first.json["pagination"] == {"limit": 1, "nextCursor": newer}
    assert [i["id"] for i in rest.json["items"]] == [older]
    assert rest.json["pagination"] == {"limit": 1, "nextCursor": None}


async def test_resolving_a_pending_item_marks_it_resolved(
    api: Api, agent_id: str, backend: Backend
) -> None:
    item_id = await add_pending_item(backend, api, agent_id)

    reply = await api.post(f"/api/v1/agents/{agent_id}/pending-items/{item_id}/resolve")

    assert reply.status == 200, reply.text
    assert reply.json["status"] == "resolved"
    listing = await api.get(f"/api/v1/agents/{agent_id}/pending-items")
    listed: list[dict[str, Any]] = listing.json["items"]
    assert [(i["id"], i["status"]) for i in listed] == [(item_id, "resolved")]


# -- the default agent -------------------------------------------------------------------------


async def test_the_default_agent_is_created_on_first_use_with_the_defaults(api: Api) -> None:
    first = await api.get("/api/v1/agents/default")
    again = await api.get("/api/v1/agents/default")

    assert first.status == 200, first.text
    assert (first.json["isDefault"], first.json["defaultCron"]) == (True, "0 */6 * * *")
    assert first.json["rules"] == DEFAULT_RULES
    assert again.json == first.json
    assert await api.agent_ids() == [first.json["id"]]


async def test_the_default_agent_is_made_even_when_its_usual_name_is_taken(api: Api) -> None:
    taken = await api.create_agent("Default agent")

    reply = await api.get("/api/v1/agents/default")

    assert reply.status == 200, reply.text
    assert reply.json["isDefault"] is True
    assert reply.json["id"] != taken["id"]


async def test_reading_the_default_agent_needs_the_read_permission(api: Api) -> None:
    await api.get("/api/v1/agents/default")

    reply = await api.as_roles("").get("/api/v1/agents/default")

    assert reply.status == 403
