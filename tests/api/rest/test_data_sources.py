"""``/api/v1/agents/{id}/data-sources``: create with a save-time ping, list, read, change, delete.

Every test runs on SQLite and on PostgreSQL, against a real SeaweedFS server and real HTTPS
receivers.
"""

from __future__ import annotations

from typing import Any

import pytest
from mypy_boto3_s3 import S3Client

from tests.api.rest.conftest import CSV_ROWS, Backend
from tests.api.rest.support import (
    Api,
    Receiver,
    s3_body,
    unique,
    webhook_sink_body,
    webhook_source_body,
)
from tests.support.seaweedfs import SeaweedS3

SEED_001_FIELDS = {
    "id",
    "agentId",
    "role",
    "type",
    "name",
    "config",
    "secretRef",
    "secretMask",
    "format",
    "scheduleCron",
    "scheduleTimezone",
    "selectedStreams",
    "status",
    "consecutiveFailures",
    "lastSyncedAt",
    "autoPushOnJobComplete",
    "retryFailedPush",
    "createdAt",
    "updatedAt",
}


def sources_path(agent_id: str) -> str:
    return f"/api/v1/agents/{agent_id}/data-sources"


# -- create ------------------------------------------------------------------------------------


async def test_seed_001_body_creates_a_source_with_location(
    api: Api, agent_id: str, seaweed: SeaweedS3, stocked_bucket: str
) -> None:
    reply = await api.post(sources_path(agent_id), s3_body(seaweed, stocked_bucket))

    assert reply.status == 201, reply.text
    body = reply.json
    assert reply.headers["Location"] == f"{sources_path(agent_id)}/{body['id']}"
    assert set(body) == SEED_001_FIELDS
    assert body["id"].startswith("src_")
    assert (body["agentId"], body["role"], body["type"], body["name"]) == (
        agent_id,
        "INVENTORY_SOURCE",
        "S3",
        "Daily uploads",
    )
    assert body["config"] == {
        "bucket": stocked_bucket,
        "prefix": "daily-uploads/",
        "region": "us-east-1",
        "endpointUrl": seaweed.endpoint_url,
    }
    assert (body["format"], body["scheduleCron"], body["status"]) == (
        "CSV",
        "0 */6 * * *",
        "active",
    )
    assert body["secretRef"].startswith("sec_")
    assert body["secretMask"] == "ia_****" + seaweed.admin.secret_access_key[-4:]


async def test_a_created_source_reads_back_the_same_at_its_location(
    api: Api, agent_id: str, seaweed: SeaweedS3, stocked_bucket: str
) -> None:
    created = await api.post(sources_path(agent_id), s3_body(seaweed, stocked_bucket))

    reply = await api.get(created.headers["Location"])

    assert (reply.status, reply.json) == (200, created.json)


@pytest.mark.parametrize(
    ("identity", "role", "failure", "field"),
    [
        pytest.param("wrong_secret", "INVENTORY_SOURCE", "auth_failed", "secret.secretAccessKey",
                     id="wrong-secret-key-is-auth_failed"),
        pytest.param("unknown", "INVENTORY_SOURCE", "auth_failed", "secret.accessKeyId",
                     id="unknown-key-id-is-auth_failed"),
        pytest.param("reader", "RESULTS_SINK", "permission_denied", "secret.accessKeyId",
                     id="read-only-key-as-sink-is-permission_denied"),
    ],
)  # fmt: skip
async def test_failed_save_time_ping_is_a_classified_422_and_saves_nothing(
    api: Api,
    agent_id: str,
    seaweed: SeaweedS3,
    bucket: str,
    identity: str,
    role: str,
    failure: str,
    field: str,
) -> None:
    body = s3_body(seaweed, bucket, identity=getattr(seaweed, identity), role=role)

    reply = await api.post(sources_path(agent_id), body)

    assert reply.status == 422
    error = reply.error
    assert (error["code"], error["failure"], error["field"]) == (failure, failure, field)
    assert any(step["status"] == "failed" for step in error["steps"])
    assert await api.source_ids(agent_id) == []


async def test_missing_bucket_is_a_not_found_422_naming_the_bucket(
    api: Api, agent_id: str, seaweed: SeaweedS3
) -> None:
    reply = await api.post(sources_path(agent_id), s3_body(seaweed, "no-such-bucket-here"))

    assert reply.status == 422
    assert (reply.error["code"], reply.error["field"]) == ("not_found", "config.bucket")
    assert "no-such-bucket-here" in reply.error["message"]
    assert await api.source_ids(agent_id) == []


async def test_the_ping_reports_every_step(api: Api, agent_id: str, seaweed: SeaweedS3) -> None:
    reply = await api.post(sources_path(agent_id), s3_body(seaweed, "no-such-bucket-here"))

    steps = reply.error["steps"]
    assert [s["name"] for s in steps] == [
        "validate_config",
        "resolve_endpoint",
        "authenticate",
        "list_prefix",
    ]
    assert [s["status"] for s in steps] == ["ok", "ok", "failed", "skipped"]
    assert all(s["message"] for s in steps)


