"""Bad input: one error envelope, the field named, and nothing changed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.rest.support import Api, s3_body
from tests.support.seaweedfs import SeaweedS3


def without(body: dict[str, Any], *path: str) -> dict[str, Any]:
    """A copy of ``body`` with the nested key at ``path`` removed."""
    copy = {k: dict(v) if isinstance(v, dict) else v for k, v in body.items()}
    target = copy
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return copy


def changed(body: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {**body, **fields}


BAD_CREATES = [
    pytest.param(lambda b: without(b, "config", "bucket"), "config.bucket", id="missing-bucket"),
    pytest.param(lambda b: changed(b, config={**b["config"], "bucket": "Not A Bucket!"}),
                 "config.bucket", id="invalid-bucket-name"),
    pytest.param(lambda b: changed(b, config={**b["config"], "colour": "red"}),
                 "config.colour", id="unknown-config-field"),
    pytest.param(lambda b: changed(b, scheduleCron="every day"), "scheduleCron", id="bad-cron"),
    pytest.param(lambda b: changed(b, scheduleTimezone="Mars/Olympus"), "scheduleTimezone",
                 id="unknown-time-zone"),
    pytest.param(lambda b: changed(b, role="SOMETHING"), "role", id="unknown-role"),
    pytest.param(lambda b: changed(b, type="FTP"), "type", id="unknown-type"),
    pytest.param(lambda b: changed(b, format="PDF"), "format", id="unknown-format"),
    pytest.param(lambda b: without(b, "name"), "name", id="missing-name"),
    pytest.param(lambda b: changed(b, name=""), "name", id="empty-name"),
    pytest.param(lambda b: changed(b, name=42), "name", id="name-not-a-string"),
    pytest.param(lambda b: changed(b, config="bucket=x"), "config", id="config-not-an-object"),
    pytest.param(lambda b: changed(b, secret={"accessKeyId": 7, "secretAccessKey": "x"}),
                 "secret.accessKeyId", id="secret-value-not-a-string"),
    pytest.param(lambda b: without(b, "secret"), "secret.accessKeyId", id="missing-secret"),
    pytest.param(lambda b: changed(b, autoPushOnJobComplete=True), "autoPushOnJobComplete",
                 id="sink-option-on-a-source"),
    pytest.param(lambda b: changed(b, retryFailedPush="twice"), "retryFailedPush",
                 id="retry-count-not-a-number"),
]  # fmt: skip


@pytest.mark.parametrize(("spoil", "field"), BAD_CREATES)
async def test_bad_create_is_a_422_naming_the_field_and_saves_nothing(
    api: Api, agent_id: str, seaweed: SeaweedS3, stocked_bucket: str, spoil: Any, field: str
) -> None:
    reply = await api.post(
        f"/api/v1/agents/{agent_id}/data-sources", spoil(s3_body(seaweed, stocked_bucket))
    )

    assert reply.status == 422, reply.text
    assert (reply.error["code"], reply.error["field"]) == ("validation_failed", field)
    assert await api.source_ids(agent_id) == []


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b'{"name": "x"', id="truncated"),
        pytest.param(b"name=x", id="form-encoded"),
        pytest.param(b"\xff\xfe{}", id="not-utf8"),
        pytest.param(b'["name"]', id="array-not-object"),
        pytest.param(b"null", id="null"),
    ],
)
async def test_malformed_json_is_a_400_and_saves_nothing(
    api: Api, agent_id: str, raw: bytes
) -> None:
    reply = await api.post(f"/api/v1/agents/{agent_id}/data-sources", raw=raw)

    assert reply.status == 400
    assert reply.error["code"] == "invalid_json"
    assert await api.source_ids(agent_id) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"name": ["Inventory"]}, "name", id="name-is-a-list"),
        pytest.param({}, "name", id="name-missing"),
        pytest.param({"name": "x", "goal": 5}, "goal", id="goal-is-a-number"),
        pytest.param({"name": "x", "defaultCron": "soon"}, "defaultCron", id="bad-cron"),
        pytest.param(
            {"name": "x", "rules": {"data_sources": {"pause_source_after_failures": 0}}},
            "rules.data_sources.pause_source_after_failures",
            id="rule-out-of-range",
        ),
        pytest.param(
            {"name": "x", "rules": {"data_sinks": {"push_everything": True}}},
            "rules.data_sinks.push_everything",
            id="unknown-rule",
        ),
    ],
)
async def test_bad_agent_is_a_422_naming_the_field_and_creates_nothing(
    api: Api, body: dict[str, Any], field: str
) -> None:
    reply = await api.post("/api/v1/agents", body)

    assert reply.status == 422, reply.text
    assert (reply.error["code"], reply.error["field"]) == ("validation_failed", field)
    assert await api.agent_ids() == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"data_sinks": {"retry_failed_push": "many"}},
                     "data_sinks.retry_failed_push", id="wrong-type"),
        pytest.param({"data_sinks": {"retry_failed_push": 11}},
                     "data_sinks.retry_failed_push", id="out-of-range"),
        pytest.param({"mapping_jobs": {"always": True}}, "mapping_jobs.always", id="unknown-rule"),
    ],
)  # fmt: skip
async def test_bad_rules_are_a_422_and_keep_the_old_rules(
    api: Api, agent_id: str, body: dict[str, Any], field: str
) -> None:
    before = (await api.get(f"/api/v1/agents/{agent_id}/rules")).json

    reply = await api.put(f"/api/v1/agents/{agent_id}/rules", body)

    assert reply.status == 422, reply.text
    assert reply.error["field"] == field
    assert (await api.get(f"/api/v1/agents/{agent_id}/rules")).json == before


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        pytest.param({"name": ""}, "name", id="empty-name"),
        pytest.param({"scheduleCron": "61 * * * *"}, "scheduleCron", id="bad-cron"),
        pytest.param({"scheduleTimezone": "Nowhere/City"}, "scheduleTimezone", id="bad-zone"),
        pytest.param({"format": "PDF"}, "format", id="unknown-format"),
        pytest.param({"config": {"url": "ftp://example.com/x"}}, "config.url", id="bad-url"),
        pytest.param({"config": {"url": "https://u:p@example.com/x"}}, "config.url",
                     id="credentials-in-url"),
        pytest.param({"retryFailedPush": 1}, "retryFailedPush", id="sink-option-on-a-source"),
        pytest.param({"selectedStreams": "products"}, "selectedStreams", id="streams-not-a-list"),
    ],
)  # fmt: skip
async def test_bad_patch_is_a_422_and_changes_nothing(
    api: Api, feed: dict[str, Any], patch: dict[str, Any], field: str
) -> None:
    path = f"/api/v1/agents/{feed['agentId']}/data-sources/{feed['id']}"

    reply = await api.patch(path, patch)

    assert reply.status == 422, reply.text
    assert reply.error["field"] == field
    assert (await api.get(path)).json == feed


async def test_malformed_json_in_a_patch_is_a_400_and_changes_nothing(
    api: Api, feed: dict[str, Any]
) -> None:
    path = f"/api/v1/agents/{feed['agentId']}/data-sources/{feed['id']}"

    reply = await api.request("PATCH", path, raw=b"{'name': 'single quotes'}")

    assert (reply.status, reply.error["code"]) == (400, "invalid_json")
    assert (await api.get(path)).json == feed


@pytest.mark.parametrize(
    ("params", "field"),
    [
        pytest.param({"limit": "0"}, "limit", id="limit-too-small"),
        pytest.param({"limit": "201"}, "limit", id="limit-too-large"),
        pytest.param({"limit": "ten"}, "limit", id="limit-not-a-number"),
        pytest.param({"role": "SOURCE"}, "role", id="unknown-role"),
        pytest.param({"status": "broken"}, "status", id="unknown-status"),
    ],
)
async def test_bad_query_parameters_are_a_400_naming_the_parameter(
    api: Api, agent_id: str, params: dict[str, str], field: str
) -> None:
    reply = await api.get(f"/api/v1/agents/{agent_id}/data-sources", params=params)

    assert reply.status == 400
    assert (reply.error["code"], reply.error["field"]) == ("invalid_parameter", field)


@pytest.mark.parametrize(
    "limit",
    [pytest.param({"limit": 0}, id="zero"), pytest.param({"limit": "all"}, id="not-a-number")],
)
async def test_bad_preview_limit_is_a_422(
    api: Api, feed: dict[str, Any], limit: dict[str, Any]
) -> None:
    reply = await api.post(
        f"/api/v1/agents/{feed['agentId']}/data-sources/{feed['id']}/preview", limit
    )

    assert reply.status == 422
    assert reply.error["field"] == "limit"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("GET", "/api/v1/agents/agt_01J00000000000000000000000", id="agent"),
        pytest.param("GET", "/api/v1/agents/agt_01J00000000000000000000000/rules", id="rules"),
        pytest.param("POST", "/api/v1/agents/nope/data-sources/src_x/test", id="source"),
        pytest.param("GET", "/api/v1/nothing-here", id="unknown-route"),
    ],
)
async def test_unknown_objects_and_routes_are_404_envelopes(
    api: Api, method: str, path: str
) -> None:
    reply = await api.request(method, path)

    assert reply.status == 404
    assert reply.error["code"] == "not_found"


async def test_an_unsupported_method_is_a_405_envelope(api: Api) -> None:
    reply = await api.request("PUT", "/api/v1/agents")

    assert reply.status == 405
    assert reply.error["code"] == "method_not_allowed"


async def test_errors_never_echo_the_rejected_value(
    api: Api, agent_id: str, seaweed: SeaweedS3, stocked_bucket: str
) -> None:
    body = s3_body(seaweed, stocked_bucket)
    body["secret"] = {"accessKeyId": "AK", "secretAccessKey": "sneaky-value-0123456789"}

    reply = await api.post(f"/api/v1/agents/{agent_id}/data-sources", body)

    assert reply.status == 422
    assert reply.error["field"] == "secret.accessKeyId"
    assert "sneaky-value-0123456789" not in reply.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"values": {}}, "values", id="no-values"),
        pytest.param({"values": {"token": ""}}, "values", id="only-empty-values"),
        pytest.param({"values": {"token": 12345678}}, "values.token", id="value-not-a-string"),
        pytest.param({"values": "hunter2-hunter2"}, "values", id="values-not-an-object"),
        pytest.param({"values": {"token": "v4lue-123456"}, "type": "FTP"}, "type",
                     id="unknown-type"),
    ],
)  # fmt: skip
async def test_bad_staged_secret_is_a_422_naming_the_field(
    api: Api, body: dict[str, Any], field: str
) -> None:
    reply = await api.post("/api/v1/secrets", body)

    assert reply.status == 422, reply.text
    assert reply.error["field"] == field
    assert "hunter2" not in reply.text