async def test_duplicate_source_name_in_one_agent_is_a_409(
    api: Api, feed: dict[str, Any], receiver: Receiver
) -> None:
    body = webhook_sink_body(receiver.url("/results"), name=feed["name"])

    reply = await api.post(sources_path(feed["agentId"]), body)

    assert reply.status == 409
    assert (reply.error["code"], reply.error["field"]) == ("conflict", "name")
    assert await api.source_ids(feed["agentId"]) == [feed["id"]]


async def test_sink_with_a_writable_key_is_saved(
    api: Api, agent_id: str, seaweed: SeaweedS3, bucket: str, s3_admin: S3Client
) -> None:
    reply = await api.post(
        sources_path(agent_id), s3_body(seaweed, bucket, role="RESULTS_SINK", name="Results")
    )

    assert reply.status == 201, reply.text
    assert reply.json["role"] == "RESULTS_SINK"
    # The write probe leaves nothing behind.
    assert s3_admin.list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0


# -- webhooks ----------------------------------------------------------------------------------


async def test_webhook_sink_is_pinged_with_options_and_saved(
    api: Api, agent_id: str, receiver: Receiver
) -> None:
    reply = await api.post(sources_path(agent_id), webhook_sink_body(receiver.url("/results")))

    assert reply.status == 201, reply.text
    body = reply.json
    assert (body["role"], body["type"], body["config"]["url"]) == (
        "RESULTS_SINK",
        "WEBHOOK",
        receiver.url("/results"),
    )
    assert body["secretRef"].startswith("sec_")
    assert body["secretMask"].startswith("ia_****")
    assert [r.method for r in receiver.received("/results")] == ["OPTIONS"]


async def test_webhook_sink_without_a_signing_secret_is_refused(
    api: Api, agent_id: str, receiver: Receiver
) -> None:
    body = webhook_sink_body(receiver.url("/results"))
    del body["secret"]

    reply = await api.post(sources_path(agent_id), body)

    assert reply.status == 422
    assert reply.error["field"] == "secret.signingSecret"
    assert receiver.received("/results") == []
    assert await api.source_ids(agent_id) == []


async def test_webhook_sink_whose_endpoint_is_missing_is_a_not_found_422(
    api: Api, agent_id: str, receiver: Receiver
) -> None:
    reply = await api.post(sources_path(agent_id), webhook_sink_body(receiver.url("/nowhere")))

    assert reply.status == 422
    assert reply.error["code"] == "not_found"
    assert await api.source_ids(agent_id) == []


async def test_webhook_source_sends_its_auth_header_to_the_peer(
    api: Api, agent_id: str, receiver: Receiver
) -> None:
    body = webhook_source_body(
        receiver.url("/exports/products.csv"), auth_header="Bearer feed-token-0123456789"
    )

    reply = await api.post(sources_path(agent_id), body)

    assert reply.status == 201, reply.text
    seen = receiver.received("/exports/products.csv")
    assert [r.method for r in seen] == ["OPTIONS", "GET"]
    assert {r.headers["authorization"] for r in seen} == {"Bearer feed-token-0123456789"}


# -- list --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def mixed(
    backend: Backend, seaweed: SeaweedS3, stocked_bucket: str, shared_receiver: Receiver
) -> tuple[Api, dict[str, str]]:
    """An S3 source, a webhook source (paused) and a webhook sink in one agent."""
    api = Api(client=backend.client, tenant=unique("tenant-list"))
    agent_id = (await api.create_agent())["id"]
    s3 = await api.create_source(agent_id, s3_body(seaweed, stocked_bucket))
    feed = await api.create_source(
        agent_id, webhook_source_body(shared_receiver.url("/exports/products.csv"))
    )
    sink = await api.create_source(agent_id, webhook_sink_body(shared_receiver.url("/results")))
    paused = await api.post(f"{sources_path(agent_id)}/{feed['id']}/pause")
    assert paused.status == 200
    return api, {"agent": agent_id, "s3": s3["id"], "feed": feed["id"], "sink": sink["id"]}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param({}, {"s3", "feed", "sink"}, id="no-filter-lists-all"),
        pytest.param({"role": "RESULTS_SINK"}, {"sink"}, id="role-sink"),
        pytest.param({"role": "inventory_source"}, {"s3", "feed"}, id="role-any-case"),
        pytest.param({"type": "webhook"}, {"feed", "sink"}, id="type"),
        pytest.param({"status": "paused"}, {"feed"}, id="status-paused"),
        pytest.param({"status": "active", "type": "S3"}, {"s3"}, id="filters-combine"),
    ],
)
async def test_list_filters_by_role_type_and_status(
    mixed: tuple[Api, dict[str, str]], params: dict[str, str], expected: set[str]
) -> None:
    api, ids = mixed

    reply = await api.get(sources_path(ids["agent"]), params=params)

    assert reply.status == 200
    assert {item["id"] for item in reply.json["items"]} == {ids[name] for name in expected}


async def test_list_pages_with_limit_and_next_cursor(
    api: Api, agent_id: str, receiver: Receiver
) -> None:
    created = [
        (await api.create_source(agent_id, webhook_sink_body(receiver.url("/results"), name=n)))[
            "id"
        ]
        for n in ("one", "two", "three")
    ]

    first = (await api.get(sources_path(agent_id), params={"limit": "2"})).json
    second = (
        await api.get(
            sources_path(agent_id),
            params={"limit": "2", "cursor": first["pagination"]["nextCursor"]},
        )
    ).json

    assert first["pagination"] == {"limit": 2, "nextCursor": first["items"][1]["id"]}
    assert second["pagination"] == {"limit": 2, "nextCursor": None}
    assert [i["id"] for i in first["items"] + second["items"]] == sorted(created)


async def test_list_of_an_agent_without_sources_is_empty(api: Api, agent_id: str) -> None:
    reply = await api.get(sources_path(agent_id))

    assert reply.status == 200
    assert reply.json == {"items": [], "pagination": {"limit": 50, "nextCursor": None}}


# -- change and delete -------------------------------------------------------------------------


async def test_patch_changes_only_the_given_fields(api: Api, feed: dict[str, Any]) -> None:
    path = f"{sources_path(feed['agentId'])}/{feed['id']}"

    reply = await api.patch(path, {"name": "Nightly feed", "scheduleCron": "0 2 * * *"})

    assert reply.status == 200, reply.text
    changed = reply.json
    assert (changed["name"], changed["scheduleCron"]) == ("Nightly feed", "0 2 * * *")
    untouched = {k: v for k, v in feed.items() if k not in {"name", "scheduleCron", "updatedAt"}}
    assert {k: changed[k] for k in untouched} == untouched
    assert (await api.get(path)).json == changed


async def test_patch_of_the_config_is_pinged_before_it_is_saved(
    api: Api, feed: dict[str, Any], receiver: Receiver
) -> None:
    path = f"{sources_path(feed['agentId'])}/{feed['id']}"

    reply = await api.patch(path, {"config": {"url": receiver.url("/nowhere.csv")}})

    assert reply.status == 422
    assert reply.error["code"] == "not_found"
    assert receiver.received("/nowhere.csv")
    assert (await api.get(path)).json == feed


async def test_delete_removes_the_source(api: Api, feed: dict[str, Any]) -> None:
    path = f"{sources_path(feed['agentId'])}/{feed['id']}"

    reply = await api.delete(path)

    assert reply.status == 204
    assert reply.text == ""
    assert (await api.get(path)).status == 404
    assert await api.source_ids(feed["agentId"]) == []


async def test_pause_and_resume_set_the_status(api: Api, feed: dict[str, Any]) -> None:
    path = f"{sources_path(feed['agentId'])}/{feed['id']}"

    paused = await api.post(f"{path}/pause")
    seen_paused = (await api.get(path)).json["status"]
    resumed = await api.post(f"{path}/resume")

    assert (paused.status, paused.json["status"], seen_paused) == (200, "paused", "paused")
    assert (resumed.status, resumed.json["status"]) == (200, "active")
    assert (await api.get(path)).json["status"] == "active"


# -- test, syncs, preview, discover ------------------------------------------------------------


async def test_test_is_verbose_and_passes_for_a_good_source(
    api: Api, source: dict[str, Any]
) -> None:
    reply = await api.post(f"{sources_path(source['agentId'])}/{source['id']}/test")

    assert reply.status == 200, reply.text
    result = reply.json
    assert (result["ok"], result["failure"]) == (True, None)
    assert [(s["name"], s["status"]) for s in result["steps"]] == [
        ("validate_config", "ok"),
        ("resolve_endpoint", "ok"),
        ("authenticate", "ok"),
        ("list_prefix", "ok"),
    ]
    assert result["details"]["objects"] == 1


async def test_test_is_read_only_and_records_no_sync(api: Api, feed: dict[str, Any]) -> None:
    path = f"{sources_path(feed['agentId'])}/{feed['id']}"

    await api.post(f"{path}/test")

    assert (await api.get(f"{path}/syncs")).json["items"] == []
    assert (await api.get(path)).json == feed


async def test_test_reports_a_classified_failure_with_steps(
    api: Api, agent_id: str, seaweed: SeaweedS3, bucket: str, s3_admin: S3Client
) -> None:
    saved = await api.create_source(agent_id, s3_body(seaweed, bucket))
    s3_admin.delete_bucket(Bucket=bucket)

    reply = await api.post(f"{sources_path(agent_id)}/{saved['id']}/test")

    assert reply.status == 200
    assert (reply.json["ok"], reply.json["failure"]) == (False, "not_found")
    assert [s["status"] for s in reply.json["steps"]][-2:] == ["failed", "skipped"]


async def test_syncs_of_a_new_source_are_an_empty_page(api: Api, feed: dict[str, Any]) -> None:
    reply = await api.get(f"{sources_path(feed['agentId'])}/{feed['id']}/syncs")

    assert (reply.status, reply.json["items"], reply.json["pagination"]) == (
        200,
        [],
        {"limit": 20, "nextCursor": None},
    )


async def test_preview_returns_the_first_rows(api: Api, source: dict[str, Any]) -> None:
    reply = await api.post(
        f"{sources_path(source['agentId'])}/{source['id']}/preview", {"limit": 20}
    )

    assert reply.status == 200, reply.text
    preview = reply.json
    assert preview["stream"] == "products"
    assert [c["name"] for c in preview["columns"]] == ["sku", "name", "qty"]
    assert len(preview["rows"]) == 20 < CSV_ROWS
    assert [r["sku"] for r in preview["rows"]] == [f"SKU-{i:03d}" for i in range(1, 21)]


async def test_preview_of_a_webhook_source_reads_the_feed(
    api: Api, agent_id: str, receiver: Receiver
) -> None:
    feed = await api.create_source(
        agent_id, webhook_source_body(receiver.url("/exports/products.csv"))
    )

    reply = await api.post(f"{sources_path(agent_id)}/{feed['id']}/preview", {"limit": 3})

    assert reply.status == 200, reply.text
    # CSV values arrive as text.
    assert reply.json["rows"] == [
        {"sku": "SKU-001", "name": "Widget 1", "qty": "1"},
        {"sku": "SKU-002", "name": "Widget 2", "qty": "2"},
        {"sku": "SKU-003", "name": "Widget 3", "qty": "3"},
    ]


async def test_discover_lists_the_streams_with_columns(api: Api, source: dict[str, Any]) -> None:
    reply = await api.post(f"{sources_path(source['agentId'])}/{source['id']}/discover")

    assert reply.status == 200, reply.text
    (stream,) = reply.json["streams"]
    assert stream["name"] == "products"
    assert [(c["name"], c["type"]) for c in stream["columns"]] == [
        ("sku", "string"),
        ("name", "string"),
        ("qty", "integer"),
    ]
    assert stream["fileCount"] == 1


async def test_discover_of_a_sink_is_refused(api: Api, agent_id: str, receiver: Receiver) -> None:
    sink = await api.create_source(agent_id, webhook_sink_body(receiver.url("/results")))

    reply = await api.post(f"{sources_path(agent_id)}/{sink['id']}/discover")

    assert reply.status == 422
    assert reply.error["field"] == "role"


# -- unsaved connections -----------------------------------------------------------------------


def unsaved(seaweed: SeaweedS3, bucket: str, **overrides: Any) -> dict[str, Any]:
    body = s3_body(seaweed, bucket, **overrides)
    return {k: body[k] for k in ("type", "role", "config", "secret", "format")}


async def test_connection_check_of_unsaved_settings_passes_and_saves_nothing(
    api: Api, agent_id: str, seaweed: SeaweedS3, stocked_bucket: str
) -> None:
    reply = await api.post(
        f"/api/v1/agents/{agent_id}/connection-checks", unsaved(seaweed, stocked_bucket)
    )

    assert reply.status == 200, reply.text
    assert (reply.json["ok"], reply.json["failure"]) == (True, None)
    assert await api.source_ids(agent_id) == []


async def test_connection_check_classifies_a_bad_key_naming_the_rest_field(
    api: Api, agent_id: str, seaweed: SeaweedS3, bucket: str
) -> None:
    body = unsaved(seaweed, bucket, identity=seaweed.wrong_secret)

    reply = await api.post(f"/api/v1/agents/{agent_id}/connection-checks", body)

    assert reply.status == 200
    assert (reply.json["ok"], reply.json["failure"], reply.json["field"]) == (
        False,
        "auth_failed",
        # The same name a failed save gives the field (REST names, camelCase).
        "secret.secretAccessKey",
    )


async def test_catalog_of_unsaved_settings_lists_streams(
    api: Api, agent_id: str, seaweed: SeaweedS3, stocked_bucket: str
) -> None:
    reply = await api.post(f"/api/v1/agents/{agent_id}/catalogs", unsaved(seaweed, stocked_bucket))

    assert reply.status == 200, reply.text
    assert [s["name"] for s in reply.json["streams"]] == ["products"]
    assert await api.source_ids(agent_id) == []
